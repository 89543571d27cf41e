//! Issue 28 §2, confidential and anonymous complaints, on the fixture site
//! with `tests/fixtures/rahasia/` laid over it (the complaint form, whose
//! confidentiality box is the shipped one's, with a referral step, and an
//! anonymous form): the
//! citizen's box makes the case confidential on the web form and at the
//! desk; an anonymous form asks for no identity, gives no code, no status
//! lookup and no mail to the citizen; staff with the right role mark a
//! case confidential with a reason, audited; a referral is recorded; and
//! `loket check` names the line of a bad key.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;

use crate::common::case::{Sent, code_on, look_up, receipt, sent, wait_sent};
use crate::common::form::Multipart;
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};
use crate::common::submit::{assert_ticket_of, client, load_record, post_multipart, str_at};
use crate::common::{TempSite, loket, loket_at, stderr, stdout};
use crate::desk::{DeskClient, PASSWORD, add_staff, audited};

const COMPLAINT: &str = "/pengaduan-layanan/formulir/";
const ANONYMOUS: &str = "/pengaduan-anonim/";
/// What the anonymous complaint says.
const TOLD: &str = "Petugas loket meminta uang Rp50.000 untuk mempercepat berkas";
const PATIENCE: Duration = Duration::from_secs(60);

/// The fixture site with the overlay.
fn site() -> TempSite {
    let site = TempSite::fixture();
    site.overlay("rahasia");
    site
}

/// A server on the overlaid site, its clock at Thursday 3 December 2026.
fn start(extra: &[&str]) -> Server {
    let site = site();
    let data = site.root().join("data");
    let mut args = vec!["--rate-limit", "0"];
    args.extend(extra);
    Server::launch_with(loket_at("2026-12-03 10:00:00"), site, data, &args)
}

/// A complaint from Siti, with the confidentiality box `ticked` or not;
/// each one's own text (the same text twice is one submission sent again).
fn complaint(ticked: bool) -> Multipart {
    static SENT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let form = Multipart::new()
        .text("nama", "Siti Aminah")
        .text("kontak", "siti@contoh.id")
        .text("isi", &format!("Petugas meminta uang di loket ({n})."))
        .text("persetujuan", "ya");
    match ticked {
        true => form.text("rahasia", "ya"),
        false => form,
    }
}

/// `roles` written into `name`'s account (until `loket staff add --role`).
/// Gives the account `name` exactly `roles` ("a, b"), as an admin would
/// with `loket staff set`.
fn give_roles(data: &Path, name: &str, roles: &str) {
    let mut set = loket();
    set.args(["staff", "set", name, "--data"]).arg(data);
    for role in roles.split(',') {
        set.args(["--role", role.trim()]);
    }
    let out = set.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A staff account with `roles` ("" for the default: petugas), signed in.
/// The site's first account (its admin) is someone else, so every role
/// here is exactly the one asked for.
async fn staff(server: &Server, name: &str, roles: &str) -> DeskClient {
    if !server.data.join("staff.yaml").exists() {
        let first = add_staff(&server.data, "kepegawaian", PASSWORD);
        assert!(first.status.success(), "{}", stderr(&first));
    }
    let added = add_staff(&server.data, name, PASSWORD);
    assert!(added.status.success(), "{}", stderr(&added));
    if !roles.is_empty() {
        give_roles(&server.data, name, roles);
    }
    DeskClient::signed_in(server, name).await
}

fn confidential_by(data: &Path, ticket: &str) -> Option<String> {
    let record = load_record(data, ticket);
    record
        .get("confidential")
        .map(|c| str_at(c, "by").to_string())
}

#[tokio::test]
async fn the_citizens_box_makes_the_case_confidential_on_the_web_and_at_the_desk() {
    let server = start(&[]);
    let page = client()
        .get(server.url(COMPLAINT))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for shown in [
        "type=\"checkbox\"",
        "name=\"rahasia\"",
        "Rahasiakan identitas saya",
        "hanya dilihat oleh Pejabat Pengelola Pengaduan",
        "Keluhan Anda tetap ditangani",
        "aria-describedby=\"f-rahasia-hint\"",
    ] {
        assert!(page.contains(shown), "{shown}:\n{page}");
    }
    let url = server.url(COMPLAINT);
    let ticked = sent(post_multipart(&client(), &url, complaint(true)).await).await;
    let plain = sent(post_multipart(&client(), &url, complaint(false)).await).await;
    assert_eq!(
        confidential_by(&server.data, &ticked.ticket).as_deref(),
        Some("pemohon")
    );
    assert_eq!(confidential_by(&server.data, &plain.ticket), None);
    // A ticked box does not take the citizen's code or lookup away.
    let (_, _, shown) = receipt(&server, &ticked.ticket, ticked.cookie.as_deref()).await;
    let code = code_on(&shown).unwrap_or_else(|| panic!("no code:\n{shown}"));
    let (status, _, _) = look_up(&server, &ticked.ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK);

    // The desk's new case goes through the same rule.
    let mut desk = staff(&server, "rina", "pengelola-pengaduan").await;
    let new = "/kasus-baru/pengaduan-layanan/";
    let page = desk.get(new).await;
    assert!(page.body.contains("name=\"rahasia\""), "{}", page.body);
    let csrf = page.hidden("meja-csrf");
    let form = complaint(true)
        .text("meja-csrf", &csrf)
        .text("meja-saluran", "langsung")
        .text("meja-diterima", "2026-12-03");
    let done = desk.post_multipart(new, form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let marker = "<a class=\"btn\" href=\"/kasus/";
    let at = done.body.find(marker).unwrap() + marker.len();
    let ticket = &done.body[at..at + done.body[at..].find('/').unwrap()];
    assert_eq!(
        confidential_by(&server.data, ticket).as_deref(),
        Some("pemohon")
    );
    let case = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(
        case.body
            .contains("Pemohon meminta identitasnya dirahasiakan."),
        "{}",
        case.body
    );
}

#[tokio::test]
async fn an_anonymous_form_asks_no_identity_gives_no_code_or_lookup_and_mails_no_citizen() {
    if smtp::unavailable("rahasia: anonymous complaint") {
        return;
    }
    let relay = SmtpServer::start();
    let port = relay.port.to_string();
    let relay_url = format!("smtp://127.0.0.1:{port}");
    let server = start(&[
        "--smtp-url",
        &relay_url,
        "--mail-from",
        "Dinas Contoh <loket@contoh.go.id>",
        "--notify-to",
        "petugas@contoh.go.id",
        "--desk-url",
        "https://meja.contoh.go.id",
        "--digest-at",
        "off",
    ]);
    let page = client()
        .get(server.url(ANONYMOUS))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"isi\""), "{page}");
    for absent in ["name=\"nama\"", "name=\"kontak\"", "name=\"email\""] {
        assert!(!page.contains(absent), "{absent}:\n{page}");
    }
    // Only what was told: no name, no contact.
    let form = Multipart::new().text("isi", TOLD);
    let response = post_multipart(&client(), &server.url(ANONYMOUS), form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap();
    let ticket = location.strip_prefix("/terkirim/?tiket=").unwrap();
    assert_ticket_of(ticket, &["PA"]);
    assert!(ticket.starts_with("PA-20261203-"), "{ticket}");
    let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert!(cookies.is_empty(), "no code to show once: {cookies:?}");
    let sent = Sent {
        ticket: ticket.to_string(),
        cookie: None,
    };
    let record = load_record(&server.data, &sent.ticket);
    assert_eq!(str_at(&record["confidential"], "by"), "anonim");
    assert!(record.get("access_code_hash").is_none(), "{record:?}");

    let (status, _, shown) = receipt(&server, &sent.ticket, sent.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        shown.contains(
            "Karena Anda mengirim tanpa identitas, kami tidak dapat mengabari Anda dan Anda tidak dapat mengecek status pengaduan ini."
        ),
        "{shown}"
    );
    assert!(shown.contains("Pengaduan Anda tetap ditangani petugas."));
    assert_eq!(code_on(&shown), None, "{shown}");
    assert!(!shown.contains("Kode akses"), "{shown}");
    assert!(!shown.contains("href=\"/cek-status/\">Cek status</a> dengan"));
    // No code opens it on /cek-status/.
    let (status, _, page) = look_up(&server, &sent.ticket, "KXM4 7PRT", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // Nor can staff give it one.
    let code = loket()
        .args(["code", &sent.ticket, "--data"])
        .arg(&server.data)
        .output()
        .unwrap();
    assert!(!code.status.success());
    assert!(
        stderr(&code).contains("dikirim tanpa identitas"),
        "{}",
        stderr(&code)
    );

    // The desk offers no code and no message to nobody.
    let mut rina = staff(&server, "rina", "pengelola-pengaduan").await;
    let case = rina.get(&format!("/kasus/{}/", sent.ticket)).await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(
        case.body
            .contains("Dikirim tanpa identitas (formulir anonim).")
    );
    assert!(case.body.contains(TOLD), "staff read it");
    for absent in [
        "Buat kode akses baru",
        "Kirim pesan ke pemohon",
        "Pesan untuk pemohon (opsional)",
    ] {
        assert!(!case.body.contains(absent), "{absent}:\n{}", case.body);
    }
    // One from the complaint box, recorded at the desk: no code either.
    let new = "/kasus-baru/pengaduan-anonim/";
    let csrf = rina.get(new).await.hidden("meja-csrf");
    let form = Multipart::new()
        .text("isi", "Surat tanpa nama di kotak aduan")
        .text("meja-csrf", &csrf)
        .text("meja-saluran", "kotak-aduan")
        .text("meja-diterima", "2026-12-03");
    let done = rina.post_multipart(new, form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("tidak ada kode akses"), "{}", done.body);
    assert!(!done.body.contains("Kode akses:"), "{}", done.body);

    // Staff are told of both, with nothing the citizen wrote; nobody else is.
    let mails = relay.wait_for(2, PATIENCE);
    wait_sent(&server.data);
    let mails = if relay.received().len() > mails.len() {
        relay.received()
    } else {
        mails
    };
    assert_eq!(mails.len(), 2, "{mails:#?}");
    for mail in &mails {
        assert_eq!(mail.rcpt_to, ["petugas@contoh.go.id"]);
        assert!(!mail.raw.contains("Rp50.000"), "{}", mail.raw);
        assert!(!mail.raw.contains("Surat tanpa nama"), "{}", mail.raw);
    }
}

#[tokio::test]
async fn only_a_complaint_handler_or_admin_marks_a_case_confidential_with_a_reason() {
    let server = start(&[]);
    let url = server.url(COMPLAINT);
    let sent = sent(post_multipart(&client(), &url, complaint(false)).await).await;
    let ticket = sent.ticket.as_str();
    let case = format!("/kasus/{ticket}/");
    let mark = format!("/kasus/{ticket}/rahasia/");

    // A petugas sees no form, and is refused whatever they post.
    let mut budi = staff(&server, "budi", "petugas").await;
    let page = budi.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Rahasiakan kasus ini"), "{}", page.body);
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let refused = budi
        .post(
            &mark,
            &[("csrf", &csrf), ("versi", &version), ("alasan", "Coba")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Hanya Pejabat Pengelola Pengaduan dan admin")
    );
    assert_eq!(confidential_by(&server.data, ticket), None);

    // A complaint handler must give a reason.
    let mut rina = staff(&server, "rina", "pengelola-pengaduan").await;
    let page = rina.get(&case).await;
    assert!(page.body.contains("Rahasiakan kasus ini"), "{}", page.body);
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let blank = rina
        .post(
            &mark,
            &[("csrf", &csrf), ("versi", &version), ("alasan", "  ")],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("Tulis alasan kasus ini dirahasiakan"));
    assert_eq!(confidential_by(&server.data, ticket), None);
    let reason = "Pengaduan menyebut nama petugas loket";
    let done = rina
        .post(
            &mark,
            &[("csrf", &csrf), ("versi", &version), ("alasan", reason)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let record = load_record(&server.data, ticket);
    assert_eq!(str_at(&record["confidential"], "by"), "rina");
    assert_eq!(str_at(&record["confidential"], "reason"), reason);
    let history = record["history"].as_sequence().unwrap();
    assert_eq!(str_at(history.last().unwrap(), "confidential"), reason);
    assert_eq!(str_at(&record, "status"), "baru", "not a step");
    let lines = audited(&server.data, "confidential");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0][1], "rina");
    assert_eq!(lines[0][3], ticket);
    assert_eq!(lines[0][4], "ditandai rahasia");
    let page = rina.get(&case).await;
    for shown in ["Kasus rahasia", "Ditandai rahasia oleh rina", reason] {
        assert!(page.body.contains(shown), "{shown}:\n{}", page.body);
    }
    // The citizen's page shows neither the mark nor its reason.
    let (_, _, shown) = receipt(&server, ticket, sent.cookie.as_deref()).await;
    let code = code_on(&shown).unwrap();
    let (status, _, looked) = look_up(&server, ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !looked.contains(reason) && !looked.contains("rahasia"),
        "{looked}"
    );

    // An admin who also works cases may too (on another case).
    let other = sent_complaint(&server).await;
    let mut ani = staff(&server, "ani", "petugas, admin").await;
    let page = ani.get(&format!("/kasus/{other}/")).await;
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let done = ani
        .post(
            &format!("/kasus/{other}/rahasia/"),
            &[
                ("csrf", &csrf),
                ("versi", &version),
                ("alasan", "Menyebut petugas"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        confidential_by(&server.data, &other).as_deref(),
        Some("ani")
    );
}

/// The referral step's form, to `to`.
fn referral<'a>(csrf: &'a str, version: &'a str, to: &'a str) -> [(&'a str, &'a str); 6] {
    [
        ("csrf", csrf),
        ("versi", version),
        ("langkah", "dirujuk"),
        ("rujukan", to),
        ("nomor_surat", "700/123/415.40/2026"),
        ("tanggal_surat", "2026-12-03"),
    ]
}

async fn sent_complaint(server: &Server) -> String {
    let url = server.url(COMPLAINT);
    sent(post_multipart(&client(), &url, complaint(false)).await)
        .await
        .ticket
}

#[tokio::test]
async fn a_referral_step_records_to_whom_by_which_letter_and_when() {
    let server = start(&[]);
    let ticket = sent_complaint(&server).await;
    let case = format!("/kasus/{ticket}/");
    let mut rina = staff(&server, "rina", "pengelola-pengaduan").await;
    let page = rina.get(&case).await;
    let step = |page: &crate::desk::Page| (page.csrf(), page.hidden("versi"));
    let (csrf, version) = step(&page);
    let checked = rina
        .post(
            &case,
            &[
                ("csrf", &csrf),
                ("versi", &version),
                ("langkah", "cek-administrasi"),
                ("berkas", "lengkap"),
            ],
        )
        .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    let page = rina.get(&case).await;
    for shown in [
        "Rujuk ke instansi berwenang",
        "<option>Inspektorat Daerah Kabupaten Jombang</option>",
        "<option>UPP Saber Pungli Kabupaten Jombang</option>",
        "name=\"tanggal_surat\" value=\"2026-12-03\"",
    ] {
        assert!(page.body.contains(shown), "{shown}:\n{}", page.body);
    }
    let (csrf, version) = step(&page);
    // Somewhere the form file does not name is refused.
    let wrong = rina
        .post(&case, &referral(&csrf, &version, "Kejaksaan Negeri"))
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("Pilih instansi tujuan rujukan"));
    let good = referral(&csrf, &version, "Inspektorat Daerah Kabupaten Jombang");
    let done = rina.post(&case, &good).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let record = load_record(&server.data, &ticket);
    assert_eq!(str_at(&record, "status"), "dirujuk");
    let entry = record["history"].as_sequence().unwrap().last().unwrap();
    let referral = &entry["referral"];
    assert_eq!(
        str_at(referral, "to"),
        "Inspektorat Daerah Kabupaten Jombang"
    );
    assert_eq!(str_at(referral, "letter"), "700/123/415.40/2026");
    assert_eq!(str_at(referral, "date"), "2026-12-03");
    let page = rina.get(&case).await;
    assert!(
        page.body.contains(
            "Dirujuk ke Inspektorat Daerah Kabupaten Jombang, surat nomor 700/123/415.40/2026, 3 Desember 2026"
        ),
        "{}",
        page.body
    );
    // `loket show` prints it with the record.
    let show = loket()
        .args(["show", &ticket, "--root"])
        .arg(server.site().root())
        .arg("--data")
        .arg(&server.data)
        .output()
        .unwrap();
    assert!(show.status.success(), "{}", stderr(&show));
    assert!(
        stdout(&show).contains("referral:\n    to: Inspektorat Daerah Kabupaten Jombang"),
        "{}",
        stdout(&show)
    );

    // The command line takes the same step, and asks for the same.
    let other = sent_complaint(&server).await;
    let status = |args: &[&str]| {
        loket()
            .arg("status")
            .arg(&other)
            .args(args)
            .arg("--root")
            .arg(server.site().root())
            .arg("--data")
            .arg(&server.data)
            .args(["--by", "Budi"])
            .output()
            .unwrap()
    };
    assert!(
        status(&["cek-administrasi", "--berkas", "lengkap"])
            .status
            .success()
    );
    let lacking = status(&["dirujuk"]);
    assert!(!lacking.status.success());
    assert!(
        stderr(&lacking).contains("--referral"),
        "{}",
        stderr(&lacking)
    );
    let referred = status(&[
        "dirujuk",
        "--referral",
        "UPP Saber Pungli Kabupaten Jombang; ; 2026-12-03",
    ]);
    assert!(referred.status.success(), "{}", stderr(&referred));
    let record = load_record(&server.data, &other);
    let entry = record["history"].as_sequence().unwrap().last().unwrap();
    assert_eq!(
        str_at(&entry["referral"], "to"),
        "UPP Saber Pungli Kabupaten Jombang"
    );
    assert!(entry["referral"].get("letter").is_none());
}

#[test]
fn loket_check_names_the_line_of_a_bad_key() {
    let site = site();
    let check = |site: &TempSite| {
        let out = site.check();
        (out.status.success(), stdout(&out) + &stderr(&out))
    };
    let (ok, said) = check(&site);
    assert!(ok, "{said}");
    // An anonymous form that asks for a name.
    let anonymous = site.read("forms/pengaduan-anonim.yaml");
    site.write(
        "forms/pengaduan-anonim.yaml",
        anonymous.replace(
            "fields:\n",
            "fields:\n  - { name: nama, label: \"Nama\", type: text, role: name }\n",
        ),
    );
    let (ok, said) = check(&site);
    assert!(!ok);
    assert!(
        said.contains("forms/pengaduan-anonim.yaml:11: formulir ini `anonymous: true` (baris 9), tetapi isian `nama` punya `role: name`"),
        "{said}"
    );
    site.write("forms/pengaduan-anonim.yaml", anonymous);
    // A referral step that names nowhere, and a required box.
    let complaint = site.read("forms/pengaduan-layanan.yaml");
    let broken = complaint
        .replace(
            "referral: { to: [\"Inspektorat Daerah Kabupaten Jombang\", \"UPP Saber Pungli Kabupaten Jombang\"] }",
            "referral: { to: [] }",
        )
        .replace("role: confidential,", "role: confidential, required: true,");
    assert_ne!(broken, complaint);
    site.write("forms/pengaduan-layanan.yaml", broken);
    let (ok, said) = check(&site);
    assert!(!ok);
    for wanted in [
        "forms/pengaduan-layanan.yaml:25: isian `rahasia` (`role: confidential`) tidak boleh wajib",
        "forms/pengaduan-layanan.yaml:42: langkah `dirujuk`: `referral` perlu `to`",
    ] {
        assert!(said.contains(wanted), "{wanted}:\n{said}");
    }
}
