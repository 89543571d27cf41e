use super::*;

fn typed(langkah: &str) -> Typed {
    Typed {
        langkah: langkah.into(),
        ..Typed::default()
    }
}

#[test]
fn forms_become_the_changes_of_loket_status() {
    let now = OffsetDateTime::now_utc();
    let mut t = typed("diperiksa");
    let c = change_from(&t, "Budi", now).unwrap();
    let kp = crate::forms::Forms::builtin().get("permohonan").unwrap();
    let checking = kp.step("diperiksa").unwrap();
    assert_eq!(
        c.lacks(checking),
        Some(Need::FilesComplete),
        "the rule is in cases"
    );
    t.berkas = "tidak-lengkap".into();
    let c = change_from(&t, "Budi", now).unwrap();
    assert_eq!(c.to.as_deref(), Some("diperiksa"));
    assert_eq!(c.files_complete, Some(false));
    assert_eq!(c.by, "Budi");
    t.berkas = "entah".into();
    assert!(change_from(&t, "Budi", now).is_err());

    let mut t = typed("pertemuan-dijadwalkan");
    t.tanggal = "2026-12-02".into();
    t.jam = "10:00:00".into();
    t.tempat = "Kantor Dinas, ruang 2".into();
    let c = change_from(&t, "Budi", now).unwrap();
    let m = c.meeting.unwrap();
    assert_eq!(
        (m.at.as_str(), m.place.as_str()),
        ("2026-12-02 10:00", "Kantor Dinas, ruang 2")
    );
    t.jam = "25:00".into();
    assert!(change_from(&t, "Budi", now).is_err());
    t.jam = String::new();
    assert!(change_from(&t, "Budi", now).is_err(), "half a meeting");

    let done = kp.step("selesai").unwrap();
    assert_eq!(
        change_from(&typed("selesai"), "Budi", now)
            .unwrap()
            .lacks(done),
        Some(Need::Result),
        "result needed: the rule in cases, worded by need_text"
    );
    let mut t = typed("ditolak");
    t.catatan = "  Bukan usaha mikro  ".into();
    assert_eq!(
        change_from(&t, "Budi", now).unwrap().note.as_deref(),
        Some("Bukan usaha mikro")
    );
    assert!(change_from(&typed(""), "Budi", now).is_err());
}
