//! The survey on the citizen's side (issue 29): a case closed by staff
//! invites its citizen, the final mail and `/cek-status/` carry the
//! one-time link, `/survei/` takes one answer per key (also under
//! concurrent posts), refuses a second one, says plainly what is unknown or
//! missing, and never logs the key.

use std::fs;
use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header;

use crate::common::case::{code_of, look_up, send_request, staff_step};
use crate::common::form::{Multipart, VALID_PERMOHONAN};
use crate::common::server::Server;
use crate::common::smtp::{self, SmtpServer};
use crate::common::submit::{client, post_multipart, urlencoded};
use crate::common::{TempSite, loket_at, stderr};

const PATIENCE: Duration = Duration::from_secs(60);

/// Every `.yaml` in `data/survei/SUB` with its text.
fn files(data: &Path, sub: &str) -> Vec<(std::path::PathBuf, String)> {
    let Ok(entries) = fs::read_dir(data.join("survei").join(sub)) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    out.sort();
    out
}

/// `loket status TICKET ARGS` with the clock at `wib`.
fn step_at(server: &Server, wib: &str, ticket: &str, args: &[&str]) {
    let out = loket_at(wib)
        .arg("status")
        .arg(ticket)
        .args(args)
        .arg("--root")
        .arg(server.site().root())
        .arg("--data")
        .arg(&server.data)
        .args(["--by", "Budi"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The 32-hex key after `/survei/?kode=` in `text`.
fn token_in(text: &str) -> Option<String> {
    let at = text.find("/survei/?kode=")? + "/survei/?kode=".len();
    let token: String = text[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (token.len() == 32).then_some(token)
}

async fn get(server: &Server, path: &str) -> (StatusCode, String) {
    let response = client().get(server.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post(server: &Server, pairs: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(server.url("/survei/"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(urlencoded(pairs))
        .send()
        .await
        .unwrap()
}

/// An answer rating every element, with a profile and a suggestion.
fn full_answer(key: &str) -> Vec<(&str, &str)> {
    vec![
        ("kode", key),
        ("persyaratan", "4"),
        ("prosedur", "3"),
        ("waktu", "3"),
        ("biaya", "4"),
        ("produk", "3"),
        ("kompetensi", "4"),
        ("perilaku", "4"),
        ("pengaduan", "2"),
        ("sarana", "3"),
        ("umur", "26-35"),
        ("pekerjaan", "wirausaha"),
        ("saran", "Ruang tunggu perlu kipas angin."),
    ]
}

/// The whole path: invitation, mail, `/cek-status/`, questionnaire, one
/// stored answer holding nothing that names the citizen, a second refused,
/// and the key never in the log.
#[tokio::test]
async fn a_finished_case_mails_a_one_time_link_that_takes_one_answer() {
    if smtp::unavailable("survei: finished case") {
        return;
    }
    let relay = SmtpServer::start();
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let args = crate::notify::mail_args(relay.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::launch_with(loket_at("2026-12-08 08:00:00"), site, data, &args);
    let sent = send_request(&server, Some("siti@contoh.id")).await;
    let code = code_of(&server, &sent).await;
    let ticket = sent.ticket;
    relay.wait_for(2, PATIENCE);
    // A step that does not close the case invites nobody.
    step_at(
        &server,
        "2026-12-08 09:00:00",
        &ticket,
        &["diperiksa", "--berkas", "lengkap"],
    );
    assert!(files(&server.data, "undangan").is_empty());
    step_at(
        &server,
        "2026-12-08 10:00:00",
        &ticket,
        &["selesai", "--note", "Dibantu mendaftar NIB lewat OSS."],
    );
    let invited = files(&server.data, "undangan");
    assert_eq!(invited.len(), 1, "{invited:?}");
    let (path, text) = &invited[0];
    assert!(text.contains("issued: 2026-12-08"), "{text}");
    assert!(text.contains("kind: case"), "{text}");
    assert!(!text.contains(&ticket) && !path.to_string_lossy().contains(&ticket));

    let mails = relay.wait_for(3, PATIENCE);
    let done = &mails[2];
    assert!(
        done.body.contains("sudah selesai ditangani"),
        "{}",
        done.body
    );
    let token = token_in(&done.body)
        .unwrap_or_else(|| panic!("no survey link in the final mail:\n{}", done.body));
    assert!(
        done.body.contains(&format!(
            "https://layanan.contoh.go.id/survei/?kode={token}"
        )),
        "{}",
        done.body
    );
    let compact = code.replace(' ', "");
    assert!(!done.raw.contains(&code) && !done.raw.contains(&compact));
    // Earlier mails (the receipt) carry no survey link.
    assert!(token_in(&mails[1].body).is_none());

    // /cek-status/ offers the same link.
    let (status, _, page) = look_up(&server, &ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/survei/?kode={token}\"")),
        "{page}"
    );

    // The link opens the questionnaire: nine questions of four answers.
    let (status, form) = get(&server, &format!("/survei/?kode={token}")).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert_eq!(form.matches("<fieldset class=\"field group\">").count(), 9);
    assert!(form.contains("kesesuaian persyaratan pelayanan"), "{form}");
    assert_eq!(form.matches("name=\"persyaratan\" value=").count(), 4);
    assert!(form.contains("name=\"persyaratan\" value=\"4\""));
    assert!(form.contains(&format!("name=\"kode\" value=\"{token}\"")));
    assert!(form.contains("<textarea") && form.contains("maxlength=\"1000\""));
    assert!(!form.contains("<script"), "works without JavaScript");

    // Nothing rated: the form again, what was chosen kept, nothing stored.
    let response = post(&server, &[("kode", &token), ("umur", "26-35")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = response.text().await.unwrap();
    assert!(
        again.contains("Pilih paling sedikit satu jawaban"),
        "{again}"
    );
    assert!(again.contains("value=\"26-35\" checked"), "{again}");
    // A suggestion over 1,000 characters: the same, the scores kept.
    let long = "a".repeat(1001);
    let response = post(
        &server,
        &[("kode", &token), ("persyaratan", "3"), ("saran", &long)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = response.text().await.unwrap();
    assert!(
        again.contains("Saran paling banyak 1.000 karakter"),
        "{again}"
    );
    assert!(again.contains("name=\"persyaratan\" value=\"3\" checked"));
    assert!(again.contains(&long));
    assert!(again.contains("id=\"f-saran-error\""), "{again}");
    assert!(files(&server.data, "jawaban").is_empty());

    // The answer: stored, and the browser sent on to the thanks.
    let response = post(&server, &full_answer(&token)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = response.headers()[header::LOCATION].to_str().unwrap();
    assert_eq!(to, "/survei/terima-kasih/");
    let (status, thanks) = get(&server, to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(thanks.contains("Jawaban survei Anda sudah kami simpan"));
    let answers = files(&server.data, "jawaban");
    assert_eq!(answers.len(), 1);
    let (path, answer) = &answers[0];
    assert!(answer.contains("answered: 2026-12-08"), "{answer}");
    assert!(
        answer.contains("Ruang tunggu perlu kipas angin."),
        "{answer}"
    );
    assert!(answer.contains("age: 26-35"), "{answer}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let mut private: Vec<&str> = VALID_PERMOHONAN
        .iter()
        .filter(|(name, _)| !["jenis", "persetujuan"].contains(name))
        .map(|(_, v)| *v)
        .collect();
    private.extend([
        ticket.as_str(),
        &token,
        &code,
        &compact,
        "siti@contoh.id",
        "Siti",
    ]);
    for value in private {
        assert!(
            !answer.contains(value),
            "{value:?} in the answer:\n{answer}"
        );
        assert!(!path.to_string_lossy().contains(value));
    }

    // A second answer is refused, politely; the first stays.
    let response = post(&server, &full_answer(&token)).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let refused = response.text().await.unwrap();
    assert!(refused.contains("Anda sudah mengisi survei"), "{refused}");
    assert_eq!(files(&server.data, "jawaban"), answers);
    let (status, page) = get(&server, &format!("/survei/?kode={token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Anda sudah mengisi survei") && !page.contains("<fieldset"));

    // /cek-status/ now thanks instead of linking.
    let (_, _, page) = look_up(&server, &ticket, &code, None).await;
    assert!(
        page.contains("Terima kasih, Anda sudah mengisi survei"),
        "{page}"
    );
    assert!(token_in(&page).is_none());

    // The key never reached the server's log.
    let log = server.stderr_now();
    assert!(log.contains("/survei/"), "the requests are logged:\n{log}");
    assert!(!log.contains(&token), "{log}");
}

/// The key of a case closed by `loket status`, read from `/cek-status/`.
async fn closed_case_key(server: &Server) -> String {
    let sent = send_request(server, None).await;
    let code = code_of(server, &sent).await;
    staff_step(server, &sent.ticket, &["ditolak", "--note", "Ganda."]);
    let (_, _, page) = look_up(server, &sent.ticket, &code, None).await;
    token_in(&page).unwrap_or_else(|| panic!("no survey link on /cek-status/:\n{page}"))
}

/// Eight answers posted at once on one key: exactly one is stored, the
/// other seven are told it was answered.
#[tokio::test]
async fn eight_posts_at_once_on_one_key_store_one_answer() {
    let server = Server::start();
    let token = closed_case_key(&server).await;
    let posts = (0..8).map(|_| {
        let server = &server;
        let token = token.clone();
        async move { post(server, &full_answer(&token)).await.status() }
    });
    let statuses = futures_util::future::join_all(posts).await;
    let stored = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((stored, refused), (1, 7), "{statuses:?}");
    assert_eq!(files(&server.data, "jawaban").len(), 1);
    assert_eq!(
        fs::read_dir(server.data.join("survei/.tmp"))
            .unwrap()
            .count(),
        0
    );
}

/// An unknown code: 404 in Indonesian with the box again, nothing stored;
/// a code of the wrong shape: 422; past the lookup limit, 429, while a
/// walk-in code that was given still opens and takes its answer. An
/// anonymous form's closed case is not invited (no way to give the link).
#[tokio::test]
async fn unknown_codes_are_refused_and_anonymous_cases_are_not_invited() {
    let site = TempSite::fixture();
    site.overlay("rahasia");
    let data = site.root().join("data");
    let server = Server::launch(
        site,
        data,
        &["--rate-limit", "0", "--lookup-rate-limit", "2"],
    );
    let (status, page) = get(&server, "/survei/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"kode\"") && page.contains("Isi survei"));
    let (status, page) = get(&server, "/survei/?kode=kxm4-7prt").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Kode survei tidak dikenal"), "{page}");
    assert!(page.contains("lang=\"id\""));
    let (status, page) = get(&server, "/survei/?kode=abc").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("8 huruf dan angka"), "{page}");
    let unknown = "0123456789abcdef0123456789abcdef";
    let response = post(&server, &full_answer(unknown)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // The third unknown key from this address in the window.
    let (status, _) = get(&server, "/survei/?kode=7PRT-KXM4").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(files(&server.data, "jawaban").is_empty());

    // A walk-in code staff made (its invitation as the store keeps it),
    // typed in lower case with a dash: past the limit a known key still
    // opens, and takes its answer.
    let walk_in = format!(
        "{:x}",
        <sha2::Sha256 as sha2::Digest>::digest(b"undangan\nKXM47PRT")
    );
    let invitations = server.data.join("survei/undangan");
    fs::create_dir_all(&invitations).unwrap();
    fs::write(
        invitations.join(format!("{walk_in}.yaml")),
        "issued: 2026-12-08\nkind: walk-in\nform: konsultasi\n",
    )
    .unwrap();
    let (status, page) = get(&server, "/survei/?kode=kxm4-7prt").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("name=\"kode\" value=\"KXM47PRT\""), "{page}");
    let response = post(&server, &full_answer("kxm4 7prt")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let answers = files(&server.data, "jawaban");
    assert_eq!(answers.len(), 1);
    assert!(answers[0].1.contains("kind: walk-in"), "{}", answers[0].1);
    assert!(!answers[0].1.contains("KXM47PRT"));
    fs::remove_file(&answers[0].0).unwrap();

    // An anonymous complaint answered (its final step): no invitation.
    let form = Multipart::new().text("isi", "Petugas meminta uang di loket.");
    let response = post_multipart(&client(), &server.url("/pengaduan-anonim/"), form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    let ticket = location.rsplit('=').next().unwrap().to_string();
    staff_step(
        &server,
        &ticket,
        &["ditanggapi", "--note", "Sudah ditindak."],
    );
    // The walk-in code's alone.
    assert_eq!(files(&server.data, "undangan").len(), 1);
}

/// The office's wording file words the questionnaire `/survei/` asks; a
/// wording file with a mistake (which `loket check` names) leaves the
/// regulation's words, and the survey still opens.
#[tokio::test]
async fn the_questionnaire_asks_in_the_offices_words() {
    let invite = |server: &Server, code: &str| {
        let name = format!(
            "{:x}",
            <sha2::Sha256 as sha2::Digest>::digest(format!("undangan\n{code}").as_bytes())
        );
        let invitations = server.data.join("survei/undangan");
        fs::create_dir_all(&invitations).unwrap();
        fs::write(
            invitations.join(format!("{name}.yaml")),
            "issued: 2026-12-08\nkind: walk-in\n",
        )
        .unwrap();
    };
    let regulation =
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?";
    for (wording, asked) in [
        (
            "waktu:\n  pertanyaan: Seberapa cepat kami melayani Anda?\n  jawaban: [Lambat sekali, Lambat, Cepat, Cepat sekali]\n",
            "Seberapa cepat kami melayani Anda?",
        ),
        ("waktu:\n  jawaban: [Satu, Dua]\n", regulation),
    ] {
        let site = TempSite::fixture();
        site.write("survei/kuesioner.yaml", wording);
        let data = site.root().join("data");
        let server = Server::launch(site, data, &[]);
        invite(&server, "KXM47PRT");
        let (status, page) = get(&server, "/survei/?kode=KXM4-7PRT").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains(asked), "{page}");
        if asked != regulation {
            assert!(!page.contains(regulation));
            assert!(page.contains("Cepat sekali"));
        }
    }
}

/// The code box and the thanks are public pages search engines may list
/// (Lighthouse's SEO audit fails a noindex page); a page opened with a key,
/// or a refused one, is not.
#[tokio::test]
async fn only_the_code_box_and_the_thanks_may_be_listed() {
    let server = Server::start();
    for (path, listed) in [
        ("/survei/", true),
        ("/survei/terima-kasih/", true),
        ("/survei/?kode=KXM4-7PRT", false),
        ("/survei/?kode=abc", false),
    ] {
        let response = client().get(server.url(path)).send().await.unwrap();
        let header = response.headers().get("x-robots-tag").cloned();
        let page = response.text().await.unwrap();
        assert_eq!(header.is_none(), listed, "{path}");
        assert_eq!(!page.contains("noindex"), listed, "{path}:\n{page}");
    }
}
