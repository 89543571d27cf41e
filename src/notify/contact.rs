//! Replying the way citizens talk to the office: a WhatsApp click-to-chat
//! link to the citizen's number and a `mailto:` to their email, each
//! prefilled with the ticket and the case's current public message. Staff
//! open them (`loket show`, the desk); loket itself sends nothing through
//! WhatsApp.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::cases::Record;
use crate::forms::FormSpec;
use crate::forms::spec::Need;

/// Everything but unreserved characters is encoded in a query value.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An address in a `mailto:` keeps its `@` (and `+`).
const ADDRESS: &AsciiSet = &QUERY.remove(b'@').remove(b'+');

/// The case's current public message: the last public note of its
/// history, if staff wrote one.
pub fn public_message(record: &Record) -> Option<&str> {
    record
        .history
        .iter()
        .rev()
        .find_map(|h| h.public_note.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

/// What a reply starts with: the ticket, and what matters now: the
/// status in plain words with the meeting
/// ("Kamis, 10 Desember 2026 pukul 09.00 WIB, Kantor Dinas") of a step
/// that sets one, the result or reason of a step that gives one, and the
/// last public message. Never anything personal the citizen typed (the NIK).
fn opening(record: &Record, form: &FormSpec) -> String {
    let step = form.step(&record.status);
    let status = step.map_or(record.status.as_str(), |s| s.status.as_str());
    let mut said = format!("Status saat ini: {status}.");
    let meeting = step
        .filter(|s| s.needs(Need::Meeting))
        .and_then(|_| record.history.iter().rev().find_map(|h| h.meeting.as_ref()));
    if let Some(m) = meeting {
        said.push_str(&format!(" Jadwal pertemuan: {}, {}.", m.when(), m.place));
    }
    let result = record
        .result
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let (Some(label), Some(result)) = (step.and_then(|s| s.outcome()), result) {
        said.push_str(&format!(" {label}: {result}"));
    }
    if let Some(message) = public_message(record) {
        said.push_str(&format!(" Pesan petugas: {message}"));
    }
    format!(
        "Yth. Bapak/Ibu, terkait {} Anda dengan nomor tiket {}: {said}",
        form.noun, record.ticket
    )
}

/// `https://wa.me/6281234567890?text=…` to the citizen's mobile number, if
/// they gave one.
pub fn whatsapp_link(record: &Record, form: &FormSpec) -> Option<String> {
    whatsapp_link_with(record, form, &opening(record, form))
}

/// `https://wa.me/6281234567890?text=…` with `text`, if the citizen gave
/// a mobile number.
pub fn whatsapp_link_with(record: &Record, form: &FormSpec, text: &str) -> Option<String> {
    let number = record.mobile(form)?.trim_start_matches('+');
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "https://wa.me/{number}?text={}",
        utf8_percent_encode(text, QUERY)
    ))
}

/// `mailto:…?subject=…&body=…` to the citizen's email, if they gave one.
pub fn mailto_link(record: &Record, form: &FormSpec) -> Option<String> {
    let email = record.email(form)?;
    if email.contains(['?', '&', '#', ' ', '\n', '<', '>']) {
        return None;
    }
    let subject = format!("Tiket {}", record.ticket);
    Some(format!(
        "mailto:{}?subject={}&body={}",
        utf8_percent_encode(email, ADDRESS),
        utf8_percent_encode(&subject, QUERY),
        utf8_percent_encode(&opening(record, form), QUERY)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn form(id: &str) -> &'static FormSpec {
        crate::forms::Forms::builtin().get(id).unwrap()
    }

    const RECORD: &str = "ticket: KP-20261127-CDFH\nkind: permohonan\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: diperiksa\nresponse_due: 2026-12-04\ncompletion_due: 2026-12-04\nfields:\n  nama: Siti\n  nik: 3517 0152 0590 0001\n  telepon: 0812 3456 7890\n  email: siti+usaha@contoh.id\nnormalized:\n  nik: '3517015205900001'\n  telepon: '+6281234567890'\nhistory:\n- at: 2026-11-30T09:00:00+07:00\n  status: diperiksa\n  by: Budi\n  note: internal, tidak untuk warga\n  public_note: Mohon kirim foto KTP yang jelas & terbaca.\n";

    #[test]
    fn links_carry_the_ticket_and_the_public_message_only() {
        let record = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
        let wa = whatsapp_link(&record, form("permohonan")).unwrap();
        assert!(wa.starts_with("https://wa.me/6281234567890?text="), "{wa}");
        assert!(wa.contains("KP-20261127-CDFH"), "{wa}");
        assert!(wa.contains("Mohon%20kirim%20foto%20KTP"), "{wa}");
        assert!(wa.contains("%26"), "the & is encoded: {wa}");
        assert!(!wa.contains("internal"), "{wa}");
        assert!(!wa.contains("3517"), "{wa}");
        let mail = mailto_link(&record, form("permohonan")).unwrap();
        assert!(
            mail.starts_with("mailto:siti+usaha@contoh.id?subject=Tiket%20KP-20261127-CDFH&body="),
            "{mail}"
        );
        assert!(!mail.contains("internal"), "{mail}");

        // Without a public note, the status; without email or phone, none.
        let bare = RECORD
            .replace(
                "  public_note: Mohon kirim foto KTP yang jelas & terbaca.\n",
                "",
            )
            .replace("  email: siti+usaha@contoh.id\n", "")
            .replace("  telepon: '+6281234567890'\n", "");
        let record = Record::parse(Path::new("r.yaml"), &bare).unwrap();
        assert_eq!(public_message(&record), None);
        assert_eq!(mailto_link(&record, form("permohonan")), None);
        assert_eq!(whatsapp_link(&record, form("permohonan")), None);
        let with_phone = bare.replace(
            "  nik: '3517015205900001'\n",
            "  nik: '3517015205900001'\n  telepon: '+6281234567890'\n",
        );
        let record = Record::parse(Path::new("r.yaml"), &with_phone).unwrap();
        let wa = whatsapp_link(&record, form("permohonan")).unwrap();
        assert!(wa.contains("Sedang%20diperiksa%20petugas"), "{wa}");
    }

    /// A meeting's day, time and place, and a result, are in the text;
    /// the NIK never is.
    #[test]
    fn the_whatsapp_text_carries_the_meeting_or_the_result() {
        let decode = |link: &str| {
            let text = link.split_once("?text=").unwrap().1;
            percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .unwrap()
                .into_owned()
        };
        let meeting = RECORD
            .replace("status: diperiksa\nresponse", "status: pertemuan-dijadwalkan\nresponse")
            .replace(
                "  public_note: Mohon kirim foto KTP yang jelas & terbaca.\n",
                "- at: 2026-12-01T09:00:00+07:00\n  status: pertemuan-dijadwalkan\n  meeting:\n    at: 2026-12-10 09:00\n    place: Kantor Dinas, ruang 2\n",
            );
        let record = Record::parse(Path::new("r.yaml"), &meeting).unwrap();
        let text = decode(&whatsapp_link(&record, form("permohonan")).unwrap());
        assert!(
            text.contains("Kamis, 10 Desember 2026 pukul 09.00 WIB, Kantor Dinas, ruang 2"),
            "{text}"
        );
        assert!(!text.contains("3517"), "{text}");
        let done = RECORD
            .replace("status: diperiksa\nresponse", "status: selesai\nresponse")
            .replace(
                "  public_note: Mohon kirim foto KTP yang jelas & terbaca.\n",
                "- at: 2026-12-01T09:00:00+07:00\n  status: selesai\n  note: Izin usaha sudah terbit.\n",
            )
            + "result: Izin usaha sudah terbit.\ncompleted_at: 2026-12-01T09:00:00+07:00\n";
        let record = Record::parse(Path::new("r.yaml"), &done).unwrap();
        let text = decode(&whatsapp_link(&record, form("permohonan")).unwrap());
        assert!(text.contains("Hasil: Izin usaha sudah terbit."), "{text}");
        assert!(!text.contains("3517"), "{text}");
    }

    #[test]
    fn a_complaint_reaches_its_contact_by_whichever_it_is() {
        let complaint = "ticket: PL-20261127-CDFH\nkind: pengaduan-layanan\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: baru\nresponse_due: 2026-12-02\nfields:\n  nama: Budi\n  kontak: budi@contoh.id\n";
        let record = Record::parse(Path::new("r.yaml"), complaint).unwrap();
        assert!(
            mailto_link(&record, form("pengaduan-layanan"))
                .unwrap()
                .starts_with("mailto:budi@contoh.id?")
        );
        assert_eq!(whatsapp_link(&record, form("pengaduan-layanan")), None);
        let by_phone = complaint.replace("budi@contoh.id", "0812 3456 7890")
            + "normalized:\n  kontak: '+6281234567890'\n";
        let record = Record::parse(Path::new("r.yaml"), &by_phone).unwrap();
        assert_eq!(mailto_link(&record, form("pengaduan-layanan")), None);
        assert!(
            whatsapp_link(&record, form("pengaduan-layanan"))
                .unwrap()
                .starts_with("https://wa.me/6281234567890?")
        );
    }
}
