//! Site-wide checks that need every page: internal links and anchors, asset
//! references, templates that exist, and the published components of a
//! service standard on every service page.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::core::diagnostic::Diagnostic;
use crate::forms::Forms;
use crate::forms::registry::FORMS_DIR;
use crate::office::templates::{DESK, MAIL};
use crate::site::config::{CONFIG_FILE, Level};
use crate::site::content::{Page, Site};
use crate::site::markdown::LinkRef;
use crate::site::render::{
    CONFIRMATION_TEMPLATE, ConfirmationView, LookupCase, LookupError, LookupStep, LookupView,
    NOT_FOUND_TEMPLATE, Renderer, ReplyFile, ReplyForm, STATUS_TEMPLATE, StatusView, SummaryError,
    Templates,
};

/// Files and pages the build writes besides the content's (`/404.html`, the
/// survey results), and pages the server makes (`/cek-status/`, where
/// citizens look a case up).
const GENERATED: [&str; 4] = [
    "/sitemap.xml",
    "/404.html",
    "/cek-status/",
    crate::site::survey::RESULTS_URL,
];

mod standard;

pub use standard::{component_names, missing_components, service_components, standard_coverage};

/// Every page's template must exist; the message lists the ones that do.
pub fn templates_exist(site: &Site, templates: &Templates) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (i, page) in site.pages.iter().enumerate() {
        if templates.contains(&page.template) {
            continue;
        }
        // Point at the key that chose the template: the page's own, or its section's.
        let (source, line) = if page.front.template.is_some() {
            (&page.source, page.line_of_key("template"))
        } else {
            match section_setting_template(site, i) {
                Some(s) => (&s.source, s.line_of_key("page_template")),
                None => (&page.source, None),
            }
        };
        let known: Vec<&str> = templates.names().collect();
        diags.push(Diagnostic::error(
            source,
            line,
            format!(
                "templat {:?} untuk {} tidak ada; templates/ berisi: {}",
                page.template,
                page.url,
                known.join(", ")
            ),
        ));
    }
    let mut required = vec![(NOT_FOUND_TEMPLATE, "halaman \"tidak ditemukan\"")];
    if site.pages.iter().any(|p| p.front.form.is_some()) {
        required.push((
            CONFIRMATION_TEMPLATE,
            "tanda terima setelah formulir dikirim",
        ));
        required.push((STATUS_TEMPLATE, "halaman kesalahan server"));
    }
    for (name, purpose) in required {
        if !templates.contains(name) {
            diags.push(Diagnostic::error(
                Path::new("templates").join(name),
                None,
                format!("tidak ada: situs memerlukan templat ini untuk {purpose}"),
            ));
        }
    }
    diags
}

/// Every page with `form:` names a form the site has (its own `forms/`,
/// or loket's when it has none). Whether the file itself is right is
/// [`Forms::load`]'s to say.
pub fn form_files(root: &Path, site: &Site, forms: &Forms) -> Vec<Diagnostic> {
    let has_folder = root.join(FORMS_DIR).is_dir();
    let mut diags: Vec<Diagnostic> = site
        .pages
        .iter()
        .filter_map(|page| {
            let id = page.front.form.as_deref()?;
            let file = Path::new(FORMS_DIR).join(format!("{id}.yaml"));
            // A file with mistakes is reported on its own.
            let exists = forms.get(id).is_some() || (has_folder && root.join(&file).is_file());
            (!exists).then(|| {
                Diagnostic::error(
                    &page.source,
                    page.line_of_key("form"),
                    format!(
                        "halaman menyebut formulir `{id}` yang tidak ada ({})",
                        file.display()
                    ),
                )
            })
        })
        .collect();
    // A form's `service:` is the page whose standard applies to it.
    for form in forms.iter().filter(|_| has_folder) {
        let url = form.service.as_str();
        if !site.by_url.contains_key(url) {
            let text = std::fs::read_to_string(root.join(&form.path)).unwrap_or_default();
            diags.push(Diagnostic::error(
                &form.path,
                crate::core::yaml::line_of_key(&text, "service"),
                format!(
                    "`service: {url}` bukan alamat halaman di situs ini; tulis alamat halaman layanan yang standarnya berlaku untuk formulir ini"
                ),
            ));
        }
    }
    diags
}

/// Renders the server's own pages with sample data, so that a template error
/// shows at build time rather than in front of a citizen.
pub fn submission_templates(renderer: &Renderer, forms: &Forms) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for form in forms.iter() {
        for (state, due_note) in [
            ("proses", ""),
            ("ditolak", "perkiraan; daftar libur 2027 belum ditetapkan"),
        ] {
            let sample = ConfirmationView {
                ticket: format!("{}-20261127-CDFH", form.ticket_prefix),
                noun: form.noun.clone(),
                kind_label: form.title.clone(),
                next_steps: form.next_steps.iter().map(|s| s.text.clone()).collect(),
                received: "27 November 2026".into(),
                verb: "diselesaikan",
                due: "4 Desember 2026".into(),
                due_iso: "2026-12-04".into(),
                due_days: 5,
                due_unit: "hari kerja",
                due_note: due_note.into(),
                waiting: String::new(),
                state,
                access_code: if state == "proses" && !form.anonymous {
                    "KXM4 7PRT".into()
                } else {
                    String::new()
                },
                code_shown_before: state == "selesai",
                anonymous: form.anonymous,
            };
            diags.extend(renderer.render_confirmation(&sample, std::io::sink()).err());
        }
    }
    let status = StatusView {
        code: 429,
        title: "Terlalu banyak formulir terkirim".into(),
        message: "Contoh".into(),
        retry_after: Some(60),
        back_url: "/".into(),
    };
    diags.extend(renderer.render_status(&status, std::io::sink()).err());
    for sample in lookup_samples() {
        diags.extend(renderer.render_lookup(&sample, std::io::sink()).err());
    }
    diags
}

/// `/cek-status/` as an empty form, a form with mistakes, and two cases.
fn lookup_samples() -> Vec<LookupView> {
    let step = |words: &str, outcome_label, outcome: &str, note: &str| LookupStep {
        date: "30 November 2026".into(),
        words: words.into(),
        berkas: "lengkap".into(),
        outcome_label,
        outcome: outcome.into(),
        public_note: note.into(),
        message: false,
        late_reason: String::new(),
    };
    let case = LookupCase {
        ticket: "KP-20261127-CDFH".into(),
        noun: "Permohonan".into(),
        kind_label: "Konsultasi dan pengaduan masalah usaha".into(),
        name: "Contoh".into(),
        status: "pertemuan-dijadwalkan".into(),
        status_words: "Pertemuan sudah dijadwalkan".into(),
        received: "27 November 2026".into(),
        verb: "diselesaikan",
        due: "Jumat, 4 Desember 2026".into(),
        due_iso: "2026-12-04".into(),
        due_note: "perkiraan".into(),
        meeting_when: "Rabu, 2 Desember 2026 pukul 10.00 WIB".into(),
        meeting_place: "Kantor".into(),
        steps: vec![
            step("Sedang diperiksa petugas", "", "", "Bawa KTP."),
            LookupStep {
                message: true,
                late_reason: "Petugas sakit.".into(),
                ..step("Sedang diperiksa petugas", "", "", "Mohon ditunggu.")
            },
        ],
        late_since: "Jumat, 4 Desember 2026".into(),
        late_reason: "Petugas sakit.".into(),
        ..LookupCase::default()
    };
    let closed = LookupCase {
        status: "ditolak".into(),
        status_words: "Ditolak".into(),
        closed: true,
        outcome_label: "Alasan penolakan",
        outcome: "Bukan wewenang kami.".into(),
        late_since: String::new(),
        closed_late: "Jumat, 4 Desember 2026".into(),
        steps: vec![step(
            "Ditolak",
            "Alasan penolakan",
            "Bukan wewenang kami.",
            "",
        )],
        ..case.clone()
    };
    // Waiting for the citizen, with the reply form sent back with mistakes.
    let waiting = LookupCase {
        status: "menunggu-kelengkapan".into(),
        status_words: "Menunggu kelengkapan berkas dari Anda".into(),
        asks: "Kirim foto KTP yang jelas.".into(),
        reply: Some(ReplyForm {
            action: "/cek-status/balas/permohonan/".into(),
            ticket: "KP-20261127-CDFH".into(),
            token: "1.ab".into(),
            max_chars: 1000,
            files: vec![ReplyFile {
                name: "ktp".into(),
                label: "Fotokopi KTP".into(),
                accept: ".jpg".into(),
                hint: "JPG; paling besar 15 MB.".into(),
                error: "Contoh".into(),
            }],
            text: "Contoh".into(),
            text_error: "Contoh".into(),
            errors: vec![SummaryError {
                id: "b-ktp".into(),
                message: "Contoh".into(),
            }],
            sent: "Contoh".into(),
        }),
        ..case.clone()
    };
    vec![
        LookupView {
            state: "form",
            ..LookupView::default()
        },
        LookupView {
            state: "form",
            ticket: "KP-2026".into(),
            errors: vec![LookupError {
                field: "tiket",
                message: "Contoh".into(),
            }],
            tiket_error: "Contoh".into(),
            no_match: true,
            ..LookupView::default()
        },
        LookupView {
            state: "found",
            case: Some(case),
            ..LookupView::default()
        },
        LookupView {
            state: "found",
            case: Some(closed),
            ..LookupView::default()
        },
        LookupView {
            state: "found",
            case: Some(waiting),
            ..LookupView::default()
        },
    ]
}

fn section_setting_template(site: &Site, index: usize) -> Option<&Page> {
    let mut current = site.pages[index].parent;
    while let Some(i) = current {
        if site.pages[i].front.page_template.is_some() {
            return Some(&site.pages[i]);
        }
        current = site.pages[i].parent;
    }
    None
}

/// What a link points at, once resolved against the page it is on.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Another site, `mailto:`, `tel:` and the like: not ours to check.
    Elsewhere,
    Internal {
        path: String,
        fragment: Option<String>,
    },
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn resolve(dest: &str, page_url: &str) -> Target {
    if has_scheme(dest) || dest.starts_with("//") {
        return Target::Elsewhere;
    }
    let (rest, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (dest, None),
    };
    let rest = rest.split('?').next().unwrap_or("");
    let joined = if rest.is_empty() {
        page_url.to_string()
    } else if rest.starts_with('/') {
        rest.to_string()
    } else {
        format!("{page_url}{rest}")
    };
    // Normalize `.` and `..` segments; `..` above the root stays at the root.
    let mut segments: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut path = String::from("/");
    path.push_str(&segments.join("/"));
    if joined.ends_with('/') && path != "/" {
        path.push('/');
    }
    Target::Internal { path, fragment }
}

/// The heading ids of each page, by page index.
pub type Anchors = HashMap<usize, HashSet<String>>;

/// Checks one link against the site. `Err` holds the problem; warnings are
/// returned as `Ok(Some(..))`.
fn check_link(
    site: &Site,
    anchors: &Anchors,
    page_url: &str,
    dest: &str,
) -> Result<Option<String>, String> {
    if dest.trim().is_empty() {
        return Err("tautan tanpa tujuan".to_string());
    }
    let Target::Internal { path, fragment } = resolve(dest, page_url) else {
        return Ok(None);
    };
    let page = site.by_url.get(&path).copied().or_else(|| {
        let index_of = path.strip_suffix("index.html").unwrap_or("");
        site.by_url
            .get(&format!("{path}/"))
            .or_else(|| site.by_url.get(index_of))
            .copied()
    });
    match page {
        Some(i) => match fragment {
            Some(f) if !f.is_empty() && !anchors.get(&i).is_some_and(|ids| ids.contains(&f)) => {
                Ok(Some(format!(
                    "tautan ke {dest:?}: halaman {} tidak punya judul bagian dengan id {f:?}",
                    site.pages[i].url
                )))
            }
            _ => Ok(None),
        },
        None if site.assets.contains_key(&path) || GENERATED.contains(&path.as_str()) => Ok(None),
        None => {
            let what = if looks_like_asset(&path) {
                "berkas ini tidak ada di static/"
            } else {
                "tidak ada halaman dengan alamat ini"
            };
            Err(format!("tautan rusak {dest:?}: {what} ({path})"))
        }
    }
}

fn looks_like_asset(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Checks the links found in one page's Markdown.
pub fn page_links(
    site: &Site,
    anchors: &Anchors,
    index: usize,
    links: &[LinkRef],
) -> Vec<Diagnostic> {
    let page = &site.pages[index];
    let mut diags = Vec::new();
    let mut check = |dest: &str, line: Option<usize>, key: &str| match check_link(
        site, anchors, &page.url, dest,
    ) {
        Ok(None) => {}
        Ok(Some(w)) => diags.push(Diagnostic::warning(&page.source, line, format!("{key}{w}"))),
        Err(e) => diags.push(broken(site, &page.source, line, format!("{key}{e}"))),
    };
    for link in links {
        check(&link.dest, Some(page.body_line + link.line - 1), "");
    }
    if let Some(service) = &page.front.service {
        check(&service.form, page.line_of_key("form"), "service.form: ");
        if !service.decree_pdf.is_empty() {
            check(
                &service.decree_pdf,
                page.line_of_key("decree_pdf"),
                "service.decree_pdf: ",
            );
        }
    }
    diags
}

/// A broken link: an error, or a warning where `site.yaml` says
/// `check: { broken_links: warn }` (an office publishing imported pages
/// first and mending their links after).
fn broken(site: &Site, path: &Path, line: Option<usize>, message: String) -> Diagnostic {
    match site.config.check.broken_links {
        Level::Error => Diagnostic::error(path, line, message),
        Level::Warn => Diagnostic::warning(path, line, message),
    }
}

/// Checks the literal `href="/..."` and `src="/..."` values in templates (the
/// ones without template expressions, which are the ones a typo breaks).
/// The desk's pages and the mail (`desk/`, `mail/`) link elsewhere.
pub fn template_links(site: &Site, anchors: &Anchors, templates: &Templates) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let elsewhere = |name: &str| name.starts_with(DESK) || name.starts_with(MAIL);
    for (_, path) in templates.files().filter(|(n, _)| !elsewhere(n)) {
        let Ok(text) = std::fs::read_to_string(site.root.join(path)) else {
            continue;
        };
        for (line_no, line) in text.lines().enumerate() {
            for attr in ["href=\"", "src=\""] {
                for (pos, _) in line.match_indices(attr) {
                    let value = &line[pos + attr.len()..];
                    let Some(end) = value.find('"') else { continue };
                    let value = &value[..end];
                    if !value.starts_with('/') || value.contains('{') {
                        continue;
                    }
                    if let Err(e) = check_link(site, anchors, "/", value) {
                        diags.push(broken(site, path, Some(line_no + 1), e));
                    }
                }
            }
        }
    }
    diags
}

/// Checks the page site.yaml names for `/cek-status/`'s late cases
/// (`publish.complaint_form`): a citizen who wants to complain must not
/// land on a 404.
pub fn config_links(site: &Site, anchors: &Anchors) -> Vec<Diagnostic> {
    let form = &site.config.publish.complaint_form;
    if form.is_empty() {
        return Vec::new();
    }
    match check_link(site, anchors, "/", form) {
        Err(e) => {
            let text = std::fs::read_to_string(site.root.join(CONFIG_FILE)).unwrap_or_default();
            let line = crate::core::yaml::line_of_key(&text, "complaint_form");
            vec![broken(
                site,
                Path::new(CONFIG_FILE),
                line,
                format!("publish.complaint_form: {e}"),
            )]
        }
        Ok(_) => Vec::new(),
    }
}

/// Asset files whose address is also a page's address.
pub fn asset_collisions(site: &Site) -> Vec<Diagnostic> {
    site.pages
        .iter()
        .filter_map(|p| {
            let file = format!("{}index.html", p.url);
            site.assets.get(&file).map(|asset| {
                Diagnostic::error(
                    Path::new(&p.source),
                    None,
                    format!(
                        "{} dan halaman itu sama-sama menjadi {file}; hapus salah satunya",
                        asset.display()
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_links() {
        let internal = |p: &str, f: Option<&str>| Target::Internal {
            path: p.to_string(),
            fragment: f.map(str::to_string),
        };
        assert_eq!(resolve("https://x.id/", "/a/"), Target::Elsewhere);
        assert_eq!(resolve("mailto:a@b.id", "/a/"), Target::Elsewhere);
        assert_eq!(resolve("tel:+62321", "/a/"), Target::Elsewhere);
        assert_eq!(resolve("/b/", "/a/"), internal("/b/", None));
        assert_eq!(resolve("c/", "/a/"), internal("/a/c/", None));
        assert_eq!(resolve("../c/#x", "/a/b/"), internal("/a/c/", Some("x")));
        assert_eq!(resolve("#top", "/a/"), internal("/a/", Some("top")));
        assert_eq!(
            resolve("/css/site.css", "/a/"),
            internal("/css/site.css", None)
        );
        assert_eq!(resolve("../../../", "/a/"), internal("/", None));
    }
}
