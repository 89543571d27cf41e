//! `POST /kasus/TICKET/kode/`: a new access code for a citizen who lost
//! theirs ([`work::code::reissue_code`], which `loket code` calls too),
//! once staff confirm they checked the caller's identity. The answer is
//! the case page with the new code, shown this once (not a redirect: the
//! code is never in a URL), to read out or send by WhatsApp; it is mailed
//! too when mail is on and the citizen gave an email.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use serde::Serialize;

use super::super::{Answer, Desk, Staff, log_unaudited, messages};
use super::{current, load_error, render, server_error, view_of, work_now};
use crate::cases::access;
use crate::notify::contact;
use crate::work::code::CodeError;
use crate::work::{self, Actor};

/// The checkbox staff tick once they checked the caller's identity.
const CHECKED: &str = "identitas";

/// The access code form's answer on the case page.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CodeView {
    /// The new code ("KXM4 7PRT"), shown once; "" otherwise.
    pub new_code: String,
    /// Click-to-chat with the new code, if the citizen gave a mobile.
    pub whatsapp: String,
    /// Whether it was queued for the citizen's email.
    pub mailed: bool,
    /// What was wrong with the form.
    pub error: String,
}

pub async fn reissue(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    ticket: &str,
) -> Answer {
    let posted = desk.posted(req, staff).await?;
    if posted.get(CHECKED) != "ya" {
        let mut view = current(desk, staff, ticket).await?;
        view.code.error = "Periksa dulu identitas penelepon (nama, NIK, dan isi kiriman), lalu centang pernyataannya. Kode baru hanya untuk pemohon sendiri.".into();
        return Ok(render(desk, staff, StatusCode::UNPROCESSABLE_ENTITY, &view));
    }
    let actor = Actor::desk(&staff.session.name);
    let issued = {
        let w = work_now(desk);
        let ticket = ticket.to_string();
        tokio::task::spawn_blocking(move || work::code::reissue_code(&w, &ticket, &actor))
            .await
            .unwrap_or_else(|e| Err(CodeError::Key(e.to_string())))
    };
    let issued = match issued {
        Ok(issued) => issued,
        Err(CodeError::Record(e)) => return Err(load_error(desk, staff, &e)),
        Err(CodeError::Anonymous(_)) => {
            return Err(desk.error_page(Some(staff), messages::ANONYMOUS_NO_CODE));
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "no new access code: {e}");
            return Err(server_error(desk, staff));
        }
    };
    log_unaudited(&issued.audit);
    let mailed = match &issued.mailed {
        Ok(true) => {
            if let Some(mail) = &desk.mail {
                mail.wake();
            }
            true
        }
        Ok(false) => false,
        Err(e) => {
            tracing::error!(target: "loket::desk", "no mail with the new access code: {e}");
            false
        }
    };
    let office = (desk.office)();
    let record = &issued.record;
    let shown = access::display(&issued.code);
    let form = office.forms.of(record);
    let lookup = format!(
        "{}/cek-status/",
        office.config.base_url.trim_end_matches('/')
    );
    let message = format!(
        "Yth. Bapak/Ibu, kode akses baru untuk tiket {}: {shown}. Kode yang lama tidak berlaku lagi. Lihat perkembangannya di {lookup} dengan nomor tiket dan kode ini. Jangan berikan kode ini kepada orang lain.",
        record.ticket
    );
    let mut view = view_of(&office, record, &issued.text);
    view.code = CodeView {
        whatsapp: form
            .and_then(|f| contact::whatsapp_link_with(record, f, &message))
            .unwrap_or_default(),
        new_code: shown,
        mailed,
        error: String::new(),
    };
    Ok(render(desk, staff, StatusCode::OK, &view))
}
