use std::path::Path;

use time::macros::{date, datetime};

use super::*;

/// What a site with a public base_url must say (an office's own notice).
const PRIVACY: &str = "privacy:\n  purpose_permohonan: Menangani permohonan.\n  purpose_pengaduan: Menanggapi keluhan.\n  legal_basis: UU 27/2022.\n  ktp_reason: Persyaratan.\n  ktp_tip: Hanya untuk Dinas Contoh.\n  retention: { attachments_days: 30, records_years: 5 }\n  rights: Hak Anda.\n  contact: Hubungi kami.\n";

fn config() -> SiteConfig {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("site.yaml"),
        format!("title: Layanan\nbase_url: https://layanan.contoh.go.id/\noffice:\n  name: Dinas Contoh\n  parent: Kabupaten Contoh\n  address: Jl. Contoh 1\n  phone: (0321) 1\ncontact:\n  phone: (0321) 2\n  whatsapp: '085100000000'\n  email: dinas@contoh.go.id\n{PRIVACY}"),
    )
    .unwrap();
    SiteConfig::load(dir.path()).unwrap()
}

const RECORD: &str = "ticket: KP-20261127-CDFH\nkind: permohonan\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: ditolak\nresponse_due: 2026-12-04\ncompletion_due: 2026-12-04\nfields:\n  nama: Siti Aminah\n  nik: 3517 0152 0590 0001\n  alamat: Jl. Mawar 5\n  telepon: 0812 3456 7890\n  email: siti@contoh.id\n  uraian: Usaha kerupuk saya ditiru\nnormalized:\n  nik: '3517015205900001'\n  telepon: '+6281234567890'\nhistory:\n- at: 2026-11-30T09:00:00+07:00\n  status: diperiksa\n  by: Budi\n  berkas: lengkap\n  note: catatan internal\n- at: 2026-12-01T09:00:00+07:00\n  status: pertemuan-dijadwalkan\n  by: Budi\n  meeting:\n    at: 2026-12-02 10:00\n    place: Kantor Dinkopum\n  note: catatan internal kedua\n  public_note: Bawa bukti pembelian.\n- at: 2026-12-03T09:00:00+07:00\n  status: ditolak\n  by: Budi\n  note: Bukan wewenang dinas; silakan ke Disperindag.\n";

fn record() -> Record {
    Record::parse(Path::new("r.yaml"), RECORD).unwrap()
}

/// Nothing of what the citizen typed, and no internal note.
fn assert_no_personal_data(text: &str) {
    for secret in [
        "3517",
        "Siti",
        "Mawar",
        "0812",
        "6281234567890",
        "siti@contoh.id",
        "kerupuk",
        "catatan internal",
    ] {
        assert!(!text.contains(secret), "{secret:?} in:\n{text}");
    }
}

fn templates() -> (Arc<Templates>, crate::forms::Forms) {
    (
        Arc::new(Templates::builtin().unwrap()),
        crate::forms::Forms::builtin().clone(),
    )
}

#[test]
fn staff_hear_of_a_new_case_with_its_deadline_and_desk_link() {
    let facts = CaseFacts::of(&record());
    let with_desk = Composer::new(&config(), templates(), Some("https://meja.contoh.go.id/"));
    let m = with_desk.new_case(&facts).unwrap();
    assert_eq!(
        m.subject,
        "Permohonan baru KP-20261127-CDFH — selesai paling lambat Jumat, 4 Desember 2026"
    );
    assert!(
        m.body
            .contains("https://meja.contoh.go.id/kasus/KP-20261127-CDFH/"),
        "{}",
        m.body
    );
    assert!(m.body.contains("Jumat, 27 November 2026 pukul 10.15 WIB"));
    assert_eq!((m.kind, m.to), (Kind::NewCase, Recipient::Staff));
    assert_no_personal_data(&format!("{}\n{}", m.subject, m.body));
    let composer = Composer::new(&config(), templates(), None);
    let without = composer.new_case(&facts).unwrap();
    assert!(
        without
            .body
            .contains("Buka tiket KP-20261127-CDFH di meja layanan"),
        "{}",
        without.body
    );
    let complaint = CaseFacts {
        kind: "pengaduan-layanan".into(),
        ticket: "PL-20261127-CDFH".into(),
        ..facts
    };
    let m = composer.new_case(&complaint).unwrap();
    assert!(
        m.subject.starts_with(
            "Keluhan, saran, atau masukan baru PL-20261127-CDFH — ditanggapi paling lambat"
        ),
        "{}",
        m.subject
    );
}

#[test]
fn the_receipt_gives_the_code_and_where_to_look() {
    let m = Composer::new(&config(), templates(), None)
        .receipt(&CaseFacts::of(&record()), "KXM47PRT")
        .unwrap();
    assert_eq!(m.subject, "Tanda terima permohonan KP-20261127-CDFH");
    assert!(m.body.contains("Kode akses  : KXM4 7PRT"), "{}", m.body);
    assert!(
        m.body.contains("https://layanan.contoh.go.id/cek-status/"),
        "{}",
        m.body
    );
    assert_eq!(m.reply_to.as_deref(), Some("dinas@contoh.go.id"));
    assert_eq!(m.to, Recipient::Citizen);
    assert_no_personal_data(&m.body);
}

#[test]
fn steps_tell_the_meeting_the_reason_and_the_public_note() {
    let composer = Composer::new(&config(), templates(), None);
    let r = record();
    assert_eq!(composer.step(&r, 0).unwrap(), None, "checking is no news");
    let meeting = composer.step(&r, 1).unwrap().unwrap();
    assert_eq!(
        meeting.subject,
        "Permohonan KP-20261127-CDFH: pertemuan sudah dijadwalkan"
    );
    assert!(
        meeting
            .body
            .contains("Waktu  : Rabu, 2 Desember 2026 pukul 10.00 WIB"),
        "{}",
        meeting.body
    );
    assert!(meeting.body.contains("Tempat : Kantor Dinkopum"));
    assert!(meeting.body.contains("Bawa bukti pembelian."));
    assert_no_personal_data(&meeting.body);
    let rejected = composer.step(&r, 2).unwrap().unwrap();
    assert!(
        rejected
            .body
            .contains("Alasan: Bukan wewenang dinas; silakan ke Disperindag."),
        "{}",
        rejected.body
    );
    assert_eq!(composer.step(&r, 9).unwrap(), None);
    // The survey's link goes with the final step only, and only when given.
    assert!(!rejected.body.contains("/survei/"), "{}", rejected.body);
    let token = "0123456789abcdef0123456789abcdef";
    let invited = composer
        .step_with_survey(&r, 2, Some(token))
        .unwrap()
        .unwrap();
    let link = format!("https://layanan.contoh.go.id/survei/?kode={token}");
    assert!(invited.body.contains(&link), "{}", invited.body);
    assert!(invited.body.contains("survei kepuasan"), "{}", invited.body);
    let meeting = composer
        .step_with_survey(&r, 1, Some(token))
        .unwrap()
        .unwrap();
    assert!(!meeting.body.contains("/survei/"), "{}", meeting.body);
}

#[test]
fn the_digest_sorts_open_cases_and_is_not_made_for_none() {
    let composer = Composer::new(&config(), templates(), Some("https://meja.contoh.go.id"));
    let open = |ticket: &str, due: &str| {
        Record::parse(
            Path::new("r.yaml"),
            &format!("ticket: {ticket}\nkind: permohonan\nreceived_at: 2026-11-27T10:15:03+07:00\nstatus: baru\nresponse_due: {due}\ncompletion_due: {due}\nfields:\n  nama: Siti\n"),
        )
        .unwrap()
    };
    let records = vec![
        open("KP-20261120-CDFH", "2026-11-27"),
        open("KP-20261126-CDFH", "2026-12-03"),
        open("KP-20261127-CDFH", "2026-12-04"),
        record(), // closed
    ];
    let m = composer
        .digest(date!(2026 - 12 - 03), &records)
        .unwrap()
        .unwrap();
    assert_eq!(
        m.subject,
        "Ringkasan kasus Kamis, 3 Desember 2026: 1 jatuh tempo hari ini, 1 terlambat, 1 menunggu"
    );
    let late = m.body.find("TERLAMBAT (1)\n- KP-20261120-CDFH").unwrap();
    let today = m
        .body
        .find("JATUH TEMPO HARI INI (1)\n- KP-20261126-CDFH")
        .unwrap();
    let waiting = m.body.find("MENUNGGU (1)\n- KP-20261127-CDFH").unwrap();
    assert!(late < today && today < waiting, "{}", m.body);
    assert!(
        m.body
            .contains("  https://meja.contoh.go.id/kasus/KP-20261120-CDFH/")
    );
    assert_no_personal_data(&m.body);
    assert_eq!(m.created_at.date(), crate::core::dates::today());
    assert_eq!(
        composer.digest(date!(2026 - 12 - 03), &[record()]).unwrap(),
        None
    );
    let _ = datetime!(2026-12-03 07:00 +07:00);
}

/// A request for missing documents tells the citizen what, in the staff's
/// words, and where to send it; the staff hear of the answer with the
/// link, and nothing of what was sent.
#[test]
fn asking_the_citizen_and_their_answer() {
    let asked = RECORD.replace("status: ditolak", "status: menunggu-kelengkapan")
        + "- at: 2026-12-03T10:00:00+07:00\n  status: menunggu-kelengkapan\n  by: Budi\n  public_note: Kirim foto KTP yang jelas.\n- at: 2026-12-04T10:00:00+07:00\n  status: menunggu-kelengkapan\n  by: pemohon\n  added:\n    from: pemohon\n    files: [balasan-ktp-1.jpg]\n    reply: Siti kirim ulang\n";
    let record = Record::parse(Path::new("r.yaml"), &asked).unwrap();
    let composer = Composer::new(&config(), templates(), Some("https://meja.contoh.go.id"));
    let m = composer.step(&record, 3).unwrap().unwrap();
    assert!(
        m.body
            .contains("Yang perlu Anda lengkapi:\nKirim foto KTP yang jelas."),
        "{}",
        m.body
    );
    assert!(m.body.contains("https://layanan.contoh.go.id/cek-status/"));
    assert!(
        !m.body.contains("Pesan dari petugas"),
        "said once: {}",
        m.body
    );
    let reply = composer.reply(&CaseFacts::of(&record), 1, true).unwrap();
    assert_eq!(
        reply.subject,
        "Balasan pemohon KP-20261127-CDFH — 1 berkas baru"
    );
    assert_eq!((reply.kind, reply.to), (Kind::Reply, Recipient::Staff));
    assert!(
        reply
            .body
            .contains("https://meja.contoh.go.id/kasus/KP-20261127-CDFH/"),
        "{}",
        reply.body
    );
    assert_no_personal_data(&format!("{}\n{}", reply.subject, reply.body));
}

/// A message sent while the case waits is a message, not the request.
#[test]
fn a_message_while_waiting_is_not_the_request_again() {
    let asked = RECORD.replace("status: ditolak", "status: menunggu-kelengkapan")
        + "- at: 2026-12-03T10:00:00+07:00\n  status: menunggu-kelengkapan\n  by: Budi\n  public_note: Kirim foto KTP yang jelas.\n- at: 2026-12-04T10:00:00+07:00\n  status: menunggu-kelengkapan\n  by: Budi\n  public_note: Kami tunggu sampai Jumat.\n  message: true\n";
    let record = Record::parse(Path::new("r.yaml"), &asked).unwrap();
    let m = Composer::new(&config(), templates(), None)
        .step(&record, 4)
        .unwrap()
        .unwrap();
    assert!(
        m.body
            .contains("Pesan dari petugas:\nKami tunggu sampai Jumat."),
        "{}",
        m.body
    );
    assert!(!m.body.contains("Yang perlu Anda lengkapi"), "{}", m.body);
}
