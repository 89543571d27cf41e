//! The office's shipped site, as it is in the repository: it builds, checks
//! without an error, and both forms take a submission. Everything else is
//! tested on the fixture site, so that an office's edit of its content can
//! only break this test, and only when the edit itself is broken.

use crate::common::form::{PENGADUAN_LAYANAN, PERMOHONAN, valid_permohonan};
use crate::common::server::Server;
use crate::common::submit::{client, post_multipart, post_raw, ticket_from, urlencoded};
use crate::common::*;

#[test]
fn the_shipped_site_builds_and_checks_without_errors() {
    let site = TempSite::shipped();
    let built = site.build();
    assert!(built.status.success(), "{}", stderr(&built));
    let checked = site.check();
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(
        !stderr(&checked).contains("kesalahan"),
        "{}",
        stderr(&checked)
    );
    // The office has decided whether the online form replaces the SK's
    // letter, the pages say it, and the form is one of the ways to send.
    assert!(
        !stderr(&checked).contains("online_form_replaces_letter"),
        "{}",
        stderr(&checked)
    );
    let page = site.page("/permohonan/");
    assert!(page.contains("<p class=\"letter-note\">"), "{page}");
    let ways = page
        .split("<h2 id=\"cara-menyampaikan\">Cara menyampaikan</h2>")
        .nth(1)
        .and_then(|rest| rest.split("<h2").next())
        .unwrap_or_else(|| panic!("{page}"));
    assert!(
        ways.contains("melalui formulir di bagian bawah halaman ini"),
        "{ways}"
    );
    assert!(page.contains("<h2 id=\"formulir\">"), "{page}");
    assert!(
        page.contains("Foto KTP (pengganti fotokopi KTP) (wajib)"),
        "{page}"
    );
}

#[tokio::test]
async fn both_shipped_forms_take_a_submission() {
    let site = TempSite::shipped();
    let data = site.root().join("data");
    let server = Server::launch(site, data, &["--rate-limit", "0"]);

    let response = post_multipart(&client(), &server.url(PERMOHONAN), valid_permohonan()).await;
    let ticket = ticket_from(response).await;
    assert!(ticket.starts_with("KP-"), "{ticket}");

    let body = urlencoded(&[
        ("nama", "Budi Santoso"),
        ("kontak", "081234567890"),
        ("isi", "Petugas loket tidak ada di tempat pada jam layanan."),
        ("persetujuan", "ya"),
    ]);
    let response = post_raw(
        &client(),
        &server.url(PENGADUAN_LAYANAN),
        "application/x-www-form-urlencoded",
        body,
    )
    .await;
    let ticket = ticket_from(response).await;
    assert!(ticket.starts_with("PL-"), "{ticket}");
}
