//! Staf (issue 28): an admin's page of the staff accounts at `/staf/`:
//! the list with roles, forms and profiles (never a hash), a form to add
//! an account with its first password, and (`?ubah=NAME`) a form to change
//! one's roles, forms and profile. The same rules and audit lines as
//! `loket staff add` and `loket staff set` ([`accounts::add`],
//! [`profile::update`]); a post carries the session's CSRF token like every
//! other, and a form with a mistake comes back (422) as typed, saying why.
//! Passwords of existing accounts and removals stay with `loket staff`.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use time::OffsetDateTime;

use super::accounts::{self, Account, AccountError, Role};
use super::http::{self, redirect};
use super::profile::{self, Settings};
use super::{Answer, Body, Desk, STAFF_PATH, Staff, messages};

#[derive(Serialize)]
struct Row {
    name: String,
    roles: String,
    forms: String,
    full_name: String,
    nip: String,
    position: String,
    edit_url: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// The add or change form, as typed.
#[derive(Serialize, Default)]
struct Editor {
    name: String,
    full_name: String,
    nip: String,
    position: String,
    roles: Vec<Choice>,
    forms: Vec<Choice>,
    error: String,
}

#[derive(Serialize, Default)]
struct StaffView {
    accounts: Vec<Row>,
    /// The add form, or the change form of the account `form.name`.
    form: Editor,
    changing: bool,
    notice: String,
}

pub async fn handle(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff) -> Answer {
    if http::is_read(&req) {
        let asked = http::query(&req);
        let get = |k: &str| asked.first(k).map(str::to_string);
        let mut view = page(desk, staff, None);
        if let Some(name) = get("ubah") {
            match accounts::find(&staff.accounts, &name) {
                Some(a) => (view.form, view.changing) = (editor_of(desk, a), true),
                None => return Err(desk.error_page(Some(staff), messages::STAFF_UNKNOWN)),
            }
        }
        // Only an account's own name is echoed, not any text of the link.
        if let Some(a) = get("tersimpan").and_then(|n| accounts::find(&staff.accounts, &n)) {
            view.notice = format!("Akun {} sudah disimpan.", a.name);
        }
        return Ok(render(desk, staff, StatusCode::OK, &view));
    }
    let posted = desk.posted(req, staff).await?;
    let adding = posted.get("aksi") != "ubah";
    let (name, settings) = settings_of(desk, &posted);
    let done = match adding {
        true => add(desk, &name, posted.get("sandi"), settings.clone()).await,
        false => {
            let (data, known) = (desk.data.clone(), desk.form_ids());
            let (name, settings) = (name.clone(), settings.clone());
            tokio::task::spawn_blocking(move || {
                let checked = settings.checked(&known)?;
                profile::update(&data, &name, &checked).map(|c| (c, false))
            })
            .await
            .unwrap_or_else(|e| Err(AccountError::Hash(e.to_string())))
        }
    };
    let (changed, added) = match done {
        Ok(done) => done,
        Err(e) => {
            let Some(error) = error_text(&e) else {
                tracing::error!(target: "loket::desk", "cannot change the staff accounts: {e}");
                return Err(desk.error_page(Some(staff), messages::SERVER_FAULT));
            };
            let mut typed = typed_editor(desk, &name, &settings);
            typed.error = error;
            let mut view = page(desk, staff, Some(typed));
            view.changing = !adding;
            return Err(render(desk, staff, StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
    };
    for (action, detail) in changed.audit(added) {
        desk.audit(&staff.session.name, action, None, &detail).await;
    }
    let name = form_urlencoded::byte_serialize(changed.name.as_bytes()).collect::<String>();
    Ok(redirect(&format!("{STAFF_PATH}?tersimpan={name}")))
}

/// Hashes the password (one of the desk's hashing slots) and adds the
/// account.
async fn add(
    desk: &Desk,
    name: &str,
    password: String,
    settings: Settings,
) -> Result<(profile::Changed, bool), AccountError> {
    let settings = settings.checked(&desk.form_ids())?;
    let _permit = desk.hashing.acquire().await;
    let (data, name) = (desk.data.clone(), name.to_string());
    tokio::task::spawn_blocking(move || {
        let now = OffsetDateTime::now_utc();
        accounts::add(&data, &name, &password, &settings, now).map(|c| (c, true))
    })
    .await
    .unwrap_or_else(|e| Err(AccountError::Hash(e.to_string())))
}

impl Desk {
    /// The ids of the site's forms.
    fn form_ids(&self) -> Vec<String> {
        let forms = (self.office)().forms;
        forms.iter().map(|f| f.id.to_string()).collect()
    }
}

/// The account's name and the settings the form sends: every role,
/// form and profile field (no form ticked: all forms).
fn settings_of(desk: &Desk, posted: &http::Form) -> (String, Settings) {
    let site = (desk.office)().forms;
    let forms: Vec<String> = posted
        .all("formulir")
        .into_iter()
        .filter(|f| site.get(f).is_some())
        .collect();
    let roles = posted
        .all("peran")
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect();
    let settings = Settings {
        roles: Some(roles),
        forms: Some(forms),
        full_name: Some(posted.get("nama_lengkap")),
        nip: Some(posted.get("nip")),
        position: Some(posted.get("jabatan")),
    };
    (posted.get("nama").trim().to_string(), settings)
}

/// The desk's words for what is wrong with the form; `None` for a fault
/// of the server.
fn error_text(e: &AccountError) -> Option<String> {
    Some(match e {
        AccountError::BadName(_) => "Nama masuk tidak dapat dipakai: 1 sampai 64 huruf, angka, spasi, titik, tanda hubung, garis bawah, atau apostrof, diawali huruf atau angka.".into(),
        AccountError::Exists(n) => format!("Sudah ada akun bernama {n} (huruf besar dan kecil tidak dibedakan)."),
        AccountError::NoSuchAccount(_) => "Akun ini tidak ada lagi; mungkin baru saja dihapus.".into(),
        AccountError::TooShort => format!("Kata sandi terlalu pendek: paling sedikit {} karakter.", accounts::MIN_PASSWORD_CHARS),
        AccountError::TooLong => format!("Kata sandi terlalu panjang: paling banyak {} bita.", accounts::MAX_PASSWORD_BYTES),
        AccountError::BadNip(_) => format!("NIP harus {} angka (spasi di antaranya boleh), atau kosong.", profile::NIP_DIGITS),
        AccountError::BadText { what: "position", max } => format!("Jabatan paling banyak {max} karakter."),
        AccountError::BadText { max, .. } => format!("Nama lengkap paling banyak {max} karakter."),
        AccountError::UnknownForm(f, _) => format!("Formulir {f} tidak ada di situs ini."),
        AccountError::NoRole => "Pilih paling sedikit satu peran.".into(),
        AccountError::LastAdmin => "Harus tetap ada paling sedikit satu akun admin. Berikan peran admin kepada akun lain dulu.".into(),
        AccountError::Io { .. } | AccountError::Invalid { .. } | AccountError::Hash(_) => return None,
    })
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The page with every account, and `form` (an empty add form if none).
fn page(desk: &Desk, staff: &Staff, form: Option<Editor>) -> StaffView {
    let forms = (desk.office)().forms;
    let title = |id: &String| {
        forms
            .get(id)
            .map_or_else(|| id.clone(), |f| f.title.clone())
    };
    let accounts = staff
        .accounts
        .iter()
        .map(|a| Row {
            name: a.name.clone(),
            roles: roles_text(&a.roles),
            forms: match a.forms.is_empty() {
                true => "Semua formulir".into(),
                false => a.forms.iter().map(title).collect::<Vec<_>>().join("; "),
            },
            full_name: a.full_name.clone(),
            nip: a.nip.clone(),
            position: a.position.clone(),
            edit_url: format!(
                "{STAFF_PATH}?ubah={}",
                form_urlencoded::byte_serialize(a.name.as_bytes()).collect::<String>()
            ),
        })
        .collect();
    StaffView {
        accounts,
        form: form.unwrap_or_else(|| typed_editor(desk, "", &Settings::default())),
        ..StaffView::default()
    }
}

fn editor_of(desk: &Desk, a: &Account) -> Editor {
    let settings = Settings {
        roles: Some(a.roles.clone()),
        forms: Some(a.forms.clone()),
        full_name: Some(a.full_name.clone()),
        nip: Some(a.nip.clone()),
        position: Some(a.position.clone()),
    };
    typed_editor(desk, &a.name, &settings)
}

/// The form filled in with `name` and `settings`.
fn typed_editor(desk: &Desk, name: &str, settings: &Settings) -> Editor {
    let roles = settings.roles.clone().unwrap_or_default();
    let forms = settings.forms.clone().unwrap_or_default();
    Editor {
        name: name.to_string(),
        full_name: settings.full_name.clone().unwrap_or_default(),
        nip: settings.nip.clone().unwrap_or_default(),
        position: settings.position.clone().unwrap_or_default(),
        roles: Role::ALL
            .into_iter()
            .map(|r| Choice {
                value: r.id().to_string(),
                label: r.label().to_string(),
                checked: roles.contains(&r),
            })
            .collect(),
        forms: (desk.office)()
            .forms
            .iter()
            .map(|f| Choice {
                value: f.id.to_string(),
                label: f.title.clone(),
                checked: forms.iter().any(|id| *id == *f.id),
            })
            .collect(),
        error: String::new(),
    }
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, view: &StaffView) -> Response<Body> {
    desk.page(staff, "staf", "staf.html", status, view)
}
