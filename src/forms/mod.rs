//! The forms citizens fill in: what each asks for ([`FormKind`], [`Field`])
//! and how answers are checked ([`validate`]). The form files of a site
//! (`forms/*.yaml`) are read and checked by [`registry`] into [`spec`].

pub mod registry;
pub mod spec;
pub mod validate;
pub mod view;

use serde::{Deserialize, Serialize};

/// Name of the hidden field that only robots fill in.
pub const HONEYPOT: &str = "situs_web";
/// Name of the hidden field that carries the token of the uploads held from
/// an earlier round with errors ([`store::held`]).
pub const HELD_TOKEN: &str = "draf";

/// The forms citizens can submit. Front matter `form:` names one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FormKind {
    /// Permohonan fasilitasi konsultasi / pengaduan masalah usaha mikro.
    Permohonan,
    /// Pengaduan, saran dan masukan tentang layanan.
    PengaduanLayanan,
}

/// The shipped form file of a kind, for code that still names kinds (the
/// record's kind until forms are data throughout).
impl AsRef<spec::FormSpec> for FormKind {
    fn as_ref(&self) -> &spec::FormSpec {
        registry::Forms::builtin()
            .get(self.as_str())
            .expect("every kind has a shipped form file")
    }
}

impl FormKind {
    pub const ALL: [FormKind; 2] = [FormKind::Permohonan, FormKind::PengaduanLayanan];

    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Permohonan => "permohonan",
            FormKind::PengaduanLayanan => "pengaduan-layanan",
        }
    }

    pub fn parse(text: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Two letters that start the ticket number.
    pub fn ticket_prefix(self) -> &'static str {
        match self {
            FormKind::Permohonan => "KP",
            FormKind::PengaduanLayanan => "PL",
        }
    }

    /// The kind in plain words, told apart at a glance: a business owner
    /// with a problem in their business looks for the first, a citizen
    /// unhappy with how the office served them for the second.
    pub fn label(self) -> &'static str {
        match self {
            FormKind::Permohonan => "Konsultasi dan pengaduan masalah usaha",
            FormKind::PengaduanLayanan => "Keluhan, saran, dan masukan tentang pelayanan kami",
        }
    }

    /// The fields of the form, in the order the form shows them.
    pub fn fields(self) -> &'static [Field] {
        match self {
            FormKind::Permohonan => PERMOHONAN,
            FormKind::PengaduanLayanan => PENGADUAN_LAYANAN,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// What a field holds and how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One line of text, at most this many characters.
    Line(usize),
    /// Multi-line text, at most this many characters.
    Text(usize),
    Nik,
    /// Indonesian mobile number (08…, 628…, +628…).
    Phone,
    Email,
    /// A mobile number or an email address.
    PhoneOrEmail,
    Choice(&'static [&'static str]),
    /// A checkbox; checked means the value "ya".
    Checkbox,
    /// An uploaded JPEG, PNG or PDF.
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    Always,
    Optional,
    /// Required when the request is a complaint (`jenis: pengaduan`).
    ForPengaduan,
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldType,
    pub required: Required,
    /// How error messages name the field ("nama lengkap").
    pub label: &'static str,
    /// What a required field left empty says, in plain words.
    pub missing: &'static str,
}

const fn field(
    name: &'static str,
    kind: FieldType,
    required: Required,
    label: &'static str,
    missing: &'static str,
) -> Field {
    Field {
        name,
        kind,
        required,
        label,
        missing,
    }
}

use FieldType::*;
use Required::*;

const PERMOHONAN: &[Field] = &[
    field(
        "jenis",
        Choice(&["konsultasi", "pengaduan"]),
        Always,
        "jenis permohonan",
        "Pilih jenis permohonan: konsultasi atau pengaduan masalah usaha.",
    ),
    field(
        "nama",
        Line(100),
        Always,
        "nama lengkap",
        "Tuliskan nama Anda.",
    ),
    field(
        "nik",
        Nik,
        Always,
        "NIK",
        "Tuliskan 16 angka NIK sesuai KTP Anda.",
    ),
    field(
        "alamat",
        Text(300),
        Always,
        "alamat",
        "Tuliskan alamat Anda sesuai KTP.",
    ),
    field(
        "telepon",
        Phone,
        Always,
        "nomor HP/WhatsApp",
        "Tuliskan nomor HP atau WhatsApp Anda.",
    ),
    field("email", Email, Optional, "email", ""),
    field(
        "nama_usaha",
        Line(150),
        Always,
        "nama usaha",
        "Tuliskan nama usaha Anda.",
    ),
    field(
        "bidang_usaha",
        Line(150),
        Always,
        "bidang usaha",
        "Tuliskan bidang usaha Anda, misalnya makanan ringan.",
    ),
    field(
        "alamat_usaha",
        Text(300),
        Always,
        "alamat usaha",
        "Tuliskan alamat usaha Anda.",
    ),
    field(
        "uraian",
        Text(10_000),
        Always,
        "uraian masalah atau materi konsultasi",
        "Ceritakan masalah usaha Anda atau hal yang ingin Anda konsultasikan.",
    ),
    field(
        "termohon_nama",
        Line(150),
        ForPengaduan,
        "nama termohon",
        "Tuliskan nama pihak yang Anda adukan.",
    ),
    field(
        "termohon_kontak",
        Text(300),
        ForPengaduan,
        "alamat atau kontak termohon",
        "Tuliskan alamat atau nomor telepon pihak yang Anda adukan.",
    ),
    field(
        "ktp",
        File,
        Always,
        "fotokopi KTP",
        "Unggah foto atau pindaian fotokopi KTP Anda.",
    ),
    field("dokumen_1", File, Optional, "dokumen pendukung 1", ""),
    field("dokumen_2", File, Optional, "dokumen pendukung 2", ""),
    field("dokumen_3", File, Optional, "dokumen pendukung 3", ""),
    field(
        "persetujuan",
        Checkbox,
        Always,
        "pernyataan telah membaca pemberitahuan data pribadi",
        ACKNOWLEDGE,
    ),
];

/// Both forms ask for the same acknowledgement of the privacy notice.
const ACKNOWLEDGE: &str =
    "Centang pernyataan bahwa Anda sudah membaca pemberitahuan pelindungan data pribadi.";

const PENGADUAN_LAYANAN: &[Field] = &[
    field("nama", Line(100), Always, "nama", "Tuliskan nama Anda."),
    field(
        "kontak",
        PhoneOrEmail,
        Always,
        "nomor HP/WhatsApp atau email",
        "Tuliskan nomor HP/WhatsApp atau email agar kami dapat menanggapi.",
    ),
    field(
        "isi",
        Text(10_000),
        Always,
        "isi keluhan, saran, atau masukan",
        "Tuliskan keluhan, saran, atau masukan Anda.",
    ),
    field("lampiran", File, Optional, "lampiran", ""),
    field(
        "persetujuan",
        Checkbox,
        Always,
        "pernyataan telah membaca pemberitahuan data pribadi",
        ACKNOWLEDGE,
    ),
];
