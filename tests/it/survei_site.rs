//! The survey's results outside the desk (issue 29): `loket survei` over a
//! data folder of hand-written answer and invitation files, the office's
//! wording file in `loket check`, and `/survei/hasil/` built from
//! `survei/hasil.yaml` and served.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use crate::common::raw::raw_get;
use crate::common::server::Server;
use crate::common::*;

/// One answer file: scores in the elements' order, `~` where left out.
fn answer(data: &Path, name: &str, day: &str, scores: &str, suggestion: Option<&str>) {
    let dir = data.join("survei/jawaban");
    fs::create_dir_all(&dir).unwrap();
    let suggestion = suggestion
        .map(|s| format!("suggestion: \"{s}\"\n"))
        .unwrap_or_default();
    fs::write(
        dir.join(format!("{name}.yaml")),
        format!("answered: {day}\nkind: case\nform: permohonan\nscores: [{scores}]\nprofile: {{}}\n{suggestion}"),
    )
    .unwrap();
}

fn invitation(data: &Path, name: &str, day: &str, kind: &str) {
    let dir = data.join("survei/undangan");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join(format!("{name}.yaml")),
        format!("issued: {day}\nkind: {kind}\n"),
    )
    .unwrap();
}

const SUGGESTION: &str = "Ruang tunggu panas, Pak Budi";

/// December 2026, worked by hand: three answers, the sixth element rated by
/// two; U1 = (4 + 4 + 2) / 3 = 3.33, U6 = (3 + 2) / 2 = 2.50 (D, 62.50),
/// the rest (3 + 4 + 2) / 3 = 3.00; IKM = (10/3 + 2.5 + 7 × 3) / 9 × 25 =
/// 74.54 (C). Four invited in December (one in November does not count):
/// the minimum sample of 4 is 4 (Krejcie and Morgan), so 3 is too few.
fn december(data: &Path) {
    answer(data, "a", "2026-12-01", "4, 3, 3, 3, 3, 3, 3, 3, 3", None);
    answer(
        data,
        "b",
        "2026-12-15",
        "4, 4, 4, 4, 4, ~, 4, 4, 4",
        Some(SUGGESTION),
    );
    answer(data, "c", "2026-12-31", "2, 2, 2, 2, 2, 2, 2, 2, 2", None);
    answer(data, "d", "2026-11-30", "1, 1, 1, 1, 1, 1, 1, 1, 1", None);
    invitation(data, "1", "2026-12-01", "case");
    invitation(data, "2", "2026-12-02", "walk-in");
    invitation(data, "3", "2026-12-10", "case");
    invitation(data, "4", "2026-12-31", "case");
    invitation(data, "5", "2026-11-30", "case");
}

fn survei(data: &Path, args: &[&str]) -> Output {
    loket()
        .arg("survei")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

const DECEMBER: [&str; 4] = ["--from", "2026-12-01", "--to", "2026-12-31"];

#[test]
fn json_has_the_hand_worked_figures() {
    let dir = tempfile::tempdir().unwrap();
    december(dir.path());
    let out = survei(dir.path(), &[&DECEMBER[..], &["--format", "json"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["responden"], 3);
    assert_eq!(json["populasi"], 4);
    assert_eq!(json["sampel_minimum"], 4);
    assert_eq!(json["sampel_kurang"], true);
    assert_eq!(json["ikm"], 74.54);
    assert_eq!(json["mutu"], "C");
    let unsur = json["unsur"].as_array().unwrap();
    assert_eq!(unsur.len(), 9);
    assert_eq!(unsur[0]["nama"], "Persyaratan");
    assert_eq!(unsur[0]["nrr"], 3.33);
    assert_eq!(unsur[1]["nrr"], 3.0);
    assert_eq!(unsur[5]["nama"], "Kompetensi pelaksana");
    assert_eq!(unsur[5]["jawaban"], 2);
    assert_eq!(unsur[5]["nrr"], 2.5);
    assert_eq!(unsur[5]["nilai"], 62.5);
    assert_eq!(unsur[5]["mutu"], "D");
    assert!(!text.contains("Ruang tunggu"), "no suggestion: {text}");

    // The same month as a period.
    let period = survei(dir.path(), &["--period", "2026-12", "--format", "json"]);
    let by_period: serde_json::Value = serde_json::from_str(&stdout(&period)).unwrap();
    assert_eq!(by_period["ikm"], 74.54);
    assert_eq!(by_period["nama_periode"], "Desember 2026");
    // The quarter holds November's answer too: U1 = (4+4+2+1)/4.
    let q4 = survei(dir.path(), &["--period", "2026-Q4", "--format", "json"]);
    let q4: serde_json::Value = serde_json::from_str(&stdout(&q4)).unwrap();
    assert_eq!(
        (q4["responden"].clone(), q4["populasi"].clone()),
        (4.into(), 5.into())
    );
    assert_eq!(q4["unsur"][0]["nrr"], 2.75);
}

#[test]
fn csv_and_html_carry_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    december(dir.path());
    let out = survei(dir.path(), &[&DECEMBER[..], &["--format", "csv"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("\u{feff}periode;unsur;"), "{csv}");
    assert_eq!(lines.len(), 1 + 9 + 3, "{csv}");
    assert_eq!(
        lines[6],
        "2026-12-01..2026-12-31;U6 Kompetensi pelaksana;2;\"2,50\";\"62,50\";D"
    );
    assert_eq!(
        lines[10],
        "2026-12-01..2026-12-31;IKM (responden);3;;\"74,54\";C"
    );
    assert!(csv.contains(";Sampel minimum;4;"), "{csv}");

    let site = TempSite::fixture();
    let html = survei(
        dir.path(),
        &[
            &DECEMBER[..],
            &["--format", "html", "--root", site.root_str()],
        ]
        .concat(),
    );
    assert!(html.status.success(), "{}", stderr(&html));
    let page = stdout(&html);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("<strong>74,54</strong>"), "{page}");
    assert!(page.contains("C (Kurang Baik)"), "{page}");
    assert!(
        page.contains("Dinas Koperasi dan Usaha Mikro"),
        "the office's letterhead"
    );
    assert!(page.contains("di bawah sampel minimum"), "{page}");
    assert!(!page.contains("Ruang tunggu"));
    assert!(!page.contains("<script"));
}

#[test]
fn an_unreadable_answer_is_named_and_fails_the_command() {
    let dir = tempfile::tempdir().unwrap();
    december(dir.path());
    let broken = dir.path().join("survei/jawaban/rusak.yaml");
    fs::write(&broken, "answered: kemarin\nscores: [\n").unwrap();
    let out = survei(dir.path(), &[&DECEMBER[..], &["--format", "json"]].concat());
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:", broken.display())), "{err}");
    assert!(err.contains("1 berkas jawaban tidak dapat dibaca"), "{err}");
    // What did read is still printed.
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["responden"], 3);
}

#[test]
fn bad_dates_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    december(dir.path());
    let swapped = survei(dir.path(), &["--from", "2026-12-31", "--to", "2026-12-01"]);
    assert!(!swapped.status.success());
    assert!(
        stderr(&swapped).contains("--from (2026-12-31) jatuh sesudah --to (2026-12-01)"),
        "{}",
        stderr(&swapped)
    );
    assert!(stdout(&swapped).is_empty());
    let bad = survei(dir.path(), &["--from", "2026-13-01", "--to", "2026-12-01"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--from"), "{}", stderr(&bad));
    let half = survei(dir.path(), &["--from", "2026-12-01"]);
    assert!(!half.status.success());
    assert!(stderr(&half).contains("--to"), "{}", stderr(&half));
    let none = survei(dir.path(), &[]);
    assert!(!none.status.success());
    let both = survei(
        dir.path(),
        &[&DECEMBER[..], &["--period", "2026-12"]].concat(),
    );
    assert!(!both.status.success());
    let no_data = survei(&dir.path().join("tidak-ada"), &DECEMBER);
    assert!(!no_data.status.success());
    assert!(stderr(&no_data).contains("tidak ada folder data"));
}

#[test]
fn check_names_the_line_of_a_bad_wording_file() {
    let site = TempSite::fixture();
    site.settle_config();
    assert!(site.check().status.success(), "{}", stderr(&site.check()));
    site.write(
        "survei/kuesioner.yaml",
        "waktu:\n  pertanyaan: Seberapa cepat kami melayani Anda?\n  jawaban: [Lambat sekali, Lambat, Cepat, Cepat sekali]\nsarana:\n  jawaban: [Buruk, Cukup, Baik, Sangat baik, Istimewa]\nloket:\n  pertanyaan: Apakah loketnya bersih?\n",
    );
    let out = site.check();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("survei/kuesioner.yaml:5: `sarana.jawaban`: harus tepat empat jawaban"),
        "{err}"
    );
    assert!(
        err.contains("survei/kuesioner.yaml:6: `loket` bukan unsur survei"),
        "{err}"
    );
    site.write(
        "survei/kuesioner.yaml",
        "waktu:\n  pertanyaan: Seberapa cepat kami melayani Anda?\n  jawaban: [Lambat sekali, Lambat, Cepat, Cepat sekali]\n",
    );
    let good = site.check();
    assert!(good.status.success(), "{}", stderr(&good));
    assert!(!stderr(&good).contains("kuesioner"), "{}", stderr(&good));
}

/// One published quarter, as the desk writes it: the figures of
/// [`december`] and a two-paragraph plan (laid over a site by
/// `TempSite::overlay`; the browser tests use it too).
const HASIL_FIXTURE: &str = "survei-hasil";

fn hasil() -> String {
    fs::read_to_string(repo_root().join("tests/fixtures/survei-hasil/survei/hasil.yaml")).unwrap()
}

/// The fixture site with the survey of [`december`] in its data folder and
/// [`HASIL_FIXTURE`] published, and a page that links to the results.
fn published_site() -> TempSite {
    let site = TempSite::fixture();
    site.settle_config();
    let data = site.root().join("data");
    december(&data);
    // Private, as loket serve wants its data folder.
    fs::set_permissions(&data, fs::Permissions::from_mode(0o700)).unwrap();
    site.overlay(HASIL_FIXTURE);
    site.write(
        "content/tentang-survei.md",
        "---\ntitle: Survei kepuasan\n---\n\nLihat [hasil survei kami](/survei/hasil/#periode-2026-q4).\n",
    );
    site
}

#[test]
fn build_writes_the_results_page_without_suggestions() {
    let site = TempSite::fixture();
    site.settle_config();
    // Nothing published: the page says so (a link to it never 404s).
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let empty = site.page("/survei/hasil/");
    assert!(empty.contains("Hasil survei belum diumumkan."), "{empty}");
    let sitemap = site.read("public/sitemap.xml");
    assert!(!sitemap.contains("/survei/hasil/"), "{sitemap}");

    let site = published_site();
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = site.page("/survei/hasil/");
    assert!(page.contains("<html lang=\"id\">"));
    assert!(page.contains("class=\"site-nav\""), "the site's layout");
    assert!(
        page.contains("<h2 id=\"periode-2026-q4\">Triwulan IV 2026</h2>"),
        "{page}"
    );
    assert!(
        page.contains("Indeks Kepuasan Masyarakat: <strong>74,54</strong>"),
        "{page}"
    );
    assert!(page.contains("C (Kurang Baik)"));
    assert!(page.contains("<th scope=\"row\">U6. Kompetensi pelaksana</th><td class=\"angka\">2,50</td><td class=\"angka\">62,50</td><td>D (Tidak Baik)</td>"), "{page}");
    assert!(
        page.contains("<p>Menambah kipas angin di ruang tunggu.</p>"),
        "{page}"
    );
    assert!(page.contains("<p>Melatih petugas loket tentang standar pelayanan.</p>"));
    assert!(page.contains("<dd><time datetime=\"2027-01-08\">8 Januari 2027</time></dd>"));
    assert!(
        page.contains("Terakhir diperbarui: <time datetime=\"2027-01-08\">8 Januari 2027</time>")
    );
    assert!(page.contains("di bawah sampel minimum"));
    assert!(
        !page.contains("Ruang tunggu panas") && !page.contains("Budi"),
        "no suggestion"
    );
    assert!(!page.contains("<script"), "no JavaScript");
    assert!(page.len() < 30 * 1024, "{} bytes", page.len());
    // Listed in the sitemap, last changed when the newest period was published.
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains("/survei/hasil/</loc><lastmod>2027-01-08</lastmod>"),
        "{sitemap}"
    );

    // A published survey is the standard's "evaluasi kinerja pelaksana".
    let check = stderr(&site.check());
    let coverage = check
        .lines()
        .find(|l| l.contains("fasilitasi-usaha-mikro.md") && l.contains("komponen"))
        .unwrap_or_else(|| panic!("{check}"));
    assert!(!coverage.contains("evaluasi kinerja"), "{coverage}");
    let before = stderr(&TempSite::fixture().check());
    assert!(before.contains("evaluasi kinerja pelaksana"), "{before}");
}

#[test]
fn a_broken_results_file_fails_the_build_with_its_line() {
    let site = published_site();
    assert!(site.build().status.success());
    let built = snapshot(&site.out());
    site.write(
        "survei/hasil.yaml",
        hasil().replace("responden: 3", "responden: tiga"),
    );
    let out = site.build();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("survei/hasil.yaml:5: hasil survei tidak sah: periode[0]: invalid type"),
        "{err}"
    );
    assert_eq!(snapshot(&site.out()), built, "the site as it was");
    let check = site.check();
    assert!(!check.status.success());
    assert!(stderr(&check).contains("survei/hasil.yaml:5:"));

    // A content page cannot take the results' address.
    let site = published_site();
    site.write(
        "content/survei/hasil.md",
        "---\ntitle: Hasil\n---\n\nTeks.\n",
    );
    let out = site.build();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("content/survei/hasil.md: alamat /survei/hasil/ dipakai loket"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_results_page_is_served() {
    let site = published_site();
    let data = site.root().join("data");
    let server = Server::launch(site, data, &[]);
    let response = raw_get(server.addr, "/survei/hasil/");
    assert_eq!(response.status, 200);
    let page = response.text();
    assert!(page.contains("<strong>74,54</strong>"), "{page}");
    assert!(page.contains("Menambah kipas angin"));
    assert!(!page.contains("Ruang tunggu panas"));
    let linked = raw_get(server.addr, "/tentang-survei/");
    assert_eq!(linked.status, 200, "the page that links to it");
}
