//! Replying the way citizens talk to the office: a WhatsApp click-to-chat
//! link to the citizen's number and a `mailto:` to their email, each
//! prefilled with the ticket and the case's current public message. Staff
//! open them (`loket show`, the desk); loket itself sends nothing through
//! WhatsApp.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::cases::Record;
use crate::forms::FormSpec;

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

/// What a reply starts with: the ticket, and the public message or else
/// the status in plain words.
fn opening(record: &Record, form: &FormSpec) -> String {
    let status = form
        .step(&record.status)
        .map_or(record.status.as_str(), |s| s.status.as_str());
    let said = public_message(record)
        .map(str::to_string)
        .unwrap_or_else(|| format!("Status saat ini: {status}."));
    format!(
        "Yth. Bapak/Ibu, terkait {} Anda dengan nomor tiket {}: {said}",
        form.noun, record.ticket
    )
}

/// `https://wa.me/6281234567890?text=…` to the citizen's mobile number, if
/// they gave one.
pub fn whatsapp_link(record: &Record, form: &FormSpec) -> Option<String> {
    let number = record.mobile(form)?.trim_start_matches('+');
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "https://wa.me/{number}?text={}",
        utf8_percent_encode(&opening(record, form), QUERY)
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
