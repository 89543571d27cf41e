//! A case: its page (`/kasus/TICKET/`), its next step (POST there), a
//! message to the citizen without a step (POST `pesan/`), a new access
//! code ([`code`], POST `kode/`), its documents to print and what staff
//! type for them ([`documents`], `dokumen/`), and its attachments
//! ([`files`]).
//!
//! A step is the use case `loket status` calls too ([`work::take_step`],
//! [`work::move_case`]): the same [`cases::StatusChange`], checked by
//! [`cases::apply`], written under the day folder's lock with the
//! [`Version`] of the record the page showed, audited and told to the
//! citizen there. This module only reads the form and renders the answer. If the record changed since (another staff
//! member, `loket status`, a hand edit), nothing is written and the page
//! comes back (409) with the case as it is now and who changed it.

pub mod attach;
mod code;
pub mod confidential;
mod documents;
mod files;
mod paper;
pub mod view;
pub mod words;

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use time::OffsetDateTime;

use super::http::{self, redirect};
use super::roles::{Grant, Permission};
use super::{Answer, Body, CASE_PREFIX, Desk, Office, Staff, log_unaudited, messages};
use crate::cases::{self, Meeting, Record, RecordError, Version};
use crate::core::dates;
use crate::forms::spec::Need;
use crate::work::{self, Actor, StepError, Work};
use view::{CaseView, Typed};

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    mut staff: Staff,
    rest: String,
) -> Response<Body> {
    let Some((ticket, tail)) = rest.split_once('/') else {
        return not_found(desk, &staff);
    };
    // The case itself: one the account may not read does not exist for
    // it; one it may only read takes nothing from it.
    staff.grant = match load(desk, ticket).await {
        Ok((record, _)) => staff
            .access
            .grant(&record.kind, record.confidential.is_some()),
        Err(e) => return load_error(desk, &staff, &e),
    };
    match (staff.grant, staff.route.need) {
        (Grant::None, _) => return not_found(desk, &staff),
        (Grant::Read, Permission::Work) => {
            return desk.error_page(Some(&staff), messages::FORBIDDEN);
        }
        _ => {}
    }
    let read = http::is_read(&req);
    let answer = match tail {
        "" if read => {
            let asked = http::query(&req);
            let changed = asked.first("diubah").map(str::to_string);
            let sent = asked.first("pesan").is_some();
            show(desk, &staff, ticket, changed, sent).await
        }
        "" if req.method() == Method::POST => step(desk, req, &staff, ticket).await,
        "pesan/" if req.method() == Method::POST => message(desk, req, &staff, ticket).await,
        "kode/" if req.method() == Method::POST => code::reissue(desk, req, &staff, ticket).await,
        "rahasia/" if req.method() == Method::POST => {
            confidential::mark(desk, req, &staff, ticket).await
        }
        "dokumen/" if read => {
            let saved = http::query(&req).first("disimpan").is_some();
            documents::page(desk, &staff, ticket, saved).await
        }
        "dokumen/" if req.method() == Method::POST => {
            documents::save(desk, req, &staff, ticket).await
        }
        _ if read && tail.starts_with("dokumen/") && tail.ends_with('/') => {
            let slug = &tail["dokumen/".len()..tail.len() - 1];
            documents::print(desk, &staff, ticket, slug).await
        }
        _ if read && tail.starts_with("lampiran/") => {
            files::attachment(desk, &staff, ticket, &tail["lampiran/".len()..]).await
        }
        "lampiran/" if req.method() == Method::POST => attach::add(desk, req, &staff, ticket).await,
        "" | "pesan/" | "kode/" | "rahasia/" | "dokumen/" => Err(desk.not_allowed(Some(&staff))),
        _ => Err(not_found(desk, &staff)),
    };
    answer.unwrap_or_else(|page| page)
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

/// The case page's view of the record as it is now, or the page that says
/// why it does not read.
async fn current(desk: &Desk, staff: &Staff, ticket: &str) -> Result<CaseView, Response<Body>> {
    let (record, text) = load(desk, ticket)
        .await
        .map_err(|e| load_error(desk, staff, &e))?;
    Ok(view_of(&(desk.office)(), &record, &text))
}

/// The case page's view of `record` (its file's `text`), today, in
/// `office` (one snapshot for the whole page).
fn view_of(office: &Office, record: &Record, text: &str) -> CaseView {
    CaseView::new(
        record,
        &office.forms,
        text,
        (dates::today(), office.pauses()),
    )
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, view: &CaseView) -> Response<Body> {
    let view = view.for_viewer(&staff.accounts, staff.grant == Grant::Work);
    desk.page(staff, "kotak-masuk", "kasus.html", status, &view)
}

/// The case page; `changed` is what the step just taken did (`?diubah=`:
/// the form it moved to, or the step).
async fn show(
    desk: &Arc<Desk>,
    staff: &Staff,
    ticket: &str,
    changed: Option<String>,
    sent: bool,
) -> Answer {
    let (record, text) = load(desk, ticket)
        .await
        .map_err(|e| load_error(desk, staff, &e))?;
    let office = (desk.office)();
    let forms = &office.forms;
    let mut view = view_of(&office, &record, &text);
    view.confidential.can_mark = confidential::may_mark(staff);
    restore_kept(desk, staff, &mut view, &record.ticket);
    if sent {
        view.notice = "Pesan untuk pemohon sudah dicatat; status kasus tidak berubah.".into();
    }
    if let Some(changed) = changed {
        let form = forms.of(&record);
        view.notice = match (forms.get(&changed), form.and_then(|f| f.step(&changed))) {
            (Some(moved), _) => format!("Kasus ini sekarang: {}.", moved.title),
            (None, Some(step)) => format!("Status kasus ini sekarang: {}.", step.name()),
            (None, None) if changed == "lampiran" => "Berkas sudah dilampirkan.".to_string(),
            (None, None) if changed == "rahasia" => {
                "Kasus ini sekarang dirahasiakan: hanya Pejabat Pengelola Pengaduan dan admin yang dapat melihatnya.".to_string()
            }
            (None, None) => String::new(),
        };
    }
    Ok(render(desk, staff, StatusCode::OK, &view))
}

/// Fills in what `staff` typed into the step or message form before their
/// session ended ([`super::kept`]), saying so; it is not sent again until
/// they send it.
fn restore_kept(desk: &Desk, staff: &Staff, view: &mut CaseView, ticket: &str) {
    let Some((tail, posted)) =
        super::kept::take_for(desk, staff, &format!("{CASE_PREFIX}{ticket}/"))
    else {
        return;
    };
    view.typed = match tail {
        "pesan/" => typed_message(&posted),
        _ => typed_step(&posted),
    };
    view.notice = "Sesi Anda tadi berakhir sebelum isian ini terkirim. Isian Anda sudah dikembalikan ke formulirnya di bawah; periksa lalu kirim lagi.".into();
}

/// What a step's form sent.
fn typed_step(posted: &http::Form) -> Typed {
    Typed {
        langkah: posted.get("langkah"),
        formulir: posted.get("formulir"),
        berkas: posted.get("berkas"),
        catatan: posted.get("catatan"),
        tanggal: posted.get("tanggal"),
        jam: posted.get("jam"),
        tempat: posted.get("tempat"),
        pesan: posted.get("pesan"),
        terlambat: posted.get("terlambat"),
        kategori: posted.get("kategori"),
        rujukan: posted.get("rujukan"),
        nomor_surat: posted.get("nomor_surat"),
        tanggal_surat: posted.get("tanggal_surat"),
        ..Typed::default()
    }
}

/// What the message form sent.
fn typed_message(posted: &http::Form) -> Typed {
    Typed {
        pesan: posted.get("pesan"),
        terlambat: posted.get("terlambat"),
        message_form: true,
        ..Typed::default()
    }
}

/// The change a step's form asks for, or what is wrong with it (in the
/// staff's words; [`cases::apply`] checks the procedure again).
fn change_from(
    typed: &Typed,
    by: &str,
    now: OffsetDateTime,
) -> Result<cases::StatusChange, String> {
    let to = Some(typed.langkah.trim())
        .filter(|s| !s.is_empty())
        .ok_or("Langkah ini tidak dikenal. Muat ulang halaman lalu pilih langkah lagi.")?;
    let note = Some(typed.catatan.trim().to_string()).filter(|n| !n.is_empty());
    let public_note = Some(typed.pesan.trim().to_string()).filter(|n| !n.is_empty());
    // What the step's form sent: the answer about the documents, the
    // meeting. Whether the step needs them is the procedure's to say.
    let files_complete = match typed.berkas.trim() {
        "" => None,
        text => {
            Some(cases::parse_files_complete(text).map_err(|_| need_text(Need::FilesComplete))?)
        }
    };
    let mut meeting = None;
    let (day, clock, place) = (typed.tanggal.trim(), typed.jam.trim(), typed.tempat.trim());
    match (day.is_empty(), clock.is_empty(), place.is_empty()) {
        (true, true, true) => {}
        (false, false, false) => {
            let clock = clock.get(..5).unwrap_or(clock);
            meeting = Some(
                Meeting::parse(&format!("{day} {clock}, {place}")).map_err(|e| {
                    format!(
                        "Jadwal pertemuan belum benar: {e}. Contoh: tanggal 2026-12-02, jam 10:00."
                    )
                })?,
            );
        }
        _ => return Err(need_text(Need::Meeting).into()),
    }
    // A referral: to whom is the procedure's to check (one of the step's).
    let referral = match typed.rujukan.trim() {
        "" => None,
        to => Some(cases::Referral {
            to: to.to_string(),
            letter: Some(typed.nomor_surat.trim().to_string()).filter(|l| !l.is_empty()),
            date: dates::parse_iso(typed.tanggal_surat.trim())
                .map_err(|_| "Isi tanggal surat rujukan (contoh: 2026-12-03).".to_string())?,
        }),
    };
    Ok(cases::StatusChange {
        to: Some(to.to_string()),
        form: None,
        at: now,
        by: by.to_string(),
        note,
        public_note,
        meeting,
        files_complete,
        late_reason: Some(typed.terlambat.trim().to_string()).filter(|n| !n.is_empty()),
        outcome: Some(typed.kategori.trim().to_string()).filter(|n| !n.is_empty()),
        referral,
    })
}

/// `POST /kasus/TICKET/`: the next step.
async fn step(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff, ticket: &str) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let typed = typed_step(&posted);
    let version = Version::parse(&posted.get("versi"));
    let now = OffsetDateTime::now_utc();
    let moving = typed.langkah == view::MOVE_STEP;
    let change = match moving {
        true => move_from(&typed, &staff.session.name, now),
        false => change_from(&typed, &staff.session.name, now),
    };
    let change = match change {
        Ok(c) => c,
        Err(message) => return Err(refused(desk, staff, ticket, typed, message, None).await),
    };
    // A meeting that looks wrong is sent back once, with the reasons, to
    // be confirmed (real meetings happen on Saturdays).
    if let Some(meeting) = &change.meeting
        && posted.get("yakin") != "ya"
    {
        let (record, _) = load(desk, ticket)
            .await
            .map_err(|e| load_error(desk, staff, &e))?;
        let office = (desk.office)();
        let hours = office
            .terms
            .office_hours
            .unwrap_or(cases::meeting::DEFAULT_MEETING_HOURS);
        let doubts = meeting.doubts(&office.calendar, hours, now, record.promised_due());
        if !doubts.is_empty() {
            let mut typed = typed;
            typed.doubts = doubts;
            let message = "Periksa lagi jadwal pertemuan ini. Bila memang benar, centang konfirmasi lalu simpan lagi.";
            return Err(refused(desk, staff, ticket, typed, message.into(), None).await);
        }
    }
    let actor = Actor::desk(&staff.session.name);
    let done = {
        let w = work_now(desk);
        let office = (desk.office)();
        let (ticket, change) = (ticket.to_string(), change.clone());
        let to = typed.formulir.trim().to_string();
        tokio::task::spawn_blocking(move || match moving {
            true => {
                let terms = (&office.terms, &*office.calendar);
                work::move_case(
                    &w,
                    &ticket,
                    Some(&version),
                    &to,
                    terms,
                    &change,
                    &actor,
                    now,
                )
            }
            false => work::take_step(&w, &ticket, Some(&version), &change, &actor, now),
        })
        .await
    };
    let done = finished(desk, staff, ticket, typed.clone(), done).await?;
    let changed = match (moving, &change.to) {
        (true, _) => typed.formulir.trim(),
        (false, Some(to)) => to.as_str(),
        (false, None) => done.before.status.as_str(),
    };
    Ok(redirect(&format!(
        "{CASE_PREFIX}{}/?diubah={}",
        done.before.ticket, changed
    )))
}

/// The use cases' view of the office now, with the citizen's mail when
/// it is on.
fn work_now(desk: &Desk) -> Work {
    let office = (desk.office)();
    Work {
        data: desk.data.clone(),
        forms: office.forms.clone(),
        paused: office
            .config
            .office
            .pause_while_waiting
            .then(|| office.calendar.clone()),
        composer: desk.mail.as_ref().map(|m| {
            m.composer(
                &office.config,
                (office.templates.clone(), office.forms.clone()),
            )
        }),
    }
}

/// `POST /kasus/TICKET/pesan/`: a message to the citizen without a step
/// ([`work::send_message`]), with CSRF and the version check of a step.
async fn message(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff, ticket: &str) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let typed = typed_message(&posted);
    if typed.pesan.trim().is_empty() {
        let message = "Tulis pesan untuk pemohon.";
        return Err(refused(desk, staff, ticket, typed, message.into(), None).await);
    }
    let version = Version::parse(&posted.get("versi"));
    let now = OffsetDateTime::now_utc();
    let actor = Actor::desk(&staff.session.name);
    let done = {
        let w = work_now(desk);
        let ticket = ticket.to_string();
        let (text, late) = (typed.pesan.clone(), typed.terlambat.clone());
        tokio::task::spawn_blocking(move || {
            let late = Some(late.trim()).filter(|l| !l.is_empty());
            work::send_message(&w, &ticket, Some(&version), &text, late, &actor, now, now)
        })
        .await
    };
    let done = finished(desk, staff, ticket, typed, done).await?;
    Ok(redirect(&format!(
        "{CASE_PREFIX}{}/?pesan=1",
        done.before.ticket
    )))
}

/// What a step or message came to: written (its audit and mail problems
/// logged, the sender woken), or the page that says why not.
async fn finished(
    desk: &Arc<Desk>,
    staff: &Staff,
    ticket: &str,
    typed: Typed,
    done: Result<Result<work::StepDone, StepError>, tokio::task::JoinError>,
) -> Result<work::StepDone, Response<Body>> {
    // What went wrong, for the step's form, or who changed the case.
    let (message, stale_by) = match done {
        Ok(Ok(done)) => {
            log_unaudited(&done.audit);
            match &done.told {
                Ok(true) => {
                    if let Some(mail) = &desk.mail {
                        mail.wake();
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::error!(target: "loket::desk", "no mail for the citizen: {e}"),
            }
            return Ok(done);
        }
        Ok(Err(StepError::Record(RecordError::Stale { by, .. }))) => (String::new(), Some(by)),
        Ok(Err(StepError::Record(RecordError::LateReason { due, .. }))) => (
            format!(
                "Kasus ini melewati batas waktunya ({}). Tulis alasan keterlambatan untuk pemohon; alasan ini dikirim lewat surel dan tampil di halaman Cek Status.",
                dates::format_long(due)
            ),
            None,
        ),
        Ok(Err(StepError::Needs(need, _))) => (need_text(need).into(), None),
        Ok(Err(StepError::NoTerm(_))) => (
            "Situs tidak menetapkan jangka waktu untuk formulir itu; minta pengelola situs memeriksa berkas formulirnya.".into(),
            None,
        ),
        Ok(Err(e @ StepError::NoForm(_))) => (e.to_string(), None),
        Ok(Err(StepError::Record(
            e @ (RecordError::Transition { .. } | RecordError::Missing(_)),
        ))) => (e.to_string(), None),
        Ok(Err(StepError::Record(e))) => return Err(load_error(desk, staff, &e)),
        Err(e) => {
            tracing::error!(target: "loket::desk", "a status change failed: {e}");
            return Err(server_error(desk, staff));
        }
    };
    Err(refused(desk, staff, ticket, typed, message, stale_by).await)
}

/// The desk's words for what a step lacks.
fn need_text(need: Need) -> &'static str {
    match need {
        Need::FilesComplete => "Pilih hasil pemeriksaan: berkas lengkap atau berkas tidak lengkap.",
        Need::Meeting => "Isi tanggal, jam, dan tempat pertemuan.",
        Need::Result => "Tulis ringkasan hasil layanan sebelum menandai selesai.",
        Need::Reason => "Tulis alasan penolakan; alasan ini dicatat sebagai hasil.",
        Need::Note => "Tulis catatan untuk langkah ini.",
        Need::Request => {
            "Tulis apa yang perlu dilengkapi pemohon; pesan ini dikirim kepada pemohon."
        }
        Need::Outcome => "Pilih kategori hasil; kategori ini dihitung di laporan bulanan.",
        Need::Referral => "Pilih instansi tujuan rujukan dan isi tanggal suratnya.",
    }
}

/// The move of an open case to another form (filed in the wrong one), as
/// `loket status --kind` makes it ([`work::move_case`] gives it that
/// form's deadlines); the reason is required.
fn move_from(typed: &Typed, by: &str, now: OffsetDateTime) -> Result<cases::StatusChange, String> {
    let note = Some(typed.catatan.trim().to_string()).filter(|n| !n.is_empty());
    if note.is_none() {
        return Err("Tulis alasan pemindahan; alasan ini dicatat di riwayat.".into());
    }
    if typed.formulir.trim().is_empty() {
        return Err("Pilih formulir tujuan pemindahan.".into());
    }
    Ok(cases::StatusChange {
        to: None,
        form: None,
        at: now,
        by: by.to_string(),
        note,
        public_note: Some(typed.pesan.trim().to_string()).filter(|n| !n.is_empty()),
        meeting: None,
        files_complete: None,
        late_reason: None,
        outcome: None,
        referral: None,
    })
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
    let mut view = match current(desk, staff, ticket).await {
        Ok(view) => view,
        Err(page) => return page,
    };
    view.confidential.can_mark = confidential::may_mark(staff);
    view.error_on_top = !error.is_empty() && !typed.message_form && !view.offers(&typed.langkah);
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
mod tests;
