//! What the public server says when it cannot do what was asked: every
//! such page's status, title and text, in one place, so that one reader can
//! keep them plain, consistent and in EYD V. (The form's own messages at
//! its fields are with their rules in `crate::forms`; the pages themselves
//! are templates.)

use std::borrow::Cow;

use hyper::StatusCode;

pub use crate::core::web::Notice;

/// A form sent too often from one address.
pub const SUBMISSIONS_TOO_FREQUENT: Notice = Notice::new(
    StatusCode::TOO_MANY_REQUESTS,
    "Terlalu banyak formulir terkirim",
    "Sudah ada beberapa formulir yang dikirim dari sambungan internet Anda dalam beberapa menit terakhir. Tunggu sebentar lalu kirim lagi. Bila mendesak, hubungi kami lewat telepon atau WhatsApp.",
);

/// Too many posts with files from one address, sent back or not.
pub const UPLOADS_TOO_FREQUENT: Notice = Notice::new(
    StatusCode::TOO_MANY_REQUESTS,
    "Terlalu banyak unggahan",
    "Sudah terlalu banyak formulir berisi berkas yang dikirim dari sambungan internet Anda dalam beberapa menit terakhir. Tunggu sebentar, periksa lagi isian formulir, lalu kirim lagi. Bila mendesak, hubungi kami lewat telepon atau WhatsApp.",
);

/// A post that did not come from the form page.
pub const FORM_NOT_MULTIPART: Notice = Notice::new(
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
    "Format isian tidak didukung",
    "Formulir ini hanya menerima isian dari halaman formulirnya. Buka halaman formulir lalu kirim dari sana.",
);

/// A form post cut short or malformed.
pub const FORM_UNREADABLE: Notice = Notice::new(
    StatusCode::BAD_REQUEST,
    "Formulir tidak dapat dibaca",
    "Isian formulir tidak lengkap atau rusak, sehingga tidak disimpan. Silakan buka kembali halaman formulir lalu kirim ulang.",
);

/// A file over the upload limit, when the form cannot be sent back (the
/// whole post over its limit).
pub fn file_too_large(mb: u64) -> Notice {
    Notice {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        title: "Berkas terlalu besar",
        text: Cow::Owned(format!(
            "Setiap berkas paling besar {mb} MB. Formulir Anda tidak disimpan. Perkecil berkas (misalnya foto dengan ukuran lebih kecil) lalu kirim ulang."
        )),
    }
}

/// A text field so far over its limit that the post is refused whole.
pub const FIELD_FAR_TOO_LONG: Notice = Notice::new(
    StatusCode::PAYLOAD_TOO_LARGE,
    "Isian terlalu panjang",
    "Salah satu isian formulir jauh melebihi batas panjangnya, sehingga formulir tidak disimpan. Persingkat isian lalu kirim ulang.",
);

/// A form post that took too long to arrive.
pub const FORM_TOO_SLOW: Notice = Notice::new(
    StatusCode::REQUEST_TIMEOUT,
    "Waktu pengiriman habis",
    "Formulir terlalu lama sampai, sehingga tidak disimpan. Periksa sambungan internet Anda lalu kirim ulang.",
);

/// The data folder cannot take submissions for now (full disk, folder gone).
pub const STORE_UNAVAILABLE: Notice = Notice::new(
    StatusCode::SERVICE_UNAVAILABLE,
    "Formulir belum dapat diterima",
    "Server kami sedang tidak dapat menyimpan formulir, sehingga formulir Anda belum tersimpan. Silakan coba lagi beberapa saat lagi, atau sampaikan melalui saluran lain: telepon, WhatsApp, surel, atau datang langsung ke kantor.",
);

/// A submission not stored because of a server fault.
pub const SUBMISSION_FAILED: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Terjadi kesalahan di server",
    "Formulir Anda belum tersimpan karena kesalahan di server kami. Silakan coba lagi, atau sampaikan melalui telepon atau WhatsApp.",
);

/// Too many failed status lookups from one address.
pub const LOOKUPS_TOO_FREQUENT: Notice = Notice::new(
    StatusCode::TOO_MANY_REQUESTS,
    "Terlalu banyak percobaan",
    "Sudah beberapa kali nomor tiket atau kode akses yang dimasukkan dari sambungan internet Anda tidak cocok. Tunggu sebentar lalu coba lagi, atau hubungi kami lewat telepon atau WhatsApp dan sebutkan nomor tiket Anda.",
);

/// Too many wrong access codes for one ticket, from anywhere: its lookup
/// is closed for a while, even with the right code.
pub const TICKET_GUESSED: Notice = Notice::new(
    StatusCode::TOO_MANY_REQUESTS,
    "Cek status tiket ini ditutup sementara",
    "Kode akses untuk tiket ini sudah beberapa kali dimasukkan salah, mungkin oleh orang lain. Demi keamanan data Anda, cek status tiket ini ditutup sementara. Coba lagi nanti dengan kode akses dari tanda terima atau surel Anda, atau hubungi kami lewat telepon atau WhatsApp dan sebutkan nomor tiket Anda.",
);

/// Too many receipts of tickets that do not exist, from one address.
pub const RECEIPTS_TOO_FREQUENT: Notice = Notice::new(
    StatusCode::TOO_MANY_REQUESTS,
    "Terlalu banyak percobaan",
    "Sudah beberapa kali nomor tiket yang dibuka dari sambungan internet Anda tidak ditemukan. Tunggu sebentar lalu coba lagi. Untuk melihat perkembangan permohonan atau keluhan Anda, gunakan halaman Cek Status dengan nomor tiket dan kode akses, atau hubungi kami lewat telepon atau WhatsApp.",
);

/// A status lookup that did not come from its form.
pub const LOOKUP_NOT_FORM: Notice = Notice::new(
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
    "Format isian tidak didukung",
    "Halaman ini hanya menerima isian dari formulirnya. Buka halaman Cek status lalu isi dari sana.",
);

/// A status lookup far over its size.
pub const LOOKUP_TOO_LONG: Notice = Notice::new(
    StatusCode::PAYLOAD_TOO_LARGE,
    "Isian terlalu panjang",
    "Nomor tiket dan kode akses hanya beberapa huruf dan angka. Buka halaman Cek status lalu isi kembali.",
);

/// A status lookup that took too long to arrive.
pub const LOOKUP_TOO_SLOW: Notice = Notice::new(
    StatusCode::REQUEST_TIMEOUT,
    "Waktu pengiriman habis",
    "Isian terlalu lama sampai. Periksa sambungan internet Anda lalu coba lagi.",
);

/// A reply from `/cek-status/` whose page is too old, or not from there.
pub const REPLY_EXPIRED: Notice = Notice::new(
    StatusCode::FORBIDDEN,
    "Halaman balasan sudah kedaluwarsa",
    "Balasan Anda belum tersimpan, dan berkasnya tidak kami simpan. Buka lagi halaman Cek status, masukkan nomor tiket dan kode akses, lalu kirim balasan Anda dari sana.",
);

/// A reply to a case that no longer waits for its citizen.
pub const REPLY_NOT_WAITING: Notice = Notice::new(
    StatusCode::CONFLICT,
    "Tiket ini tidak sedang menunggu kelengkapan",
    "Petugas sudah melanjutkan penanganan tiket Anda, jadi balasan dan berkasnya tidak kami simpan. Buka lagi halaman Cek status untuk melihat statusnya. Bila masih ada yang ingin Anda sampaikan, hubungi kami lewat telepon atau WhatsApp dan sebutkan nomor tiket Anda.",
);

/// The status page could not be rendered.
pub const LOOKUP_FAILED: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Terjadi kesalahan di server",
    "Halaman Cek status tidak dapat ditampilkan karena kesalahan di server kami. Hubungi kami lewat telepon atau WhatsApp dan sebutkan nomor tiket Anda.",
);

/// The receipt could not be rendered (the submission is stored).
pub const RECEIPT_FAILED: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Terjadi kesalahan di server",
    "Tanda terima tidak dapat ditampilkan karena kesalahan di server kami. Formulir Anda tetap tersimpan; simpan nomor tiket Anda.",
);

/// A receipt asked for a ticket that was never issued.
pub const TICKET_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Tiket tidak ditemukan",
    "Tidak ada permohonan atau keluhan dengan nomor tiket ini. Periksa kembali nomor tiket pada tangkapan layar atau catatan Anda.",
);

/// A method the address does not take.
pub const METHOD_NOT_ALLOWED: Notice = Notice::new(
    StatusCode::METHOD_NOT_ALLOWED,
    "Metode tidak diizinkan",
    "Alamat ini tidak menerima permintaan semacam itu. Buka halaman ini lewat tautan di situs.",
);

/// The status lookup's messages at its fields.
pub const TICKET_MISSING: &str = "Tuliskan nomor tiket Anda.";
pub const TICKET_MALFORMED: &str = "Nomor tiket tidak sesuai bentuknya. Contoh: KP-20261127-7KX4.";
pub const CODE_MISSING: &str = "Tuliskan kode akses Anda.";
pub const CODE_MALFORMED: &str = "Kode akses terdiri dari 8 huruf dan angka, misalnya KXM4 7PRT.";

/// A typed code with characters no code uses (`unused`, as typed): names
/// the ones codes are made of.
pub fn code_unused_symbols(unused: &[char]) -> String {
    let spaced = |digits: bool| {
        crate::cases::ticket::symbols()
            .iter()
            .filter(|b| b.is_ascii_digit() == digits)
            .map(|&b| char::from(b).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let typed = unused
        .iter()
        .map(|c| format!("\u{201c}{c}\u{201d}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "Kode akses hanya memakai huruf {} dan angka {}; {typed} tidak pernah dipakai. Periksa lagi kode Anda.",
        spaced(false),
        spaced(true)
    )
}

/// Too many unknown survey codes from one address.
pub const SURVEY_CODES_TOO_FREQUENT: Notice = Notice::new(
    StatusCode::TOO_MANY_REQUESTS,
    "Terlalu banyak percobaan",
    "Sudah beberapa kali kode survei yang dimasukkan dari sambungan internet Anda tidak dikenal. Tunggu sebentar lalu coba lagi, atau minta kode baru kepada petugas.",
);

/// The survey could not be read or stored (a server fault).
pub const SURVEY_FAILED: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Terjadi kesalahan di server",
    "Survei tidak dapat dibuka atau jawaban Anda tidak dapat disimpan karena kesalahan di server kami. Silakan coba lagi nanti.",
);

/// The survey page's messages.
pub const SURVEY_CODE_MALFORMED: &str =
    "Kode survei terdiri dari 8 huruf dan angka, misalnya KXM4 7PRT. Periksa lagi kode Anda.";
pub const SURVEY_NOTHING_RATED: &str =
    "Pilih paling sedikit satu jawaban pada pertanyaan survei sebelum mengirim.";
pub fn survey_suggestion_too_long(max: usize) -> String {
    let max = crate::site::render::thousands(max);
    format!("Saran paling banyak {max} karakter. Persingkat saran Anda.")
}
