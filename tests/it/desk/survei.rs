//! The satisfaction survey on the desk (issue 29): walk-in codes with their
//! QR, a period's report with its figures and suggestions, the follow-up
//! plan, and publishing the results to the site (written to the site
//! folder, built and served by the running server) and withdrawing them.

use std::fs;
use std::path::Path;

use loket::survey::store::{Kind, Surveys};
use reqwest::StatusCode;

use super::roles::add_with;
use super::{DeskClient, audited};
use crate::common::server::Server;

/// An answer file as the public survey stores one.
fn answer(data: &Path, name: &str, day: &str, score: u8, suggestion: Option<&str>) {
    let dir = data.join("survei/jawaban");
    fs::create_dir_all(&dir).unwrap();
    let scores = vec![score.to_string(); 9].join(", ");
    let suggestion = suggestion
        .map(|s| format!("suggestion: '{s}'\n"))
        .unwrap_or_default();
    fs::write(
        dir.join(format!("{name}.yaml")),
        format!("answered: {day}\nkind: case\nform: permohonan\nscores: [{scores}]\n{suggestion}"),
    )
    .unwrap();
}

/// `count` invitations issued on `day` (the population).
fn invitations(data: &Path, day: &str, count: usize) {
    let dir = data.join("survei/undangan");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..count {
        fs::write(
            dir.join(format!("uji-{day}-{i}.yaml")),
            format!("issued: {day}\nkind: case\n"),
        )
        .unwrap();
    }
}

/// November 2026: three answers (4, 3, 3 on every element: IKM 83,33, B)
/// out of ten invited, one suggestion with markup; an answer of October
/// that November does not count; a file that does not read.
fn november(data: &Path) {
    answer(
        data,
        "a",
        "2026-11-03",
        4,
        Some("<b>Antrean</b> terlalu panjang"),
    );
    answer(data, "b", "2026-11-10", 3, None);
    answer(data, "c", "2026-11-20", 3, Some("Petugas ramah."));
    answer(data, "d", "2026-10-30", 1, Some("Bulan lalu"));
    fs::write(data.join("survei/jawaban/rusak.yaml"), "scores: [\n").unwrap();
    invitations(data, "2026-11-02", 10);
}

fn code_in(body: &str) -> String {
    let at = body.find("class=\"code-big ticket\">").expect(body) + 24;
    body[at..at + 9].to_string()
}

#[tokio::test]
async fn a_walk_in_code_is_invited_and_shown_with_its_qr() {
    let server = Server::start_at("2026-12-02 09:00:00");
    add_with(&server, "rina", &["--role", "petugas"]);
    let mut desk = DeskClient::signed_in(&server, "rina").await;
    let form = desk.get("/survei/kode/").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Buat kode survei"));
    let csrf = form.csrf();

    let forged = desk
        .post("/survei/kode/", &[("layanan", "permohonan")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unchosen = desk.post("/survei/kode/", &[("csrf", &csrf)]).await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!server.data.join("survei/undangan").exists());

    let made = desk
        .post(
            "/survei/kode/",
            &[("csrf", &csrf), ("layanan", "permohonan")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let code = code_in(&made.body);
    assert_eq!(code.as_bytes()[4], b'-', "{code}");
    let address = format!("http://127.0.0.1:8080/survei/?kode={code}");
    assert!(made.body.contains(&address), "{}", made.body);
    assert!(made.body.contains("<svg class=\"qr\" role=\"img\""));
    assert!(made.body.contains("<path fill=\"#000\" d=\"M"));

    let key = loket::cases::access::normalize(&code).unwrap();
    let invitation = Surveys::new(&server.data)
        .invitation(&key)
        .unwrap()
        .expect("the code's invitation");
    assert_eq!(invitation.kind, Kind::WalkIn);
    assert_eq!(invitation.form.as_deref(), Some("permohonan"));
    assert_eq!(invitation.issued.to_string(), "2026-12-02");

    let lines = audited(&server.data, "survey");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0]
            .iter()
            .all(|f| !f.contains(&key) && !f.contains(&code))
    );

    // A second code is another one.
    let again = desk
        .post("/survei/kode/", &[("csrf", &csrf), ("layanan", "-")])
        .await;
    assert_ne!(code_in(&again.body), code);

    // The code, typed as printed, opens the questionnaire on the public
    // site and takes one answer.
    let public = crate::common::submit::client();
    let opened = public
        .get(server.url(&format!("/survei/?kode={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    assert!(
        opened
            .text()
            .await
            .unwrap()
            .contains("name=\"persyaratan\"")
    );
    let answer = |public: reqwest::Client| {
        let body = format!("kode={code}&persyaratan=4&waktu=3");
        let url = server.url("/survei/");
        async move {
            public
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(answer(public.clone()).await, StatusCode::SEE_OTHER);
    assert_eq!(answer(public).await, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_report_shows_a_periods_figures_and_suggestions_to_staff_only() {
    let server = Server::start_at("2026-12-02 09:00:00");
    november(&server.data);
    add_with(&server, "kadis", &["--role", "pimpinan"]);
    add_with(&server, "admin", &["--role", "admin"]);

    let mut admin = DeskClient::signed_in(&server, "admin").await;
    let refused = admin.get("/survei/?tahun=2026&bagian=11").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("Antrean"));

    let mut kadis = DeskClient::signed_in(&server, "kadis").await;
    let page = kadis.get("/survei/?tahun=2026&bagian=11").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("November 2026"));
    assert!(body.contains("<strong>83,33</strong>"), "{body}");
    assert!(body.contains("B (Baik)"));
    assert!(
        body.contains("Jumlah responden (3) belum mencapai sampel minimum (10) untuk populasi 10")
    );
    // The first element: NRR 3,33, converted 83,33.
    assert!(body.contains("<td>3</td><td>3,33</td><td>83,33</td><td>B (Baik)</td>"));
    // Suggestions, escaped; October's is not November's.
    assert!(
        body.contains("&lt;b&gt;Antrean&lt;&#x2F;b&gt; terlalu panjang")
            || body.contains("&lt;b&gt;Antrean&lt;/b&gt; terlalu panjang"),
        "{body}"
    );
    assert!(!body.contains("<b>Antrean"));
    assert!(body.contains("Petugas ramah."));
    assert!(!body.contains("Bulan lalu"));
    assert!(body.contains("survei/jawaban/rusak.yaml"));
    // Pimpinan reads; the plan and publishing are for those who serve.
    assert!(!body.contains("action=\"/survei/terbitkan/\""));

    // The whole quarter counts October's answer too.
    let quarter = kadis.get("/survei/?tahun=2026&bagian=Q4").await;
    assert!(quarter.body.contains("Bulan lalu"));
    assert!(quarter.body.contains("Triwulan IV 2026"));
    let bad = kadis.get("/survei/?tahun=2026&bagian=S3").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Periode tidak dikenal"));
}

#[tokio::test]
async fn a_plan_is_kept_and_published_with_the_figures_without_suggestions() {
    let server = Server::start_at("2026-12-02 09:00:00");
    november(&server.data);
    add_with(&server, "rina", &["--role", "petugas"]);
    let mut desk = DeskClient::signed_in(&server, "rina").await;
    let page = desk.get("/survei/?periode=2026-11").await;
    assert!(page.body.contains("belum terbit di situs"));
    let csrf = page.csrf();
    let plan = "Menambah loket antrean pada hari Senin.";

    let forged = desk
        .post(
            "/survei/rencana/",
            &[("periode", "2026-11"), ("rencana", plan)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let long = "x".repeat(5001);
    let refused = desk
        .post(
            "/survei/rencana/",
            &[("csrf", &csrf), ("periode", "2026-11"), ("rencana", &long)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&long), "what was typed is kept");
    assert!(refused.body.contains("terlalu panjang"));
    let saved = desk
        .post(
            "/survei/rencana/",
            &[("csrf", &csrf), ("periode", "2026-11"), ("rencana", plan)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = desk.get(saved.header("location")).await;
    assert!(page.body.contains("tersimpan"));
    assert!(page.body.contains(plan));

    // Published: the site folder's file, and the site the server serves
    // built anew (an edit of the home page made meanwhile shows with it).
    let mark = "Tanda uji penerbitan survei.";
    let home = server.site().read("content/_index.md");
    server
        .site()
        .write("content/_index.md", format!("{home}\n{mark}\n"));
    let public = reqwest::get(server.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!public.contains(mark));
    let published = desk
        .post(
            "/survei/terbitkan/",
            &[("csrf", &csrf), ("periode", "2026-11")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let public = reqwest::get(server.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(public.contains(mark), "the site was built and served again");
    let file = server.site().read("survei/hasil.yaml");
    assert!(file.contains("periode: 2026-11"), "{file}");
    assert!(file.contains("ikm: 83.33"), "{file}");
    assert!(file.contains("mutu: B"), "{file}");
    assert!(file.contains("responden: 3"), "{file}");
    assert!(file.contains(plan), "{file}");
    for private in ["Antrean", "Petugas ramah", "suggestion"] {
        assert!(!file.contains(private), "{private} in {file}");
    }
    let page = desk.get(published.header("location")).await;
    assert!(page.body.contains("sudah terbit di situs"));
    assert!(page.body.contains("terbit di situs sejak 2 Desember 2026"));

    // Withdrawn: gone from the file.
    let withdrawn = desk
        .post("/survei/tarik/", &[("csrf", &csrf), ("periode", "2026-11")])
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    let file = server.site().read("survei/hasil.yaml");
    assert!(!file.contains("2026-11") && !file.contains(plan), "{file}");

    // A period without answers has nothing to publish.
    let empty = desk
        .post(
            "/survei/terbitkan/",
            &[("csrf", &csrf), ("periode", "2026-06")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::CONFLICT);
    assert!(
        empty
            .body
            .contains("Belum ada jawaban survei pada Juni 2026")
    );

    let details: Vec<String> = audited(&server.data, "survey")
        .into_iter()
        .map(|f| f[4].clone())
        .collect();
    assert_eq!(
        details,
        [
            "2026-11 rencana disimpan",
            "2026-11 diterbitkan",
            "2026-11 ditarik"
        ]
    );
}

/// The umask of the shipped `loket.service` (`UMask=`).
fn unit_umask() -> u32 {
    let unit = fs::read_to_string(crate::common::deploy_file("loket.service")).unwrap();
    let umask: Vec<&str> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("UMask="))
        .collect();
    assert_eq!(umask.len(), 1, "one UMask= in loket.service");
    u32::from_str_radix(umask[0], 8).unwrap()
}

/// The deploy kit's layout (docs/deploy.md, "Editing the site"): a site
/// folder shared with the `loket-editor` group (setgid, 2775), the server
/// run with the unit's umask. The results it publishes are a site file the
/// group may edit, in a folder made like its parent; the data folder and
/// every file in it stay loket's alone.
#[tokio::test]
async fn published_results_in_a_shared_site_folder_stay_the_editors_to_edit() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::process::CommandExt;
    let site = crate::common::TempSite::fixture();
    fs::set_permissions(site.root(), fs::Permissions::from_mode(0o2775)).unwrap();
    let group = fs::metadata(site.root()).unwrap().gid();
    let data = site.root().join("data");
    let mut command = crate::common::loket_at("2026-12-02 09:00:00");
    let umask = unit_umask();
    // SAFETY: umask(2) only, between fork and exec.
    unsafe {
        command.pre_exec(move || {
            rustix::process::umask(rustix::fs::Mode::from_raw_mode(umask));
            Ok(())
        });
    }
    let server = Server::launch_with(command, site, data, &["--rate-limit", "0"]);
    november(&server.data);
    add_with(&server, "rina", &["--role", "petugas"]);
    let mut desk = DeskClient::signed_in(&server, "rina").await;
    let csrf = desk.get("/survei/?periode=2026-11").await.csrf();
    let published = desk
        .post(
            "/survei/terbitkan/",
            &[("csrf", &csrf), ("periode", "2026-11")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );

    let mode = |rel: &str| {
        let meta = fs::metadata(server.site().root().join(rel)).unwrap();
        (meta.permissions().mode() & 0o7777, meta.gid())
    };
    assert_eq!(
        mode("survei"),
        (0o2775, group),
        "survei/: {:o}",
        mode("survei").0
    );
    assert_eq!(
        mode("survei/hasil.yaml"),
        (0o664, group),
        "survei/hasil.yaml: {:o}",
        mode("survei/hasil.yaml").0
    );
    // Withdrawn (the file replaced): still the group's to edit.
    let withdrawn = desk
        .post("/survei/tarik/", &[("csrf", &csrf), ("periode", "2026-11")])
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    assert_eq!(mode("survei/hasil.yaml"), (0o664, group));

    // What the server wrote into its data folder (not the answers this
    // test wrote): private whatever the umask.
    let mut seen = 0;
    let answers = server.data.join("survei");
    for entry in walkdir::WalkDir::new(&server.data)
        .into_iter()
        .filter_entry(|e| e.path() != answers)
    {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        let bits = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            assert_eq!(bits, 0o700, "{}", entry.path().display());
        } else if !meta.file_type().is_symlink() {
            assert_eq!(bits & 0o077, 0, "{} is {bits:o}", entry.path().display());
            seen += 1;
        }
    }
    assert!(seen > 0);
}
