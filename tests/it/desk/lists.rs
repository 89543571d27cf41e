//! The inbox (filters, search, counts, pages) and the monthly report
//! (summary, the printable report, CSV), on hand-made records.

use reqwest::StatusCode;

use super::*;

/// Tickets whose random part counts up through the ticket alphabet.
fn ticket(prefix: &str, day: u32, n: usize) -> String {
    const ALPHABET: &[u8] = b"CDFHJKMNPRTVWXY34679";
    let code: String = [n / 400, (n / 20) % 20, n % 20, 0]
        .iter()
        .map(|i| ALPHABET[*i] as char)
        .collect();
    format!("{prefix}-202011{day:02}-{code}")
}

/// 130 records of November 2020 (long past, so every open one is late):
/// 100 requests (60 baru, 40 selesai) and 30 complaints (diperiksa).
fn many(data: &std::path::Path) {
    for n in 0..130 {
        let day = 1 + (n % 28) as u32;
        let (prefix, status) = match n {
            0..60 => ("KP", "baru"),
            60..100 => (
                "KP",
                "selesai\ncompleted_at: 2020-11-28T10:00:00+07:00\nresult: Selesai dibantu",
            ),
            _ => ("PL", "diperiksa"),
        };
        let t = ticket(prefix, day, n);
        let name = if n == 7 {
            "Rahmawati Kusuma".to_string()
        } else {
            format!("Warga {n}")
        };
        write_record(
            data,
            &t,
            &format!("2020-11-{day:02}T{:02}:00:00+07:00", 8 + n % 8),
            status,
            &name,
            "2020-11-30",
            if prefix == "KP" { "2020-12-01" } else { "null" },
            "",
        );
    }
    // One with a NIK and a phone number of her own, to search by.
    let path = crate::common::submit::record_path(data, &ticket("KP", 8, 7));
    let text = std::fs::read_to_string(&path).unwrap();
    let own = "  nik: 3578 0412 0101 0007\n  telepon: 0813-2222-3333\n  uraian: Usaha keripik tempe di Mojoagung";
    std::fs::write(&path, text.replace("  nik: 3517 0152 0590 0001", own)).unwrap();
}

fn rows(page: &Page) -> usize {
    page.body.matches("<td data-label=\"Tiket\">").count()
}

#[tokio::test]
async fn the_inbox_filters_searches_counts_and_pages() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    many(&server.data);
    // One record that does not read: counted, not shown.
    let broken = crate::common::submit::record_path(&server.data, "KP-20201103-XXXX");
    std::fs::write(&broken, "ticket: [\n").unwrap();
    let mut desk = DeskClient::signed_in(&server, "Budi").await;

    let first = desk.get("/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.body.contains("130 kasus: 90 terbuka, 90 terlambat"),
        "{}",
        first.body
    );
    assert_eq!(rows(&first), 50);
    assert!(first.body.contains("Halaman 1 dari 3"));
    assert!(first.body.contains("1 berkas kasus tidak dapat dibaca"));
    assert!(first.body.contains("badge-late\">lewat "));
    // Open first, by deadline (all the same here), then oldest first: the
    // first row is an open case of 1 November.
    let first_row = &first.body[first.body.find("<tbody>").unwrap()..];
    assert!(first_row.find("1 November 2020").unwrap() < first_row.find("</tr>").unwrap());
    let last = desk.get("/?halaman=3").await;
    assert_eq!(rows(&last), 30);
    assert!(last.body.contains("Halaman 3 dari 3"));
    assert!(last.body.contains("badge-closed"), "closed cases come last");
    assert!(last.body.contains("rel=\"prev\""));

    let baru = desk.get("/?status=baru").await;
    assert!(baru.body.contains("60 kasus: 60 terbuka"), "{}", baru.body);
    assert!(baru.body.contains("Baru (60)"));
    assert!(baru.body.contains("<option value=\"baru\" selected>"));
    let complaints = desk.get("/?jenis=pengaduan-layanan").await;
    assert!(complaints.body.contains("30 kasus: 30 terbuka"));
    let late = desk.get("/?terlambat=1").await;
    assert!(late.body.contains("90 kasus: 90 terbuka, 90 terlambat"));
    let range = desk.get("/?dari=2020-11-02&sampai=2020-11-03").await;
    let expected = (0..130).filter(|n| matches!(1 + n % 28, 2 | 3)).count();
    assert!(
        range.body.contains(&format!("{expected} kasus:")),
        "{expected}: {}",
        range.body
    );
    let by_name = desk.get("/?cari=rahmawati").await;
    assert!(by_name.body.contains("1 kasus:"), "{}", by_name.body);
    assert!(by_name.body.contains("Rahmawati Kusuma"));
    // A word of the description: a citizen who phones without a ticket.
    let by_word = desk.get("/?cari=KERIPIK+tempe").await;
    assert!(by_word.body.contains("1 kasus:"), "{}", by_word.body);
    assert!(by_word.body.contains("Rahmawati Kusuma"));
    let t = ticket("KP", 8, 7);
    let by_ticket = desk.get(&format!("/?cari={}", t.to_lowercase())).await;
    assert!(by_ticket.body.contains("1 kasus:"));
    assert!(by_ticket.body.contains(&t));
    // By NIK and by phone, whole or in part, as staff type them.
    for typed in [
        "3578041201010007",
        "3578+0412",
        "0813+2222+3333",
        "%2B62+813-2222-3333",
        "6281322223333",
        "22223333",
    ] {
        let found = desk.get(&format!("/?cari={typed}")).await;
        assert!(found.body.contains("1 kasus:"), "{typed}: {}", found.body);
        assert!(found.body.contains("Rahmawati Kusuma"), "{typed}");
    }
    let nothing = desk.get("/?cari=tidak+ada+orangnya").await;
    assert!(nothing.body.contains("Tidak ada kasus yang cocok"));
    let bad = desk.get("/?dari=kemarin").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("Tanggal dari tidak sah"));
    // Page links keep the filter.
    let filtered = desk.get("/?status=selesai&halaman=1").await;
    assert!(filtered.body.contains("40 kasus: 0 terbuka"));
    assert!(
        !filtered.body.contains("rel=\"next\""),
        "40 fit on one page"
    );
    let paged = desk.get("/?jenis=permohonan").await;
    assert!(
        paged
            .body
            .contains("href=\"/?jenis=permohonan&amp;halaman=2\""),
        "{}",
        paged.body
    );
    // The search is not in the access log.
    assert!(!server.stderr_now().contains("rahmawati"));
}

#[tokio::test]
async fn the_monthly_report_is_shown_and_downloaded() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    many(&server.data);
    let mut desk = DeskClient::signed_in(&server, "Budi").await;
    let page = desk.get("/laporan/?bulan=2020-11").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Laporan bulanan: November 2020"),
        "{}",
        page.body
    );
    assert!(page.body.contains("130 kasus diterima"));
    assert!(page.body.contains("href=\"/laporan/laporan-2020-11.csv\""));
    assert_eq!(
        audited(&server.data, "report").len(),
        0,
        "figures only: nothing audited"
    );

    let html = desk.get("/laporan/laporan-2020-11.html").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("Laporan Hasil Pelayanan"));
    assert!(html.body.contains("Rahmawati Kusuma"));
    assert!(html.header("content-disposition").starts_with("inline"));
    let csp = html.header("content-security-policy");
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("script"), "{csp}");
    let download = desk.get("/laporan/laporan-2020-11.html?unduh=1").await;
    assert_eq!(
        download.header("content-disposition"),
        "attachment; filename=\"laporan-2020-11.html\""
    );
    let csv = desk.get("/laporan/laporan-2020-11.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(
        csv.header("content-disposition"),
        "attachment; filename=\"laporan-2020-11.csv\""
    );
    assert!(csv.body.starts_with('\u{feff}'));
    assert_eq!(csv.body.lines().count(), 131, "a header and 130 cases");
    let report = audited(&server.data, "report");
    let details: Vec<&str> = report.iter().map(|f| f[4].as_str()).collect();
    assert_eq!(
        details,
        ["2020-11 html", "2020-11 html download", "2020-11 csv"]
    );

    let bad = desk.get("/laporan/?bulan=2020-13").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Bulan tidak dikenal"));
    let empty = desk.get("/laporan/?bulan=2019-01").await;
    assert!(empty.body.contains("0 kasus diterima"));
    let unknown = desk.get("/laporan/laporan-2020-11.pdf").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The report's summary tables, from the first `<div class="columns">` to
/// the end of the last form's figures.
fn summary_tables(html: &str) -> &str {
    let start = html
        .find("<div class=\"columns\">")
        .unwrap_or_else(|| panic!("no summary tables in:\n{html}"));
    let last = html.rfind("Median waktu penyelesaian").unwrap();
    let end = last + html[last..].find("</section>").unwrap() + "</section>".len();
    &html[start..end]
}

/// The desk's report page and the file `loket report --out` writes show
/// the same tables: one component (`laporan-komponen.html`) writes both.
#[tokio::test]
async fn the_desk_and_the_printed_report_show_the_same_tables() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    many(&server.data);
    let mut desk = DeskClient::signed_in(&server, "Budi").await;
    let page = desk.get("/laporan/?bulan=2020-11").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);

    let out = server.data.parent().unwrap().join("laporan");
    let made = crate::common::run(&[
        "report",
        "--month",
        "2020-11",
        "--root",
        server.site().root_str(),
        "--data",
        server.data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", crate::common::stderr(&made));
    let printed = fs::read_to_string(out.join("laporan-2020-11.html")).unwrap();

    let tables = summary_tables(&page.body);
    assert_eq!(tables, summary_tables(&printed));
    for row in [
        "<tr><th scope=\"row\">Jumlah</th><td class=\"angka\">130</td></tr>",
        "<tr><th scope=\"row\">Keluhan, saran, atau masukan ditanggapi",
    ] {
        assert!(tables.contains(row), "{row:?} in:\n{tables}");
    }
}

/// A site's `templates/desk/NAME` replaces the desk's page of that name,
/// and a reload (SIGHUP) reads it again.
#[tokio::test]
async fn a_sites_desk_template_replaces_loket_s_and_a_reload_reads_it_again() {
    let site = crate::common::TempSite::fixture();
    let base = fs::read_to_string(crate::common::repo_root().join("src/desk/templates/base.html"))
        .unwrap();
    let with_mark = |mark: &str| {
        base.replace(
            "<p class=\"desk-office\">",
            &format!("<p class=\"kop-dinas\">{mark}</p>\n<p class=\"desk-office\">"),
        )
    };
    site.write("templates/desk/base.html", with_mark("Kop dinas v1"));
    let data = site.root().join("data");
    let server = Server::launch(site, data, &["--rate-limit", "0"]);
    assert!(add_staff(&server.data, "Budi", PASSWORD).status.success());
    let mut desk = DeskClient::signed_in(&server, "Budi").await;
    let inbox = desk.get("/").await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
    assert!(inbox.body.contains("Kop dinas v1"), "{}", inbox.body);
    // The pages that extend it have it too; the others are loket's.
    assert!(inbox.body.contains("Kotak masuk"), "{}", inbox.body);

    server
        .site()
        .write("templates/desk/base.html", with_mark("Kop dinas v2"));
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let page = desk.get("/laporan/?bulan=2020-11").await;
        if page.body.contains("Kop dinas v2") {
            assert!(!page.body.contains("Kop dinas v1"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{}", page.body);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
