//! `loket check`: the build's summary line and a clean check on the fixture
//! site, nothing written, one line per problem, the holiday lists of next
//! year, and the 14 components of the service standard.

use std::fs;

use crate::common::*;

#[test]
fn summary_line_and_check_pass_on_the_fixture_site() {
    let site = TempSite::fixture();
    let out = site.build();
    assert!(out.status.success());
    let line = stdout(&out);
    assert!(
        line.starts_with("Built 6 pages and") && line.contains(" ms"),
        "{line}"
    );
    // On a date whose holiday lists are all there, the fixture site checks
    // without an error; it is flagged for what the office has still to
    // settle: its public address and its own privacy notice.
    let check = loket_at("2026-06-15 10:00:00")
        .args(["check", "--root", site.root_str()])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let err = stderr(&check);
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(": peringatan: "))
        .collect();
    assert_eq!(warnings.len(), 2, "{err}");
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("site.yaml:3: peringatan: base_url http://127.0.0.1:8080"))
    );
    assert!(warnings.iter().any(|w| {
        w.starts_with("site.yaml: peringatan: pemberitahuan data pribadi memakai nilai bawaan")
    }));
    assert!(stdout(&check).contains("Tidak ada kesalahan (2 peringatan)"));
    // Settled, nothing is left but the information.
    site.settle_config();
    let check = loket_at("2026-06-15 10:00:00")
        .args(["check", "--root", site.root_str()])
        .output()
        .unwrap();
    let err = stderr(&check);
    assert!(err.lines().all(|l| l.contains(": catatan: ")), "{err}");
}

#[test]
fn check_writes_nothing() {
    let site = TempSite::fixture();
    let before = snapshot(site.root());
    assert!(site.check().status.success());
    assert_eq!(snapshot(site.root()), before);
    assert!(!site.out().exists());
}

#[test]
fn check_reports_one_line_per_problem() {
    let site = TempSite::fixture();
    site.write("content/a.md", "# A\n\n[x](/nope/)\n\n[y](/juga-tidak/)\n");
    site.write(
        "content/b.md",
        "---\ntitle: B\ntemplate: hilang.html\n---\n",
    );
    let out = site.check();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let problems: Vec<&str> = err.lines().filter(|l| l.starts_with("content/")).collect();
    assert_eq!(problems.len(), 1, "unknown template stops rendering: {err}");
    fs::remove_file(site.root().join("content/b.md")).unwrap();
    let err = stderr(&site.check());
    let problems: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("content/a.md:"))
        .collect();
    assert_eq!(problems.len(), 2, "{err}");
    assert!(problems[0].starts_with("content/a.md:3: tautan rusak"));
    assert!(problems[1].starts_with("content/a.md:5: tautan rusak"));
}

#[test]
fn check_warns_about_next_years_missing_holiday_list_from_october() {
    let site = TempSite::fixture();
    site.settle_config();
    let dir = site.root().join("hari-libur");
    fs::remove_dir_all(&dir).unwrap();
    fs::create_dir(&dir).unwrap();
    site.write(
        "hari-libur/2030.yaml",
        "year: 2030\nsource: \"SKB contoh\"\nlibur_nasional: []\n",
    );
    let check_on = |wib: &str| {
        let out = loket_at(wib)
            .args(["check", "--root", site.root_str()])
            .output()
            .unwrap();
        assert!(out.status.success(), "a warning, not an error");
        stderr(&out)
    };
    let quiet = |err: String| {
        err.lines()
            .filter(|l| !l.contains(": catatan: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(quiet(check_on("2030-09-30 23:00:00")), "");
    for day in ["2030-10-01 08:00:00", "2030-12-31 08:00:00"] {
        let err = quiet(check_on(day));
        assert!(
            err.starts_with("hari-libur/2031.yaml: peringatan: belum ada daftar hari libur 2031"),
            "{day}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let err = check_on("2031-01-02 08:00:00");
    assert!(err.contains("hari-libur/2031.yaml: peringatan: belum ada daftar hari libur 2031"));
}

/// `check` says which of the 14 components a service publishes.
#[test]
fn check_reports_the_fourteen_components() {
    let site = TempSite::fixture();
    let err = stderr(&site.check());
    assert!(
        err.contains("content/layanan/fasilitasi-usaha-mikro.md:15: catatan: standar pelayanan memuat 6 dari 14 komponen (PermenPANRB 15/2014); belum dimuat: dasar hukum; sarana dan prasarana, dan/atau fasilitas;"),
        "{err}"
    );
    // Information is not printed by a build.
    assert!(!stderr(&site.build()).contains("catatan:"));
    let service = "content/layanan/fasilitasi-usaha-mikro.md";
    let page = site.read(service);
    site.write(service, format!("{page}\n## Dasar hukum\n\nUU 25/2009.\n\n## Evaluasi kinerja pelaksana\n\nSetiap tahun.\n"));
    let err = stderr(&site.check());
    assert!(err.contains("memuat 8 dari 14 komponen"), "{err}");
}

/// A form file with mistakes fails `loket check` with one
/// `forms/ID.yaml:LINE:` line per mistake; a form page whose form file is
/// gone is named too.
#[test]
fn check_reports_mistakes_in_form_files() {
    let site = TempSite::fixture();
    site.settle_config();
    assert!(
        check_mid_year(&site).status.success(),
        "{}",
        stderr(&check_mid_year(&site))
    );
    let good = site.read("forms/permohonan.yaml");
    let broken = good
        .replacen("ticket_prefix: KP", "ticket_prefix: PL", 1)
        .replacen(
            "needs: [result], final: true }",
            "needs: [result], final: true, next: [ditolak] }",
            1,
        );
    site.write("forms/x.yaml", &broken);
    site.write(
        "forms/y.yaml",
        good.replacen("ticket_prefix: KP", "ticket_prefix: YY", 1)
            .replacen(
                "label: \"Jenis permohonan\"",
                "lable: \"Jenis permohonan\"",
                1,
            ),
    );
    let pengaduan = site.read("forms/pengaduan-layanan.yaml");
    fs::remove_file(site.root().join("forms/pengaduan-layanan.yaml")).unwrap();
    let out = check_mid_year(&site);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let selesai = line_of(&broken, "{ id: selesai,");
    // A missing key is reported at the start of its entry.
    let jenis = line_of(&good, "- name: jenis");
    for expected in [
        format!("forms/x.yaml:{selesai}: langkah akhir `selesai` tidak boleh punya `next`"),
        format!("forms/y.yaml:{jenis}: kunci `label` wajib ada"),
        "content/pengaduan-layanan/formulir.md:4: halaman menyebut formulir `pengaduan-layanan` yang tidak ada (forms/pengaduan-layanan.yaml)"
            .to_string(),
    ] {
        assert!(err.lines().any(|l| l == expected), "{expected}\n{err}");
    }
    // Put right, y.yaml still takes a prefix x.yaml uses.
    site.write("forms/pengaduan-layanan.yaml", pengaduan);
    let yy = good.replacen("ticket_prefix: KP", "ticket_prefix: YY", 1);
    site.write("forms/x.yaml", &yy);
    site.write("forms/y.yaml", &yy);
    let out = check_mid_year(&site);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let prefix = line_of(&good, "ticket_prefix:");
    let problems: Vec<&str> = err.lines().filter(|l| !l.contains(": catatan: ")).collect();
    assert_eq!(
        problems,
        [
            format!(
                "forms/y.yaml:{prefix}: prefiks tiket `YY` sudah dipakai forms/x.yaml; pilih dua huruf lain"
            )
            .as_str(),
            "1 kesalahan, 0 peringatan"
        ],
        "{err}"
    );
}

/// `loket check` on a date whose holiday lists are all there.
fn check_mid_year(site: &TempSite) -> std::process::Output {
    loket_at("2026-06-15 10:00:00")
        .args(["check", "--root", site.root_str()])
        .output()
        .unwrap()
}

#[test]
fn a_public_base_url_without_the_offices_privacy_notice_is_an_error() {
    let site = TempSite::fixture();
    let yaml = site.read("site.yaml");
    site.write(
        "site.yaml",
        yaml.replace("http://127.0.0.1:8080", "https://layanan.contoh.go.id"),
    );
    for out in [site.check(), site.build()] {
        assert!(!out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("site.yaml:3: base_url https://layanan.contoh.go.id adalah alamat publik, tetapi pemberitahuan data pribadi belum lengkap: privacy.purpose_permohonan"),
            "{err}"
        );
    }
    assert!(!site.out().join("index.html").exists());
    // One key missing is enough.
    site.settle_config();
    let settled = site.read("site.yaml");
    site.write(
        "site.yaml",
        settled.replace(
            "  rights: \"Anda berhak mengakses dan memperbaiki data Anda.\"\n",
            "",
        ),
    );
    let err = stderr(&site.check());
    assert!(
        err.contains("belum lengkap: privacy.rights belum diisi"),
        "{err}"
    );
    site.write("site.yaml", settled);
    assert!(site.check().status.success());
}
