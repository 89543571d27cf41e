use super::*;
use time::macros::datetime;

const RECORD: &str = "# KP-20261127-CDFH · Permohonan\n\
ticket: KP-20261127-CDFH\n\
kind: permohonan\n\
received_at: 2026-11-27T10:15:03+07:00\n\
status: baru\n\
response_due: 2026-12-04\n\
completion_due: ''\n\
fields:\n  jenis: konsultasi\n  nama: Siti\n  umur: 42\n  setuju: yes\n\
attachments: []\n\
history:\n";

#[test]
fn reads_hand_edits() {
    let r = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
    assert_eq!(r.completion_due, None);
    assert_eq!(r.fields.get("umur"), Some("42"));
    assert_eq!(r.fields.get("setuju"), Some("yes"));
    assert!(r.history.is_empty());
    assert_eq!(r.received_at, datetime!(2026-11-27 10:15:03 +07:00));
}

#[test]
fn names_the_line_of_a_bad_value() {
    // Which steps there are is the form's to say (`loket verify`).
    let other = RECORD.replace("status: baru", "status: entah");
    assert_eq!(
        Record::parse(Path::new("r.yaml"), &other).unwrap().status,
        "entah"
    );
    let bad = RECORD.replace("response_due: 2026-12-04", "response_due: besok");
    let d = Record::parse(Path::new("r.yaml"), &bad).unwrap_err();
    assert_eq!(d.line, Some(6));
}

#[test]
fn writes_what_it_reads() {
    let r = Record::parse(Path::new("r.yaml"), RECORD).unwrap();
    let text = r.to_yaml().unwrap();
    assert!(
        text.contains("\nreceived_at: 2026-11-27T10:15:03+07:00\n"),
        "{text}"
    );
    assert!(text.contains("\nstatus: baru\n"), "{text}");
    assert!(text.contains("\ncompletion_due: null\n"), "{text}");
    let again = Record::parse(Path::new("r.yaml"), &text).unwrap();
    assert_eq!(again.fields, r.fields);
    assert_eq!(again.received_at, r.received_at);
}
