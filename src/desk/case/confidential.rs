//! `POST /kasus/TICKET/rahasia/`: a staff member marks the case
//! confidential, with a reason ([`work::confidential`]: the record, the
//! history entry, the audit line). Only an account that may see
//! confidential cases may mark one ([`may_mark_confidential`]); anyone
//! else gets 403 whatever they post.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use time::OffsetDateTime;

use super::super::accounts::{self, Account, Role};
use super::super::http::redirect;
use super::super::{Answer, CASE_PREFIX, Desk, Staff, log_unaudited, messages};
use super::{current, load_error, render, server_error, work_now};
use crate::cases::{RecordError, Version};
use crate::work::Actor;
use crate::work::confidential::{MarkError, mark_confidential};

/// Whether `account` may mark a case confidential: the complaint handlers
/// (pengelola-pengaduan) and admins, who see confidential cases.
pub fn may_mark_confidential(account: &Account) -> bool {
    account
        .roles
        .iter()
        .any(|r| matches!(r, Role::PengelolaPengaduan | Role::Admin))
}

/// Whether the signed-in staff member may mark cases (their account as
/// the staff file says at this request).
pub(super) fn may_mark(staff: &Staff) -> bool {
    accounts::find(&staff.accounts, &staff.session.name).is_some_and(may_mark_confidential)
}

pub(super) async fn mark(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    ticket: &str,
) -> Answer {
    let posted = desk.posted(req, staff).await?;
    if !may_mark(staff) {
        return Err(desk.error_page(Some(staff), messages::CONFIDENTIAL_NOT_ALLOWED));
    }
    let reason = posted.get("alasan");
    let version = Version::parse(&posted.get("versi"));
    let actor = Actor::desk(&staff.session.name);
    let marked = {
        let w = work_now(desk);
        let (ticket, reason) = (ticket.to_string(), reason.clone());
        let now = OffsetDateTime::now_utc();
        tokio::task::spawn_blocking(move || {
            mark_confidential(&w, &ticket, Some(&version), &reason, &actor, now)
        })
        .await
    };
    let (error, stale_by) = match marked {
        Ok(Ok(marked)) => {
            log_unaudited(&marked.audit);
            return Ok(redirect(&format!(
                "{CASE_PREFIX}{}/?diubah=rahasia",
                marked.before.ticket
            )));
        }
        Ok(Err(MarkError::NoReason)) => (
            "Tulis alasan kasus ini dirahasiakan; alasan ini dicatat di riwayat.".to_string(),
            None,
        ),
        Ok(Err(MarkError::Already(_))) => ("Kasus ini sudah dirahasiakan.".to_string(), None),
        Ok(Err(MarkError::Record(RecordError::Stale { by, .. }))) => (String::new(), Some(by)),
        Ok(Err(MarkError::Record(e))) => return Err(load_error(desk, staff, &e)),
        Err(e) => {
            tracing::error!(target: "loket::desk", "marking a case confidential failed: {e}");
            return Err(server_error(desk, staff));
        }
    };
    let mut view = current(desk, staff, ticket).await?;
    view.confidential.can_mark = true;
    view.confidential.error = error;
    view.confidential.reason = reason;
    let status = match stale_by {
        Some(by) => {
            view.stale_by = by;
            StatusCode::CONFLICT
        }
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok(render(desk, staff, status, &view))
}
