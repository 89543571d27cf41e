//! One content file, read and parsed: front matter, title and Markdown
//! ([`parse_page`]), and the Markdown read again when the page is rendered
//! ([`Page::markdown`]).

use std::path::Path;

use crate::core::dates;
use crate::core::diagnostic::{Diagnostic, display_path};
use crate::core::fs::read_rest;
use crate::core::yaml;
use crate::site::content::{FrontMatter, Page, url_for};

/// Room for a page read again: most pages fit, a larger one grows it.
const READ_AGAIN_CAPACITY: usize = 16 * 1024;

impl Page {
    /// The page's Markdown: held, or read again from its file under `root`.
    /// A file whose front matter or title heading changed since the site
    /// was loaded is an error (the site model no longer matches it).
    pub fn markdown(&self, root: &Path) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        if let Some(body) = &self.body {
            return Ok(body.into());
        }
        let unreadable = |e: std::io::Error| {
            Diagnostic::error(&self.source, None, format!("tidak dapat dibaca: {e}"))
        };
        let bytes = std::fs::File::open(root.join(&self.source))
            .and_then(|mut file| read_rest(&mut file, READ_AGAIN_CAPACITY))
            .map_err(unreadable)?;
        let mut file_text = String::from_utf8(bytes).map_err(|_| {
            unreadable(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ))
        })?;
        let text = file_text.strip_prefix('\u{feff}').unwrap_or(&file_text);
        let body = match split_front_matter(text) {
            Ok(Some((front_text, body, _))) => (front_text == self.front_text).then_some(body),
            Ok(None) => self.front_text.is_empty().then_some(text),
            Err(_) => None,
        };
        let body = match self.front.title {
            Some(_) => body,
            None => body
                .and_then(|b| after_title(b, 0))
                .and_then(|(title, b, _)| (title == self.title).then_some(b)),
        };
        match body.map(|b| b.as_ptr() as usize - file_text.as_ptr() as usize) {
            Some(start) => {
                file_text.replace_range(..start, "");
                Ok(file_text.into())
            }
            None => Err(Diagnostic::error(
                &self.source,
                None,
                "berkas berubah selama situs dibangun; bangun lagi",
            )),
        }
    }
}

/// Splits `---\nyaml\n---\nbody` into (yaml, body, line where body starts).
/// Returns Ok(None) when the file has no front matter.
fn split_front_matter(text: &str) -> Result<Option<(&str, &str, usize)>, &'static str> {
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok(None);
    };
    let mut offset = 0;
    for (i, line) in after_open.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let yaml = &after_open[..offset];
            let body = &after_open[offset + line.len()..];
            // Line 1 is the opening ---, YAML starts on line 2, closing --- is on 2 + i.
            return Ok(Some((yaml, body, i + 3)));
        }
        offset += line.len();
    }
    Err("front matter diawali --- tetapi tidak ditutup dengan baris ---")
}

pub(super) fn load_page(
    root: &Path,
    content_dir: &Path,
    path: &Path,
) -> (Option<Page>, Vec<Diagnostic>) {
    let shown = display_path(root, path);
    let mut modified = None;
    let read = std::fs::File::open(path).and_then(|mut file| {
        let meta = file.metadata()?;
        modified = meta.modified().ok();
        read_rest(&mut file, meta.len() as usize)
    });
    let bytes = match read {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error(&shown, None, format!("tidak dapat dibaca: {e}"));
            return (None, vec![d]);
        }
    };
    let rel = path.strip_prefix(content_dir).unwrap_or(path);
    let (mut page, diags) = parse_page(&shown, rel, bytes, modified);
    if let Some(page) = page.as_mut().filter(|p| p.front.form.is_none()) {
        page.body = None;
    }
    (page, diags)
}

/// The title heading that opens `body` and the text after it, with the
/// number of lines it took; or the first heading when something comes
/// before it (then it is the title but stays in the text).
fn after_title(body: &str, body_line: usize) -> Option<(String, &str, usize)> {
    let h = crate::site::markdown::leading_heading(body)?;
    Some(match h.end {
        Some(end) => (
            h.text,
            &body[end..],
            body_line + body[..end].matches('\n').count(),
        ),
        None => (h.text, body, body_line),
    })
}

/// Parses one content file: `shown` is its path for messages, `rel` its path
/// under content/ (which gives its URL), `modified` its modification time
/// (the "last updated" date when front matter has none).
pub fn parse_page(
    shown: &Path,
    rel: &Path,
    bytes: Vec<u8>,
    modified: Option<std::time::SystemTime>,
) -> (Option<Page>, Vec<Diagnostic>) {
    let shown = shown.to_path_buf();
    let mut diags = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            diags.push(Diagnostic::error(
                &shown,
                Some(line),
                format!("berkas bukan UTF-8 yang sah (bita rusak di posisi {valid}); simpan sebagai UTF-8"),
            ));
            return (None, diags);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);

    let (front_text, body, body_line) = match split_front_matter(text) {
        Ok(Some(parts)) => parts,
        Ok(None) => ("", text, 1),
        Err(msg) => {
            diags.push(Diagnostic::error(&shown, Some(1), msg));
            return (None, diags);
        }
    };
    let front: FrontMatter = if front_text.trim().is_empty() {
        FrontMatter::default()
    } else {
        let mut unknown = Vec::new();
        match yaml::from_str_reporting_unknown(front_text, |key| unknown.push(key)) {
            Ok(front) => {
                for key in unknown {
                    let line = yaml::line_of_key(front_text, &key).map(|l| l + 1);
                    diags.push(Diagnostic::warning(
                        &shown,
                        line,
                        format!(
                            "kunci front matter {key:?} tidak dikenal (diabaikan); kunci yang dikenal: title, description, weight, template, page_template, updated, draft, menu, service, form, extra"
                        ),
                    ));
                }
                front
            }
            Err(e) => {
                diags.push(Diagnostic::error(
                    &shown,
                    Some(e.line.map_or(1, |l| l + 1)),
                    format!("front matter tidak sah: {}", e.message),
                ));
                return (None, diags);
            }
        }
    };

    let (url, kind) = url_for(rel);
    let (title, body, body_line) = match front.title.clone() {
        Some(t) => (t, body, body_line),
        None => match after_title(body, body_line) {
            Some(titled) => titled,
            None => {
                diags.push(Diagnostic::error(
                    &shown,
                    Some(1),
                    "halaman tanpa judul: tambahkan `title:` di front matter atau awali halaman dengan `# Judul`",
                ));
                return (None, diags);
            }
        },
    };
    let updated = match front.updated {
        Some(d) => d,
        None => modified.map_or_else(dates::today, dates::date_in_wib),
    };
    let page = Page {
        source: shown,
        url,
        kind,
        title,
        front_text: front_text.to_string(),
        front,
        body: Some(body.to_string()),
        body_line,
        updated,
        parent: None,
        template: String::new(),
    };
    (Some(page), diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_read_again_while_the_page_is_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir(root.join("content")).unwrap();
        let write = |text: &str| std::fs::write(root.join("content/a.md"), text).unwrap();
        let load = |text: &str| {
            write(text);
            let (page, _) = load_page(root, &root.join("content"), &root.join("content/a.md"));
            let page = page.unwrap();
            assert!(page.body.is_none(), "not held: not a form page");
            page
        };
        let titled = load("---\ntitle: A\n---\nisi lama\n");
        assert_eq!(titled.markdown(root).unwrap(), "isi lama\n");
        write("---\ntitle: A\n---\nisi baru\n");
        assert_eq!(titled.markdown(root).unwrap(), "isi baru\n");
        write("---\ntitle: B\n---\nisi baru\n");
        let err = titled.markdown(root).unwrap_err();
        assert!(err.message.contains("bangun lagi"), "{err}");

        let headed = load("\u{feff}# Judul\n\nisi\n");
        assert_eq!(headed.markdown(root).unwrap(), "\nisi\n");
        write("# Judul lain\n\nisi\n");
        assert!(headed.markdown(root).is_err());
        std::fs::remove_file(root.join("content/a.md")).unwrap();
        assert!(headed.markdown(root).is_err());
    }

    #[test]
    fn splits_front_matter() {
        let (y, b, line) = split_front_matter("---\ntitle: x\n---\nbody\n")
            .unwrap()
            .unwrap();
        assert_eq!((y, b, line), ("title: x\n", "body\n", 4));
        assert!(split_front_matter("no front matter").unwrap().is_none());
        assert!(split_front_matter("---\ntitle: x\n").is_err());
        let (y, b, line) = split_front_matter("---\n---\nbody").unwrap().unwrap();
        assert_eq!((y, b, line), ("", "body", 3));
    }
}
