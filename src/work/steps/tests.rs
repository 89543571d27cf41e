use std::path::Path;

use super::*;
use crate::cases::{Meeting, parse_local_time};
use crate::forms::Forms;

const TICKET: &str = "KP-20261127-CDFH";
const RECORD: &str = "# KP-20261127-CDFH · Permohonan\n\
ticket: KP-20261127-CDFH\n\
kind: permohonan\n\
received_at: 2026-11-27T10:15:03+07:00\n\
status: diperiksa\n\
response_due: 2026-12-04\n\
completion_due: 2026-12-04\n\
fields:\n  jenis: konsultasi\n  nama: Siti\n\
attachments: []\n\
history: []\n";

fn data_with_record() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("submissions/2026/11/27");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::write(day.join(format!("{TICKET}.yaml")), RECORD).unwrap();
    dir
}

fn work(data: &Path) -> Work {
    Work {
        data: data.to_path_buf(),
        forms: Forms::builtin().clone(),
        composer: None,
        paused: None,
    }
}

fn change(to: &str, by: &str) -> StatusChange {
    StatusChange {
        to: Some(to.into()),
        form: None,
        at: parse_local_time("2026-11-30 09:00").unwrap(),
        by: by.to_string(),
        note: None,
        meeting: None,
        files_complete: None,
        public_note: None,
        late_reason: None,
        outcome: None,
        referral: None,
    }
}

fn audit_lines(data: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(data.join(audit::AUDIT_DIR)) else {
        return Vec::new();
    };
    dir.flat_map(|f| {
        std::fs::read_to_string(f.unwrap().path())
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    })
    .collect()
}

fn now() -> OffsetDateTime {
    parse_local_time("2026-11-30 10:00").unwrap()
}

#[test]
fn a_step_lacking_what_it_needs_is_refused_alike_for_every_front_end() {
    let dir = data_with_record();
    let w = work(dir.path());
    for actor in [Actor::desk("Budi"), Actor::cli("budi")] {
        let meeting = change("pertemuan-dijadwalkan", &actor.name);
        let refused = take_step(&w, TICKET, None, &meeting, &actor, now());
        assert!(
            matches!(refused, Err(StepError::Needs(Need::Meeting, _))),
            "{refused:?}"
        );
        let result = change("selesai", &actor.name);
        let refused = take_step(&w, TICKET, None, &result, &actor, now());
        assert!(
            matches!(refused, Err(StepError::Needs(Need::Result, _))),
            "{refused:?}"
        );
    }
    let (record, _) = cases::find(dir.path(), TICKET).unwrap();
    assert_eq!(record.status, "diperiksa", "nothing written");
    assert!(audit_lines(dir.path()).is_empty(), "nothing audited");
}

#[test]
fn a_step_not_in_the_procedure_is_the_record_s_refusal() {
    let dir = data_with_record();
    let refused = take_step(
        &work(dir.path()),
        TICKET,
        None,
        &change("baru", "Budi"),
        &Actor::desk("Budi"),
        now(),
    );
    assert!(
        matches!(
            refused,
            Err(StepError::Record(RecordError::Transition { .. }))
        ),
        "{refused:?}"
    );
}

#[test]
fn a_step_is_audited_once_with_who_took_it() {
    let dir = data_with_record();
    let w = work(dir.path());
    let mut step = change("pertemuan-dijadwalkan", "Budi Santoso");
    step.meeting = Some(Meeting::parse("2026-12-02 10:00, Kantor Dinas").unwrap());
    let done = take_step(&w, TICKET, None, &step, &Actor::cli("budi"), now()).unwrap();
    done.audit.unwrap();
    assert_eq!(done.told, Ok(false), "mail is off");
    assert_eq!(done.before.status, "diperiksa");
    assert_eq!(done.after.status, "pertemuan-dijadwalkan");
    let on_disk = std::fs::read_to_string(&done.after.path).unwrap();
    assert!(
        on_disk.contains("status: pertemuan-dijadwalkan"),
        "{on_disk}"
    );
    let lines = audit_lines(dir.path());
    assert_eq!(lines.len(), 1, "{lines:?}");
    let fields: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(
        &fields[1..],
        ["budi", "status", TICKET, "cli pertemuan-dijadwalkan"]
    );

    let mut done = step.clone();
    done.to = Some("selesai".into());
    done.note = Some("Sudah dibantu".into());
    take_step(&w, TICKET, None, &done, &Actor::desk("Siti"), now()).unwrap();
    let lines = audit_lines(dir.path());
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].ends_with("\tSiti\tstatus\tKP-20261127-CDFH\tselesai"));
}

#[test]
fn a_move_without_a_term_for_the_kind_is_refused_before_anything_is_written() {
    let dir = data_with_record();
    let calendar = Calendar::default();
    let terms = Terms::default();
    let mut change = change("diperiksa", "Budi");
    change.to = None;
    let refused = move_case(
        &work(dir.path()),
        TICKET,
        None,
        "pengaduan-layanan",
        (&terms, &calendar),
        &change,
        &Actor::desk("Budi"),
        now(),
    );
    assert!(
        matches!(&refused, Err(StepError::NoTerm(f)) if f == "pengaduan-layanan"),
        "{refused:?}"
    );
    assert!(audit_lines(dir.path()).is_empty());
}
