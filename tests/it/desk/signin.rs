//! Signing in under attack: the limits that keep a guesser out without
//! locking the staff member out, attempts sent at once, the signed sign-in
//! token (login CSRF), and the address logged for every attempt.

use reqwest::StatusCode;

use super::*;

/// Wrong passwords lock a name from the address that typed them (five),
/// and an address for every name (ten); a name with five failures from
/// anywhere is "under attack": only addresses that have not failed for it
/// are let try, so the staff member's own PC still signs in with the right
/// password however many addresses an attacker uses. An unknown name gets
/// the same answers. A refused sign-in is 429 with Retry-After.
#[tokio::test]
async fn sign_in_is_limited_without_locking_out_the_real_user() {
    // Trusts this machine's X-Forwarded-For, so one client is many addresses.
    let server = Server::start_with(&[
        "--rate-limit",
        "0",
        "--trust-proxy",
        "127.0.0.1",
        "--desk-secure-cookies",
    ]);
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    assert!(add_staff(&server.data, "Siti", PASSWORD).status.success());
    let attempt = |name: &'static str, password: &'static str, ip: String| {
        let server = &server;
        async move {
            let mut desk = DeskClient::new(server);
            desk.forwarded_for = Some(ip);
            desk.sign_in(name, password).await
        }
    };
    let masked = |page: &Page| page.body.replace(&page.csrf(), "TOKEN");
    let mut answers = Vec::new();
    // An attacker guesses five times from one address, then from five more.
    for i in 0..5 {
        let wrong = attempt("Budi", "kata sandi yang salah", "192.0.2.77".into()).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "attempt {i}");
    }
    for i in 0..5 {
        let wrong = attempt("Budi", "kata sandi yang salah", format!("192.0.2.{i}")).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);
        assert!(wrong.body.contains("Nama atau kata sandi salah"));
        answers.push(masked(&wrong).replace("value=\"Budi\"", "value=\"NAME\""));
        let unknown = attempt(
            "Tidak Ada",
            "kata sandi yang salah",
            format!("198.51.100.{i}"),
        )
        .await;
        assert_eq!(unknown.status, wrong.status);
        answers.push(masked(&unknown).replace("value=\"Tidak Ada\"", "value=\"NAME\""));
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "one answer for both"
    );
    // The attacker's addresses are refused now, even with the right password...
    for ip in ["192.0.2.0", "192.0.2.4", "192.0.2.77"] {
        let locked = attempt("Budi", PASSWORD, ip.into()).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{ip}");
        let retry: u64 = locked.header("retry-after").parse().unwrap();
        assert!(retry > 0 && retry <= 15 * 60, "{retry}");
        assert!(locked.body.contains("Terlalu banyak percobaan"));
        assert!(
            !locked
                .set_cookies()
                .iter()
                .any(|c| c.contains("loket_meja="))
        );
    }
    let unknown = attempt("Tidak Ada", "kata sandi yang salah", "198.51.100.0".into()).await;
    assert_eq!(
        unknown.status,
        StatusCode::TOO_MANY_REQUESTS,
        "unknown names are limited alike"
    );
    // ...but Budi at his own PC, which typed nothing wrong, gets in.
    let budi = attempt("Budi", PASSWORD, "203.0.113.20".into()).await;
    assert_eq!(budi.status, StatusCode::SEE_OTHER, "{}", budi.body);
    // A guess from a fresh address is still checked (one per address).
    let fresh = attempt("Budi", "kata sandi yang salah", "203.0.113.21".into()).await;
    assert_eq!(fresh.status, StatusCode::FORBIDDEN);
    let again = attempt("Budi", "kata sandi yang salah", "203.0.113.21".into()).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    let siti = attempt("Siti", PASSWORD, "192.0.2.77".into()).await;
    assert_eq!(siti.status, StatusCode::SEE_OTHER, "{}", siti.body);
    let cookie = siti
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-loket_meja="))
        .unwrap();
    assert!(
        cookie.contains("; Secure"),
        "--desk-secure-cookies: {cookie}"
    );
    // Ten failures from one address lock it for every name.
    for i in 0..10 {
        let name = if i < 5 { "Nama Lain" } else { "Orang" };
        let wrong = attempt(name, "kata sandi yang salah", "203.0.113.50".into()).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "attempt {i}");
    }
    let from_there = attempt("Siti", PASSWORD, "203.0.113.50".into()).await;
    assert_eq!(from_there.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = attempt("Siti", PASSWORD, "203.0.113.51".into()).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);

    // Failed sign-ins are audited with the address, without what was
    // typed for an unknown name; so are lockouts and sign-ins.
    let failed = audited(&server.data, "sign-in-failed");
    assert!(
        failed
            .iter()
            .any(|f| f[1] == "Budi" && f[4] == "from 192.0.2.3"),
        "{failed:?}"
    );
    assert!(failed.iter().any(|f| f[1] == "-"));
    assert!(
        failed.iter().any(|f| f[1] == "Budi"
            && f[4].starts_with("from 192.0.2.77; locked: this name from this address")),
        "{failed:?}"
    );
    assert!(
        failed.iter().any(|f| f[4].starts_with("from 203.0.113.50;")
            && f[4].contains("locked: this address for every name")),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f[4].contains("account under attack: one try per address")),
        "{failed:?}"
    );
    let signed = audited(&server.data, "sign-in");
    assert!(
        signed
            .iter()
            .any(|f| f[1] == "Budi" && f[4] == "from 203.0.113.20"),
        "{signed:?}"
    );
    let log = audit_lines(&server.data).join("\n");
    assert!(
        !log.contains("Tidak Ada") && !log.contains("salah"),
        "{log}"
    );
    // The log has a line per failure and refusal with the address, for
    // fail2ban (docs/deploy.md), and no name typed.
    let stderr = server.stderr_now();
    assert!(!stderr.contains("Tidak Ada"));
    for line in [
        "sign-in failed from 192.0.2.77",
        "sign-in refused from 192.0.2.77",
        "sign-in lockout from 203.0.113.50",
        "sign-in from 203.0.113.20",
    ] {
        assert!(stderr.contains(line), "{line:?} not in:\n{stderr}");
    }
}

/// Once a name is under attack, an address gets one try even when it
/// sends its attempts all at once: they are counted as they are checked
/// (at most as many in flight as the desk hashes at once, two).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_sent_at_once_do_not_multiply_the_tries() {
    let server = Server::start_with(&["--rate-limit", "0", "--trust-proxy", "127.0.0.1"]);
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    let attempt = |ip: String| {
        let server = &server;
        async move {
            let mut desk = DeskClient::new(server);
            desk.forwarded_for = Some(ip);
            desk.sign_in("Budi", "kata sandi yang salah").await.status
        }
    };
    for i in 0..5 {
        assert_eq!(attempt(format!("192.0.2.{i}")).await, StatusCode::FORBIDDEN);
    }
    let burst: Vec<StatusCode> =
        futures_util::future::join_all((0..8).map(|_| attempt("203.0.113.9".into()))).await;
    let checked = burst
        .iter()
        .filter(|s| **s == StatusCode::FORBIDDEN)
        .count();
    assert!((1..=2).contains(&checked), "{checked} checked of {burst:?}");
    assert!(
        burst
            .iter()
            .all(|s| [StatusCode::FORBIDDEN, StatusCode::TOO_MANY_REQUESTS].contains(s))
    );
}

/// The sign-in form's token is signed by the server for the client's
/// address: a value it did not issue (a 64-hex cookie tossed in by a
/// sibling subdomain, with the same value in a cross-site form), or one it
/// issued to another address, is refused (login CSRF).
#[tokio::test]
async fn a_sign_in_token_the_server_did_not_issue_is_refused() {
    let server = Server::start_with(&["--rate-limit", "0", "--trust-proxy", "127.0.0.1"]);
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    let tossed = "ab".repeat(32);
    let mut victim = DeskClient::new(&server);
    victim.forwarded_for = Some("192.0.2.10".into());
    victim
        .cookies
        .insert("loket_meja_masuk".into(), tossed.clone());
    let refused = victim
        .post(
            "/masuk/",
            &[("csrf", &tossed), ("nama", "Budi"), ("sandi", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("Formulir masuk sudah kedaluwarsa"));
    assert!(!victim.cookies.contains_key("loket_meja"));
    // The form page does not adopt the tossed value either.
    let form = victim.get("/masuk/").await;
    assert_ne!(form.csrf(), tossed);
    assert_ne!(victim.cookies["loket_meja_masuk"], tossed);

    // A real token, fetched by an attacker from their own address, does
    // not work from the staff PC's address.
    let mut attacker = DeskClient::new(&server);
    attacker.forwarded_for = Some("198.51.100.66".into());
    let theirs = attacker.get("/masuk/").await.csrf();
    let mut victim = DeskClient::new(&server);
    victim.forwarded_for = Some("192.0.2.10".into());
    victim
        .cookies
        .insert("loket_meja_masuk".into(), theirs.clone());
    let refused = victim
        .post(
            "/masuk/",
            &[("csrf", &theirs), ("nama", "Budi"), ("sandi", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The token issued to this address signs in.
    let mut budi = DeskClient::new(&server);
    budi.forwarded_for = Some("192.0.2.10".into());
    let page = budi.sign_in("Budi", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}
