import Foundation

/// Excerpts of the dialects' source documents, copied into the repository word for word so the
/// tests compare against the contract from a clone with nothing beside it. Each names the document
/// it comes from (the seed documents' README maps each to its dialect).
public enum Seeds {
    /// Seed 000 (`aspnet`, "SignInInternal"), its example answer to `POST http://localhost:9900/1/signin`:
    /// status line, headers, a blank line and the JSON body, tabs and all.
    public static let aspNetSignInAnswer = """
    HTTP/1.1 200 OK
    Content-Length: 1484
    Content-Type: application/json
    Server: Microsoft-HTTPAPI/2.0
    Date: Thu, 25 Jun 2015 08:46:16 GMT

    {
    	"UserInfo": {
    		"UserName": "Admin",
    		"Roles": [{
    			"Id": "7fce52a4-5fba-452d-be64-0a6f7c510a0b",
    			"DisplayName": "System administrator"
    		}],
    		"Logins": [],
    		"Claims": []
    	},
    	"ResponseCookies": [{
    		"Comment": "",
    		"HttpOnly": false,
    		"Discard": false,
    		"Domain": "localhost",
    		"Expired": true,
    		"Expires": "1970-01-01T05:00:00+05:00",
    		"Name": ".AspNet.ExternalCookie",
    		"Path": "/",
    		"Port": "",
    		"Secure": false,
    		"TimeStamp": "2015-06-25T13:46:17.1464796+05:00",
    		"Value": "",
    		"Version": 0
    	},
    	{
    		"Comment": "",
    		"HttpOnly": false,
    		"Discard": false,
    		"Domain": "localhost",
    		"Expired": false,
    		"Expires": "0001-01-01T00:00:00",
    		"Name": ".AspNet.ApplicationCookie",
    		"Path": "/",
    		"Port": "",
    		"Secure": false,
    		"TimeStamp": "2015-06-25T13:46:17.1464796+05:00",
    		"Value": "AQAAANCMnd8BFdERjHoAwE_Cl-sBAAAANg8H8gU-2kiLV2tyD0tY7AAAAAACAAAAAAAQZgAAAAEAACAAAAC4GqPKAsMBK-QJDqxaEL79UcWbfx7OmfMFs4LJIm7nwAAAAAAOgAAAAAIAACAAAACselIPKzj--x4t68en2Pz8jTnzHQbN0Cj-1af_cPHBxnABAAComi6UPesDbpBuNQRSVVjaZwJWiUK5uXcIAyJXXGVYYZf7-tewpVnh5U_rxmWJioxHG7AFLa59I4UG18Erb4HRHU0VjNcEXfwKOrt6W-ZhwlmDBXAnfxpsVeJ3hN5_ab17KBuWMU3LKVA-dI_eMQzn9JAbF5K4L4pq34ECzxEjC2bjnkKzCS2HHXzEW3Ipi6SrFRlTjB5P5GmJQboh7r2Yd3Ri8HFJiuOQr89WOIiQAmnf7oP_hqVEwU1_euLQ1KnXBFTTuHlObalyHyZbDvSEGtg9I1tWz0Ch5BvaO0wX7uDA6XtNbr6nprlevD-BxUYKP8O-JcDJjsIT4Zma0bH77O1HEfjTCd73foPzs739PXkgTZ6CRo-cuaWEpuRp3sn8gmkQgeZi8SkGe82KfDmOJp1iiTNkQ5b6WENYoVdM56VyjLTylWlO_69Rc1Els0uUligQ_DDFE1KozSeFo7p88KVKy-8NAQz2P3WXTcNBVUAAAAD6pwBpE972U5565moUxfFEoqV7mOrL3ohc8vmPSNQlNQYP-jN5HaVww9EuHgxMaAhYqVEahXxIOHYocAHTcERA",
    		"Version": 0
    	}],
    	"IsValid": true
    }
    """

    /// The body of `aspNetSignInAnswer`: what follows its blank line.
    public static var aspNetSignInAnswerBody: String {
        aspNetSignInAnswer.range(of: "\n\n").map { String(aspNetSignInAnswer[$0.upperBound...]) } ?? ""
    }
}
