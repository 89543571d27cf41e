//! Kasus baru (issue 27): staff record a case that came by another channel
//! (at the counter, the complaint box, a phone call, WhatsApp, mail,
//! SP4N-LAPOR!, social media) on any of the site's forms.
//!
//! `/kasus-baru/` lists the forms; `/kasus-baru/ID/` is the form's own
//! fields (the KTP scanned in the office is a file field like on the web)
//! and three of the desk's: the channel, SP4N-LAPOR!'s tracking number
//! (required for that channel) and the date received, which may be set
//! back to the day the letter arrived, never before the first working day
//! of the earliest month open for reporting
//! ([`crate::cases::report::open_since`]) nor in the future. The post is
//! read, checked and stored as the public form's is
//! ([`crate::work::intake`], [`crate::forms::validate`],
//! [`crate::work::submit`]): the same ticket, deadlines (counted from the
//! date received) and mail; the record keeps its channel, and its first
//! history entry and the audit log name who recorded it. A form with
//! mistakes comes back (422) with everything typed and its files held.

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;
use tera::Context;
use time::{Date, OffsetDateTime};

use super::http;
use super::roles::Grant;
use super::views::{Choice, Chrome};
use super::{Answer, Body, CASE_PREFIX, Desk, NEW_CASE_PATH, Staff, audit, html_page, messages};
use crate::cases::access::{self, AccessKey};
use crate::cases::recent::Claim;
use crate::cases::store::Store;
use crate::cases::{Channel, report};
use crate::core::dates::{self, WIB};
use crate::core::secret::same_secret;
use crate::forms::spec::FormSpec;
use crate::forms::validate::FieldError;
use crate::forms::view::FormView;
use crate::office::templates::DESK;
use crate::work::intake::{self, Input, IntakeLimits, ReadError, read_multipart};
use crate::work::submit::{Origin, Submission};

/// The desk's own fields in the post. Their names have hyphens, which a
/// form file's field names never have, so they never meet a form's field.
const TOKEN: &str = "meja-csrf";
const CHANNEL: &str = "meja-saluran";
const LAPOR: &str = "meja-nomor-lapor";
const RECEIVED: &str = "meja-diterima";
const OWN_FIELDS: &[&str] = &[TOKEN, CHANNEL, LAPOR, RECEIVED];
/// Longest tracking number kept (SP4N-LAPOR!'s are about a dozen characters).
const MAX_LAPOR_CHARS: usize = 40;

/// What recording a case needs of the server: the store and the reading
/// limits of the public form, and the key of the citizens' access codes.
#[derive(Clone)]
pub struct CaseIntake {
    pub store: Store,
    pub limits: IntakeLimits,
    pub key: AccessKey,
    /// The largest file the site accepts, in MB, as the form's hints say.
    pub max_upload_mb: u64,
}

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: Staff,
    rest: &str,
) -> Response<Body> {
    let read = http::is_read(&req);
    if rest.is_empty() {
        return match read {
            true => choose(desk, &staff),
            false => desk.not_allowed(Some(&staff)),
        };
    }
    let forms = (desk.office)().forms;
    let Some(form) = rest.strip_suffix('/').and_then(|id| forms.get(id)).cloned() else {
        return desk.error_page(Some(&staff), messages::PAGE_UNKNOWN);
    };
    if !staff.access.works_form(&form.id) {
        return desk.error_page(Some(&staff), messages::FORBIDDEN);
    }
    if read {
        let today = dates::today();
        let typed = Typed {
            channel: String::new(),
            lapor: String::new(),
            received: dates::format_iso(today),
        };
        let view = desk.intake_form(&form, desk.form_view(&form), typed);
        return render(desk, &staff, StatusCode::OK, &view);
    }
    if req.method() != Method::POST {
        return desk.not_allowed(Some(&staff));
    }
    record(desk, req, &staff, form)
        .await
        .unwrap_or_else(|page| page)
}

/// The desk's fields as typed.
#[derive(Debug, Clone, Default, Serialize)]
struct Typed {
    channel: String,
    lapor: String,
    received: String,
}

#[derive(Serialize)]
struct FormLink {
    title: String,
    url: String,
}

/// The case just recorded, with the access code shown this once.
#[derive(Serialize)]
struct Recorded {
    ticket: String,
    url: String,
    /// "" when the post was sent again: the code was shown the first time.
    code: String,
    /// The form is anonymous: no code at all.
    anonymous: bool,
    channel: &'static str,
    received: String,
    due: String,
}

/// What `kasus-baru.html` sees as `v` (the form's view is `form`).
#[derive(Serialize, Default)]
struct NewCaseView {
    /// The chooser: every form of the site.
    forms: Vec<FormLink>,
    /// The form being filled in ("" on the chooser).
    title: String,
    action: String,
    channels: Vec<Choice>,
    typed: Typed,
    /// The range the date received may take (ISO, and in words).
    earliest: String,
    earliest_text: String,
    today: String,
    names: BTreeMap<&'static str, &'static str>,
    recorded: Option<Recorded>,
    #[serde(skip)]
    form: Option<FormView>,
}

impl Desk {
    /// The form's fields, empty, posting to its desk page.
    fn form_view(&self, form: &FormSpec) -> FormView {
        let action = format!("{NEW_CASE_PATH}{}/", form.id);
        // No privacy notice on the desk: staff give the citizen the office's.
        FormView::new(form, &action, self.intake.max_upload_mb, "")
    }

    /// The page of `form`: its fields (`view`) and the desk's (`typed`).
    fn intake_form(&self, form: &FormSpec, view: FormView, typed: Typed) -> NewCaseView {
        let today = dates::today();
        let earliest = report::open_since(today, &(self.office)().calendar);
        NewCaseView {
            title: form.title.clone(),
            action: view.action.clone(),
            channels: Channel::ALL
                .into_iter()
                .filter(|c| *c != Channel::Web)
                .map(|c| Choice::new(c.id(), c.label(), typed.channel == c.id()))
                .collect(),
            typed,
            earliest: dates::format_iso(earliest),
            earliest_text: dates::format_long(earliest),
            today: dates::format_iso(today),
            names: OWN_FIELDS
                .iter()
                .map(|n| (n.trim_start_matches("meja-"), *n))
                .collect(),
            form: Some(view),
            ..NewCaseView::default()
        }
    }
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, view: &NewCaseView) -> Response<Body> {
    let chrome: Chrome = desk.chrome(Some(staff), "kasus-baru");
    let mut ctx = Context::new();
    ctx.insert("desk", &chrome);
    ctx.insert("v", view);
    // The form's own fields, as the web form's template sees them.
    ctx.insert("form", &view.form);
    let rendered = chrome
        .templates
        .render(&format!("{DESK}kasus-baru.html"), &ctx);
    html_page(status, rendered)
}

fn choose(desk: &Desk, staff: &Staff) -> Response<Body> {
    let forms = (desk.office)().forms;
    let view = NewCaseView {
        forms: forms
            .iter()
            .filter(|f| staff.access.works_form(&f.id))
            .map(|f| FormLink {
                title: f.title.clone(),
                url: format!("{NEW_CASE_PATH}{}/", f.id),
            })
            .collect(),
        ..NewCaseView::default()
    };
    render(desk, staff, StatusCode::OK, &view)
}

/// What the desk's fields say, checked.
#[derive(Debug, PartialEq, Eq)]
struct Own {
    channel: Channel,
    lapor: Option<String>,
    received: Date,
}

/// The desk's fields checked: the channel, the LAPOR! number, the date
/// received (on `today`, the earliest being `earliest`).
fn check_own(
    extra: &BTreeMap<String, String>,
    today: Date,
    earliest: Date,
) -> (Typed, Result<Own, Vec<FieldError>>) {
    let get = |name: &str| {
        extra
            .get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let typed = Typed {
        channel: get(CHANNEL),
        lapor: get(LAPOR),
        received: get(RECEIVED),
    };
    let mut errors = Vec::new();
    let mut error = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_string(),
            message,
        })
    };
    let channel = match typed.channel.parse::<Channel>() {
        Ok(Channel::Web) | Err(_) => {
            error(CHANNEL, "Pilih saluran kasus ini masuk.".into());
            None
        }
        Ok(c) => Some(c),
    };
    let lapor = match channel {
        Some(c) if c.has_tracking_number() => {
            let ok = |ch: char| ch.is_ascii_alphanumeric() || "-/.".contains(ch);
            if typed.lapor.is_empty() {
                error(
                    LAPOR,
                    "Isi nomor pelacakan SP4N-LAPOR! untuk kasus dari SP4N-LAPOR!.".into(),
                );
            } else if typed.lapor.chars().count() > MAX_LAPOR_CHARS || !typed.lapor.chars().all(ok)
            {
                error(
                    LAPOR,
                    format!(
                        "Nomor pelacakan SP4N-LAPOR! hanya berisi huruf, angka, dan tanda hubung, paling panjang {MAX_LAPOR_CHARS} karakter."
                    ),
                );
            }
            Some(typed.lapor.clone())
        }
        _ => None,
    };
    let received = match dates::parse_iso(&typed.received) {
        Err(_) => {
            error(
                RECEIVED,
                "Tulis tanggal diterima sebagai TTTT-BB-HH, misalnya 2026-11-27.".into(),
            );
            None
        }
        Ok(d) if d > today => {
            error(
                RECEIVED,
                format!(
                    "Tanggal diterima tidak boleh lewat dari hari ini ({}).",
                    dates::format_long(today)
                ),
            );
            None
        }
        Ok(d) if d < earliest => {
            error(
                RECEIVED,
                format!(
                    "Tanggal diterima paling awal {}: bulan sebelumnya sudah dilaporkan.",
                    dates::format_long(earliest)
                ),
            );
            None
        }
        Ok(d) => Some(d),
    };
    let checked = match (channel, received) {
        (Some(channel), Some(received)) if errors.is_empty() => Ok(Own {
            channel,
            lapor,
            received,
        }),
        _ => Err(errors),
    };
    (typed, checked)
}

async fn record(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    form: Arc<FormSpec>,
) -> Answer {
    let limits = desk.intake.limits.clone();
    let store = desk.intake.store.clone();
    let boundary = http::boundary(&req).map_err(|e| desk.form_error(Some(staff), e))?;
    let body = http_body_util::BodyExt::into_data_stream(req.into_body());
    let read = read_multipart(&store, &limits, (&form, OWN_FIELDS), body, boundary).await;
    let mut input = read.map_err(|e| read_error(desk, staff, e))?;
    let token = input.extra.get(TOKEN).map(String::as_str).unwrap_or("");
    if !same_secret(token, &staff.session.csrf) {
        return Err(desk.csrf_refused(Some(staff)));
    }
    if let Some(token) = input.held_token.take() {
        input = intake::take_held(&store, form.clone(), input, token)
            .await
            .map_err(|e| store_error(desk, staff, e))?;
    }
    let office = (desk.office)();
    let today = dates::today();
    let earliest = report::open_since(today, &office.calendar);
    let (typed, own) = check_own(&input.extra, today, earliest);
    let checked = intake::check(&form, &mut input, limits.max_file_bytes)
        .await
        .map_err(|e| store_error(desk, staff, e))?;
    let (
        normalized,
        Own {
            channel,
            lapor,
            received: day,
        },
    ) = match (checked, own) {
        (Ok(normalized), Ok(own)) => (normalized, own),
        (checked, own) => {
            let mut errors = own.err().unwrap_or_default();
            errors.extend(checked.err().unwrap_or_default());
            return Err(send_back(desk, staff, &form, input, typed, &errors).await);
        }
    };
    let now = OffsetDateTime::now_utc().to_offset(WIB);
    // A letter that arrived on an earlier day counts from that day.
    let received = match day == now.date() {
        true => now,
        false => day.midnight().assume_offset(WIB),
    };
    let Input { text, draft, .. } = input;
    let terms = (&office.terms, &*office.calendar);
    let submission = Submission::new(form.clone(), received, (text, normalized), draft, terms)
        .map_err(|e| {
            tracing::error!(target: "loket::desk", "{e}");
            desk.error_page(Some(staff), messages::SERVER_FAULT)
        })?;
    let deadlines = submission.deadlines();
    let submission = submission.from(Origin {
        channel,
        lapor_number: lapor,
        recorded: Some((staff.session.name.clone(), now)),
    });
    let recent = store.recent().clone();
    let (ticket, code) = loop {
        match recent.claim(submission.fingerprint()) {
            Claim::Accepted(ticket) => break (ticket, String::new()),
            Claim::Committing(first) => {
                if let Some(ticket) = Claim::outcome(first).await {
                    break (ticket, String::new());
                }
            }
            Claim::Lead(lead) => {
                let code = submission.takes_code().then(access::new_code).transpose();
                let code = code.map_err(|e| store_error(desk, staff, e))?;
                let mail = desk.mail.clone().map(|mail| {
                    let sources = (office.templates.clone(), office.forms.clone());
                    let composer = mail.composer(&office.config, sources);
                    (mail, composer)
                });
                let (own, store, shown) = (desk.clone(), store.clone(), code.clone());
                let by = staff.session.name.clone();
                // A task of its own: the case is stored, remembered and
                // audited even if the browser stops waiting.
                let committing = tokio::spawn(async move {
                    let mail = mail.as_ref().map(|(m, c)| (m, c.clone()));
                    let key = own.intake.key.clone();
                    let ticket = submission.commit(&store, key, shown, mail).await?;
                    lead.accepted(&ticket);
                    let detail = format!("{} {}", channel.id(), dates::format_iso(day));
                    let action = audit::Action::Recorded;
                    own.audit(&by, action, Some(ticket.as_str()), &detail).await;
                    Ok::<_, std::io::Error>(ticket)
                });
                match committing.await.map_err(std::io::Error::other) {
                    Ok(Ok(ticket)) => break (ticket, code.unwrap_or_default()),
                    Ok(Err(e)) | Err(e) => return Err(store_error(desk, staff, e)),
                }
            }
        }
    };
    // A case kept from this account (confidential) is not linked to.
    let stored = {
        let (data, ticket) = (desk.data.clone(), ticket.to_string());
        tokio::task::spawn_blocking(move || crate::cases::find(&data, &ticket)).await
    };
    let hidden = match stored {
        Ok(Ok((r, _))) => staff.access.grant(&r.kind, r.confidential.is_some()) == Grant::None,
        _ => false,
    };
    let view = NewCaseView {
        title: form.title.clone(),
        recorded: Some(Recorded {
            url: match hidden {
                true => String::new(),
                false => format!("{CASE_PREFIX}{ticket}/"),
            },
            ticket: ticket.to_string(),
            code: match code.as_str() {
                "" => String::new(),
                code => access::display(code),
            },
            anonymous: form.anonymous,
            channel: channel.label(),
            received: dates::format_long(day),
            due: dates::format_long(deadlines.completion.unwrap_or(deadlines.response).date),
        }),
        ..NewCaseView::default()
    };
    Ok(render(desk, staff, StatusCode::OK, &view))
}

/// The form again (422) with what was typed, the errors, and the files
/// held for the next round.
async fn send_back(
    desk: &Desk,
    staff: &Staff,
    form: &FormSpec,
    input: Input,
    typed: Typed,
    errors: &[FieldError],
) -> Response<Body> {
    let Input { text, draft, .. } = input;
    let chosen = !draft.attachments().is_empty() || draft.has_unchecked();
    let held = intake::hold(&desk.intake.store, draft).await;
    let view = desk.form_view(form).with_input(&text, errors);
    let view = match &held {
        Some(held) => intake::with_held(view, held),
        None if chosen => view.asking_again(),
        None => view,
    };
    let view = desk.intake_form(form, view, typed);
    render(desk, staff, StatusCode::UNPROCESSABLE_ENTITY, &view)
}

fn read_error(desk: &Desk, staff: &Staff, e: ReadError) -> Response<Body> {
    let notice = match e {
        ReadError::TooLarge => messages::files_too_large(desk.intake.max_upload_mb),
        ReadError::TextTooLong => messages::FORM_TOO_LONG,
        ReadError::BadRequest(_) | ReadError::Timeout => messages::FORM_INCOMPLETE,
        ReadError::Storage(e) => return store_error(desk, staff, e),
    };
    desk.error_page(Some(staff), notice)
}

fn store_error(desk: &Desk, staff: &Staff, e: std::io::Error) -> Response<Body> {
    tracing::error!(target: "loket::desk", "cannot store a recorded case: {e}");
    desk.error_page(Some(staff), messages::CASE_NOT_STORED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn own(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_desk_fields_are_checked() {
        let (today, earliest) = (date!(2026 - 12 - 10), date!(2026 - 12 - 01));
        let ok = own(&[(CHANNEL, "langsung"), (RECEIVED, "2026-12-01")]);
        let (_, checked) = check_own(&ok, today, earliest);
        let expected = Own {
            channel: Channel::InPerson,
            lapor: None,
            received: date!(2026 - 12 - 01),
        };
        assert_eq!(checked.unwrap(), expected);
        for (pairs, field) in [
            (vec![(CHANNEL, "web"), (RECEIVED, "2026-12-10")], CHANNEL),
            (vec![(CHANNEL, "lapor"), (RECEIVED, "2026-12-10")], LAPOR),
            (
                vec![(CHANNEL, "lapor"), (LAPOR, "<b>"), (RECEIVED, "2026-12-10")],
                LAPOR,
            ),
            (vec![(CHANNEL, "surel"), (RECEIVED, "2026-12-11")], RECEIVED),
            (vec![(CHANNEL, "surel"), (RECEIVED, "2026-11-30")], RECEIVED),
            (vec![(CHANNEL, "surel"), (RECEIVED, "kemarin")], RECEIVED),
        ] {
            let (_, checked) = check_own(&own(&pairs), today, earliest);
            let errors = checked.unwrap_err();
            assert_eq!(errors.len(), 1, "{pairs:?}");
            assert_eq!(errors[0].field, field, "{pairs:?}");
        }
    }
}
