//! A case's documents (issue 28): each a template the office can override
//! (`templates/desk/dokumen-*.html`), printed from the case page on A4
//! ([`paper`](super::paper) has what they show), and the small form of
//! what staff type for them (`/kasus/TICKET/dokumen/`: the letter numbers,
//! the berita acara, who signs "Mengetahui"), kept with the case by
//! [`work::documents`](crate::work::documents) with the version the page
//! showed, so a reprint is the same document. Opening a document is
//! audited (`print`, the detail its name).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use serde::Serialize;
use time::OffsetDateTime;

use super::paper::{self, Paper, PaperLink, PaperView};
use super::{load, load_error, not_found, server_error, work_now};
use crate::cases::record::{Agreement, Documents};
use crate::cases::{RecordError, Version};
use crate::core::dates;
use crate::desk::http::redirect;
use crate::desk::views::Choice;
use crate::desk::{Answer, CASE_PREFIX, Desk, Staff, log_unaudited};
use crate::work::audit::Action;
use crate::work::{Actor, documents};

/// Longest letter number, and longest agreement text.
const MAX_NUMBER: usize = 100;
const MAX_TEXT: usize = 2000;

/// `/kasus/TICKET/dokumen/NAME/`: one document, ready to print.
pub async fn print(desk: &Arc<Desk>, staff: &Staff, ticket: &str, slug: &str) -> Answer {
    let paper = Paper::from_slug(slug).ok_or_else(|| not_found(desk, staff))?;
    let (record, _) = load(desk, ticket)
        .await
        .map_err(|e| load_error(desk, staff, &e))?;
    let office = (desk.office)();
    let view = PaperView::new(
        paper,
        &record,
        &office.forms,
        &office.config.office,
        &staff.accounts,
        dates::today(),
    );
    let view = view.map_err(|notice| desk.error_page(Some(staff), notice))?;
    if !desk
        .audited(
            &staff.session.name,
            Action::Print,
            Some(&record.ticket),
            paper.slug(),
        )
        .await
    {
        return Err(server_error(desk, staff));
    }
    Ok(desk.page(staff, "", paper.template(), StatusCode::OK, &view))
}

/// The documents form's page (`v` in `desk/dokumen.html`).
#[derive(Serialize, Default)]
struct FormView {
    ticket: String,
    version: String,
    /// The case has another party: the respondent's letter and the berita
    /// acara apply.
    mediation: bool,
    papers: Vec<PaperLink>,
    invitation_number: String,
    respondent_invitation_number: String,
    agreement: String,
    agreement_text: String,
    acknowledgers: Vec<Choice>,
    notice: String,
    error: String,
    stale_by: String,
}

/// What the form posted.
struct Typed {
    invitation_number: String,
    respondent_invitation_number: String,
    agreement: String,
    agreement_text: String,
    acknowledger: String,
}

/// `GET /kasus/TICKET/dokumen/`.
pub async fn page(desk: &Arc<Desk>, staff: &Staff, ticket: &str, saved: bool) -> Answer {
    let notice = match saved {
        true => "Isian dokumen sudah disimpan.".to_string(),
        false => String::new(),
    };
    form_page(desk, staff, ticket, None, notice, StatusCode::OK).await
}

/// The form as the record is now, with `typed` (what was posted) in
/// place of the kept values when given.
async fn form_page(
    desk: &Arc<Desk>,
    staff: &Staff,
    ticket: &str,
    typed: Option<(Typed, String, String)>,
    notice: String,
    status: StatusCode,
) -> Answer {
    let (record, text) = load(desk, ticket)
        .await
        .map_err(|e| load_error(desk, staff, &e))?;
    let office = (desk.office)();
    let form = office.forms.of(&record).map(|f| &**f);
    let docs = &record.documents;
    let chosen = docs.acknowledged_by.clone();
    let mut view = FormView {
        ticket: record.ticket.clone(),
        version: Version::of(&text).as_str().to_string(),
        mediation: record.respondent(form).is_some(),
        papers: paper::available(&record, &office.forms),
        invitation_number: docs.invitation_number.clone().unwrap_or_default(),
        respondent_invitation_number: docs
            .respondent_invitation_number
            .clone()
            .unwrap_or_default(),
        agreement: docs.agreement.map_or("", Agreement::id).to_string(),
        agreement_text: docs.agreement_text.clone().unwrap_or_default(),
        notice,
        ..FormView::default()
    };
    let mut picked = None;
    if let Some((typed, error, stale_by)) = typed {
        view.invitation_number = typed.invitation_number;
        view.respondent_invitation_number = typed.respondent_invitation_number;
        view.agreement = typed.agreement;
        view.agreement_text = typed.agreement_text;
        view.error = error;
        view.stale_by = stale_by;
        picked = Some(typed.acknowledger);
    }
    view.acknowledgers = paper::acknowledgers(&staff.accounts, &office.config.office)
        .into_iter()
        .map(|(value, s)| Choice {
            selected: match &picked {
                Some(p) => *p == value,
                None => chosen.as_ref() == Some(&s),
            },
            label: match s.position.as_str() {
                "" => s.name.clone(),
                position => format!("{} ({position})", s.name),
            },
            value,
        })
        .collect();
    Ok(desk.page(staff, "kotak-masuk", "dokumen.html", status, &view))
}

/// `POST /kasus/TICKET/dokumen/`: keeps what staff typed.
pub async fn save(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff, ticket: &str) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let typed = Typed {
        invitation_number: posted.get("nomor_undangan").trim().to_string(),
        respondent_invitation_number: posted.get("nomor_undangan_termohon").trim().to_string(),
        agreement: posted.get("kesepakatan").trim().to_string(),
        agreement_text: posted.get("isi_kesepakatan").trim().to_string(),
        acknowledger: posted.get("mengetahui").trim().to_string(),
    };
    let again = |typed: Typed, error: String, stale_by: String, status: StatusCode| {
        form_page(
            desk,
            staff,
            ticket,
            Some((typed, error, stale_by)),
            String::new(),
            status,
        )
    };
    let office = (desk.office)();
    let mut error = if typed.invitation_number.chars().count() > MAX_NUMBER
        || typed.respondent_invitation_number.chars().count() > MAX_NUMBER
    {
        format!("Nomor surat paling banyak {MAX_NUMBER} huruf.")
    } else if typed.agreement_text.chars().count() > MAX_TEXT {
        format!("Isi kesepakatan paling banyak {MAX_TEXT} huruf.")
    } else if !typed.agreement.is_empty() && Agreement::parse(&typed.agreement).is_none() {
        "Pilih hasil pertemuan: kesepakatan tercapai atau tidak tercapai.".to_string()
    } else {
        String::new()
    };
    let acknowledged_by = match typed.acknowledger.as_str() {
        "" => None,
        value => {
            let found = paper::acknowledgers(&staff.accounts, &office.config.office)
                .into_iter()
                .find(|(v, _)| v == value);
            if found.is_none() && error.is_empty() {
                error = "Penanda tangan itu tidak ada lagi; pilih lagi.".to_string();
            }
            found.map(|(_, signer)| signer)
        }
    };
    if !error.is_empty() {
        return again(
            typed,
            error,
            String::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let some = |t: &str| Some(t.to_string()).filter(|t| !t.is_empty());
    let values = Documents {
        invitation_number: some(&typed.invitation_number),
        respondent_invitation_number: some(&typed.respondent_invitation_number),
        agreement: Agreement::parse(&typed.agreement),
        agreement_text: some(&typed.agreement_text),
        acknowledged_by,
    };
    let version = Version::parse(&posted.get("versi"));
    let actor = Actor::desk(&staff.session.name);
    let w = work_now(desk);
    let id = ticket.to_string();
    let saved = tokio::task::spawn_blocking(move || {
        documents::save_documents(
            &w,
            &id,
            Some(&version),
            &values,
            &actor,
            OffsetDateTime::now_utc(),
        )
    })
    .await;
    match saved {
        Ok(Ok(saved)) => {
            log_unaudited(&saved.audit);
            Ok(redirect(&format!(
                "{CASE_PREFIX}{}/dokumen/?disimpan=1",
                saved.before.ticket
            )))
        }
        Ok(Err(RecordError::Stale { by, .. })) => {
            again(typed, String::new(), by, StatusCode::CONFLICT).await
        }
        Ok(Err(e)) => Err(load_error(desk, staff, &e)),
        Err(e) => {
            tracing::error!(target: "loket::desk", "saving a case's documents failed: {e}");
            Err(server_error(desk, staff))
        }
    }
}
