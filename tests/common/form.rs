//! Form bodies for tests: the valid permohonan, JPEG-looking uploads, and a
//! multipart/form-data builder that controls every byte.

use sha2::{Digest, Sha256};

pub const NIK: &str = "3517015205900001";
pub const PHONE: &str = "0812 3456 7890";
pub const PHONE_E164: &str = "+6281234567890";
pub const PERMOHONAN: &str = "/permohonan/";
pub const PENGADUAN_LAYANAN: &str = "/pengaduan-layanan/formulir/";

/// The text fields of a complete, valid permohonan.
pub const VALID_PERMOHONAN: [(&str, &str); 10] = [
    ("jenis", "konsultasi"),
    ("nama", "Siti Aminah"),
    ("nik", NIK),
    ("alamat", "Jl. Merdeka 1, Jombang"),
    ("telepon", PHONE),
    ("nama_usaha", "Keripik Bu Siti"),
    ("bidang_usaha", "Makanan ringan"),
    ("alamat_usaha", "Pasar Legi, Jombang"),
    ("uraian", "Mohon konsultasi pemasaran."),
    ("persetujuan", "ya"),
];

/// A JPEG as far as the server can tell: the magic bytes, then filler that
/// depends on `seed` so different uploads have different hashes.
pub fn jpeg(len: usize, seed: u32) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push(x as u8);
    }
    bytes
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A multipart/form-data body written by hand, so tests control every byte
/// (as a browser sends it, or broken on purpose).
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl Multipart {
    pub fn new() -> Multipart {
        Multipart {
            boundary: "----loketTestBoundary7MA4YWxkTrZu0gW".to_string(),
            body: Vec::new(),
        }
    }

    /// A part with the given header lines (without CRLF) and content.
    pub fn part(mut self, headers: &[String], content: &[u8]) -> Multipart {
        self.body
            .extend_from_slice(format!("--{}\r\n", self.boundary).as_bytes());
        for line in headers {
            self.body.extend_from_slice(line.as_bytes());
            self.body.extend_from_slice(b"\r\n");
        }
        self.body.extend_from_slice(b"\r\n");
        self.body.extend_from_slice(content);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    pub fn text(self, name: &str, value: &str) -> Multipart {
        self.part(
            &[format!("Content-Disposition: form-data; name=\"{name}\"")],
            value.as_bytes(),
        )
    }

    pub fn file(self, name: &str, filename: &str, mime: &str, bytes: &[u8]) -> Multipart {
        self.part(
            &[
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\""),
                format!("Content-Type: {mime}"),
            ],
            bytes,
        )
    }

    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The body with its closing boundary.
    pub fn finish(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        self.body
    }
}

/// The valid permohonan text fields with `changes` applied: `Some` replaces
/// (or adds) a value, `None` leaves the field out. No files.
pub fn permohonan_text(changes: &[(&str, Option<&str>)]) -> Multipart {
    let mut form = Multipart::new();
    for (name, value) in VALID_PERMOHONAN {
        match changes.iter().find(|(n, _)| *n == name) {
            Some((_, Some(changed))) => form = form.text(name, changed),
            Some((_, None)) => {}
            None => form = form.text(name, value),
        }
    }
    for (name, value) in changes {
        if let Some(value) = value
            && !VALID_PERMOHONAN.iter().any(|(n, _)| n == name)
        {
            form = form.text(name, value);
        }
    }
    form
}

/// A complete, valid permohonan with a small JPEG as KTP.
pub fn valid_permohonan() -> Multipart {
    permohonan_text(&[]).file("ktp", "ktp.jpg", "image/jpeg", &jpeg(2048, 1))
}
