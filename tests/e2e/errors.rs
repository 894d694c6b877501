//! Every error code of the wire protocol on a request that provokes it, and hostile input that
//! must be refused without harm.

use serde_json::Value;

use crate::support::{TestApp, error_code};

async fn code_of(app: &TestApp, params: &[(&str, &str)]) -> Option<i64> {
    error_code(&app.get(params).await)
}

#[tokio::test]
async fn routing_errors() {
    let app = TestApp::spawn().await;
    assert_eq!(code_of(&app, &[]).await, Some(101));
    assert_eq!(
        code_of(&app, &[("api", "SYNO.API.Info"), ("version", "1")]).await,
        Some(101)
    );
    assert_eq!(
        code_of(&app, &[("api", "SYNO.API.Info"), ("method", "query")]).await,
        Some(101)
    );
    assert_eq!(
        code_of(
            &app,
            &[("api", "SYNO.Nope"), ("version", "1"), ("method", "query")]
        )
        .await,
        Some(102)
    );
    assert_eq!(
        code_of(
            &app,
            &[
                ("api", "SYNO.API.Info"),
                ("version", "1"),
                ("method", "nope")
            ]
        )
        .await,
        Some(103)
    );
    assert_eq!(
        code_of(
            &app,
            &[
                ("api", "SYNO.API.Info"),
                ("version", "2"),
                ("method", "query")
            ]
        )
        .await,
        Some(104)
    );
    assert_eq!(
        code_of(
            &app,
            &[
                ("api", "SYNO.API.Auth"),
                ("version", "2"),
                ("method", "login")
            ]
        )
        .await,
        Some(104)
    );
    assert_eq!(
        code_of(
            &app,
            &[
                ("api", "SYNO.API.Info"),
                ("version", "one"),
                ("method", "query")
            ]
        )
        .await,
        Some(120)
    );
    // JSON-quoted routing values are accepted (reference §1.2).
    let body = app
        .get(&[
            ("api", "\"SYNO.API.Info\""),
            ("version", "1"),
            ("method", "\"query\""),
        ])
        .await;
    assert_eq!(body["success"], true);
}

#[tokio::test]
async fn missing_and_malformed_parameters() {
    let app = TestApp::spawn().await;
    app.add_user("hal", "pw-hal", false);
    let login = [
        ("api", "SYNO.API.Auth"),
        ("version", "7"),
        ("method", "login"),
    ];
    assert_eq!(code_of(&app, &login).await, Some(114), "no account");
    let mut no_password = login.to_vec();
    no_password.push(("account", "hal"));
    assert_eq!(code_of(&app, &no_password).await, Some(114), "no password");
    for blob in [
        "not json",
        r#"{"rsa":"!!","aes":"!!"}"#,
        r#"{"rsa":"AAAA","aes":"AAAA"}"#,
        "[]",
    ] {
        let mut p = login.to_vec();
        p.push(("__cIpHeRtExT", blob));
        // Encrypted fields that do not open are a wrong password (issue 19: no oracle).
        assert_eq!(code_of(&app, &p).await, Some(400), "blob {blob:?}");
    }
}

#[tokio::test]
async fn protected_endpoints_need_a_session() {
    let app = TestApp::spawn().await;
    for (api, method, version) in [
        ("SYNO.Foto.UserInfo", "me", "1"),
        ("SYNO.DSM.Info", "getinfo", "2"),
    ] {
        let body = app
            .get(&[("api", api), ("version", version), ("method", method)])
            .await;
        assert_eq!(error_code(&body), Some(119), "{api}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_reading() {
    let app = TestApp::spawn_with(
        "[limits]\nmax_body_bytes = 4096\nmax_upload_bytes = 65536\n",
        true,
    )
    .await;
    let client = TestApp::client();
    // Declared too large: refused at once.
    let big = "a=".to_owned() + &"x".repeat(10_000);
    let response = client
        .post(app.url("/webapi/entry.cgi"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some(120));
    // Undeclared length (chunked): cut off at the limit.
    let stream =
        futures_util::stream::iter((0..20).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 1000])));
    let response = client
        .post(app.url("/webapi/entry.cgi"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    // A file part to a method that takes none: refused unread (115, security::bodies).
    let form = reqwest::multipart::Form::new()
        .text("api", "SYNO.API.Info")
        .text("version", "1")
        .text("method", "query")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![0u8; 66_000]).file_name("big.jpg"),
        );
    // A fresh client: the refused requests before may have ended their connections.
    let response = TestApp::client()
        .post(app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some(115), "{body}");
    // A multipart file part over the upload limit, to an upload (the whole body is under the
    // declared limit, so the server reads up to the file limit and then refuses).
    app.add_user("anna", "anna-pass-1", true);
    let anna = app.login("anna", "anna-pass-1").await;
    let form = reqwest::multipart::Form::new()
        .text("api", "SYNO.Foto.Upload.Item")
        .text("version", "1")
        .text("method", "upload")
        .text("_sid", anna.sid.clone())
        .text("name", "\"big.jpg\"")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![0u8; 66_000]).file_name("big.jpg"),
        );
    let response = TestApp::client()
        .post(app.url("/webapi/entry.cgi"))
        .multipart(form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    // Nothing is left in the spool, and the server still answers.
    let spool = app.data_dir().join("tmp");
    let left = std::fs::read_dir(&spool).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "spool files removed");
    let body = app
        .get(&[
            ("api", "SYNO.API.Info"),
            ("version", "1"),
            ("method", "query"),
        ])
        .await;
    assert_eq!(body["success"], true);
}

#[tokio::test]
async fn hostile_input_never_breaks_the_server() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "application/x-www-form-urlencoded",
            b"api=%ZZ&version=%&method=\xff\xfe".to_vec(),
            "bad escapes",
        ),
        (
            "multipart/form-data; boundary=XYZ",
            b"--XYZ\r\nContent-Disposition: form-data; name=\"api\"\r\n\r\nSYNO".to_vec(),
            "truncated multipart",
        ),
        (
            "multipart/form-data; boundary=XYZ",
            b"garbage".to_vec(),
            "no parts",
        ),
        (
            "multipart/form-data; boundary=XYZ",
            b"--XYZ\r\nContent-Disposition: form-data; name=\"api\"\r\n\r\n\xff\xff\r\n--XYZ--\r\n"
                .to_vec(),
            "non-UTF-8 field",
        ),
        (
            "application/json",
            b"{\"api\":\"SYNO.API.Info\"}".to_vec(),
            "json body",
        ),
        ("text/plain", vec![0u8; 2048], "binary"),
    ];
    for (content_type, body, what) in cases {
        let response = client
            .post(app.url("/webapi/entry.cgi"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{what}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let code = error_code(&body).unwrap_or_else(|| panic!("{what} succeeded: {body}"));
        assert!([101, 102, 120].contains(&code), "{what}: {code}");
    }
    // Many parameters, long values, odd paths.
    let many: String = (0..1000).map(|i| format!("p{i}=1&")).collect();
    let body = app.get_at(&format!("/webapi/entry.cgi?{many}"), &[]).await;
    assert_eq!(error_code(&body), Some(120));
    let response = client
        .get(app.url("/webapi/nothing.cgi"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    let body = app
        .get(&[
            ("api", "SYNO.API.Info"),
            ("version", "1"),
            ("method", "query"),
        ])
        .await;
    assert_eq!(body["success"], true, "still serving");
}

/// Every served method, fed garbage in every parameter it reads: always a well-formed envelope,
/// never HTTP 500, and the server keeps serving.
#[tokio::test]
async fn garbage_in_every_parameter_gets_an_envelope() {
    let app = TestApp::spawn().await;
    app.add_user("ivy", "pw-ivy", false);
    let login = app.login("ivy", "pw-ivy").await;
    let calls = [
        ("SYNO.API.Info", "query", "1"),
        ("SYNO.API.Auth", "login", "7"),
        ("SYNO.API.Auth", "logout", "7"),
        ("SYNO.API.Auth.UIConfig", "get", "1"),
        ("SYNO.API.Encryption", "getinfo", "1"),
        ("SYNO.DSM.Info", "getinfo", "2"),
        ("SYNO.Foto.UserInfo", "me", "1"),
    ];
    let garbage = [
        "",
        "\"",
        "[",
        "{}",
        "[1,\"x\",null]",
        "-1",
        "99999999999999999999999",
        "\u{0}",
        "%",
        "🙂",
    ];
    let names = [
        "query",
        "account",
        "passwd",
        "session",
        "format",
        "device_id",
        "enable_syno_token",
        "__cIpHeRtExT",
        "SynoToken",
        "id",
        "offset",
        "limit",
    ];
    for (api, method, version) in calls {
        for (i, value) in garbage.iter().enumerate() {
            let name = names[i % names.len()];
            let mut params: Vec<(&str, &str)> =
                vec![("api", api), ("method", method), ("version", version)];
            if method != "logout" {
                params.push(("_sid", &login.sid));
            }
            for n in names {
                params.push((n, value));
            }
            params.push((name, value));
            let response = TestApp::client()
                .get(app.url("/webapi/entry.cgi"))
                .query(&params)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 200, "{api} {method} {name}={value:?}");
            let body: Value = response.json().await.expect("envelope");
            assert!(body["success"].is_boolean(), "{api} {method}: {body}");
        }
    }
    let body = app
        .get(&[
            ("api", "SYNO.Foto.UserInfo"),
            ("version", "1"),
            ("method", "me"),
            ("_sid", &login.sid),
        ])
        .await;
    assert_eq!(body["success"], true, "still serving, session intact");
}
