//! Content-hashed URLs for the static assets. Each file under `static/` is
//! also written under a name carrying a hash of its content
//! (`/css/site.css` → `/css/site.3f9a1c0b2e.css`), which templates get from
//! `asset_url(path="css/site.css")`. Such a URL names one content forever,
//! so it is served with a year's `immutable` cache, and a page can only
//! name the stylesheet of its own build.
//!
//! The build lists the hashed files in [`MANIFEST`] (hidden, so never
//! served). The next build keeps the files the previous one listed as its
//! own ([`carry_over`]): a page of the old build that a browser loaded just
//! before the swap still finds its stylesheet. Kept for one build only, so
//! old ones do not pile up.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::site::compress;

/// Lists the output's hashed files: `own URL` for this build's,
/// `kept URL` for the previous build's.
pub const MANIFEST: &str = ".loket-aset";

/// Hex digits of the hash in a file name.
const HASH_LEN: usize = 10;

/// The cache a hashed file is served with.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The hashed URL of the asset at `url` with content `bytes`: the hash goes
/// before the last extension (`/css/site.css` → `/css/site.HASH.css`).
pub fn hashed_url(url: &str, bytes: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(bytes));
    let hash = &digest[..HASH_LEN];
    let name_start = url.rfind('/').map_or(0, |i| i + 1);
    match url[name_start..].rfind('.') {
        Some(dot) if dot > 0 => {
            let dot = name_start + dot;
            format!("{}.{hash}{}", &url[..dot], &url[dot..])
        }
        _ => format!("{url}.{hash}"),
    }
}

/// The hashed URL of each asset (site path → hashed site path). An asset
/// that cannot be read keeps its plain URL (copying it reports the error).
pub fn hashed_urls(assets: &BTreeMap<String, PathBuf>) -> BTreeMap<String, String> {
    assets
        .iter()
        .map(|(url, path)| {
            let hashed = fs::read(path).map_or_else(|_| url.clone(), |b| hashed_url(url, &b));
            (url.clone(), hashed)
        })
        .collect()
}

/// The file of site path `url` under `dir`.
fn file_of(dir: &Path, url: &str) -> PathBuf {
    dir.join(url.trim_start_matches('/'))
}

/// Writes the hashed copy of the asset already written at `dest` (a hard
/// link, else a copy), with its compressed copies.
pub fn write_hashed(dir: &Path, hashed: &str, dest: &Path) -> io::Result<()> {
    link_or_copy(dest, &file_of(dir, hashed))?;
    for suffix in compress::ENCODINGS {
        let variant = compress::variant_path(dest, suffix);
        if variant.exists() {
            link_or_copy(
                &variant,
                &compress::variant_path(&file_of(dir, hashed), suffix),
            )?;
        }
    }
    Ok(())
}

fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(|_| ()))
}

/// The hashed URLs a manifest lists, own and kept: what is served with
/// the immutable cache.
pub fn listed(out: &Path) -> HashSet<String> {
    read_manifest(out).into_iter().map(|(_, url)| url).collect()
}

fn read_manifest(out: &Path) -> Vec<(bool, String)> {
    let Ok(text) = fs::read_to_string(out.join(MANIFEST)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let (kind, url) = line.split_once(' ')?;
            Some((kind == "own", url.to_string()))
        })
        .collect()
}

/// Before the swap: copies into `staging` the hashed files the current
/// output `out` lists as its own and `staging` lacks, then writes
/// `staging`'s manifest (its own `hashed` files and those kept).
pub fn carry_over(out: &Path, staging: &Path, hashed: &[&str]) -> io::Result<()> {
    let mut manifest = String::new();
    for url in hashed {
        manifest.push_str(&format!("own {url}\n"));
    }
    for (own, url) in read_manifest(out) {
        let (from, to) = (file_of(out, &url), file_of(staging, &url));
        if !own || to.exists() || !from.is_file() {
            continue;
        }
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        link_or_copy(&from, &to)?;
        for suffix in compress::ENCODINGS {
            let variant = compress::variant_path(&from, suffix);
            if variant.exists() {
                link_or_copy(&variant, &compress::variant_path(&to, suffix))?;
            }
        }
        manifest.push_str(&format!("kept {url}\n"));
    }
    fs::write(staging.join(MANIFEST), manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_goes_before_the_extension_and_follows_the_content() {
        let a = hashed_url("/css/site.css", b"body{}");
        assert!(a.starts_with("/css/site.") && a.ends_with(".css"), "{a}");
        assert_eq!(a.len(), "/css/site..css".len() + HASH_LEN);
        assert_ne!(a, hashed_url("/css/site.css", b"body{color:red}"));
        assert_eq!(a, hashed_url("/css/site.css", b"body{}"));
        assert!(hashed_url("/v1.2/LICENSE", b"x").starts_with("/v1.2/LICENSE."));
    }

    #[test]
    fn a_build_keeps_the_previous_builds_own_files_once() {
        let root = tempfile::tempdir().unwrap();
        let [one, two, three] = ["1", "2", "3"].map(|n| root.path().join(n));
        for dir in [&one, &two, &three] {
            fs::create_dir_all(dir.join("css")).unwrap();
        }
        fs::write(one.join("css/a.111.css"), "a").unwrap();
        carry_over(&root.path().join("none"), &one, &["/css/a.111.css"]).unwrap();
        fs::write(two.join("css/a.222.css"), "b").unwrap();
        carry_over(&one, &two, &["/css/a.222.css"]).unwrap();
        assert_eq!(fs::read_to_string(two.join("css/a.111.css")).unwrap(), "a");
        assert_eq!(
            listed(&two),
            HashSet::from(["/css/a.111.css".into(), "/css/a.222.css".into()])
        );
        fs::write(three.join("css/a.333.css"), "c").unwrap();
        carry_over(&two, &three, &["/css/a.333.css"]).unwrap();
        assert!(three.join("css/a.222.css").exists());
        assert!(!three.join("css/a.111.css").exists());
    }
}
