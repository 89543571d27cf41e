//! Talking to the citizen without losing them (issue 27), on a faked
//! clock: a meeting that looks wrong is asked about once, the WhatsApp
//! reply carries the meeting and the result (never the NIK), a case past
//! its deadline says so on `/cek-status/` with the routes to complain,
//! and closing it late needs a reason for the citizen.

use std::path::PathBuf;

use reqwest::StatusCode;

use super::*;
use crate::common::case::{code_of, look_up, send_request};
use crate::common::form::NIK;
use crate::common::submit::load_record;
use crate::common::{TempSite, loket_at};

/// A server whose clock reads `wib`, on `site`, storing into `data`.
fn server_at(wib: &str, site: TempSite, data: PathBuf) -> Server {
    Server::launch_with(loket_at(wib), site, data, &["--rate-limit", "0"])
}

/// Posts the step form of `page` (as it was loaded) with `fields`.
async fn post_step(
    desk: &mut DeskClient,
    page: &Page,
    ticket: &str,
    fields: &[(&str, &str)],
) -> Page {
    let (csrf, version) = (page.csrf(), page.hidden("versi"));
    let mut form = vec![("csrf", csrf.as_str()), ("versi", version.as_str())];
    form.extend_from_slice(fields);
    desk.post(&format!("/kasus/{ticket}/"), &form).await
}

/// The text of the case page's WhatsApp link, decoded.
fn whatsapp_text(page: &str) -> String {
    let start = page.find("href=\"https://wa.me/").expect("a WhatsApp link");
    let link = &page[start + 6..];
    let link = &link[..link.find('"').unwrap()];
    let text = link.split_once("?text=").unwrap().1;
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

/// Monday 7 December 2026: a meeting on Saturday, or in the past, is sent
/// back with the reason and a box to confirm it, what was typed kept;
/// confirmed, it is taken. A meeting on a working day within the hours
/// is taken at once, and the WhatsApp reply then carries its day, time
/// and place; once closed, the result; never the NIK.
#[tokio::test]
async fn a_doubtful_meeting_is_confirmed_and_whatsapp_carries_what_matters() {
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let server = server_at("2026-12-07 09:00:00", site, data.clone());
    assert!(add_staff(&data, "Ani", PASSWORD).status.success());
    let ticket = submit(&server).await;
    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let path = format!("/kasus/{ticket}/");
    let page = desk.get(&path).await;
    let checked = post_step(
        &mut desk,
        &page,
        &ticket,
        &[("langkah", "diperiksa"), ("berkas", "lengkap")],
    )
    .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);

    let meeting = |day: &'static str, clock: &'static str| {
        vec![
            ("langkah", "pertemuan-dijadwalkan"),
            ("tanggal", day),
            ("jam", clock),
            ("tempat", "Kantor Dinas"),
        ]
    };
    let page = desk.get(&path).await;
    let saturday = post_step(&mut desk, &page, &ticket, &meeting("2026-12-12", "10:00")).await;
    assert_eq!(
        saturday.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        saturday.body
    );
    assert!(
        saturday
            .body
            .contains("Sabtu, 12 Desember 2026 bukan hari kerja kantor"),
        "{}",
        saturday.body
    );
    assert!(saturday.body.contains("name=\"yakin\" value=\"ya\""));
    assert!(
        saturday.body.contains("value=\"2026-12-12\""),
        "what was typed is kept"
    );
    let past = post_step(&mut desk, &page, &ticket, &meeting("2026-12-04", "10:00")).await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        past.body.contains("Waktu pertemuan sudah lewat."),
        "{}",
        past.body
    );
    let late_hour = post_step(&mut desk, &page, &ticket, &meeting("2026-12-10", "17:00")).await;
    assert_eq!(late_hour.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        late_hour
            .body
            .contains("Pukul 17.00 di luar jam layanan kantor"),
        "{}",
        late_hour.body
    );
    assert_eq!(
        load_record(&data, &ticket)["status"].as_str(),
        Some("diperiksa"),
        "nothing written before it is confirmed"
    );
    let mut confirmed = meeting("2026-12-12", "10:00");
    confirmed.push(("yakin", "ya"));
    let taken = post_step(&mut desk, &page, &ticket, &confirmed).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    assert_eq!(
        load_record(&data, &ticket)["status"].as_str(),
        Some("pertemuan-dijadwalkan")
    );

    // Moved to Thursday morning: nothing to ask.
    let page = desk.get(&path).await;
    let moved = post_step(&mut desk, &page, &ticket, &meeting("2026-12-10", "09:00")).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = desk.get(&path).await;
    let text = whatsapp_text(&page.body);
    assert!(
        text.contains("Kamis, 10 Desember 2026 pukul 09.00 WIB, Kantor Dinas"),
        "{text}"
    );
    assert!(text.contains(&ticket), "{text}");
    assert!(!text.contains(NIK) && !text.contains("3517"), "{text}");
    // Each box says who reads it.
    for hint in [
        "Dikirim kepada pemohon (lewat surel dan di halaman Cek Status), dan tercetak",
        "Dikirim kepada pemohon (lewat surel dan di halaman Cek Status) sebagai alasan penolakan",
        "Catatan internal untuk petugas; tidak dikirim dan tidak ditampilkan kepada pemohon.",
        "Dikirim kepada pemohon: tampil di halaman Cek Status dan dikirim lewat surel",
        "Status kasus tidak berubah. Pesan ini dikirim kepada pemohon",
    ] {
        assert!(page.body.contains(hint), "{hint}:\n{}", page.body);
    }

    let done = post_step(
        &mut desk,
        &page,
        &ticket,
        &[
            ("langkah", "selesai"),
            ("catatan", "Kedua pihak sepakat berdamai."),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = desk.get(&path).await;
    let text = whatsapp_text(&page.body);
    assert!(
        text.contains("Hasil: Kedua pihak sepakat berdamai."),
        "{text}"
    );
    assert!(!text.contains("3517"), "{text}");
}

/// Received Monday 7 December 2026 (due five working days later, Monday
/// 14 December): on the 16th `/cek-status/` says the deadline has passed,
/// with an apology and the routes to complain; closing the case without a
/// reason for the delay is refused (the page asks for it), with one it is
/// taken and the citizen reads it.
#[tokio::test]
async fn a_late_case_says_so_and_closing_it_needs_a_reason() {
    let site = TempSite::fixture();
    let config = site.read("site.yaml");
    site.write(
        "site.yaml",
        format!("{config}publish:\n  complaint_form: \"/pengaduan-layanan/formulir/\"\n"),
    );
    let data = site.root().join("data");
    let server = server_at("2026-12-07 10:00:00", site, data.clone());
    assert!(add_staff(&data, "Ani", PASSWORD).status.success());
    let sent = send_request(&server, None).await;
    let ticket = sent.ticket.clone();
    let code = code_of(&server, &sent).await;
    assert_eq!(
        load_record(&data, &ticket)["completion_due"].as_str(),
        Some("2026-12-14")
    );
    let (_, _, page) = look_up(&server, &ticket, &code, None).await;
    assert!(!page.contains("Batas waktu sudah terlewati"), "{page}");
    assert!(!page.contains("lapor.go.id"), "{page}");
    let site = server.kill();

    let server = server_at("2026-12-16 10:00:00", site, data.clone());
    let (status, _, page) = look_up(&server, &ticket, &code, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Batas waktu sudah terlewati sejak Senin, 14 Desember 2026; mohon maaf."),
        "{page}"
    );
    for route in [
        "href=\"/pengaduan-layanan/formulir/\"",
        "href=\"https://www.lapor.go.id/\"",
        "href=\"https://ombudsman.go.id/\"",
    ] {
        assert!(page.contains(route), "{route}:\n{page}");
    }

    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let path = format!("/kasus/{ticket}/");
    let page = desk.get(&path).await;
    assert!(
        page.body.contains("Alasan keterlambatan (wajib)"),
        "{}",
        page.body
    );
    let refusal = &[("langkah", "ditolak"), ("catatan", "Bukan wewenang kami.")];
    let refused = post_step(&mut desk, &page, &ticket, refusal).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(
            "Kasus ini melewati batas waktunya (14 Desember 2026). Tulis alasan keterlambatan"
        ),
        "{}",
        refused.body
    );
    assert_eq!(load_record(&data, &ticket)["status"].as_str(), Some("baru"));
    let mut with_reason = refusal.to_vec();
    with_reason.push(("terlambat", "Petugas sedang bertugas di luar kota."));
    let closed = post_step(&mut desk, &page, &ticket, &with_reason).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let record = load_record(&data, &ticket);
    assert_eq!(record["status"].as_str(), Some("ditolak"));
    assert_eq!(
        record["history"][0]["late_reason"].as_str(),
        Some("Petugas sedang bertugas di luar kota.")
    );

    let (_, _, page) = look_up(&server, &ticket, &code, None).await;
    assert!(
        page.contains(
            "Permohonan Anda ditutup setelah batas waktunya (Senin, 14 Desember 2026); mohon maaf."
        ),
        "{page}"
    );
    assert!(
        page.contains("Alasan dari petugas: Petugas sedang bertugas di luar kota."),
        "{page}"
    );
}
