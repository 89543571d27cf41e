//! Who gets in: the desk's own listener, sign-in and its cookie, sign-out,
//! CSRF, and sessions ended by `loket staff` (the sign-in limits: `signin.rs`).

use std::fs;

use reqwest::StatusCode;

use super::*;
use crate::common::submit::{assert_secure, mode};

/// The public listener knows no desk path; the desk answers nothing but
/// its sign-in page and stylesheet without a session, and sends no
/// attachment, record or report to a client without one.
#[tokio::test]
async fn desk_paths_are_absent_from_the_public_site_and_closed_without_a_session() {
    let server = Server::start();
    let ticket = submit(&server).await;
    let record = crate::common::submit::record_path(&server.data, &ticket);
    let before = fs::read(&record).unwrap();
    let http = client();
    for path in [
        "/masuk/".to_string(),
        "/keluar/".into(),
        "/laporan/".into(),
        "/aset/meja.css".into(),
        format!("/kasus/{ticket}/"),
        format!("/kasus/{ticket}/dokumen/laporan-hasil/"),
        format!("/kasus/{ticket}/dokumen/"),
        format!("/kasus/{ticket}/lampiran/ktp.jpg"),
        "/laporan/laporan-2026-11.csv".into(),
    ] {
        let response = http.get(server.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "public {path}");
        let body = response.text().await.unwrap();
        assert!(!body.contains(&ticket), "public {path}: {body}");
    }
    let response = http
        .post(server.url(&format!("/kasus/{ticket}/")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("langkah=ditolak&catatan=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405, "the public site takes no desk post");

    let mut desk = DeskClient::new(&server);
    let home = desk.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.header("location"), "/masuk/");
    assert_secure(&home.headers, "desk redirect");
    let case = desk.get(&format!("/kasus/{ticket}/")).await;
    assert_eq!(case.status, StatusCode::SEE_OTHER);
    assert_eq!(
        case.header("location"),
        format!("/masuk/?lanjut=%2Fkasus%2F{ticket}%2F")
    );
    let ktp = desk.get(&format!("/kasus/{ticket}/lampiran/ktp.jpg")).await;
    assert_eq!(ktp.status, StatusCode::FORBIDDEN);
    assert!(ktp.header("content-type").starts_with("text/html"));
    assert!(
        !ktp.bytes.starts_with(&[0xFF, 0xD8]),
        "no image without a session"
    );
    for path in [
        "/laporan/laporan-2026-11.csv",
        "/laporan/laporan-2026-11.html",
    ] {
        let page = desk.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.body.is_empty(), "{path}");
    }
    let post = desk
        .post(
            &format!("/kasus/{ticket}/"),
            &[("langkah", "ditolak"), ("catatan", "x"), ("csrf", "0")],
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(fs::read(&record).unwrap(), before, "nothing changed");
    let css = desk.get("/aset/meja.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").starts_with("text/css"));
    let form = desk.get("/masuk/").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_secure(&form.headers, "sign-in page");
    assert_eq!(form.header("cache-control"), "no-store");
    assert!(form.body.contains("lang=\"id\""));
}

/// Sign-in gives a session cookie of 256 random bits, HttpOnly,
/// SameSite=Strict, Path=/ (Secure only over HTTPS as a trusted proxy says,
/// or when configured); the session works; sign-out needs the CSRF token,
/// ends the session and clears the cookie; all of it is audited.
#[tokio::test]
async fn sign_in_cookie_session_and_sign_out() {
    let server = Server::start_with(&["--rate-limit", "0", "--trust-proxy", "127.0.0.1"]);
    assert!(
        add_staff(&server.data, "Budi Santoso", PASSWORD)
            .status
            .success()
    );
    assert_eq!(mode(&server.data.join("staff.yaml")), 0o600);

    let mut desk = DeskClient::new(&server);
    let form = desk.get("/masuk/?lanjut=/laporan/").await;
    assert!(form.body.contains("value=\"/laporan/\""), "{}", form.body);
    let signed = desk
        .post(
            "/masuk/",
            &[
                ("csrf", &form.csrf()),
                ("nama", "budi santoso"),
                ("sandi", PASSWORD),
                ("lanjut", "/laporan/"),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(signed.header("location"), "/laporan/");
    let cookie = signed
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("loket_meja="))
        .expect("a session cookie");
    let token = cookie["loket_meja=".len()..].split(';').next().unwrap();
    assert!(
        token.len() >= 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{cookie}"
    );
    let attributes: Vec<&str> = cookie.split(';').skip(1).map(str::trim).collect();
    for wanted in ["Path=/", "HttpOnly", "SameSite=Strict"] {
        assert!(attributes.contains(&wanted), "{wanted} in {cookie}");
    }
    assert!(!attributes.contains(&"Secure"), "plain HTTP: {cookie}");

    let home = desk.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Budi Santoso"), "the name as stored");
    assert!(home.body.contains("Kotak masuk"));

    // Through a TLS proxy (trusted, X-Forwarded-Proto: https): Secure,
    // and named `__Host-`, the form's cookie too (Path=/).
    let proxied = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let through_tls = |request: reqwest::RequestBuilder| {
        request
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-for", "192.0.2.10")
    };
    let form = through_tls(proxied.get(server.desk_url("/masuk/")))
        .send()
        .await
        .unwrap();
    let form_cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("__Host-loket_meja_masuk="))
        .expect("the form's cookie, prefixed");
    for wanted in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(
            form_cookie.split(';').any(|a| a.trim() == wanted),
            "{wanted} in {form_cookie}"
        );
    }
    assert!(!form_cookie.contains("Domain"), "{form_cookie}");
    let form_pair = form_cookie.split(';').next().unwrap().to_string();
    let csrf = Page {
        status: form.status(),
        headers: form.headers().clone(),
        body: form.text().await.unwrap(),
        bytes: Vec::new(),
    }
    .csrf();
    let response = through_tls(proxied.post(server.desk_url("/masuk/")))
        .header("cookie", form_pair)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::common::submit::urlencoded(&[
            ("csrf", &csrf),
            ("nama", "Budi Santoso"),
            ("sandi", PASSWORD),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let secure = cookies
        .iter()
        .find(|c| c.starts_with("__Host-loket_meja="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(secure.split(';').any(|a| a.trim() == "Secure"), "{secure}");
    assert!(secure.split(';').any(|a| a.trim() == "Path=/"), "{secure}");
    let session = secure.split(';').next().unwrap().to_string();
    // Over HTTPS only the prefixed cookie opens the desk: the same token
    // without the prefix (as a sibling subdomain could set) is not read.
    let home = |cookie: String| {
        through_tls(proxied.get(server.desk_url("/")))
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(home(session.clone()).await.unwrap().status(), 200);
    let unprefixed = session.trim_start_matches("__Host-").to_string();
    assert_eq!(home(unprefixed).await.unwrap().status(), 303);

    // Sign-out without the token changes nothing.
    let refused = desk.post("/keluar/", &[("csrf", "salah")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Formulir kedaluwarsa"),
        "{}",
        refused.body
    );
    assert_eq!(desk.get("/").await.status, StatusCode::OK);
    let csrf = desk.get("/").await.csrf();
    let kept = desk.cookies.clone();
    let out = desk.post("/keluar/", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header("location"), "/masuk/?keluar=1");
    assert!(!desk.cookies.contains_key("loket_meja"), "cleared");
    // The old cookie no longer opens anything.
    desk.cookies = kept;
    assert_eq!(desk.get("/").await.status, StatusCode::SEE_OTHER);

    let lines = audit_lines(&server.data);
    let actions: Vec<&str> = lines
        .iter()
        .map(|l| l.split('\t').nth(2).unwrap())
        .collect();
    assert!(
        actions.contains(&"sign-in") && actions.contains(&"sign-out"),
        "{lines:?}"
    );
    for l in audited(&server.data, "sign-in") {
        assert_eq!(l[1], "Budi Santoso");
    }
    assert_eq!(mode(&server.data.join("audit")), 0o700);
    for entry in fs::read_dir(server.data.join("audit")).unwrap() {
        assert_eq!(mode(&entry.unwrap().path()), 0o600);
    }
}

/// Without a valid token tied to the session, a form is refused (403) and
/// nothing changes: no token, a wrong one, another session's, and a sign-in
/// post without the sign-in form's cookie.
#[tokio::test]
async fn forms_without_the_sessions_csrf_token_change_nothing() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    assert!(add_staff(&server.data, "Siti", PASSWORD).status.success());
    let ticket = submit(&server).await;
    let record = crate::common::submit::record_path(&server.data, &ticket);
    let before = fs::read(&record).unwrap();
    let mut budi = DeskClient::signed_in(&server, "Budi").await;
    let mut siti = DeskClient::signed_in(&server, "Siti").await;
    let path = format!("/kasus/{ticket}/");
    let page = budi.get(&path).await;
    let version = page.hidden("versi");
    let siti_token = siti.get(&path).await.csrf();
    assert_ne!(siti_token, page.csrf());
    for token in [None, Some("0".repeat(64)), Some(siti_token)] {
        let mut form = vec![
            ("langkah", "diperiksa"),
            ("berkas", "lengkap"),
            ("versi", version.as_str()),
        ];
        if let Some(t) = &token {
            form.push(("csrf", t));
        }
        let refused = budi.post(&path, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(refused.body.contains("Tidak ada yang diubah"));
        assert_eq!(fs::read(&record).unwrap(), before, "{token:?}");
    }
    // The right token goes through.
    let csrf = page.csrf();
    let done = budi
        .post(
            &path,
            &[
                ("langkah", "diperiksa"),
                ("berkas", "lengkap"),
                ("versi", &version),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // A sign-in post from elsewhere has no sign-in form cookie.
    let mut stranger = DeskClient::new(&server);
    let form = stranger.get("/masuk/").await;
    stranger.cookies.clear();
    let refused = stranger
        .post(
            "/masuk/",
            &[
                ("csrf", &form.csrf()),
                ("nama", "Budi"),
                ("sandi", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!stranger.cookies.contains_key("loket_meja"));
}

/// `loket staff passwd` and `remove`, run while the server runs, end the
/// person's sessions at their next request.
#[tokio::test]
async fn a_new_password_or_a_removal_ends_sessions() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    let mut first = DeskClient::signed_in(&server, "Budi").await;
    let mut second = DeskClient::signed_in(&server, "Budi").await;
    assert_eq!(first.get("/").await.status, StatusCode::OK);
    let changed = staff(
        &server.data,
        &["passwd", "budi", "--password-stdin"],
        "kata sandi yang baru\n",
    );
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    for desk in [&mut first, &mut second] {
        let page = desk.get("/").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.header("location"), "/masuk/");
    }
    assert_eq!(
        first.sign_in("Budi", PASSWORD).await.status,
        StatusCode::FORBIDDEN,
        "the old password"
    );
    let ok = first.sign_in("Budi", "kata sandi yang baru").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(first.get("/").await.status, StatusCode::OK);
    let removed = staff(&server.data, &["remove", "Budi"], "");
    assert!(removed.status.success());
    assert_eq!(first.get("/").await.status, StatusCode::SEE_OTHER);
    assert!(
        audited(&server.data, "password-changed")
            .iter()
            .any(|f| f[4] == "cli account Budi")
    );
    assert!(
        audited(&server.data, "account-removed")
            .iter()
            .any(|f| f[4] == "cli account Budi")
    );
}

/// The account commands: passwords of 12 characters or more, hashed with
/// argon2id in a private file; no default account; names unique ignoring
/// case; list and remove.
#[test]
fn staff_accounts_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let list = staff(&data, &["list"], "");
    assert!(crate::common::stdout(&list).contains("No staff accounts"));
    let short = add_staff(&data, "Budi", "pendek");
    assert!(!short.status.success());
    assert!(crate::common::stderr(&short).contains("at least 12"));
    assert!(!data.join("staff.yaml").exists());
    assert!(add_staff(&data, "Budi Santoso", PASSWORD).status.success());
    let twice = add_staff(&data, "budi santoso", PASSWORD);
    assert!(!twice.status.success());
    assert!(crate::common::stderr(&twice).contains("already an account"));
    let bad = add_staff(&data, "<script>", PASSWORD);
    assert!(!bad.status.success());
    let text = fs::read_to_string(data.join("staff.yaml")).unwrap();
    assert!(text.contains("$argon2id$v=19$"), "{text}");
    assert!(!text.contains(PASSWORD));
    assert_eq!(mode(&data.join("staff.yaml")), 0o600);
    assert_eq!(mode(&data), 0o700);
    let list = crate::common::stdout(&staff(&data, &["list"], ""));
    assert!(list.starts_with("Budi Santoso\t"), "{list}");
    let no_tty = staff(&data, &["passwd", "Budi Santoso"], "");
    assert!(!no_tty.status.success());
    assert!(crate::common::stderr(&no_tty).contains("--password-stdin"));
    let missing = staff(&data, &["remove", "Siti"], "");
    assert!(!missing.status.success());
    assert!(
        staff(&data, &["remove", "BUDI SANTOSO"], "")
            .status
            .success()
    );
    assert!(crate::common::stdout(&staff(&data, &["list"], "")).contains("No staff accounts"));
}
