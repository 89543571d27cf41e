//! Staff attach files to a case (`POST /kasus/TICKET/lampiran/`, multipart):
//! a document the citizen brought later, a scan of the letter, photos of
//! the meeting. Read with multer under limits that are always set (the
//! whole body, each part, the number of parts, only the form's own names),
//! the CSRF token checked like the step form's, each file sanitized like a
//! citizen's upload (photos re-encoded, PDFs checked) and then added to the
//! case with who added it and when ([`Draft::add_to_case`]): listed on the
//! case page, in its history, and in the audit log. A file that is refused
//! sends the page back (422) with why, and nothing is written.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use multer::{Constraints, Multipart, SizeLimit};
use time::OffsetDateTime;

use super::{current, load_error, render, server_error};
use crate::cases::record::AddedFrom;
use crate::cases::store::{Addition, Draft};
use crate::cases::{RecordError, waiting};
use crate::desk::http::{self, UploadError};
use crate::desk::{Answer, CASE_PREFIX, Desk, Staff, messages};
use crate::forms::validate::{FileCheck, format_size};
use crate::work::audit::Action;

/// Files one post may attach.
pub const MAX_FILES: usize = 5;
/// The field the files come in (`multiple`).
const FILES: &str = "berkas";
/// The form field name each attached file is kept under.
pub const FIELD: &str = "berkas_petugas";
/// The same for what the citizen handed in while the case waited for it.
pub const FROM_CITIZEN: &str = "berkas_pemohon";
/// Largest text part (the CSRF token, the note).
const MAX_TEXT: u64 = 4 * 1024;
/// Longest note about the files.
const MAX_NOTE_CHARS: usize = 500;
/// Longest the post may take to arrive.
const TOTAL: Duration = Duration::from_secs(300);

/// What the post carried.
struct Posted {
    csrf: String,
    note: String,
    /// The files are what the citizen handed in while the case waits.
    from_citizen: bool,
    files: Vec<(String, FileCheck)>,
    draft: Draft,
}

/// Reads the post into a draft of the desk's store; files of at most
/// `max` bytes.
async fn read(
    store: &crate::cases::store::Store,
    max: u64,
    req: Request<Incoming>,
) -> Result<Posted, UploadError> {
    let boundary = http::boundary(&req).map_err(|_| UploadError::NotMultipart)?;
    let whole = max * MAX_FILES as u64 + 3 * MAX_TEXT;
    let limits = SizeLimit::new()
        .whole_stream(whole)
        .per_field(MAX_TEXT)
        .for_field(FILES, max);
    let constraints = Constraints::new().size_limit(limits).allowed_fields(vec![
        "csrf",
        "keterangan",
        "dari_pemohon",
        FILES,
    ]);
    let body = req.into_body().into_data_stream();
    let mut multipart = Multipart::with_constraints(body, boundary, constraints);
    let mut posted = Posted {
        csrf: String::new(),
        note: String::new(),
        from_citizen: false,
        files: Vec::new(),
        draft: store.draft()?,
    };
    let reading = async {
        while let Some(mut field) = multipart.next_field().await? {
            match field.name().unwrap_or("") {
                "csrf" => posted.csrf = field.text().await?,
                "keterangan" => posted.note = field.text().await?,
                "dari_pemohon" => {
                    posted.from_citizen = field.text().await? == "ya";
                }
                _ => {
                    let original = field.file_name().unwrap_or("").to_string();
                    if posted.files.len() >= MAX_FILES {
                        return Err(UploadError::TooLarge);
                    }
                    let name = format!("{FILES}_{}", posted.files.len() + 1);
                    let mut writer = posted.draft.file_writer(&name);
                    while let Some(chunk) = field.chunk().await? {
                        writer.write(chunk).await?;
                    }
                    if writer.size() == 0 && original.is_empty() {
                        // An empty file input.
                        continue;
                    }
                    let check = posted.draft.finish_file(writer, &original).await?;
                    posted.files.push((original, check));
                }
            }
        }
        Ok(())
    };
    let read = tokio::time::timeout(TOTAL, reading).await;
    read.map_err(|_| UploadError::Unreadable)??;
    Ok(posted)
}

/// What is wrong with an attached file, in staff's words.
fn problem(original: &str, check: &FileCheck, max: u64) -> Option<String> {
    let name = if original.is_empty() {
        "Berkas".to_string()
    } else {
        format!("Berkas {original}")
    };
    if check.size == 0 {
        return Some(format!("{name} kosong. Pilih berkas lain."));
    }
    if check.size > max {
        return Some(format!(
            "{name} berukuran {}; paling besar {}.",
            format_size(check.size),
            format_size(max)
        ));
    }
    if let Some(why) = &check.refused {
        return Some(format!("{name} tidak dapat disimpan: {why}"));
    }
    if check.detected.is_none() {
        return Some(format!(
            "{name} harus berupa foto (JPG atau PNG) atau dokumen PDF."
        ));
    }
    None
}

/// `POST /kasus/TICKET/lampiran/`.
pub async fn add(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff, ticket: &str) -> Answer {
    // The desk's intake: the public form's store and file limit.
    let max = desk.intake.limits.max_file_bytes;
    let posted = match read(&desk.intake.store, max, req).await {
        Ok(posted) => posted,
        Err(UploadError::TooLarge) => {
            let text = format!(
                "Paling banyak {MAX_FILES} berkas sekali kirim, masing-masing paling besar {}.",
                format_size(max)
            );
            return again(desk, staff, ticket, text, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Err(UploadError::NotMultipart | UploadError::Unreadable) => {
            return Err(desk.error_page(Some(staff), messages::FORM_INCOMPLETE));
        }
        Err(UploadError::Storage(e)) => {
            tracing::error!(target: "loket::desk", "cannot receive an attachment: {e}");
            return Err(server_error(desk, staff));
        }
    };
    if !crate::core::secret::same_secret(&posted.csrf, &staff.session.csrf) {
        return Err(desk.csrf_refused(Some(staff)));
    }
    let problems: Vec<String> = posted
        .files
        .iter()
        .filter_map(|(original, check)| problem(original, check, max))
        .collect();
    let note = posted.note.trim().to_string();
    let text = if posted.files.is_empty() {
        "Pilih berkas yang akan dilampirkan.".to_string()
    } else if !problems.is_empty() {
        format!("Tidak ada berkas yang disimpan. {}", problems.join(" "))
    } else if note.chars().count() > MAX_NOTE_CHARS {
        format!("Keterangan paling banyak {MAX_NOTE_CHARS} huruf.")
    } else {
        String::new()
    };
    if !text.is_empty() {
        return again(desk, staff, ticket, text, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let from_citizen = posted.from_citizen;
    let now = OffsetDateTime::now_utc();
    let addition = Addition {
        from: match from_citizen {
            true => AddedFrom::Pemohon,
            false => AddedFrom::Petugas,
        },
        by: staff.session.name.clone(),
        at: now,
        reply: None,
        note: Some(note).filter(|n| !n.is_empty()),
        field: Some(if from_citizen { FROM_CITIZEN } else { FIELD }.to_string()),
    };
    let (data, id) = (desk.data.clone(), ticket.to_string());
    let office = (desk.office)();
    let draft = posted.draft;
    let added = tokio::task::spawn_blocking(move || {
        draft.add_to_case(&data, &id, &addition, |record, text| match from_citizen {
            // What the citizen handed in answers the request, as a reply
            // on /cek-status/ would: the wait ends (and a paused clock
            // moves the deadlines).
            true => {
                let pauses = office.config.office.pause_while_waiting;
                waiting::answer(record, text, &office.forms, (pauses, &office.calendar), now)
            }
            false => Ok(text.to_string()),
        })
    })
    .await;
    let added = match added {
        Ok(Ok(added)) => added,
        Ok(Err(RecordError::Missing(_))) => {
            let text = "Kasus ini tidak sedang menunggu kelengkapan dari pemohon; hapus centang \"Diserahkan pemohon\" lalu lampirkan lagi.";
            return again(
                desk,
                staff,
                ticket,
                text.into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Ok(Err(
            e @ (RecordError::BadTicket(_) | RecordError::NotFound(_) | RecordError::Invalid(_)),
        )) => {
            return Err(load_error(desk, staff, &e));
        }
        Ok(Err(e)) => {
            tracing::error!(target: "loket::desk", "cannot attach files to {ticket}: {e}");
            return Err(server_error(desk, staff));
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "attaching files failed: {e}");
            return Err(server_error(desk, staff));
        }
    };
    let names: Vec<&str> = added
        .attachments
        .iter()
        .map(|a| a.stored_name.as_str())
        .collect();
    desk.audit(
        &staff.session.name,
        Action::AttachmentAdded,
        Some(&added.before.ticket),
        &names.join(" "),
    )
    .await;
    Ok(http::redirect(&format!(
        "{CASE_PREFIX}{}/?diubah=lampiran#lampiran",
        added.before.ticket
    )))
}

/// The case page with what was wrong with the attachment.
async fn again(
    desk: &Arc<Desk>,
    staff: &Staff,
    ticket: &str,
    error: String,
    status: StatusCode,
) -> Answer {
    let mut view = current(desk, staff, ticket).await?;
    view.attach_error = error;
    Ok(render(desk, staff, status, &view))
}
