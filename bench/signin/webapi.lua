wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"grant_type":"password","client_id":"bench@example.com","client_secret":"admin-pass"}'
