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

/// A real JPEG of exactly `len` bytes: a small picture whose pixels depend
/// on `seed` (so different uploads differ once re-encoded), then filler
/// after the end of the image, which decoders ignore and the server drops.
pub fn jpeg(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    };
    let (w, h) = (8u16, 8u16);
    let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h) * 3)
        .map(|_| next())
        .collect();
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 50)
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("a JPEG");
    assert!(bytes.len() <= len, "a JPEG needs {} bytes", bytes.len());
    while bytes.len() < len {
        bytes.push(next());
    }
    bytes
}

/// A plain PDF of about `len` bytes (at least 300): one object with a
/// stream of filler that depends on `seed`, a cross-reference table and a
/// trailer, as a scanner writes it. Kept byte for byte by the server.
pub fn pdf(len: usize, seed: u64) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let filler = len.saturating_sub(300);
    let offset = out.len();
    out.extend(format!("1 0 obj\n<< /Length {filler} >>\nstream\n").bytes());
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    out.extend((0..filler).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b'a' + (x % 26) as u8
    }));
    out.extend(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend(
        format!(
            "xref\n0 2\n0000000000 65535 f \n{offset:010} 00000 n \ntrailer\n<< /Size 2 >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .bytes(),
    );
    out
}

/// A real PNG (a small picture whose pixels depend on `seed`).
pub fn png(seed: u8) -> Vec<u8> {
    let (w, h) = (6u32, 4u32);
    let pixels: Vec<u8> = (0..w * h * 3)
        .map(|i| (i as u8).wrapping_mul(seed | 1))
        .collect();
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().expect("a PNG header");
    writer.write_image_data(&pixels).expect("PNG data");
    writer.finish().expect("a PNG");
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
