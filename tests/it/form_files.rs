//! A field added to a form file is asked for with no change to loket: the
//! real `loket serve` on a copy of the fixture site whose permohonan file
//! gets a required text field and one required only for a pengaduan.

use crate::common::TempSite;
use crate::common::form::*;
use crate::common::server::Server;
use crate::common::submit::*;
use reqwest::StatusCode;

const EXTRA: &str = concat!(
    "  - { name: sektor, label: \"Sektor usaha\", type: text, max: 60, required: true, missing: \"Tuliskan sektor usaha Anda.\" }\n",
    "  - { name: kerugian, label: \"Perkiraan kerugian\", type: textarea, required: { when: { jenis: pengaduan } }, missing: \"Tuliskan perkiraan kerugian Anda.\" }\n",
);

/// The fixture site with the two extra fields before the KTP.
fn site_with_extra_fields() -> TempSite {
    let site = TempSite::fixture();
    let file = "forms/permohonan.yaml";
    let text = site.read(file);
    let at = text.find("  - { name: ktp,").expect("the ktp field");
    site.write(file, format!("{}{EXTRA}{}", &text[..at], &text[at..]));
    site
}

fn pengaduan(changes: &[(&str, Option<&str>)]) -> Multipart {
    let mut all = vec![
        ("jenis", Some("pengaduan")),
        ("termohon_nama", Some("CV Contoh")),
        ("termohon_kontak", Some("Jl. Contoh 2, Jombang")),
    ];
    all.extend_from_slice(changes);
    permohonan_text(&all).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 7))
}

#[tokio::test]
async fn a_field_added_to_a_form_file_is_required_and_kept() {
    let site = site_with_extra_fields();
    let data = site.root().join("data");
    let server = Server::launch(site, data, &["--rate-limit", "0"]);
    let client = client();
    let url = server.url(PERMOHONAN);

    // Neither extra field: each is missing with the file's own message.
    let response = post_multipart(&client, &url, pengaduan(&[])).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("<a href=\"#f-sektor\">Tuliskan sektor usaha Anda.</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"#f-kerugian\">Tuliskan perkiraan kerugian Anda.</a>"),
        "{body}"
    );
    // Its limit too, named by its label.
    let long = "x".repeat(61);
    let form = pengaduan(&[("sektor", Some(&long)), ("kerugian", Some("Rp 5 juta"))]);
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Sektor usaha paling banyak 60 huruf; sekarang 61."),
        "{body}"
    );
    assert!(yaml_records(&server.data).is_empty());

    // A konsultasi needs the one but not the other.
    let form = permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 8));
    let response = post_multipart(&client, &url, form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("#f-sektor"), "{body}");
    assert!(!body.contains("#f-kerugian"), "{body}");

    // With both, accepted, and the record holds them in form order.
    let form = pengaduan(&[
        ("sektor", Some("Pangan olahan")),
        ("kerugian", Some("Sekitar Rp 5 juta")),
    ]);
    let ticket = ticket_from(post_multipart(&client, &url, form).await).await;
    let record = load_record(&server.data, &ticket);
    let fields = pairs(&record["fields"]);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
    assert_eq!(at("sektor") + 1, at("kerugian"));
    assert_eq!(at("termohon_kontak") + 1, at("sektor"));
    assert!(fields.contains(&("sektor".into(), "Pangan olahan".into())));
    assert!(fields.contains(&("kerugian".into(), "Sekitar Rp 5 juta".into())));
}
