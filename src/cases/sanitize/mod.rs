//! Makes an upload safe to keep before staff open it.
//!
//! An upload is recognised by its first bytes ([`FileKind::sniff`]), which
//! says nothing of the rest: a JPEG header can be followed by HTML, a PDF
//! can carry scripts, `%PDF-` can be followed by a program. [`Sanitizer`]
//! takes an upload that is complete on disk and writes the file to keep, or
//! refuses it with a reason the citizen can act on ([`Refused::message`]).
//!
//! - **Photos** (JPEG, PNG) are decoded and encoded anew as JPEG
//!   (`image.rs`): only the pixels survive, so metadata (EXIF GPS location,
//!   the phone's model) and anything hidden after or inside the image is
//!   gone. The EXIF orientation is applied first, so a KTP photographed
//!   upright stays upright. The long side is shrunk to
//!   [`SanitizeLimits::max_side`].
//! - **PDFs** are kept byte for byte if they pass the checks of `pdf/`:
//!   a real PDF's structure, no encryption, and none of the names that
//!   make a reader run or open something (scripts, launch actions,
//!   attached files, automatic actions), also inside compressed object
//!   streams, read token by token as a reader's lexer reads them (strings
//!   and comments hide nothing).
//!
//! Work is bounded: images declaring too many pixels, or more than their
//! bytes can plausibly hold, are refused from their header before any
//! pixel is decoded, decoders get a memory budget, PDF
//! inflation a byte budget, and at most [`SanitizeLimits::concurrency`]
//! uploads are sanitized at once (more callers wait their turn). One
//! sanitization holds at most about the upload plus
//! [`SanitizeLimits::max_decode_bytes`] (a progressive JPEG near the
//! limit) or plus [`SanitizeLimits::max_pdf_inflated`]; a baseline 12 MP
//! phone photo takes under 30 MB and 0.2 s of one core. Callers on an async
//! runtime run it with `spawn_blocking`.
//!
//! The kept file is created 0600 and never replaces a file; it is not made
//! durable here (the store's `syncfs` does that).

mod image;
mod pdf;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::forms::validate::FileKind;

/// What sanitizing may cost. [`Default`] gives the values the module docs
/// justify; tests shrink them.
#[derive(Debug, Clone)]
pub struct SanitizeLimits {
    /// Longest side of a kept photo, in pixels. 2000 keeps a whole A4 page
    /// photographed edge to edge at 170 dpi (10-point print stays legible)
    /// and a KTP filling half the frame at about 12 pixels per millimetre;
    /// it is also exactly half of a 4000 × 3000 (12 MP) phone photo, which
    /// the JPEG decoder then produces directly at half scale.
    pub max_side: u32,
    /// JPEG quality of kept photos: 85 keeps print and faces sharp at about
    /// a tenth of the camera's file size.
    pub jpeg_quality: u8,
    /// Most pixels a photo may declare in its header. 50 MP lets through
    /// the 48 and 50 MP modes of phone cameras (8160 × 6120).
    pub max_pixels: u64,
    /// Fewest bytes a photo's file may have per million pixels its header
    /// declares: decoding costs per pixel, so a small file declaring many
    /// pixels is work out of all proportion to what was sent. 512: the
    /// emptiest real images we could make take more (a blank A4 page
    /// scanned at 300 dpi as a 1-bit PNG: 833; a white 12 MP JPEG at
    /// quality 92: 3,900; a blank phone screenshot as PNG: 4,900; a phone
    /// photo: about 280,000), while a PNG declaring 50 MP in 6 KB has 120.
    pub min_bytes_per_megapixel: u64,
    /// Most bytes a decoder may need at once, estimated from the header:
    /// progressive JPEGs and interlaced PNGs are held whole while decoding.
    pub max_decode_bytes: u64,
    /// Most bytes inflated from one PDF's compressed object streams.
    pub max_pdf_inflated: usize,
    /// Largest upload read at all. A backstop: the form's upload limit is
    /// lower.
    pub max_input_bytes: u64,
    /// Uploads sanitized at once; other callers wait.
    pub concurrency: usize,
}

impl Default for SanitizeLimits {
    fn default() -> SanitizeLimits {
        SanitizeLimits {
            max_side: 2000,
            jpeg_quality: 85,
            max_pixels: 50_000_000,
            min_bytes_per_megapixel: 512,
            max_decode_bytes: 256 * 1024 * 1024,
            max_pdf_inflated: 64 * 1024 * 1024,
            max_input_bytes: 32 * 1024 * 1024,
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// The file that was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Always [`Sanitizer::kept_type`] of the detected type.
    pub file_type: FileKind,
    pub size: u64,
    /// Lowercase hex SHA-256 of the kept file.
    pub sha256: String,
    /// Width and height in pixels, for photos.
    pub dimensions: Option<(u32, u32)>,
}

/// Why an upload is not kept. [`Refused::message`] tells the citizen, in
/// Bahasa Indonesia, what to do; the `Display` text is for logs and holds
/// nothing of the file itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("file over the {limit_mb} MB limit")]
    FileTooBig { limit_mb: u64 },
    #[error("not a readable JPEG or PNG image")]
    NotAnImage,
    #[error("image of {width}x{height} pixels is over the limits")]
    TooManyPixels { width: u32, height: u32 },
    #[error("image declares {width}x{height} pixels, implausibly many for its size")]
    ImplausibleImage { width: u32, height: u32 },
    #[error("PDF is damaged or not a PDF")]
    BrokenPdf,
    #[error("PDF is encrypted")]
    LockedPdf,
    #[error("PDF has object streams that cannot be checked")]
    UncheckablePdf,
    #[error("PDF has active content: {what}")]
    ActivePdf { what: &'static str },
}

/// Told to the citizen after every refused PDF.
const RESAVE_PDF: &str = "(misalnya lewat menu Cetak lalu Simpan sebagai PDF), lalu unggah lagi.";

impl Refused {
    /// What the citizen reads, in plain Indonesian, ending with what to do.
    pub fn message(&self) -> String {
        match self {
            Refused::FileTooBig { limit_mb } => format!(
                "Berkas ini terlalu besar (lebih dari {limit_mb} MB). Pilih berkas yang lebih kecil, lalu unggah lagi."
            ),
            Refused::NotAnImage => "Foto ini tidak dapat dibuka: berkasnya rusak, terpotong, atau bukan foto JPG/PNG. Ambil fotonya lagi atau pilih berkas lain, lalu unggah lagi.".to_string(),
            Refused::TooManyPixels { width, height } => format!(
                "Foto ini terlalu besar untuk kami proses ({width} × {height} piksel). Kirim foto yang lebih kecil, misalnya tangkapan layar dari foto itu, lalu unggah lagi."
            ),
            Refused::ImplausibleImage { width, height } => format!(
                "Foto ini tidak dapat kami proses: menurut isinya gambar ini berukuran {width} × {height} piksel, padahal berkasnya terlalu kecil untuk foto sebesar itu. Ambil fotonya lagi atau pilih berkas lain, lalu unggah lagi."
            ),
            Refused::BrokenPdf => format!(
                "Dokumen PDF ini rusak atau tidak lengkap. Buka dokumennya, simpan ulang sebagai PDF {RESAVE_PDF}"
            ),
            Refused::LockedPdf => format!(
                "Dokumen PDF ini dikunci dengan kata sandi atau pembatasan, sehingga tidak dapat kami periksa. Simpan ulang tanpa kunci {RESAVE_PDF}"
            ),
            Refused::UncheckablePdf => format!(
                "Dokumen PDF ini disusun dengan cara yang tidak dapat kami periksa. Simpan ulang sebagai PDF biasa {RESAVE_PDF}"
            ),
            Refused::ActivePdf { .. } => format!(
                "Dokumen PDF ini berisi skrip, tindakan otomatis, atau berkas tersemat, sehingga tidak dapat kami terima. Simpan ulang sebagai PDF biasa {RESAVE_PDF}"
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SanitizeError {
    /// The upload is not kept; tell the citizen [`Refused::message`].
    #[error("upload refused: {0}")]
    Refused(#[from] Refused),
    /// Reading the upload or writing the kept file failed (or the kept
    /// file's name is taken): our fault, not the citizen's.
    #[error("cannot sanitize upload: {0}")]
    Io(#[from] io::Error),
}

/// Sanitizes uploads within [`SanitizeLimits`]. Share one per server.
#[derive(Debug)]
pub struct Sanitizer {
    limits: SanitizeLimits,
    free: Mutex<usize>,
    freed: Condvar,
}

impl Sanitizer {
    pub fn new(limits: SanitizeLimits) -> Sanitizer {
        Sanitizer {
            free: Mutex::new(limits.concurrency.max(1)),
            freed: Condvar::new(),
            limits,
        }
    }

    /// The type of the file kept for an upload of type `detected`: photos
    /// are kept as JPEG, PDFs as PDF. Lets the caller name `out`.
    pub fn kept_type(detected: FileKind) -> FileKind {
        match detected {
            FileKind::Jpeg | FileKind::Png => FileKind::Jpeg,
            FileKind::Pdf => FileKind::Pdf,
        }
    }

    /// Reads `raw`, a complete upload whose first bytes said `detected`,
    /// and writes the file to keep at `out` (created 0600, never replacing
    /// a file), or refuses it. Blocking: decoding a phone photo takes about
    /// a tenth of a second of one core, and waits first while
    /// [`SanitizeLimits::concurrency`] others are at work. Nothing is left
    /// at `out` on error.
    pub fn sanitize(
        &self,
        detected: FileKind,
        raw: &Path,
        out: &Path,
    ) -> Result<Kept, SanitizeError> {
        let _slot = self.wait_for_slot();
        let file = File::open(raw)?;
        let len = file.metadata()?.len();
        if len > self.limits.max_input_bytes {
            let limit_mb = self.limits.max_input_bytes / (1024 * 1024);
            return Err(Refused::FileTooBig { limit_mb }.into());
        }
        let (bytes, dimensions) = match detected {
            FileKind::Jpeg | FileKind::Png => {
                let photo = image::reencode(detected, file, &self.limits)?;
                write_new(out, &photo.jpeg)?;
                (photo.jpeg, Some((photo.width, photo.height)))
            }
            FileKind::Pdf => {
                let mut bytes = Vec::with_capacity(len as usize);
                (&file).read_to_end(&mut bytes)?;
                pdf::check(&bytes, self.limits.max_pdf_inflated)?;
                // Kept as it came: linked, not written a second time (a
                // link never replaces a file either).
                fs::hard_link(raw, out)?;
                fs::set_permissions(out, fs::Permissions::from_mode(0o600)).inspect_err(|_| {
                    let _ = fs::remove_file(out);
                })?;
                (bytes, None)
            }
        };
        Ok(Kept {
            file_type: Sanitizer::kept_type(detected),
            size: bytes.len() as u64,
            sha256: format!("{:x}", Sha256::digest(&bytes)),
            dimensions,
        })
    }

    /// Waits until fewer than `concurrency` sanitizations run; the slot is
    /// given back when the guard drops (also on a panic).
    fn wait_for_slot(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Slot(self)
    }
}

struct Slot<'a>(&'a Sanitizer);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let sanitizer = self.0;
        *sanitizer
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner) += 1;
        sanitizer.freed.notify_one();
    }
}

/// Writes `bytes` to a new file at `path` (0600); removes it if the write
/// fails.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes).inspect_err(|_| {
        let _ = fs::remove_file(path);
    })
}

#[cfg(test)]
mod tests;
