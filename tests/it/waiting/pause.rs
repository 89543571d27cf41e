//! A paused clock when staff, not the citizen, end the wait; a waiting
//! case with a paused clock is not late; the inbox marks a new reply.

use super::*;

/// A case from the citizen of `email` (two cases of one test: two
/// citizens), asked for its KTP (on Wednesday 2 December 2026 when
/// `dated`): the ticket and the code.
async fn asked(server: &Server, email: &str, dated: bool) -> (String, String) {
    let sent = send_request(server, Some(email)).await;
    let code = code_of(server, &sent).await;
    let root = server.site().root().to_path_buf();
    let steps: [(&str, &[&str]); 2] = [
        (
            "2026-12-02 10:00:00",
            &["diperiksa", "--berkas", "tidak-lengkap"],
        ),
        (
            "2026-12-02 10:05:00",
            &["menunggu-kelengkapan", "--public-note", ASKED],
        ),
    ];
    for (at, args) in steps {
        match dated {
            true => staff_step_at(&server.data, &root, at, &sent.ticket, args),
            false => assert!(staff_step(server, &sent.ticket, args).status.success()),
        }
    }
    (sent.ticket, code)
}

/// The citizen phoned: staff go on from the waiting step on Monday 7th
/// without a reply on record. The deadline moves by the three working
/// days waited, as a reply would have moved it; a case whose reply moved
/// it already is not moved again by the step that follows.
#[tokio::test]
async fn a_step_out_of_an_unanswered_wait_moves_the_deadline_once() {
    let (server, data) = pausing_server();
    let (phoned, _) = asked(&server, "siti@contoh.id", true).await;
    let (replied, code) = asked(&server, "aminah@contoh.id", true).await;
    assert_ne!(phoned, replied);
    assert_eq!(
        str_at(&load_record(&data, &phoned), "completion_due"),
        "2026-12-08"
    );
    let site = server.kill();
    let server = Server::launch_with(
        loket_at("2026-12-07 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    let root = server.site().root().to_path_buf();
    // Monday 7th: waited Thursday, Friday and Monday.
    staff_step_at(
        &data,
        &root,
        "2026-12-07 09:30:00",
        &phoned,
        &["diperiksa", "--berkas", "lengkap"],
    );
    let record = load_record(&data, &phoned);
    assert_eq!(str_at(&record, "completion_due"), "2026-12-11");
    // Answered on the 2nd already: the response deadline stays.
    assert_eq!(str_at(&record, "response_due"), "2026-12-08");

    let (_, _, lookup) = look_up(&server, &replied, &code, None).await;
    let (status, body) = reply(&server, &lookup, &[("ktp", "ktp.jpg", &jpeg(2048, 5))], "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        str_at(&load_record(&data, &replied), "completion_due"),
        "2026-12-11"
    );
    staff_step_at(
        &data,
        &root,
        "2026-12-07 09:40:00",
        &replied,
        &["diperiksa", "--berkas", "lengkap"],
    );
    let record = load_record(&data, &replied);
    assert_eq!(str_at(&record, "completion_due"), "2026-12-11");
    assert_eq!(str_at(&record, "status"), "diperiksa");
}

/// Thursday 10th, past the deadline of Tuesday 8th, the case still waits
/// for its citizen with the clock paused: the desk's inbox does not call
/// it late but says it waits, and `/cek-status/` shows no late notice.
#[tokio::test]
async fn a_waiting_case_with_a_paused_clock_is_not_late() {
    let (server, data) = pausing_server();
    let (ticket, code) = asked(&server, "siti@contoh.id", true).await;
    let site = server.kill();
    let server = Server::launch_with(
        loket_at("2026-12-10 09:00:00"),
        site,
        data.clone(),
        &["--rate-limit", "0"],
    );
    assert!(add_staff(&data, "Ani", PASSWORD).status.success());
    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let inbox = desk.get("/").await;
    let row = inbox_row(&inbox.body, &ticket);
    assert!(row.contains("menunggu pemohon"), "{row}");
    assert!(!row.contains("lewat"), "{row}");
    assert!(
        inbox.body.contains("1 terbuka, 0 terlambat"),
        "{}",
        inbox.body
    );
    let late = desk.get("/?batas=lewat").await;
    assert!(!late.body.contains(&ticket), "{}", late.body);
    let case = desk.get(&format!("/kasus/{ticket}/")).await;
    assert!(!case.body.contains("TERLAMBAT"), "{}", case.body);

    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    assert!(lookup.contains("batas waktu berhenti dihitung"), "{lookup}");
    assert!(!lookup.contains("Batas waktu sudah terlewati"), "{lookup}");
}

/// A reply on `/cek-status/` marks the case "balasan baru" in the desk's
/// inbox, and the filter's choice lists it alone; a step clears it.
#[tokio::test]
async fn the_inbox_marks_a_case_whose_citizen_replied() {
    let server = Server::start();
    assert!(add_staff(&server.data, "Ani", PASSWORD).status.success());
    let (ticket, code) = asked(&server, "siti@contoh.id", false).await;
    let (other, _) = asked(&server, "aminah@contoh.id", false).await;
    assert_ne!(ticket, other);
    let mut desk = DeskClient::signed_in(&server, "Ani").await;
    let before = desk.get("/").await;
    assert!(
        !inbox_row(&before.body, &ticket).contains("balasan baru"),
        "{}",
        before.body
    );

    let (_, _, lookup) = look_up(&server, &ticket, &code, None).await;
    let (status, body) = reply(&server, &lookup, &[], "Sudah saya kirim lewat pos.").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = desk.get("/").await;
    assert!(
        inbox_row(&after.body, &ticket).contains("balasan baru"),
        "{}",
        after.body
    );
    assert!(!inbox_row(&after.body, &other).contains("balasan baru"));
    let replied = desk.get("/?batas=balasan-baru").await;
    assert!(replied.body.contains(&ticket), "{}", replied.body);
    assert!(!replied.body.contains(&other), "{}", replied.body);
    assert!(replied.body.contains("1 kasus:"), "{}", replied.body);

    let (status, body) = desk_step(
        &mut desk,
        &ticket,
        &[("langkah", "diperiksa"), ("berkas", "lengkap")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stepped = desk.get("/").await;
    assert!(
        !inbox_row(&stepped.body, &ticket).contains("balasan baru"),
        "{}",
        stepped.body
    );
}

/// The inbox table's row of `ticket`.
fn inbox_row<'a>(page: &'a str, ticket: &str) -> &'a str {
    let at = page
        .find(&format!(">{ticket}</a>"))
        .unwrap_or_else(|| panic!("no row of {ticket} in:\n{page}"));
    let start = page[..at].rfind("<tr>").unwrap_or(0);
    let end = at + page[at..].find("</tr>").unwrap_or(page.len() - at);
    &page[start..end]
}
