//! A case: its page (`/kasus/TICKET/`), its next step (POST there), its
//! print view and its attachments ([`files`]).
//!
//! A step goes through the workflow of `loket status`: the same
//! [`cases::StatusChange`], checked by [`cases::apply`] and written by
//! [`cases::update`] under the day folder's lock, with the [`Version`] of
//! the record the page showed. If the record changed since (another staff
//! member, `loket status`, a hand edit), nothing is written and the page
//! comes back (409) with the case as it is now and who changed it.

mod files;
pub mod view;

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use time::OffsetDateTime;

use super::audit::Action;
use super::http::{self, redirect};
use super::{Body, CASE_PREFIX, Desk, Staff, html_page, messages, views};
use crate::cases::{self, Berkas, Meeting, Record, RecordError, Status, Version};
use crate::core::dates;
use crate::forms::FormKind;
use view::{CaseView, Typed};

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: Staff,
    rest: String,
) -> Response<Body> {
    let Some((ticket, tail)) = rest.split_once('/') else {
        return not_found(desk, &staff);
    };
    let read = http::is_read(&req);
    match tail {
        "" if read => {
            let notice = http::query(&req)
                .into_iter()
                .find(|(k, _)| k == "diubah")
                .and_then(|(_, v)| match FormKind::parse(&v) {
                    Some(kind) => Some(format!("Kasus ini sekarang: {}.", kind.label())),
                    None => Status::parse(&v)
                        .map(|s| format!("Status kasus ini sekarang: {}.", s.label())),
                })
                .unwrap_or_default();
            show(desk, &staff, ticket, notice).await
        }
        "" if req.method() == Method::POST => step(desk, req, &staff, ticket).await,
        "cetak/" if read => files::print(desk, &staff, ticket).await,
        _ if read && tail.starts_with("lampiran/") => {
            files::attachment(desk, &staff, ticket, &tail["lampiran/".len()..]).await
        }
        "" | "cetak/" => desk.not_allowed(Some(&staff)),
        _ => not_found(desk, &staff),
    }
}

fn not_found(desk: &Desk, staff: &Staff) -> Response<Body> {
    desk.error_page(Some(staff), messages::CASE_UNKNOWN)
}

/// Reads a record in a blocking task.
async fn load(desk: &Desk, ticket: &str) -> Result<(Record, String), RecordError> {
    let (data, ticket) = (desk.data.clone(), ticket.to_string());
    tokio::task::spawn_blocking(move || cases::find(&data, &ticket))
        .await
        .unwrap_or_else(|e| {
            Err(RecordError::Io {
                path: Default::default(),
                source: std::io::Error::other(e),
            })
        })
}

/// The page for a record that could not be loaded.
fn load_error(desk: &Desk, staff: &Staff, e: &RecordError) -> Response<Body> {
    match e {
        RecordError::BadTicket(_) | RecordError::NotFound(_) => not_found(desk, staff),
        RecordError::Invalid(d) => {
            tracing::error!(target: "loket::desk", "a record does not read: {}", d.path.display());
            desk.error_page(Some(staff), messages::record_unreadable(d.line))
        }
        _ => {
            tracing::error!(target: "loket::desk", "cannot read a record: {e}");
            server_error(desk, staff)
        }
    }
}

fn server_error(desk: &Desk, staff: &Staff) -> Response<Body> {
    desk.error_page(Some(staff), messages::SERVER_FAULT)
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, view: &CaseView) -> Response<Body> {
    let chrome = desk.chrome(Some(staff), "kotak-masuk");
    html_page(status, views::render("kasus.html", &chrome, view))
}

async fn show(desk: &Arc<Desk>, staff: &Staff, ticket: &str, notice: String) -> Response<Body> {
    let (record, text) = match load(desk, ticket).await {
        Ok(found) => found,
        Err(e) => return load_error(desk, staff, &e),
    };
    let mut view = CaseView::new(&record, &text, dates::today());
    view.notice = notice;
    render(desk, staff, StatusCode::OK, &view)
}

/// The change a step's form asks for, or what is wrong with it (in the
/// staff's words; [`cases::apply`] checks the procedure again).
fn change_from(
    typed: &Typed,
    by: &str,
    now: OffsetDateTime,
) -> Result<cases::StatusChange, String> {
    let to = Status::parse(&typed.langkah)
        .filter(|s| *s != Status::Baru)
        .ok_or("Langkah ini tidak dikenal. Muat ulang halaman lalu pilih langkah lagi.")?;
    let note = Some(typed.catatan.trim().to_string()).filter(|n| !n.is_empty());
    let public_note = Some(typed.pesan.trim().to_string()).filter(|n| !n.is_empty());
    let mut berkas = None;
    let mut meeting = None;
    match to {
        Status::Diperiksa => {
            berkas = Some(
                Berkas::parse(&typed.berkas)
                    .map_err(
                        |_| "Pilih hasil pemeriksaan: berkas lengkap atau berkas tidak lengkap.",
                    )?
                    .as_str()
                    .to_string(),
            );
        }
        Status::PertemuanDijadwalkan => {
            let (day, clock, place) = (typed.tanggal.trim(), typed.jam.trim(), typed.tempat.trim());
            if day.is_empty() || clock.is_empty() || place.is_empty() {
                return Err("Isi tanggal, jam, dan tempat pertemuan.".into());
            }
            let clock = clock.get(..5).unwrap_or(clock);
            meeting = Some(
                Meeting::parse(&format!("{day} {clock}, {place}")).map_err(|e| {
                    format!(
                        "Jadwal pertemuan belum benar: {e}. Contoh: tanggal 2026-12-02, jam 10:00."
                    )
                })?,
            );
        }
        Status::Selesai if note.is_none() => {
            return Err("Tulis ringkasan hasil layanan sebelum menandai selesai.".into());
        }
        Status::Ditolak if note.is_none() => {
            return Err("Tulis alasan penolakan; alasan ini dicatat sebagai hasil.".into());
        }
        _ => {}
    }
    Ok(cases::StatusChange {
        to: Some(to),
        kind: None,
        at: now,
        by: by.to_string(),
        note,
        public_note,
        meeting,
        berkas,
    })
}

/// The move of an open case to the other kind (filed in the wrong form),
/// with that kind's deadlines from the day it was received, as
/// `loket status --kind` makes it; the reason is required.
async fn move_from(
    desk: &Desk,
    typed: &Typed,
    by: &str,
    ticket: &str,
    now: OffsetDateTime,
) -> Result<cases::StatusChange, String> {
    let note = Some(typed.catatan.trim().to_string()).filter(|n| !n.is_empty());
    if note.is_none() {
        return Err("Tulis alasan pemindahan; alasan ini dicatat di riwayat.".into());
    }
    // The update reads the record again under its lock and checks the
    // version the page was made from.
    let (record, _) = load(desk, ticket)
        .await
        .map_err(|_| "Kasus ini tidak dapat dibaca. Muat ulang halaman.".to_string())?;
    let to = view::other_kind(record.kind);
    let office = (desk.office)();
    let deadlines = office
        .terms
        .deadlines(to, record.received_at, &office.calendar)
        .ok_or(
            "Situs tidak menetapkan jangka waktu untuk jenis itu; minta pengelola situs memeriksa halaman layanannya.",
        )?;
    Ok(cases::StatusChange {
        to: None,
        kind: Some(cases::KindMove { to, deadlines }),
        at: now,
        by: by.to_string(),
        note,
        public_note: Some(typed.pesan.trim().to_string()).filter(|n| !n.is_empty()),
        meeting: None,
        berkas: None,
    })
}

/// `POST /kasus/TICKET/`: the next step.
async fn step(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    ticket: &str,
) -> Response<Body> {
    let posted = match http::read_form(req).await {
        Ok(f) => f,
        Err(e) => return desk.form_error(Some(staff), e),
    };
    if !Desk::csrf_ok(staff, &posted) {
        return desk.csrf_refused(Some(staff));
    }
    let typed = Typed {
        langkah: posted.get("langkah"),
        berkas: posted.get("berkas"),
        catatan: posted.get("catatan"),
        tanggal: posted.get("tanggal"),
        jam: posted.get("jam"),
        tempat: posted.get("tempat"),
        pesan: posted.get("pesan"),
    };
    let version = Version::parse(&posted.get("versi"));
    let now = OffsetDateTime::now_utc();
    let change = match typed.langkah.as_str() {
        view::MOVE_STEP => move_from(desk, &typed, &staff.session.name, ticket, now).await,
        _ => change_from(&typed, &staff.session.name, now),
    };
    let change = match change {
        Ok(c) => c,
        Err(message) => return refused(desk, staff, ticket, typed, message, None).await,
    };
    let updated = {
        let (data, ticket, change) = (desk.data.clone(), ticket.to_string(), change.clone());
        tokio::task::spawn_blocking(move || {
            cases::update(&data, &ticket, Some(&version), |record, text| {
                cases::apply(record, text, &change, now)
            })
        })
        .await
    };
    let (before, written) = match updated {
        Ok(Ok(done)) => done,
        Ok(Err(RecordError::Stale { by, .. })) => {
            return refused(desk, staff, ticket, typed, String::new(), Some(by)).await;
        }
        Ok(Err(e @ (RecordError::Transition { .. } | RecordError::Missing(_)))) => {
            return refused(desk, staff, ticket, typed, e.to_string(), None).await;
        }
        Ok(Err(e)) => return load_error(desk, staff, &e),
        Err(e) => {
            tracing::error!(target: "loket::desk", "a status change failed: {e}");
            return server_error(desk, staff);
        }
    };
    let to = change.to.unwrap_or(before.status);
    let detail = match (&change.berkas, &change.kind) {
        (Some(b), _) => format!("{} (berkas {b})", to.as_str()),
        (None, Some(moved)) => format!("dipindah ke {}", moved.to.as_str()),
        (None, None) => to.as_str().to_string(),
    };
    let changed = change.kind.as_ref().map_or(to.as_str(), |m| m.to.as_str());
    if let Err(e) = desk
        .audit(
            &staff.session.name,
            Action::Status,
            Some(&before.ticket),
            &detail,
        )
        .await
    {
        tracing::error!(target: "loket::desk", "cannot write the audit log: {e}");
    }
    tell_citizen(desk, &before.path, written).await;
    redirect(&format!(
        "{CASE_PREFIX}{}/?diubah={}",
        before.ticket, changed
    ))
}

/// Queues the citizen's mail about the step just written, when mail is on
/// and the step is news to them; the sender is woken. A failure is logged:
/// the step itself is done.
async fn tell_citizen(desk: &Desk, path: &std::path::Path, written: String) {
    let Some(mail) = desk.mail.clone() else {
        return;
    };
    let office = (desk.office)();
    let composer = mail.composer(&office.config, office.templates);
    let (data, path) = (desk.data.clone(), path.to_path_buf());
    let queued = tokio::task::spawn_blocking(move || {
        crate::notify::queue_written_step(&data, &composer, &path, &written)
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    match queued {
        Ok(true) => mail.wake(),
        Ok(false) => {}
        Err(e) => tracing::error!(target: "loket::desk", "no mail for the citizen: {e}"),
    }
}

/// The case page again, as the record is now, with the problem at the
/// step's form (422) or the news that someone else changed it (409), and
/// what was typed.
async fn refused(
    desk: &Arc<Desk>,
    staff: &Staff,
    ticket: &str,
    typed: Typed,
    error: String,
    stale_by: Option<String>,
) -> Response<Body> {
    let (record, text) = match load(desk, ticket).await {
        Ok(found) => found,
        Err(e) => return load_error(desk, staff, &e),
    };
    let mut view = CaseView::new(&record, &text, dates::today());
    view.error_on_top = !error.is_empty() && !view.offers(&typed.langkah);
    view.typed = typed;
    view.error = error;
    let status = match stale_by {
        Some(by) => {
            view.stale_by = by;
            StatusCode::CONFLICT
        }
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    render(desk, staff, status, &view)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(langkah: &str) -> Typed {
        Typed {
            langkah: langkah.into(),
            ..Typed::default()
        }
    }

    #[test]
    fn forms_become_the_changes_of_loket_status() {
        let now = OffsetDateTime::now_utc();
        let mut t = typed("diperiksa");
        assert!(change_from(&t, "Budi", now).is_err(), "berkas needed");
        t.berkas = "tidak-lengkap".into();
        let c = change_from(&t, "Budi", now).unwrap();
        assert_eq!(c.to, Some(Status::Diperiksa));
        assert_eq!(c.berkas.as_deref(), Some("tidak lengkap"));
        assert_eq!(c.by, "Budi");

        let mut t = typed("pertemuan-dijadwalkan");
        t.tanggal = "2026-12-02".into();
        t.jam = "10:00:00".into();
        t.tempat = "Kantor Dinas, ruang 2".into();
        let c = change_from(&t, "Budi", now).unwrap();
        let m = c.meeting.unwrap();
        assert_eq!(
            (m.at.as_str(), m.place.as_str()),
            ("2026-12-02 10:00", "Kantor Dinas, ruang 2")
        );
        t.jam = "25:00".into();
        assert!(change_from(&t, "Budi", now).is_err());

        assert!(
            change_from(&typed("selesai"), "Budi", now).is_err(),
            "result needed"
        );
        let mut t = typed("ditolak");
        t.catatan = "  Bukan usaha mikro  ".into();
        assert_eq!(
            change_from(&t, "Budi", now).unwrap().note.as_deref(),
            Some("Bukan usaha mikro")
        );
        assert!(change_from(&typed("baru"), "Budi", now).is_err());
        assert!(change_from(&typed("entah"), "Budi", now).is_err());
    }
}
