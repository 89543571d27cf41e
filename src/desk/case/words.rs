//! How the case page and the documents word a case's facts: moments,
//! sizes, field labels, values, referrals, why a case is confidential.

use time::OffsetDateTime;

use crate::cases::record::{Confidential, Referral};
use crate::core::dates::{self, WIB};
use crate::forms::FormSpec;

/// "ditambahkan oleh Budi, 27 November 2026, 10.15 WIB" (`by` as shown).
pub(super) fn added_text(
    (by, at, from_citizen): &(Option<String>, Option<OffsetDateTime>, bool),
    shown: &str,
) -> String {
    match (by, at) {
        (Some(by), Some(at)) if by == "pemohon" => {
            format!("dikirim pemohon lewat Cek Status, {}", moment_text(*at))
        }
        (Some(_), Some(at)) if *from_citizen => {
            format!("diterima dari pemohon oleh {shown}, {}", moment_text(*at))
        }
        (Some(_), Some(at)) => format!("ditambahkan oleh {shown}, {}", moment_text(*at)),
        _ => String::new(),
    }
}

/// "27 November 2026, 10.15 WIB".
pub fn moment_text(at: OffsetDateTime) -> String {
    let at = at.to_offset(WIB);
    format!(
        "{}, {:02}.{:02} WIB",
        dates::format_long(at.date()),
        at.hour(),
        at.minute()
    )
}

/// "183 KB", "1,2 MB".
pub(super) fn size_text(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        let tenths = (bytes * 10).div_ceil(1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

/// A field's label from its form, or its key for a field added by hand
/// (or of a form the site no longer has).
pub(super) fn label(form: Option<&FormSpec>, name: &str) -> String {
    form.and_then(|f| f.field(name))
        .map_or_else(|| crate::core::text::capitalized(name), |f| f.label.clone())
}

/// The form's title, with the label of the option its report splits by
/// ("Konsultasi dan pengaduan masalah usaha: Fasilitasi konsultasi").
pub fn kind_text(form: Option<&FormSpec>, kind: &str, value: &str) -> String {
    let Some(form) = form else {
        return kind.to_string();
    };
    let option = form
        .report_by
        .as_deref()
        .and_then(|by| form.field(by))
        .and_then(|f| f.options.iter().find(|c| c.value == value));
    match option {
        Some(c) => format!("{}: {}", form.title, c.label),
        None => form.title.clone(),
    }
}

/// A referral as the history shows it: "Inspektorat Daerah, surat nomor
/// 700/12/2026, 3 Desember 2026".
pub fn referral_text(r: &Referral) -> String {
    match &r.letter {
        Some(letter) => format!(
            "{}, surat nomor {letter}, {}",
            r.to,
            dates::format_long(r.date)
        ),
        None => format!("{}, {}", r.to, dates::format_long(r.date)),
    }
}

/// Why a case is confidential, as staff read it.
pub(super) fn confidential_text(c: &Confidential) -> String {
    match c.by.as_str() {
        Confidential::ASKED => "Pemohon meminta identitasnya dirahasiakan.".into(),
        Confidential::ANONYMOUS => "Dikirim tanpa identitas (formulir anonim).".into(),
        by => format!(
            "Ditandai rahasia oleh {by}, {}: {}",
            moment_text(c.at),
            c.reason
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::Forms;

    #[test]
    fn sizes_and_moments_read_as_indonesian() {
        assert_eq!(size_text(183_204), "179 KB");
        assert_eq!(size_text(1_258_291), "1,2 MB");
        let at = crate::cases::parse_local_time("2026-11-27 09:05").unwrap();
        assert_eq!(moment_text(at), "27 November 2026, 09.05 WIB");
        let form = Forms::builtin().get("permohonan").map(|f| &**f);
        assert_eq!(label(form, "nama"), "Nama lengkap");
        assert_eq!(label(form, "catatan_petugas"), "Catatan_petugas");
    }
}
