wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"UserName":"bench@example.com","Password":"admin-pass"}'
