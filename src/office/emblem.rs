//! The regional emblem on the documents' letterhead (`office.emblem` in
//! site.yaml): an image under the site's `static/`, read with site.yaml and
//! kept as a `data:` URL, so a printed or saved document needs no request
//! (the desk's pages allow `img-src data:`). A missing, unreadable or
//! oversized file, or one that is not a PNG, JPEG or SVG, is an error at
//! its line of site.yaml (`loket check` reports it).

use std::io::Read;
use std::path::{Component, Path};
use std::sync::Arc;

use base64::Engine;

use crate::core::diagnostic::Diagnostic;
use crate::core::yaml;

/// The folder the emblem's path is in.
const STATIC_DIR: &str = "static";
/// Largest emblem: a letterhead's picture, not a photo.
pub const MAX_BYTES: u64 = 512 * 1024;

/// The emblem `given` (a path under `static/`, with or without a leading
/// `/`) of the site at `root` as a `data:` URL; "" when none is given.
/// `shown` and `text` are site.yaml's name and text, for the line.
pub fn load(root: &Path, given: &str, shown: &Path, text: &str) -> Result<Arc<str>, Diagnostic> {
    let given = given.trim();
    if given.is_empty() {
        return Ok(Arc::from(""));
    }
    let fail = |why: String| {
        Diagnostic::error(
            shown,
            yaml::line_of_key(text, "emblem"),
            format!("office.emblem {given:?}: {why}"),
        )
    };
    let relative = Path::new(given.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(fail(format!(
            "tulis jalur gambar di dalam folder {STATIC_DIR}/, misalnya gambar/lambang.png"
        )));
    }
    let path = root.join(STATIC_DIR).join(relative);
    let meta = std::fs::symlink_metadata(&path).map_err(|e| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("berkas {STATIC_DIR}/{} tidak ada", relative.display())
            }
            _ => format!("berkas tidak dapat dibaca: {e}"),
        })
    })?;
    if !meta.is_file() {
        return Err(fail("bukan berkas biasa".to_string()));
    }
    if meta.len() > MAX_BYTES {
        return Err(fail(format!(
            "berukuran {} KB; paling besar {} KB",
            meta.len().div_ceil(1024),
            MAX_BYTES / 1024
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes))
        .map_err(|e| fail(format!("berkas tidak dapat dibaca: {e}")))?;
    let mime =
        media_type(&bytes).ok_or_else(|| fail("bukan gambar PNG, JPEG, atau SVG".to_string()))?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(Arc::from(format!("data:{mime};base64,{encoded}")))
}

/// The image's type, from its content.
fn media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    (head.starts_with('<') && head.contains("<svg")).then_some("image/svg+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emblem_is_read_by_its_content_and_kept_inside_static() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("static/gambar")).unwrap();
        std::fs::write(
            root.join("static/gambar/lambang.png"),
            b"\x89PNG\r\n\x1a\nrest",
        )
        .unwrap();
        std::fs::write(
            root.join("static/lambang.svg"),
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .unwrap();
        std::fs::write(root.join("static/teks.png"), "bukan gambar").unwrap();
        std::fs::write(root.join("rahasia.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        let text = "office:\n  emblem: x\n";
        let shown = Path::new("site.yaml");
        let png = load(root, "/gambar/lambang.png", shown, text).unwrap();
        assert!(
            png.starts_with("data:image/png;base64,iVBORw0KGgpyZXN0"),
            "{png}"
        );
        let svg = load(root, "lambang.svg", shown, text).unwrap();
        assert!(svg.starts_with("data:image/svg+xml;base64,"), "{svg}");
        assert_eq!(&*load(root, " ", shown, text).unwrap(), "");
        for (given, why) in [
            ("teks.png", "bukan gambar PNG, JPEG, atau SVG"),
            ("tidak-ada.png", "berkas static/tidak-ada.png tidak ada"),
            ("../rahasia.png", "di dalam folder static/"),
            ("gambar", "bukan berkas biasa"),
        ] {
            let e = load(root, given, shown, text).unwrap_err();
            assert_eq!(e.line, Some(2), "{given}");
            assert!(e.message.contains(why), "{given}: {}", e.message);
        }
    }
}
