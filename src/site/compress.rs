//! Precompressed copies of the built text files: `FILE.br` (Brotli) and
//! `FILE.gz` (gzip) beside each HTML, CSS, SVG, XML and JS file, written only
//! when smaller than the file. loket's server sends the one a client
//! accepts (`server::static_files`), so no request compresses a page of
//! the site.
//!
//! Levels ([`Effort`]): pages get the levels that keep a build fast, and a
//! rebuild takes the previous build's copies of a page that did not change
//! (`site::build`; docs/benchmarks.md, "Compressed copies (issue 31)");
//! the few files under `static/` get the best.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::core::fs::if_exists;

/// How hard to compress.
#[derive(Debug, Clone, Copy)]
pub enum Effort {
    /// The pages, thousands of them: Brotli quality 1, gzip level 1, the
    /// fastest of each (docs/benchmarks.md, "Compressed copies (issue
    /// 31)": quality 5 and level 6 cost 4.4 times the CPU for pages about
    /// 15% smaller).
    Page,
    /// The site's static files, few: Brotli 11, gzip 9.
    Best,
}

impl Effort {
    /// Brotli quality (0–11) and gzip level (0–9).
    fn levels(self) -> (u32, u32) {
        match self {
            Effort::Page => (1, 1),
            Effort::Best => (11, 9),
        }
    }
}
/// Brotli's window, as its encoder defaults (4 MiB, more than any page).
const BROTLI_WINDOW: u32 = 22;

/// The file types that get compressed copies (and `Vary: Accept-Encoding`).
const COMPRESSIBLE: [&str; 5] = ["html", "css", "svg", "xml", "js"];

/// The precompressed encodings, best first: the file suffix of each.
pub const ENCODINGS: [&str; 2] = ["br", "gz"];

/// Whether files like `path` get compressed copies.
pub fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e))
}

/// `path` with `.SUFFIX` added (`index.html` → `index.html.br`).
pub fn variant_path(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes the compressed copies of `bytes`, the content of `path`, beside
/// it when `path` is a compressible type; a copy that would not be smaller
/// is not written. No copy may be there yet: a copy can be a hard link to
/// the previous build's ([`link_variants`]), which must not change, so a
/// page rewritten in place has its copies removed first
/// ([`remove_variants`]).
pub fn write_variants(path: &Path, bytes: &[u8], effort: Effort) -> io::Result<()> {
    if !is_compressible(path) {
        return Ok(());
    }
    for suffix in ENCODINGS {
        let packed = compress(suffix, bytes, effort)?;
        if packed.len() >= bytes.len() {
            continue;
        }
        fs::write(variant_path(path, suffix), &packed)?;
    }
    Ok(())
}

/// Gives `path` the compressed copies `old` has, as hard links (`old` and
/// `path` hold the same bytes). Fails when `old` has no copy at all (it
/// was written without them), so that they are made instead; on failure
/// no link is left, so none is written through.
pub fn link_variants(old: &Path, path: &Path) -> io::Result<()> {
    let mut linked = 0;
    for suffix in ENCODINGS {
        match fs::hard_link(variant_path(old, suffix), variant_path(path, suffix)) {
            Ok(()) => linked += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                remove_variants(path)?;
                return Err(e);
            }
        }
    }
    match linked {
        0 => Err(io::ErrorKind::NotFound.into()),
        _ => Ok(()),
    }
}

/// Removes the compressed copies beside `path`, if any.
pub fn remove_variants(path: &Path) -> io::Result<()> {
    for suffix in ENCODINGS {
        if_exists(fs::remove_file(variant_path(path, suffix)))?;
    }
    Ok(())
}

/// `bytes` compressed as `.SUFFIX` files hold it.
fn compress(suffix: &str, bytes: &[u8], effort: Effort) -> io::Result<Vec<u8>> {
    let (quality, level) = effort.levels();
    let mut out = Vec::with_capacity(bytes.len() / 3 + 64);
    if suffix == "br" {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, quality, BROTLI_WINDOW);
        writer.write_all(bytes)?;
        writer.flush()?;
        drop(writer);
    } else {
        let mut encoder = flate2::write::GzEncoder::new(&mut out, flate2::Compression::new(level));
        encoder.write_all(bytes)?;
        encoder.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn copies_decompress_to_the_file_and_only_smaller_ones_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("index.html");
        let text = "<p>Persyaratan pelayanan</p>\n".repeat(200);
        write_variants(&page, text.as_bytes(), Effort::Page).unwrap();
        let mut gz = String::new();
        flate2::read::GzDecoder::new(fs::File::open(variant_path(&page, "gz")).unwrap())
            .read_to_string(&mut gz)
            .unwrap();
        assert_eq!(gz, text);
        let mut br = String::new();
        brotli::Decompressor::new(fs::File::open(variant_path(&page, "br")).unwrap(), 4096)
            .read_to_string(&mut br)
            .unwrap();
        assert_eq!(br, text);

        // Taken by a page of the same bytes as links; removed and made
        // again (as a page rewritten in place) without touching the first
        // page's.
        let next = dir.path().join("next.html");
        fs::write(&next, &text).unwrap();
        link_variants(&page, &next).unwrap();
        let first = fs::read(variant_path(&page, "br")).unwrap();
        remove_variants(&next).unwrap();
        assert!(!variant_path(&next, "br").exists() && !variant_path(&next, "gz").exists());
        assert!(link_variants(&next, &dir.path().join("third.html")).is_err());
        write_variants(&next, b"<p>ganti</p>".repeat(50).as_slice(), Effort::Page).unwrap();
        assert_eq!(fs::read(variant_path(&page, "br")).unwrap(), first);
        assert_ne!(fs::read(variant_path(&next, "br")).unwrap(), first);

        let photo = dir.path().join("foto.png");
        write_variants(&photo, text.as_bytes(), Effort::Best).unwrap();
        assert!(!variant_path(&photo, "gz").exists());
    }
}
