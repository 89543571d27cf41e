//! `/halaman/baru/`: a new page, in a section of the site, published
//! through [`super::publish`] with its title, description and a first
//! sentence; its editor opens next.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::{FileDiags, blocking, editor_url, grouped, page_files, publish, refused_page};
use crate::core::diagnostic::Diagnostic;
use crate::desk::http::redirect;
use crate::desk::pages::Refused;
use crate::desk::views::Choice;
use crate::desk::{Answer, Body, Desk, Staff, messages};
use crate::edit::versions::Change;
use crate::edit::{EditError, EditPath};
use crate::site::content::slugify;

/// The longest title and description a new page is given.
const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 500;
const NAME_MAX: usize = 80;
/// What a new page says until its editor writes it.
const STARTER: &str = "Isi halaman ini sedang disiapkan.";

/// The new page's form, as typed.
#[derive(Serialize, Default)]
pub(super) struct NewPage {
    sections: Vec<Choice>,
    section: String,
    title: String,
    name: String,
    description: String,
    /// What is wrong with what was typed, by field (`bagian`, `judul`,
    /// `nama`), and the site's problems with the page.
    errors: BTreeMap<&'static str, String>,
    problems: Vec<FileDiags>,
    /// A page already at that path: its editor.
    existing: String,
}

/// The site's sections, as folders (`content`, `content/layanan`) with
/// their titles.
fn sections(root: &Path) -> Vec<(String, String)> {
    page_files(root)
        .into_iter()
        .filter_map(|f| {
            let folder = f.path.as_str().strip_suffix("/_index.md")?.to_string();
            let label = match f.title.is_empty() {
                true => format!("{folder}/"),
                false => format!("{} ({})", f.title, f.url),
            };
            Some((folder, label))
        })
        .collect()
}

pub(super) async fn new_form(
    desk: &Arc<Desk>,
    staff: &Staff,
    mut view: NewPage,
    status: StatusCode,
) -> Response<Body> {
    let root = desk.site.clone();
    let sections = blocking(move || Ok(sections(&root)))
        .await
        .unwrap_or_default();
    view.sections = sections
        .into_iter()
        .map(|(value, label)| Choice::new(value.clone(), label, value == view.section))
        .collect();
    desk.page(staff, "halaman", "halaman-baru.html", status, &view)
}

/// A file name staff may give a page: lower-case letters, digits, `-` and
/// `_`, not starting with `_` (`_index.md` is a section's) or `-`.
fn good_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= NAME_MAX
        && !name.starts_with(['_', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
}

/// A new page's text: its front matter and a first paragraph.
fn new_text(title: &str, description: &str) -> Result<String, crate::core::yaml::YamlError> {
    #[derive(Serialize)]
    struct Front<'a> {
        title: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        description: &'a str,
    }
    let front = crate::core::yaml::to_string(&Front { title, description })?;
    Ok(format!("---\n{front}---\n\n{STARTER}\n"))
}

/// One line of typed text (a title typed with line breaks is one line).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `POST /halaman/baru/`: creates the page and publishes it; its editor
/// opens next.
pub(super) async fn create(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let mut view = NewPage {
        section: posted.get("bagian").trim().to_string(),
        title: one_line(&posted.get("judul")),
        name: posted.get("nama").trim().to_string(),
        description: one_line(&posted.get("deskripsi")),
        ..NewPage::default()
    };
    let root = desk.site.clone();
    let known = blocking(move || Ok(sections(&root)))
        .await
        .unwrap_or_default();
    if !known.iter().any(|(folder, _)| *folder == view.section) {
        view.errors.insert(
            "bagian",
            "Pilih bagian situs tempat halaman ini berada.".into(),
        );
    }
    if view.title.is_empty() {
        view.errors.insert("judul", "Tulis judul halaman.".into());
    } else if view.title.chars().count() > TITLE_MAX {
        view.errors.insert(
            "judul",
            format!("Judul terlalu panjang: paling banyak {TITLE_MAX} karakter."),
        );
    }
    if view.description.chars().count() > DESCRIPTION_MAX {
        view.errors.insert(
            "deskripsi",
            format!("Deskripsi terlalu panjang: paling banyak {DESCRIPTION_MAX} karakter."),
        );
    }
    let name = match view.name.is_empty() {
        true => slugify(&view.title),
        false => view.name.clone(),
    };
    if !good_name(&name) && !view.title.is_empty() {
        let why = match view.name.is_empty() {
            true => {
                "Nama berkas tidak dapat dibuat dari judul ini; tulis nama berkasnya.".to_string()
            }
            false => format!(
                "Nama berkas hanya boleh berisi huruf kecil, angka, tanda hubung, dan garis bawah (misalnya jam-layanan), tidak diawali tanda hubung atau garis bawah, paling banyak {NAME_MAX} karakter."
            ),
        };
        view.errors.insert("nama", why);
    }
    let path = EditPath::parse(&format!("{}/{name}.md", view.section));
    let path = match (path, view.errors.is_empty()) {
        (Ok(path), true) => path,
        _ => return Err(new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await),
    };
    view.name = name;
    let text = match new_text(&view.title, &view.description) {
        Ok(text) => text,
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot write a new page's front matter: {e}");
            return Err(desk.error_page(Some(staff), messages::SERVER_FAULT));
        }
    };
    let exists = |view: &mut NewPage| {
        view.errors.insert(
            "nama",
            format!(
                "Sudah ada halaman dengan berkas {path}. Pilih nama lain, atau sunting halaman itu."
            ),
        );
        view.existing = editor_url(&path);
    };
    let files = desk.site_files();
    let p = path.clone();
    if matches!(blocking(move || files.read(&p)).await, Ok(Some(_))) {
        exists(&mut view);
        return Err(new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await);
    }
    match publish(desk, staff, &path, Some(text), "-", Change::Terbit, None).await {
        Ok(_) => Ok(redirect(&editor_url(&path))),
        Err(Refused::Edit(EditError::Conflict { .. })) => {
            exists(&mut view);
            Err(new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
        Err(Refused::Edit(EditError::Invalid(diags))) => {
            let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
            view.problems = grouped(&errors, &HashMap::new());
            Err(new_form(desk, staff, view, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
        Err(refused) => Err(refused_page(desk, staff, refused)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_staff_may_give_a_page() {
        for ok in ["jam-layanan", "a", "sk_2026", "faq2"] {
            assert!(good_name(ok), "{ok}");
        }
        for bad in [
            "",
            "_index",
            "-a",
            "Jam",
            "a b",
            "a.b",
            "a/b",
            &"a".repeat(81),
        ] {
            assert!(!good_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_new_page_has_its_title_quoted_in_its_front_matter() {
        let text = new_text("Jam: \"layanan\" #1", "").unwrap();
        assert!(text.starts_with("---\n"), "{text}");
        let (front, body) = text[4..].split_once("---\n").unwrap();
        let value: crate::core::yaml::Value = crate::core::yaml::from_str(front).unwrap();
        assert_eq!(value["title"].as_str(), Some("Jam: \"layanan\" #1"));
        assert!(value.get("description").is_none());
        assert!(body.contains(STARTER));
    }
}
