//! A case's attachments.
//!
//! An attachment is served only to a signed-in staff member (the caller
//! checked), only if the record lists it, never through a symbolic link,
//! with the type detected from its first bytes: a JPEG or PNG inline (the
//! case page shows it), anything else as a download. Every response has
//! `Content-Disposition`, `X-Content-Type-Options: nosniff` and
//! `Cache-Control: no-store`. Each opening is written to the audit log
//! first; if that fails, the file is not sent.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use hyper::StatusCode;
use hyper::header::{self, HeaderValue};

use super::{load, load_error, not_found, server_error};
use crate::cases::layout;
use crate::desk::http::bytes;
use crate::desk::messages;
use crate::desk::roles::Grant;
use crate::desk::{Answer, Desk, Staff};
use crate::forms::spec::Role;
use crate::forms::validate::FileKind;
use crate::work::audit::Action;

/// Largest attachment served (uploads are far smaller; this only bounds memory).
const MAX_ATTACHMENT_BYTES: u64 = 200 * 1024 * 1024;

/// Reads an attachment; neither its folder nor the file may be a symbolic
/// link ([`layout::open_attachment`]).
fn read_plain(folder: &Path, name: &str) -> std::io::Result<Vec<u8>> {
    let mut file = layout::open_attachment(folder, name)?;
    let meta = file.metadata()?;
    if meta.len() > MAX_ATTACHMENT_BYTES {
        return Err(std::io::Error::other("not a regular file of a usable size"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub async fn attachment(desk: &Arc<Desk>, staff: &Staff, ticket: &str, name: &str) -> Answer {
    let (record, _) = load(desk, ticket)
        .await
        .map_err(|e| load_error(desk, staff, &e))?;
    // Only a name the record lists, and only a plain file name.
    let listed = record
        .attachments
        .iter()
        .find(|a| a.stored_name == name && layout::is_plain_name(name));
    let listed = listed.ok_or_else(|| not_found(desk, staff))?;
    // The KTP is not for staff who may only read the case (pimpinan).
    let forms = (desk.office)().forms;
    let ktp = forms
        .of(&record)
        .and_then(|f| f.field(&listed.field))
        .is_some_and(|f| f.role.has(Role::Ktp));
    if ktp && staff.grant != Grant::Work {
        return Err(desk.error_page(Some(staff), messages::FORBIDDEN));
    }
    if record.attachments_purged.is_some() {
        return Err(desk.error_page(Some(staff), messages::ATTACHMENTS_PURGED));
    }
    let folder = record.attachment_dir();
    let stored = listed.stored_name.clone();
    let read = tokio::task::spawn_blocking(move || read_plain(&folder, &stored)).await;
    let content = match read {
        Ok(Ok(b)) => b,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(desk.error_page(Some(staff), messages::ATTACHMENT_MISSING));
        }
        Ok(Err(e)) => {
            // A symbolic link (never followed) or a file loket cannot read:
            // `loket verify` names it.
            tracing::error!(
                target: "loket::desk",
                "cannot read an attachment of {}: {e} (run loket verify)",
                record.ticket
            );
            return Err(server_error(desk, staff));
        }
        Err(_) => return Err(server_error(desk, staff)),
    };
    if !desk
        .audited(
            &staff.session.name,
            Action::Attachment,
            Some(&record.ticket),
            &listed.field,
        )
        .await
    {
        return Err(server_error(desk, staff));
    }
    let detected = FileKind::sniff(&content);
    let (mime, inline) = match detected {
        Some(t @ (FileKind::Jpeg | FileKind::Png)) => (t.mime(), true),
        Some(t @ FileKind::Pdf) => (t.mime(), false),
        None => ("application/octet-stream", false),
    };
    // The file name we made (ktp.jpg), prefixed with the ticket: plain ASCII.
    let file_name: String = format!("{}-{}", record.ticket, listed.stored_name)
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                true => c,
                false => '_',
            },
        )
        .collect();
    let disposition = format!(
        "{}; filename=\"{file_name}\"",
        if inline { "inline" } else { "attachment" }
    );
    let mut response = bytes(StatusCode::OK, mime, content);
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
