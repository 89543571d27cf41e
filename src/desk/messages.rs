//! What the staff desk says when it cannot do what was asked: every such
//! page's status, title and text in one place, so that one reader can keep
//! them plain, consistent and in EYD V. (Labels and field messages of the
//! desk's own forms are with the views that show them; the pages are
//! templates in `templates/`.)

use std::borrow::Cow;

use hyper::StatusCode;

pub use crate::core::web::Notice;

/// The attachments were removed at the end of their retention.
pub const ATTACHMENTS_PURGED: Notice = Notice::new(
    StatusCode::GONE,
    "Lampiran sudah dihapus",
    "Lampiran kasus ini sudah dihapus karena masa simpannya habis (retensi data pribadi).",
);

/// A listed attachment is not on disk.
pub const ATTACHMENT_MISSING: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Lampiran tidak ada",
    "Berkas lampiran ini tidak ditemukan di server. Minta pengelola server memeriksa berkas kasus ini.",
);

/// No case under this ticket.
pub const CASE_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Kasus tidak ditemukan",
    "Tidak ada kasus dengan nomor tiket ini. Periksa nomornya, atau cari di kotak masuk.",
);

/// A document that needs a meeting, for a case without one scheduled.
pub const DOCUMENT_NEEDS_MEETING: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Belum ada jadwal pertemuan",
    "Dokumen ini dibuat dari jadwal pertemuan, dan kasus ini belum punya jadwal pertemuan. Jadwalkan pertemuan di halaman kasus lebih dahulu.",
);

/// A document of a mediation, for a case without another party.
pub const DOCUMENT_NEEDS_RESPONDENT: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Kasus ini tanpa termohon",
    "Dokumen ini hanya untuk mediasi, yaitu kasus yang menyebut pihak yang diadukan (termohon).",
);

/// A record that does not parse (at `line`, if known).
pub fn record_unreadable(line: Option<usize>) -> Notice {
    let line = line.map(|l| format!(" (baris {l})")).unwrap_or_default();
    Notice {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        title: "Catatan kasus tidak terbaca",
        text: Cow::Owned(format!(
            "Berkas catatan kasus ini rusak{line}, mungkin karena suntingan tangan. Minta pengelola server memeriksa berkas kasus ini."
        )),
    }
}

/// A case marked confidential by an account that may not.
pub const CONFIDENTIAL_NOT_ALLOWED: Notice = Notice::new(
    StatusCode::FORBIDDEN,
    "Tidak berwenang",
    "Hanya Pejabat Pengelola Pengaduan dan admin yang dapat menandai kasus sebagai rahasia.",
);

/// A new access code asked for a case from an anonymous form.
pub const ANONYMOUS_NO_CODE: Notice = Notice::new(
    StatusCode::CONFLICT,
    "Kasus tanpa kode akses",
    "Kasus ini dikirim tanpa identitas melalui formulir anonim, jadi tidak punya kode akses dan tidak dapat diberi kode baru.",
);

/// Anything else that went wrong on the server.
pub const SERVER_FAULT: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Terjadi kesalahan",
    "Server tidak dapat menyelesaikan permintaan ini. Coba lagi; bila tetap gagal, hubungi pengelola server.",
);

/// An address the desk does not have.
pub const PAGE_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Halaman tidak ditemukan",
    "Alamat ini tidak ada di meja layanan. Kembali ke kotak masuk.",
);

/// A page for signed-in staff, asked for without a session.
pub const SIGN_IN_FIRST: Notice = Notice::new(
    StatusCode::FORBIDDEN,
    "Silakan masuk dulu",
    "Halaman ini hanya untuk petugas yang sudah masuk. Masuk dengan nama dan kata sandi Anda, lalu buka lagi.",
);

/// A page or action the account's roles do not allow.
pub const FORBIDDEN: Notice = Notice::new(
    StatusCode::FORBIDDEN,
    "Tidak ada akses",
    "Peran akun Anda tidak mencakup halaman atau tindakan ini. Bila Anda memerlukannya, minta admin meja layanan mengubah peran akun Anda.",
);

/// A staff account the staff page does not have.
pub const STAFF_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Akun tidak ditemukan",
    "Tidak ada akun staf dengan nama itu. Pilih akunnya dari daftar di halaman Staf.",
);

/// A method the address does not take.
pub const METHOD_NOT_ALLOWED: Notice = Notice::new(
    StatusCode::METHOD_NOT_ALLOWED,
    "Permintaan tidak dapat dilayani",
    "Alamat ini tidak menerima permintaan semacam itu. Buka halaman ini lewat tautan di meja layanan.",
);

/// A form whose CSRF token does not match the session.
pub const FORM_EXPIRED: Notice = Notice::new(
    StatusCode::FORBIDDEN,
    "Formulir kedaluwarsa",
    "Formulir ini tidak dapat diterima: halaman sudah terlalu lama dibuka atau berasal dari sesi lain. Tidak ada yang diubah. Muat ulang halaman lalu coba lagi.",
);

/// A report address the desk does not know.
pub const REPORT_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Laporan tidak ditemukan",
    "Alamat laporan ini tidak dikenal. Pilih bulannya di halaman laporan.",
);

/// The report is not given out when its audit line cannot be written.
pub const REPORT_NOT_AUDITED: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Laporan belum dapat dibuka",
    "Catatan audit tidak dapat ditulis, jadi laporan tidak dikirim. Hubungi pengelola server.",
);

/// The period's narrative could not be kept.
/// A survey period that is not one (no period, or a bad code).
pub const SURVEY_PERIOD_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Periode survei tidak dikenal",
    "Periode survei ini tidak dikenal. Pilih tahun dan periodenya di halaman survei.",
);

/// The survey's files could not be read or written.
pub const SURVEY_FAULT: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Data survei tidak dapat dibuka",
    "Berkas survei di server tidak dapat dibaca atau ditulis. Coba lagi; bila tetap gagal, minta pengelola server memeriksa folder survei/ di folder data dan folder situs.",
);

/// The published results file in the site folder does not read.
pub const SURVEY_PUBLISHED_UNREADABLE: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Hasil terbit tidak terbaca",
    "Berkas hasil survei yang terbit (survei/hasil.yaml di folder situs) rusak, mungkin karena suntingan tangan, dan tidak diubah. Minta pengelola server memeriksa dan memperbaikinya.",
);

/// Results written to the site folder, but the site was not rebuilt.
pub const SURVEY_SITE_NOT_BUILT: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Situs belum diperbarui",
    "Perubahan hasil survei sudah tersimpan di folder situs, tetapi situs tidak dapat dibangun ulang sehingga belum tampil. Minta pengelola server memeriksa kesalahan di folder situs lalu memuat ulang layanan.",
);

pub const NARRATIVE_NOT_SAVED: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Narasi belum tersimpan",
    "Narasi laporan tidak dapat disimpan di server. Coba lagi; bila tetap gagal, hubungi pengelola server.",
);

/// The period's narrative file does not read: no report without it.
pub const NARRATIVE_UNREADABLE: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Laporan belum dapat dibuat",
    "Narasi laporan yang tersimpan tidak dapat dibaca. Simpan narasinya lagi di halaman laporan, atau hubungi pengelola server.",
);

/// The site's report template failed.
pub const REPORT_TEMPLATE_FAILED: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Laporan belum dapat dibuat",
    "Templat laporan situs bermasalah. Minta pengelola situs memeriksa templat laporannya.",
);

/// A desk form not sent as a browser sends it.
pub const FORM_NOT_URLENCODED: Notice = Notice::new(
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
    "Formulir tidak terbaca",
    "Formulir ini tidak dikirim seperti biasa. Muat ulang halaman lalu coba lagi.",
);

/// A desk form over its size.
pub const FORM_TOO_LONG: Notice = Notice::new(
    StatusCode::PAYLOAD_TOO_LARGE,
    "Formulir tidak terbaca",
    "Isian terlalu panjang. Persingkat catatan lalu kirim lagi.",
);

/// A new case's files over the body's limit.
pub fn files_too_large(mb: u64) -> Notice {
    Notice {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        title: "Berkas terlalu besar",
        text: Cow::Owned(format!(
            "Setiap berkas paling besar {mb} MB. Kasus belum dicatat. Perkecil berkas (misalnya pindai dengan resolusi lebih rendah) lalu kirim lagi."
        )),
    }
}

/// A new case that could not be stored.
pub const CASE_NOT_STORED: Notice = Notice::new(
    StatusCode::SERVICE_UNAVAILABLE,
    "Kasus belum tercatat",
    "Server tidak dapat menyimpan kasus ini, jadi kasus belum tercatat. Coba lagi beberapa saat lagi; bila tetap gagal, hubungi pengelola server.",
);

/// A desk form cut short.
pub const FORM_INCOMPLETE: Notice = Notice::new(
    StatusCode::BAD_REQUEST,
    "Formulir tidak terbaca",
    "Formulir tidak diterima utuh. Periksa jaringan lalu kirim lagi.",
);

/// An upload into the site's `static/` that was not sent as a file form.
pub const UPLOAD_NOT_MULTIPART: Notice = Notice::new(
    StatusCode::BAD_REQUEST,
    "Formulir tidak terbaca",
    "Berkas harus dikirim lewat formulir unggah di halaman Berkas situs. Tidak ada yang diubah. Buka halaman itu lalu coba lagi.",
);

/// A file of `static/` that is not there (or may not be shown).
pub const STATIC_FILE_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Berkas tidak ditemukan",
    "Tidak ada berkas dengan alamat ini di folder static/ situs. Lihat daftarnya di halaman Berkas situs.",
);

/// Halaman: a removal posted without the page's version as it was opened.
pub const PAGE_FORM_INCOMPLETE: Notice = Notice::new(
    StatusCode::UNPROCESSABLE_ENTITY,
    "Halaman tidak dihapus",
    "Formulir penghapusan ini tidak lengkap, jadi tidak ada yang dihapus. Buka lagi halaman penghapusan dari daftar halaman lalu coba lagi.",
);

/// Halaman: the home page asked to be removed.
pub const HOME_NOT_REMOVABLE: Notice = Notice::new(
    StatusCode::UNPROCESSABLE_ENTITY,
    "Beranda tidak dapat dihapus",
    "Beranda (content/_index.md) adalah halaman utama situs dan tidak dapat dihapus. Ubah isinya di penyunting halaman.",
);

/// Halaman: a change the server did not build (the file was put back).
pub const SITE_NOT_BUILT: Notice = Notice::new(
    StatusCode::INTERNAL_SERVER_ERROR,
    "Situs tidak dibangun",
    "Perubahan ini lolos pemeriksaan, tetapi server tidak dapat membangun situs dengannya, jadi berkasnya dikembalikan seperti semula dan situs tidak berubah. Coba lagi; bila tetap gagal, hubungi pengelola server.",
);

/// A site page's editor for a file that does not exist (or is no page).
pub const SITE_PAGE_UNKNOWN: Notice = Notice::new(
    StatusCode::NOT_FOUND,
    "Halaman situs tidak ditemukan",
    "Tidak ada berkas halaman dengan alamat ini di folder situs. Pilih halaman dari daftar Halaman.",
);

/// A page editor's form posted without a known button.
pub const SITE_PAGE_NO_ACTION: Notice = Notice::new(
    StatusCode::UNPROCESSABLE_ENTITY,
    "Tindakan tidak dikenal",
    "Formulir ini dikirim tanpa tombol yang dikenal (Pratinjau, Periksa, Simpan sebagai draf, atau Terbitkan). Tidak ada yang diubah. Buka lagi halaman penyuntingnya.",
);
