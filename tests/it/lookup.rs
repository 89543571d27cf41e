//! `/cek-status/` and the access code, black-box: the code shown once on
//! the receipt (never in a URL or a log), the case it opens and what that
//! shows, an unknown ticket and a wrong code answered alike, and the rate
//! limit on failed lookups.

use reqwest::StatusCode;
use reqwest::header;

use crate::common::TempSite;
use crate::common::case::*;
use crate::common::form::{NIK, PHONE, VALID_PERMOHONAN, jpeg, permohonan_text};
use crate::common::server::Server;
use crate::common::submit::{assert_secure, client, post_multipart, record_path};

#[tokio::test]
async fn the_code_is_shown_once_to_the_browser_that_sent_the_form_and_never_in_a_url() {
    let server = Server::start();
    let form = || permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 3));
    let response = post_multipart(&client(), &server.url("/permohonan/"), form()).await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let first = sent(response).await;
    let cookie = first
        .cookie
        .clone()
        .expect("a one-time cookie with the 303");
    assert_eq!(location, format!("/terkirim/?tiket={}", first.ticket));
    // Pressed twice: the resend gets the same ticket and a cookie that
    // still shows the code (the browser follows the second answer).
    let again = sent(post_multipart(&client(), &server.url("/permohonan/"), form()).await).await;
    assert_eq!(again.ticket, first.ticket);
    let resend_cookie = again.cookie.expect("the resend's cookie");

    // Anyone else with the URL sees the receipt without the code.
    let (status, _, page) = receipt(&server, &first.ticket, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(code_on(&page), None, "{page}");
    let (status, headers, page) = receipt(&server, &first.ticket, Some(&resend_cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let code = code_on(&page).expect("the code, once");
    assert_eq!(code.len(), 9, "{code}");
    assert!(page.contains("hanya ditampilkan sekali"), "{page}");
    assert!(page.contains("href=\"/cek-status/\""), "{page}");
    // The cookie stays, so that a reload says the code was shown.
    let kept = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        kept.starts_with(&format!("{resend_cookie};")) && kept.contains("Max-Age=86400"),
        "{kept}"
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    // Seen: neither cookie shows it again.
    for cookie in [&cookie, &resend_cookie] {
        let (_, _, page) = receipt(&server, &first.ticket, Some(cookie)).await;
        assert_eq!(code_on(&page), None);
    }
    // The record holds a hash of it, not the code.
    let record = std::fs::read_to_string(record_path(&server.data, &first.ticket)).unwrap();
    assert!(
        record.contains("access_code_hash: hmac-sha256:"),
        "{record}"
    );
    assert!(!record.contains(&code.replace(' ', "")), "{record}");
    let (status, _, _) = look_up(&server, &first.ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, log) = server.stop();
    assert!(
        !log.contains(&code.replace(' ', "")) && !log.contains(&code),
        "{log}"
    );
    assert!(!log.contains("tiket="), "{log}");
}

#[tokio::test]
async fn the_right_code_shows_the_case_and_only_what_its_citizen_may_see() {
    let server = Server::start();
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let code = code_of(&server, &sent).await;
    let ticket = sent.ticket.clone();
    staff_step(
        &server,
        &ticket,
        &[
            "diperiksa",
            "--berkas",
            "tidak-lengkap",
            "--note",
            "RAHASIA-INTERNAL foto buram",
            "--public-note",
            "Mohon kirim ulang foto KTP yang jelas.",
        ],
    );
    staff_step(
        &server,
        &ticket,
        &[
            "pertemuan-dijadwalkan",
            "--meeting",
            "2027-01-06 10:00, Kantor Dinas Contoh",
        ],
    );
    // Typed as people type it: lower case, the code with a space or not.
    let (status, headers, page) =
        look_up(&server, &ticket.to_lowercase(), &code.to_lowercase(), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_secure(&headers, "lookup");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers["x-robots-tag"], "noindex");
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"));
    for shown in [
        ticket.as_str(),
        "Pertemuan sudah dijadwalkan",
        "Rabu, 6 Januari 2027 pukul 10.00 WIB",
        "Kantor Dinas Contoh",
        "Mohon kirim ulang foto KTP yang jelas.",
        "Sedang diperiksa petugas",
        "Berkas tidak lengkap.",
        "diselesaikan paling lambat",
        "Siti Aminah",
    ] {
        assert!(page.contains(shown), "{shown:?} not on:\n{page}");
    }
    let typed: Vec<&str> = VALID_PERMOHONAN
        .iter()
        .filter(|(name, _)| !["jenis", "persetujuan", "nama"].contains(name))
        .map(|(_, value)| *value)
        .collect();
    for hidden in
        typed
            .into_iter()
            .chain([NIK, PHONE, "siti@contoh.id", "RAHASIA-INTERNAL", "Budi"])
    {
        assert!(!page.contains(hidden), "{hidden:?} on:\n{page}");
    }
    let (status, _, _) = look_up(&server, &ticket, &code.replace(' ', "-"), None).await;
    assert_eq!(status, StatusCode::OK);
    // GET shows the form, and asks nothing in its URL. The empty form is a
    // public page search engines may list (Lighthouse's SEO audit fails a
    // noindex page); what a lookup answers is not.
    let got = client()
        .get(server.url("/cek-status/"))
        .send()
        .await
        .unwrap();
    assert!(got.headers().get("x-robots-tag").is_none());
    let page = got.text().await.unwrap();
    assert!(!page.contains("noindex"), "{page}");
    assert!(
        page.contains("<form method=\"post\" action=\"/cek-status/\""),
        "{page}"
    );
}

#[tokio::test]
async fn an_unknown_ticket_and_a_wrong_code_get_the_same_answer() {
    let server = Server::start();
    let sent = send_request(&server, None).await;
    let code = code_of(&server, &sent).await;
    let ticket = sent.ticket;
    // Same day and kind, another suffix: well formed, never issued.
    let suffix = if ticket.ends_with("CDFH") {
        "HFDC"
    } else {
        "CDFH"
    };
    let unknown = format!("{}{suffix}", &ticket[..12]);
    let wrong_code = if code.starts_with('C') {
        "DDDD DDDD"
    } else {
        "CCCC CCCC"
    };
    let (wrong_status, wrong_headers, wrong_page) =
        look_up(&server, &ticket, wrong_code, None).await;
    let (unknown_status, unknown_headers, unknown_page) =
        look_up(&server, &unknown, &code, None).await;
    assert_eq!(wrong_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown_status, wrong_status);
    // The page echoes the ticket typed; otherwise the same, byte for byte.
    assert_eq!(
        wrong_page.replace(&ticket, "T"),
        unknown_page.replace(&unknown, "T")
    );
    assert!(
        wrong_page.contains("tidak cocok dengan tiket mana pun"),
        "{wrong_page}"
    );
    let mut a = wrong_headers.clone();
    let mut b = unknown_headers.clone();
    for h in [&mut a, &mut b] {
        h.remove(header::DATE);
        h.remove(header::CONTENT_LENGTH);
    }
    assert_eq!(a, b);
    assert!(!wrong_page.contains(wrong_code), "the code is not echoed");
    // A record from before access codes opens with no code.
    let path = record_path(&server.data, &ticket);
    let text = std::fs::read_to_string(&path).unwrap();
    let old: String = text
        .lines()
        .filter(|l| !l.starts_with("access_code_hash:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, old).unwrap();
    let (status, _, page) = look_up(&server, &ticket, &code, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.replace(&ticket, "T"),
        unknown_page.replace(&unknown, "T")
    );
    // Shapes that are not a ticket or a code are named as such.
    let (status, _, page) = look_up(&server, "KP-123", "ab", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Nomor tiket tidak sesuai bentuknya"),
        "{page}"
    );
    assert!(
        page.contains("Kode akses terdiri dari 8 huruf dan angka"),
        "{page}"
    );
}

/// Other well-formed tickets of the same day and kind as `ticket`, never
/// issued (but for a one-in-160,000 chance each).
fn other_tickets(ticket: &str, n: usize) -> Vec<String> {
    const SYMBOLS: &[u8] = b"CDFHJKMNPRTVWXY34679";
    (0..n)
        .map(|i| {
            let suffix: String = [i / 400, i / 20 % 20, i % 20, 7]
                .iter()
                .map(|&k| char::from(SYMBOLS[k % 20]))
                .collect();
            format!("{}{suffix}", &ticket[..ticket.len() - 4])
        })
        .filter(|t| t != ticket)
        .collect()
}

/// Past the per-address limit a wrong code gets 429, but the right code
/// still opens its case (one person's typos must not lock out everyone
/// behind the same carrier address); past ten times the limit the address
/// is refused outright, which bounds scanning from one address.
#[tokio::test]
async fn failed_lookups_are_limited_per_address_but_the_right_code_still_works() {
    let server = Server::start_with(&[
        "--rate-limit",
        "0",
        "--lookup-rate-limit",
        "3",
        "--trust-proxy",
        "127.0.0.1",
    ]);
    let sent = send_request(&server, None).await;
    let code = code_of(&server, &sent).await;
    let ticket = sent.ticket;
    let citizen = Some("203.0.113.7");
    // Mistyped shapes and lookups that find the case are not counted.
    for _ in 0..5 {
        assert_eq!(
            look_up(&server, "x", "y", citizen).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            look_up(&server, &ticket, &code, citizen).await.0,
            StatusCode::OK
        );
    }
    // Wrong codes on other tickets (none of them reaches its own limit).
    let others = other_tickets(&ticket, 40);
    for other in &others[..3] {
        let (status, _, _) = look_up(&server, other, "CCCC CCCC", citizen).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, headers, page) = look_up(&server, &others[3], "CCCC CCCC", citizen).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(page.contains("Terlalu banyak percobaan"), "{page}");
    // The address is locked, yet the right code opens the case.
    let (status, _, page) = look_up(&server, &ticket, &code, citizen).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Another citizen behind the same proxy is not held back at all.
    let (status, _, _) = look_up(&server, &others[4], "CCCC CCCC", Some("203.0.113.8")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Ten times the limit (30 wrong lookups) and even the right code is refused.
    for other in &others[4..30] {
        let (status, _, _) = look_up(&server, other, "CCCC CCCC", citizen).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
    let (status, _, page) = look_up(&server, &ticket, &code, citizen).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("Terlalu banyak percobaan"), "{page}");
}

/// Wrong codes for one ticket are counted from every address: a guesser
/// spreading over many addresses closes that ticket's lookup, for everyone
/// and even with the right code, until the window ends; the page says what
/// to do. A ticket that does not exist closes alike (nothing is revealed).
#[tokio::test]
async fn wrong_codes_from_many_addresses_close_one_tickets_lookup() {
    let server = Server::start_with(&["--rate-limit", "0", "--trust-proxy", "127.0.0.1"]);
    let sent = send_request(&server, None).await;
    let code = code_of(&server, &sent).await;
    let ticket = sent.ticket;
    let unknown = other_tickets(&ticket, 1).remove(0);
    for target in [&ticket, &unknown] {
        for i in 0..5 {
            // Two addresses (two /64s) taking turns, each far below its own limit.
            let from = if i % 2 == 0 {
                "2001:db8:1::1"
            } else {
                "2001:db8:2::1"
            };
            let (status, _, _) = look_up(&server, target, "CCCC CCCC", Some(from)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{target} {i}");
        }
    }
    let mut pages = Vec::new();
    for target in [&ticket, &unknown] {
        let (status, headers, page) = look_up(&server, target, &code, Some("192.0.2.99")).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
        let retry: u64 = headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= 600, "{retry}");
        assert!(
            page.contains("Cek status tiket ini ditutup sementara"),
            "{page}"
        );
        assert!(page.contains("sebutkan nomor tiket Anda"), "{page}");
        pages.push(page.replace(target.as_str(), "T"));
    }
    assert_eq!(
        pages[0], pages[1],
        "a closed lookup says nothing of existence"
    );
    // Other tickets are not affected.
    let other = send_request(&server, Some("lain@contoh.id")).await;
    let other_code = code_of(&server, &other).await;
    let (status, _, _) = look_up(&server, &other.ticket, &other_code, Some("2001:db8:1::1")).await;
    assert_eq!(status, StatusCode::OK);
}

/// Guesses sent all at once are counted one by one: of twenty wrong codes
/// for one ticket from twenty addresses at the same moment, five are
/// checked and the rest refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_sent_at_once_are_bounded_per_ticket() {
    let server = Server::start_with(&["--rate-limit", "0", "--trust-proxy", "127.0.0.1"]);
    let sent = send_request(&server, None).await;
    let ticket = sent.ticket;
    let addresses: Vec<String> = (0..20).map(|i| format!("2001:db8:{i}::1")).collect();
    let statuses = futures_util::future::join_all(
        addresses
            .iter()
            .map(|ip| look_up(&server, &ticket, "CCCC CCCC", Some(ip))),
    )
    .await;
    let checked = statuses
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused = statuses
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 15));
}

/// Receipts of tickets that do not exist are limited per address; past
/// the limit every receipt is 429 (so the answer says nothing), except the
/// one the browser was just sent to with its one-time cookie.
#[tokio::test]
async fn receipts_of_unknown_tickets_are_limited_per_address() {
    let server = Server::start_with(&[
        "--rate-limit",
        "0",
        "--lookup-rate-limit",
        "3",
        "--trust-proxy",
        "127.0.0.1",
    ]);
    let first = send_request(&server, None).await;
    let receipt_from = |ticket: String, cookie: Option<String>, from: &'static str| {
        let url = server.url(&format!("/terkirim/?tiket={ticket}"));
        async move {
            let mut request = client().get(url).header("x-forwarded-for", from);
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let scanner = "198.51.100.9";
    // Existing receipts are not counted.
    for _ in 0..5 {
        let (status, _) = receipt_from(first.ticket.clone(), None, scanner).await;
        assert_eq!(status, StatusCode::OK);
    }
    for unknown in other_tickets(&first.ticket, 3) {
        let (status, _) = receipt_from(unknown, None, scanner).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let unknown = other_tickets(&first.ticket, 4).remove(3);
    let (status, page) = receipt_from(unknown, None, scanner).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("Cek Status"), "{page}");
    let (status, _) = receipt_from(first.ticket.clone(), None, scanner).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "existing or not, the same"
    );
    // A citizen behind that same address who just sent a form sees the
    // receipt and the code.
    let mut request = client()
        .post(server.url("/permohonan/"))
        .header("x-forwarded-for", scanner);
    let body = permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 9));
    request = request
        .header(header::CONTENT_TYPE, body.content_type())
        .body(body.finish());
    let fresh = sent(request.send().await.unwrap()).await;
    let (status, page) = receipt_from(fresh.ticket.clone(), fresh.cookie.clone(), scanner).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(code_on(&page).is_some(), "{page}");
    // Another address is not held back.
    let (status, _) = receipt_from(first.ticket.clone(), None, "198.51.100.10").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_rejected_case_shows_its_reason() {
    let server = Server::start();
    let sent = send_request(&server, None).await;
    let code = code_of(&server, &sent).await;
    staff_step(
        &server,
        &sent.ticket,
        &[
            "ditolak",
            "--note",
            "Bukan wewenang dinas; silakan ke Disperindag.",
        ],
    );
    let (status, _, page) = look_up(&server, &sent.ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Status: <strong>Ditolak</strong>"), "{page}");
    assert!(page.contains("Alasan penolakan"), "{page}");
    assert!(
        page.contains("Bukan wewenang dinas; silakan ke Disperindag."),
        "{page}"
    );
    assert!(
        !page.contains("paling lambat"),
        "a closed case has no deadline:\n{page}"
    );
}

#[test]
fn show_offers_whatsapp_and_mailto_replies_with_the_public_message() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = Server::start();
    let ticket = rt
        .block_on(send_request(&server, Some("siti@contoh.id")))
        .ticket;
    staff_step(
        &server,
        &ticket,
        &[
            "diperiksa",
            "--berkas",
            "lengkap",
            "--public-note",
            "Jadwal konsultasi kami kabari besok.",
        ],
    );
    let out = crate::common::loket()
        .args(["show", &ticket, "--data"])
        .arg(&server.data)
        .output()
        .unwrap();
    let shown = crate::common::stdout(&out);
    let wa = shown
        .lines()
        .find_map(|l| l.strip_prefix("#   WhatsApp: "))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(wa.starts_with("https://wa.me/6281234567890?text="), "{wa}");
    assert!(
        wa.contains(&ticket) && wa.contains("Jadwal%20konsultasi"),
        "{wa}"
    );
    let mail = shown
        .lines()
        .find_map(|l| l.strip_prefix("#   Surel: "))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        mail.starts_with("mailto:siti@contoh.id?subject=Tiket%20"),
        "{mail}"
    );
}

/// The one-time code's cookie is `Secure` when the site's `base_url` is
/// https (the rule: the address citizens are given, not what a proxy says
/// of one request), and not on a plain-http site (a browser would drop it).
#[tokio::test]
async fn the_code_cookie_is_secure_when_the_site_is_served_over_https() {
    let form = || permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 5));
    let cookie_of = |headers: &header::HeaderMap| {
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("loket_kode="))
            .expect("the code's cookie")
    };
    let site = TempSite::fixture();
    let yaml = site.read("site.yaml");
    assert!(
        yaml.contains("base_url: \"http://127.0.0.1:8080\""),
        "{yaml}"
    );
    site.settle_config();
    let data = site.root().join("data");
    let server = Server::launch(site, data, &["--rate-limit", "0"]);
    let response = post_multipart(&client(), &server.url("/permohonan/"), form()).await;
    let set = cookie_of(response.headers());
    assert!(set.split(';').any(|a| a.trim() == "Secure"), "{set}");
    let first = sent(response).await;
    let (_, headers, page) = receipt(&server, &first.ticket, first.cookie.as_deref()).await;
    assert!(code_on(&page).is_some(), "{page}");
    let kept = cookie_of(&headers);
    assert!(
        kept.contains("Max-Age=86400") && kept.ends_with("; Secure"),
        "{kept}"
    );
    drop(server);

    let server = Server::start();
    let response = post_multipart(&client(), &server.url("/permohonan/"), form()).await;
    let set = cookie_of(response.headers());
    assert!(!set.contains("Secure"), "plain http: {set}");
}
