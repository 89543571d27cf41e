use super::*;
use crate::cases::record::{Record, parse_local_time};
use std::path::Path;

const RECORD: &str = "# KP-20261127-CDFH · Permohonan\n\
ticket: KP-20261127-CDFH\n\
kind: permohonan\n\
received_at: 2026-11-27T10:15:03+07:00\n\
status: baru\n\
# staff: called the applicant, no answer\n\
response_due: 2026-12-04\n\
completion_due: 2026-12-04\n\
fields:\n  jenis: konsultasi\n  nama: Siti\n\
attachments: []\n\
history: []\n\
catatan_petugas: ditambahkan dengan tangan\n";

fn now() -> OffsetDateTime {
    parse_local_time("2026-12-01 08:00").unwrap()
}

fn form() -> Arc<FormSpec> {
    crate::forms::Forms::builtin()
        .get("permohonan")
        .unwrap()
        .clone()
}

fn change(to: &str) -> StatusChange {
    StatusChange {
        to: Some(to.into()),
        form: None,
        at: parse_local_time("2026-11-30 09:00").unwrap(),
        by: "Budi".into(),
        note: None,
        meeting: None,
        files_complete: None,
        public_note: None,
        late_reason: None,
        outcome: None,
        referral: None,
    }
}

#[test]
fn status_change_keeps_hand_edits_and_comments() {
    let path = Path::new("r.yaml");
    let record = Record::parse(path, RECORD).unwrap();
    let mut c = change("diperiksa");
    c.files_complete = Some(true);
    c.note = Some("Berkas: lengkap\nsemua ada".into());
    let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
    assert!(new.contains("# staff: called the applicant, no answer\n"));
    // As staff may type a step.
    let mut typed = c.clone();
    typed.to = Some(" Diperiksa ".into());
    assert_eq!(apply(&record, &form(), RECORD, &typed, now()).unwrap(), new);
    assert!(new.contains("catatan_petugas: ditambahkan dengan tangan\n"));
    assert!(new.contains("status: diperiksa\n"));
    assert!(new.contains("first_response_at: 2026-11-30T09:00:00+07:00"));
    let parsed = Record::parse(path, &new).unwrap();
    assert_eq!(parsed.history.len(), 1);
    assert_eq!(
        parsed.history[0].note.as_deref(),
        Some("Berkas: lengkap\nsemua ada")
    );

    let mut c = change("selesai");
    c.note = Some("Konsultasi: pembukuan sederhana".into());
    let done = apply(&parsed, &form(), &new, &c, now()).unwrap();
    let parsed = Record::parse(path, &done).unwrap();
    assert_eq!(parsed.status, "selesai");
    assert_eq!(parsed.history.len(), 2);
    assert_eq!(
        parsed.result.as_deref(),
        Some("Konsultasi: pembukuan sederhana")
    );
    assert!(parsed.completed_at.is_some());
    // The first response is not moved by later steps.
    assert!(done.contains("first_response_at: 2026-11-30T09:00:00+07:00"));
    assert!(done.contains("catatan_petugas: ditambahkan dengan tangan\n"));
}

#[test]
fn a_public_note_goes_into_the_step() {
    let path = Path::new("r.yaml");
    let record = Record::parse(path, RECORD).unwrap();
    let mut c = change("diperiksa");
    c.files_complete = Some(false);
    c.note = Some("KTP buram; telepon tidak diangkat".into());
    c.public_note = Some("  Mohon kirim ulang foto KTP yang jelas.  ".into());
    let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
    let parsed = Record::parse(path, &new).unwrap();
    let step = &parsed.history[0];
    assert_eq!(
        step.public_note.as_deref(),
        Some("Mohon kirim ulang foto KTP yang jelas.")
    );
    assert_eq!(
        step.note.as_deref(),
        Some("KTP buram; telepon tidak diangkat")
    );
    // A blank one is no note; old records without the key still read.
    c.public_note = Some("   ".into());
    let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
    assert!(!new.contains("public_note"), "{new}");
    assert_eq!(Record::parse(path, RECORD).unwrap().access_code_hash, None);
}

#[test]
fn a_message_keeps_the_step_and_names_who_sent_it() {
    let path = Path::new("r.yaml");
    let record = Record::parse(path, RECORD).unwrap();
    let mut c = change("diperiksa");
    c.to = None;
    assert!(matches!(
        apply(&record, &form(), RECORD, &c, now()),
        Err(RecordError::Missing(_))
    ));
    c.public_note = Some(" Mohon ditunggu. ".into());
    let new = apply(&record, &form(), RECORD, &c, now()).unwrap();
    let parsed = Record::parse(path, &new).unwrap();
    assert_eq!(parsed.status, "baru");
    assert_eq!(parsed.first_response_at, None, "a message is not a step");
    let entry = &parsed.history[0];
    assert!(entry.message);
    assert_eq!((entry.status.as_str(), entry.by.as_str()), ("baru", "Budi"));
    assert_eq!(entry.public_note.as_deref(), Some("Mohon ditunggu."));
    assert!(new.contains("catatan_petugas: ditambahkan dengan tangan\n"));
    // Not on a closed case.
    let closed = RECORD.replace("status: baru", "status: ditolak")
        + "completed_at: 2026-11-30T09:00:00+07:00\n";
    let record = Record::parse(path, &closed).unwrap();
    let err = apply(&record, &form(), &closed, &c, now()).unwrap_err();
    assert!(err.to_string().contains("sudah ditutup"), "{err}");
}

#[test]
fn closing_past_the_deadline_needs_a_reason_for_the_citizen() {
    let path = Path::new("r.yaml");
    let record = Record::parse(path, RECORD).unwrap();
    let late = parse_local_time("2026-12-07 09:00").unwrap();
    let mut c = change("ditolak");
    c.note = Some("Bukan wewenang kami.".into());
    c.at = late;
    let err = apply(&record, &form(), RECORD, &c, late).unwrap_err();
    assert!(matches!(err, RecordError::LateReason { .. }), "{err}");
    assert!(err.to_string().contains("4 Desember 2026"), "{err}");
    c.late_reason = Some("Petugas sedang dinas luar.".into());
    let new = apply(&record, &form(), RECORD, &c, late).unwrap();
    let parsed = Record::parse(path, &new).unwrap();
    assert_eq!(
        parsed.history[0].late_reason.as_deref(),
        Some("Petugas sedang dinas luar.")
    );
    // In time, none is asked for.
    c.late_reason = None;
    assert!(apply(&record, &form(), RECORD, &change_at(c, now()), now()).is_ok());
}

fn change_at(mut c: StatusChange, at: OffsetDateTime) -> StatusChange {
    c.at = at;
    c
}

#[test]
fn refuses_invalid_transitions() {
    let record = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
    let mut c = change("selesai");
    c.note = Some("x".into());
    let err = apply(&record, &form(), RECORD, &c, now()).unwrap_err();
    assert!(
        err.to_string().contains("tidak dapat menjadi selesai"),
        "{err}"
    );
    assert!(matches!(
        apply(&record, &form(), RECORD, &change("diperiksa"), now()),
        Err(RecordError::Needs { .. })
    ));
}

/// A step that asks the citizen needs the public message saying what
/// for; the internal note does not do.
#[test]
fn asking_the_citizen_needs_the_public_message() {
    let path = Path::new("r.yaml");
    let record = Record::parse(path, RECORD).unwrap();
    let mut c = change("diperiksa");
    c.files_complete = Some(false);
    let checked = apply(&record, &form(), RECORD, &c, now()).unwrap();
    let record = Record::parse(path, &checked).unwrap();
    let mut ask = change("menunggu-kelengkapan");
    ask.note = Some("KTP buram".into());
    ask.public_note = Some("  ".into());
    let err = apply(&record, &form(), &checked, &ask, now()).unwrap_err();
    assert!(
        matches!(
            err,
            RecordError::Needs {
                need: Need::Request,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("--public-note"), "{err}");
    ask.public_note = Some("Kirim foto KTP yang jelas.".into());
    let asked = apply(&record, &form(), &checked, &ask, now()).unwrap();
    let parsed = Record::parse(path, &asked).unwrap();
    assert_eq!(parsed.status, "menunggu-kelengkapan");
    assert_eq!(
        parsed.history[1].public_note.as_deref(),
        Some("Kirim foto KTP yang jelas.")
    );
}

#[test]
fn files_complete_parses_as_staff_type_it() {
    assert_eq!(parse_files_complete("lengkap"), Ok(true));
    assert_eq!(parse_files_complete("tidak-lengkap"), Ok(false));
    assert_eq!(parse_files_complete(" Tidak Lengkap "), Ok(false));
    assert!(parse_files_complete("kurang").is_err());
    assert_eq!(files_complete_text(false), "tidak lengkap");
}

#[test]
fn meetings_parse() {
    let m = Meeting::parse("2026-12-02 10:00, Kantor Dinkopum").unwrap();
    assert_eq!(m.at, "2026-12-02 10:00");
    assert_eq!(m.place, "Kantor Dinkopum");
    assert!(Meeting::parse("besok, kantor").is_err());
    assert!(Meeting::parse("2026-12-02 25:00, kantor").is_err());
    assert!(Meeting::parse("2026-12-02 10:00,").is_err());
}

#[test]
fn a_status_the_form_does_not_know_is_refused_with_its_name() {
    let bad = RECORD.replace("status: baru", "status: entah");
    let record = Record::parse(Path::new("r.yaml"), &bad).unwrap();
    let err = apply(&record, &form(), &bad, &change("diperiksa"), now()).unwrap_err();
    assert!(err.to_string().contains("entah"), "{err}");
}
