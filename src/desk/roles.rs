//! Who may do what on the desk (issue 28), in one place: [`ROUTES`], the
//! table of every address the desk answers once signed in with what it
//! needs ([`Permission`]), and [`Access`], what an account's roles and forms
//! allow on one case ([`Grant`]).
//!
//! The router ([`super::Desk::respond`]) finds a request's row with
//! [`route`] and refuses it (403) unless the account's roles meet its
//! [`Permission`]; a path or method the table does not list is refused too (404
//! or 405), whatever handler might exist for it: a new address works only
//! once it has a row. The case routes then ask [`Access::grant`] for the
//! case itself: a case the account may not read answers 404 (as if there
//! were none), a step on one it may only read answers 403.
//!
//! | role | may |
//! | --- | --- |
//! | petugas | read and work the cases of its forms (all forms when none are listed), never a confidential one; record new cases on those forms; the report |
//! | pengelola-pengaduan | the same, confidential cases included |
//! | pimpinan | read the inbox, every case that is not confidential and the report; no step, message, code, attachment or new case; NIK masked, KTP (the file field with `role: ktp`) withheld |
//! | admin | the staff page (`/staf/`); nothing about cases unless also another role |
//! | penyunting | the site's pages and files (`/halaman/`): edit, preview, check, publish, restore, upload; nothing about cases unless also another role |

use hyper::Method;

use super::accounts::{Account, Role};

/// What a route asks of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Any signed-in account (sign out, keep the session going).
    SignedIn,
    /// Reading cases: petugas, pengelola-pengaduan or pimpinan.
    Read,
    /// Working cases (steps, messages, codes, files, new cases): petugas
    /// or pengelola-pengaduan.
    Work,
    /// The monthly report: whoever reads cases.
    Report,
    /// Staff accounts: admin.
    Admin,
    /// The public site's pages and files: penyunting.
    Edit,
}

/// One address of the desk and what it needs. `{…}` in a path is one
/// segment of any text (a ticket, a form's id, a file's name); `{*…}`, at
/// the end, one or more (a file's path in the site folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    /// `GET` (HEAD too) or `POST`.
    pub method: &'static str,
    pub path: &'static str,
    pub need: Permission,
}

const fn r(method: &'static str, path: &'static str, need: Permission) -> RouteSpec {
    RouteSpec { method, path, need }
}

/// Every address a signed-in account may reach (the sign-in page, the
/// stylesheet and the session script are answered before sign-in and are
/// not here).
pub const ROUTES: &[RouteSpec] = &[
    r("POST", "/keluar/", Permission::SignedIn),
    r("POST", "/sesi/", Permission::SignedIn),
    r("GET", "/", Permission::Read),
    r("GET", "/laporan/", Permission::Report),
    r("GET", "/laporan/{berkas}", Permission::Report),
    // The month's narrative, written by the staff who work the cases.
    r("POST", "/laporan/narasi/", Permission::Work),
    // The satisfaction survey: its report is read like the report; its
    // plan, publishing and walk-in codes by the staff who serve.
    r("GET", "/survei/", Permission::Report),
    r("POST", "/survei/rencana/", Permission::Work),
    r("POST", "/survei/terbitkan/", Permission::Work),
    r("POST", "/survei/tarik/", Permission::Work),
    r("GET", "/survei/kode/", Permission::Work),
    r("POST", "/survei/kode/", Permission::Work),
    r("GET", "/kasus-baru/", Permission::Work),
    r("GET", "/kasus-baru/{formulir}/", Permission::Work),
    r("POST", "/kasus-baru/{formulir}/", Permission::Work),
    r("GET", "/kasus/{tiket}/", Permission::Read),
    r("POST", "/kasus/{tiket}/", Permission::Work),
    r("POST", "/kasus/{tiket}/pesan/", Permission::Work),
    r("POST", "/kasus/{tiket}/kode/", Permission::Work),
    // The confidential mark: of those who work cases, only the complaint
    // handlers (`case::confidential::may_mark`).
    r("POST", "/kasus/{tiket}/rahasia/", Permission::Work),
    // What staff type for the documents; a document itself (never with
    // the NIK, `case::paper`) is read like the case.
    r("GET", "/kasus/{tiket}/dokumen/", Permission::Work),
    r("POST", "/kasus/{tiket}/dokumen/", Permission::Work),
    r("GET", "/kasus/{tiket}/dokumen/{dokumen}/", Permission::Read),
    r("GET", "/kasus/{tiket}/lampiran/{berkas}", Permission::Read),
    r("POST", "/kasus/{tiket}/lampiran/", Permission::Work),
    r("GET", "/staf/", Permission::Admin),
    r("POST", "/staf/", Permission::Admin),
    // The public site (issue 30, `super::pages`): its pages, a new one, a
    // page's editor (GET) and what is done with it (POST: preview, check,
    // draft, publish), its history and restoring a version, removing it,
    // the files of static/ (a preview's images and stylesheet too).
    r("GET", "/halaman/", Permission::Edit),
    r("GET", "/halaman/baru/", Permission::Edit),
    r("POST", "/halaman/baru/", Permission::Edit),
    r("GET", "/halaman/content/{*berkas}", Permission::Edit),
    r("POST", "/halaman/content/{*berkas}", Permission::Edit),
    r(
        "GET",
        "/halaman/riwayat/content/{*berkas}",
        Permission::Edit,
    ),
    r(
        "POST",
        "/halaman/riwayat/content/{*berkas}",
        Permission::Edit,
    ),
    r("GET", "/halaman/hapus/content/{*berkas}", Permission::Edit),
    r("POST", "/halaman/hapus/content/{*berkas}", Permission::Edit),
    r("GET", "/halaman/berkas/", Permission::Edit),
    r("POST", "/halaman/berkas/", Permission::Edit),
    r("GET", "/halaman/berkas/static/{*berkas}", Permission::Edit),
];

/// Whether `path` fits the template (`{…}`: one non-empty segment;
/// `{*…}`: all the rest, at least one non-empty segment, no empty one).
fn fits(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(t), Some(first)) if t.starts_with("{*") => {
                return !first.is_empty() && p.all(|segment| !segment.is_empty());
            }
            (Some(t), Some(p)) if t.starts_with('{') => {
                if p.is_empty() {
                    return false;
                }
            }
            (Some(t), Some(p)) if t == p => {}
            _ => return false,
        }
    }
}

/// Where a request lands in [`ROUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routed {
    Found(&'static RouteSpec),
    /// The path is listed, for another method.
    WrongMethod,
    NotListed,
}

/// The row of `method` and `path`.
pub fn route(method: &Method, path: &str) -> Routed {
    let method = match *method {
        Method::GET | Method::HEAD => "GET",
        Method::POST => "POST",
        _ => "",
    };
    let mut listed = false;
    for spec in ROUTES.iter().filter(|s| fits(s.path, path)) {
        if spec.method == method {
            return Routed::Found(spec);
        }
        listed = true;
    }
    match listed {
        true => Routed::WrongMethod,
        false => Routed::NotListed,
    }
}

/// What one account may do, from its roles and forms as `staff.yaml` has
/// them at this request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    roles: Vec<Role>,
    forms: Vec<String>,
}

/// What an account may do with one case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grant {
    /// Not even know it exists.
    #[default]
    None,
    /// Read it without NIK and KTP (pimpinan).
    Read,
    /// Read it whole and take its steps.
    Work,
}

impl Access {
    pub fn of(account: &Account) -> Access {
        Access {
            roles: account.roles.clone(),
            forms: account.forms.clone(),
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the account's roles meet `need` (cases aside).
    pub fn may(&self, need: Permission) -> bool {
        let works = self.has(Role::Petugas) || self.has(Role::PengelolaPengaduan);
        match need {
            Permission::SignedIn => true,
            Permission::Read | Permission::Report => works || self.has(Role::Pimpinan),
            Permission::Work => works,
            Permission::Admin => self.has(Role::Admin),
            Permission::Edit => self.has(Role::Penyunting),
        }
    }

    /// Whether the account records and works cases of the form `kind`
    /// (its forms; all when none are listed).
    pub fn works_form(&self, kind: &str) -> bool {
        self.may(Permission::Work)
            && (self.forms.is_empty() || self.forms.iter().any(|f| f == kind))
    }

    /// What the account may do with a case of the form `kind`.
    pub fn grant(&self, kind: &str, confidential: bool) -> Grant {
        if confidential && !self.has(Role::PengelolaPengaduan) {
            return Grant::None;
        }
        if self.works_form(kind) {
            Grant::Work
        } else if self.has(Role::Pimpinan) {
            Grant::Read
        } else {
            Grant::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(roles: &[Role], forms: &[&str]) -> Access {
        Access {
            roles: roles.to_vec(),
            forms: forms.iter().map(|f| f.to_string()).collect(),
        }
    }

    #[test]
    fn routes_are_found_by_method_and_template() {
        let get = |p| route(&Method::GET, p);
        assert!(matches!(get("/"), Routed::Found(s) if s.need == Permission::Read));
        assert!(
            matches!(get("/kasus/KP-1/lampiran/ktp.jpg"), Routed::Found(s) if s.path == "/kasus/{tiket}/lampiran/{berkas}")
        );
        assert_eq!(get("/kasus/KP-1/lampiran/"), Routed::WrongMethod);
        assert_eq!(get("/kasus//"), Routed::NotListed);
        assert_eq!(get("/kasus/KP-1/lain/"), Routed::NotListed);
        assert_eq!(get("/keluar/"), Routed::WrongMethod);
        assert_eq!(route(&Method::PUT, "/"), Routed::WrongMethod);
        assert!(matches!(route(&Method::HEAD, "/staf/"), Routed::Found(_)));
        let page = "/halaman/content/{*berkas}";
        assert!(matches!(get("/halaman/content/layanan/a.md"), Routed::Found(s) if s.path == page));
        assert!(matches!(get("/halaman/content/a.md"), Routed::Found(s) if s.path == page));
        assert_eq!(get("/halaman/content/"), Routed::NotListed);
        assert_eq!(get("/halaman/content/layanan//a.md"), Routed::NotListed);
        assert_eq!(get("/halaman/content/layanan/"), Routed::NotListed);
    }

    #[test]
    fn roles_grant_cases() {
        let petugas = access(&[Role::Petugas], &["permohonan"]);
        assert_eq!(petugas.grant("permohonan", false), Grant::Work);
        assert_eq!(petugas.grant("pengaduan-layanan", false), Grant::None);
        assert_eq!(petugas.grant("permohonan", true), Grant::None);
        let ppp = access(&[Role::PengelolaPengaduan], &[]);
        assert_eq!(ppp.grant("permohonan", true), Grant::Work);
        let head = access(&[Role::Pimpinan], &[]);
        assert_eq!(head.grant("permohonan", false), Grant::Read);
        assert_eq!(head.grant("permohonan", true), Grant::None);
        assert!(!head.may(Permission::Work) && head.may(Permission::Report));
        let both = access(&[Role::Petugas, Role::Pimpinan], &["permohonan"]);
        assert_eq!(both.grant("pengaduan-layanan", false), Grant::Read);
        let admin = access(&[Role::Admin], &[]);
        assert_eq!(admin.grant("permohonan", false), Grant::None);
        assert!(!admin.may(Permission::Read) && admin.may(Permission::Admin));
        assert!(!admin.may(Permission::Edit));
        let editor = access(&[Role::Penyunting], &[]);
        assert!(editor.may(Permission::Edit) && !editor.may(Permission::Read));
        assert_eq!(editor.grant("permohonan", false), Grant::None);
        assert!(!access(&[], &[]).may(Permission::Read));
    }
}
