//! Citizens' submissions: what each form asks for ([`FormKind`]), how answers
//! are checked ([`validate`]), and how they are stored durably ([`store`]).

pub mod intake;
pub mod recent;
pub mod record;
pub mod store;
pub mod ticket;
pub mod validate;

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

    pub fn label(self) -> &'static str {
        match self {
            FormKind::Permohonan => {
                "Permohonan fasilitasi konsultasi / pengaduan masalah usaha mikro"
            }
            FormKind::PengaduanLayanan => "Pengaduan, saran dan masukan tentang layanan",
        }
    }

    /// Working days within which the citizen is contacted. The service
    /// standard (SK 188.4/457/415.26/2023) completes a request in 5 working
    /// days; complaints about the service are answered within 3.
    pub fn response_days(self) -> u32 {
        match self {
            FormKind::Permohonan => 5,
            FormKind::PengaduanLayanan => 3,
        }
    }

    /// Working days to completion; complaints about the service are resolved
    /// "sesuai dengan kondisi dan permasalahan yang ada", without a fixed term.
    pub fn completion_days(self) -> Option<u32> {
        match self {
            FormKind::Permohonan => Some(5),
            FormKind::PengaduanLayanan => None,
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
}

const fn field(
    name: &'static str,
    kind: FieldType,
    required: Required,
    label: &'static str,
) -> Field {
    Field {
        name,
        kind,
        required,
        label,
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
    ),
    field("nama", Line(100), Always, "nama lengkap"),
    field("nik", Nik, Always, "NIK"),
    field("alamat", Text(300), Always, "alamat"),
    field("telepon", Phone, Always, "nomor HP/WhatsApp"),
    field("email", Email, Optional, "email"),
    field("nama_usaha", Line(150), Always, "nama usaha"),
    field("bidang_usaha", Line(150), Always, "bidang usaha"),
    field("alamat_usaha", Text(300), Always, "alamat usaha"),
    field(
        "uraian",
        Text(10_000),
        Always,
        "uraian masalah atau materi konsultasi",
    ),
    field("termohon_nama", Line(150), ForPengaduan, "nama termohon"),
    field(
        "termohon_kontak",
        Text(300),
        ForPengaduan,
        "alamat atau kontak termohon",
    ),
    field("ktp", File, Always, "fotokopi/foto KTP"),
    field("dokumen_1", File, Optional, "dokumen pendukung 1"),
    field("dokumen_2", File, Optional, "dokumen pendukung 2"),
    field("dokumen_3", File, Optional, "dokumen pendukung 3"),
    field(
        "persetujuan",
        Checkbox,
        Always,
        "persetujuan penggunaan data pribadi",
    ),
];

const PENGADUAN_LAYANAN: &[Field] = &[
    field("nama", Line(100), Always, "nama"),
    field(
        "kontak",
        PhoneOrEmail,
        Always,
        "nomor HP/WhatsApp atau email",
    ),
    field(
        "isi",
        Text(10_000),
        Always,
        "isi pengaduan, saran, atau masukan",
    ),
    field("lampiran", File, Optional, "lampiran"),
];
