//! The deploy kit of `deploy/` against the real thing.
//!
//! - [`proxies`]: Debian's nginx runs the shipped `deploy/nginx/loket.conf`,
//!   and Caddy the shipped `deploy/Caddyfile`, with only their ports, paths
//!   and certificate changed (mechanically: every replacement must match,
//!   and none of nginx's production values may be left), in front of the
//!   real `loket serve --trust-proxy 127.0.0.1`. curl talks HTTPS to them
//!   from 127.0.0.2, 127.0.0.3 and 127.0.0.4, so the proxy sees three
//!   citizens, as it would on the internet: a 4.9 MB KTP is stored byte for
//!   byte, a 6 MB photo gets loket's own form back (not nginx's 413), the
//!   rate limit counts per citizen whatever they write in X-Forwarded-For,
//!   HSTS is on, plain HTTP redirects (nginx: and serves ACME challenges,
//!   for the desk's name too, and tells its version on no port), and no
//!   citizen's address is logged. Caddy also runs the desk's site of
//!   docs/deploy.md in front of loket's desk: HSTS, 403 outside the office. The proxies are started by
//!   [`front`], and [`curl`] is the citizen's browser.
//! - [`compressed`]: through either proxy, loket's Brotli and gzip copies
//!   and the hashed stylesheet's year-long cache reach the browser intact.
//! - [`limits`]: the body limits of the nginx site and the Caddyfile against
//!   loket's, and the test KTP made here (a PDF loket keeps byte for byte).
//!
//! The systemd units of the kit (`systemd-analyze verify` and `security
//! --offline`) are tested in `units.rs`.
//!
//! Needs nginx, caddy, curl and openssl (`.ci/run` installs them); without
//! one a proxy test is skipped with a loud message, except under CI (`CI`
//! set), where that is a failure.

mod compressed;
mod curl;
mod front;
mod limits;
mod proxies;

use std::time::Duration;

/// The site's name in the shipped files, and the one the test certificate is for.
const NAME: &str = "layanan.example.go.id";
/// The staff desk's name in docs/deploy.md (the certificate is for it too).
const DESK_NAME: &str = "meja.layanan.example.go.id";
/// Longest wait for nginx to accept connections.
const PATIENCE: Duration = Duration::from_secs(30);
const MB: usize = 1024 * 1024;

/// A KTP scanned to PDF, `len` bytes: one page showing one grey image whose
/// samples are all 0x80–0xFF (so no PDF keyword can appear in them), with a
/// correct cross-reference table. A PDF, not a photo, because a PDF is kept
/// byte for byte also once uploads are sanitized (photos are re-encoded), so
/// the stored file can be compared with what was sent.
fn ktp_pdf(len: usize, seed: u32) -> Vec<u8> {
    const WIDTH: usize = 1000;
    let height = (len - 1000) / WIDTH;
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    let samples: Vec<u8> = (0..WIDTH * height)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as u8) | 0x80
        })
        .collect();
    let content = format!("q {WIDTH} 0 0 {height} 0 0 cm /Im1 Do Q");
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {WIDTH} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
        samples.len()
    )
    .into_bytes();
    image.extend(&samples);
    image.extend(b"\nendstream");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {height}] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"
        )
        .into_bytes(),
        image,
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .into_bytes(),
    ];
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}
