//! Body limits: the proxies take bodies larger than loket's largest, and
//! the KTP the proxy tests send is one loket keeps byte for byte.

use std::fs;

use super::*;
use crate::common::deploy_file;
use crate::common::form::sha256_hex;

/// loket's largest body with its default limits, over both forms.
fn lokets_largest_body() -> u64 {
    let limits = loket::server::Limits::default().intake();
    loket::forms::Forms::builtin()
        .iter()
        .map(|form| loket::server::intake::max_body(&**form, &limits))
        .max()
        .unwrap()
}

/// "64m", "40MiB" in bytes.
fn size(text: &str) -> u64 {
    let text = text.trim().trim_end_matches(';');
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n: u64 = digits.parse().unwrap();
    let unit = match &text[digits.len()..] {
        "k" | "K" | "KiB" => 1024,
        "m" | "M" | "MiB" => 1024 * 1024,
        "g" | "G" | "GiB" => 1024 * 1024 * 1024,
        "MB" => 1000 * 1000,
        other => panic!("unit {other:?} in {text:?}"),
    };
    n * unit
}

fn directive_values<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(name))
        .filter(|rest| rest.starts_with(' '))
        .map(str::trim)
        .collect()
}

#[test]
fn proxies_take_bodies_larger_than_lokets_largest() {
    let largest = lokets_largest_body();
    assert_eq!(
        largest,
        76 * MB as u64,
        "the README and nginx site say 76 MB"
    );
    let nginx = fs::read_to_string(deploy_file("nginx/loket.conf")).unwrap();
    let values = directive_values(&nginx, "client_max_body_size");
    assert_eq!(values.len(), 1, "{values:?}");
    assert!(size(values[0]) > largest, "nginx: {}", values[0]);
    let caddy = fs::read_to_string(deploy_file("Caddyfile")).unwrap();
    let values = directive_values(&caddy, "max_size");
    assert_eq!(values.len(), 1, "{values:?}");
    assert!(size(values[0]) > largest, "Caddy: {}", values[0]);
}

#[test]
fn the_pdf_made_here_is_one_loket_keeps_byte_for_byte() {
    // The KTP of the nginx test must survive sanitizing unchanged, or its
    // byte-for-byte check would fail for the wrong reason.
    let pdf = ktp_pdf(64 * 1024, 3);
    let dir = tempfile::tempdir().unwrap();
    let (raw, kept) = (dir.path().join("raw"), dir.path().join("kept"));
    fs::write(&raw, &pdf).unwrap();
    let sanitizer = loket::cases::sanitize::Sanitizer::new(Default::default());
    let result = sanitizer
        .sanitize(loket::forms::validate::FileKind::Pdf, &raw, &kept)
        .expect("kept");
    assert_eq!(result.sha256, sha256_hex(&pdf));
    assert_eq!(fs::read(&kept).unwrap(), pdf);
}
