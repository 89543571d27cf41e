//! Issue 29: `loket purge` empties the free-text suggestion of a survey
//! answer once the records' retention (`privacy.retention.records_years`,
//! 2 by default) has passed since it was answered; the scores stay.

use std::fs;

use crate::common::*;

fn answer(data: &std::path::Path, name: &str, day: &str, suggestion: &str) {
    let dir = data.join("survei/jawaban");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join(format!("{name}.yaml")),
        format!(
            "answered: {day}\nkind: walk-in\nscores: [3, 3, 3, 3, 3, 3, 3, 3, 3]\nsuggestion: '{suggestion}'\n"
        ),
    )
    .unwrap();
}

#[test]
fn purge_empties_survey_suggestions_past_the_retention() {
    let site = TempSite::fixture();
    let data = tempfile::tempdir().unwrap();
    let old = "Saya Zulkarnain, HP 081277665544, antrean lama";
    let new = "Ruang tunggu panas";
    answer(data.path(), "lama", "2024-11-01", old);
    answer(data.path(), "baru", "2024-11-02", new);
    let purge = |dry: bool| {
        let mut cmd = loket();
        cmd.args([
            "purge",
            "--on",
            "2026-11-01",
            "--root",
            site.root_str(),
            "--data",
        ])
        .arg(data.path());
        if dry {
            cmd.arg("--dry-run");
        }
        cmd.output().unwrap()
    };
    let read = |name: &str| {
        fs::read_to_string(data.path().join(format!("survei/jawaban/{name}.yaml"))).unwrap()
    };

    let dry = purge(true);
    assert!(dry.status.success(), "{}{}", stdout(&dry), stderr(&dry));
    assert!(
        stdout(&dry).contains("survei: saran pada 1 jawaban akan dikosongkan"),
        "{}",
        stdout(&dry)
    );
    assert!(read("lama").contains(old), "a dry run changes nothing");

    let done = purge(false);
    assert!(done.status.success(), "{}{}", stdout(&done), stderr(&done));
    assert!(
        stdout(&done).contains("survei: saran pada 1 jawaban dikosongkan"),
        "{}",
        stdout(&done)
    );
    let lama = read("lama");
    assert!(
        !lama.contains("Zulkarnain") && !lama.contains("081277665544"),
        "{lama}"
    );
    assert!(
        lama.contains("answered: 2024-11-01") && lama.contains("scores:"),
        "{lama}"
    );
    assert!(read("baru").contains(new), "a day short of two years: kept");

    let again = purge(false);
    assert!(
        stdout(&again).contains("Tidak ada yang perlu dihapus."),
        "{}",
        stdout(&again)
    );
}
