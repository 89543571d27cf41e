//! The hand-made records the report is made of: November 2026, December
//! cases around Christmas, and one broken record.

/// One stored submission, as the server writes it and `loket status` edits it.
pub(super) struct Case {
    ticket: &'static str,
    received_at: &'static str,
    status: &'static str,
    response_due: &'static str,
    /// Requests only.
    completion_due: Option<&'static str>,
    /// Requests only: konsultasi or pengaduan.
    jenis: &'static str,
    nama: &'static str,
    /// Requests only.
    pub(super) nik: &'static str,
    responded: Option<&'static str>,
    completed: Option<&'static str>,
    result: &'static str,
}

const CASE: Case = Case {
    ticket: "",
    received_at: "",
    status: "baru",
    response_due: "",
    completion_due: None,
    jenis: "",
    nama: "",
    nik: "",
    responded: None,
    completed: None,
    result: "",
};

/// A YAML scalar in single quotes.
fn q(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn history_entry(at: &str, status: &str, extra: &str) -> String {
    format!("- at: {at}\n  status: {status}\n  by: budi\n{extra}")
}

impl Case {
    pub(super) fn is_request(&self) -> bool {
        self.ticket.starts_with("KP-")
    }

    /// `submissions/2026/11/27/KP-20261127-7KX4.yaml`, from the ticket's date.
    pub(super) fn rel_path(&self) -> String {
        let d = &self.ticket[3..11];
        format!(
            "submissions/{}/{}/{}/{}.yaml",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            self.ticket
        )
    }

    fn fields(&self) -> String {
        if self.is_request() {
            let digits: String = self.nik.chars().filter(char::is_ascii_digit).collect();
            format!(
                "fields:\n  jenis: {}\n  nama: {}\n  nik: {}\n  alamat: Jl. Mawar No. 7, Candimulyo\n  telepon: 0812 3456 7890\n  email: pemohon@contoh.id\n  nama_usaha: Keripik Tempe Bu Siti\n  bidang_usaha: Makanan ringan\n  alamat_usaha: Jl. Melati No. 3, Jombang\n  uraian: Mohon pendampingan.\n  termohon_nama: ''\n  termohon_kontak: ''\n  persetujuan: ya\nnormalized:\n  nik: '{digits}'\n  telepon: '+6281234567890'\nattachments:\n- field: ktp\n  stored_name: ktp.jpg\n  original_name: foto ktp.jpg\n  size: 183204\n  type: image/jpeg\n  sha256: 5f1c00\n",
                self.jenis,
                q(self.nama),
                self.nik
            )
        } else {
            format!(
                "fields:\n  nama: {}\n  kontak: 0813 9876 5432\n  isi: Antrean terlalu lama.\nnormalized:\n  kontak: '+6281398765432'\nattachments: []\n",
                q(self.nama)
            )
        }
    }

    fn history(&self) -> String {
        let mut entries = String::new();
        let closed = matches!(self.status, "selesai" | "ditolak");
        if let Some(at) = self.responded {
            if self.completed == Some(at) {
                return history_entry(at, self.status, &format!("  note: {}\n", q(self.result)));
            }
            entries += &history_entry(at, "diperiksa", "  berkas: lengkap\n");
        }
        if self.status == "pertemuan-dijadwalkan" {
            let at = self.responded.unwrap();
            entries += &history_entry(
                at,
                self.status,
                "  meeting:\n    at: 2026-11-25 10:00\n    place: Kantor Dinkopum\n",
            );
        }
        if let (true, Some(at)) = (closed, self.completed) {
            entries += &history_entry(at, self.status, &format!("  note: {}\n", q(self.result)));
        }
        entries
    }

    pub(super) fn yaml(&self) -> String {
        let kind = if self.is_request() {
            "permohonan"
        } else {
            "pengaduan-layanan"
        };
        let mut text = format!(
            "# {} · hand-made test record\nticket: {}\nkind: {kind}\nreceived_at: {}\nstatus: {}\nresponse_due: {}\ncompletion_due: {}\n{}",
            self.ticket,
            self.ticket,
            self.received_at,
            self.status,
            self.response_due,
            self.completion_due.unwrap_or("null"),
            self.fields()
        );
        let history = self.history();
        if history.is_empty() {
            text += "history: []\n";
        } else {
            text += "history:\n";
            text += &history;
        }
        if let Some(at) = self.responded {
            text += &format!("first_response_at: {at}\n");
        }
        if let Some(at) = self.completed {
            text += &format!("completed_at: {at}\nresult: {}\n", q(self.result));
        }
        text
    }
}

/// November 2026 (1 Nov is a Sunday; no holidays), plus December cases that
/// must stay out of it and cross Christmas (24 cuti bersama, 25 holiday).
pub(super) fn cases() -> Vec<Case> {
    vec![
        // 1 Nov 03:30 in WIB although 31 Oct in UTC; done Wed 4 Nov: 3 days.
        Case {
            ticket: "KP-20261101-CDFH",
            received_at: "2026-10-31T20:30:00Z",
            status: "selesai",
            response_due: "2026-11-06",
            completion_due: Some("2026-11-06"),
            jenis: "konsultasi",
            nama: "Bambang Wijaya",
            nik: "3517 0203 0485 0002",
            responded: Some("2026-11-02T09:00:00+07:00"),
            completed: Some("2026-11-04T10:00:00+07:00"),
            result: "Konsultasi: perizinan NIB",
        },
        // Mon 2 → Thu 5 Nov: 3 days.
        Case {
            ticket: "KP-20261102-JKMN",
            received_at: "2026-11-02T09:00:00+07:00",
            status: "selesai",
            response_due: "2026-11-09",
            completion_due: Some("2026-11-09"),
            jenis: "konsultasi",
            nama: "Siti Aminah",
            nik: "3517 0152 0590 0001",
            responded: Some("2026-11-03T09:00:00+07:00"),
            completed: Some("2026-11-05T14:00:00+07:00"),
            result: "Konsultasi: pembukuan sederhana",
        },
        // Complaint Thu 5 → response Mon 9 Nov (2 days, across a weekend); closed 12 Nov (5).
        Case {
            ticket: "PL-20261105-PRTV",
            received_at: "2026-11-05T08:30:00+07:00",
            status: "selesai",
            response_due: "2026-11-10",
            nama: "Ani <b>&</b> \"Bu\"",
            responded: Some("2026-11-09T10:00:00+07:00"),
            completed: Some("2026-11-12T10:00:00+07:00"),
            result: "Petugas loket ditegur; antrean diperbaiki",
            ..CASE
        },
        // Fri 6 → Fri 13 Nov: 5 days across a weekend.
        Case {
            ticket: "KP-20261106-WXY3",
            received_at: "2026-11-06T14:00:00+07:00",
            status: "selesai",
            response_due: "2026-11-13",
            completion_due: Some("2026-11-13"),
            jenis: "pengaduan",
            nama: "Joko Susilo",
            nik: "3517.1108.1275.0003",
            responded: Some("2026-11-09T08:00:00+07:00"),
            completed: Some("2026-11-13T15:00:00+07:00"),
            result: "Mediasi berhasil; pembayaran dicicil",
        },
        // Refused the next day: 1 day.
        Case {
            ticket: "KP-20261110-4679",
            received_at: "2026-11-10T11:00:00+07:00",
            status: "ditolak",
            response_due: "2026-11-17",
            completion_due: Some("2026-11-17"),
            jenis: "konsultasi",
            nama: "Dewi Lestari",
            nik: "3517450990010004",
            responded: Some("2026-11-11T09:00:00+07:00"),
            completed: Some("2026-11-11T09:00:00+07:00"),
            result: "Bukan usaha mikro; diarahkan ke Dinas Perdagangan",
        },
        // Meeting scheduled, not completed, due 20 Nov: overdue.
        Case {
            ticket: "KP-20261113-CJ7K",
            received_at: "2026-11-13T10:00:00+07:00",
            status: "pertemuan-dijadwalkan",
            response_due: "2026-11-20",
            completion_due: Some("2026-11-20"),
            jenis: "pengaduan",
            nama: "Rudi Hartono",
            nik: "3517 2212 8802 0005",
            responded: Some("2026-11-16T09:00:00+07:00"),
            ..CASE
        },
        // Mon 16 → Tue 24 Nov: 6 days, late.
        Case {
            ticket: "KP-20261116-MNPR",
            received_at: "2026-11-16T13:00:00+07:00",
            status: "selesai",
            response_due: "2026-11-23",
            completion_due: Some("2026-11-23"),
            jenis: "konsultasi",
            nama: "Sri Wahyuni",
            nik: "3517 3306 7703 0006",
            responded: Some("2026-11-17T09:00:00+07:00"),
            completed: Some("2026-11-24T16:00:00+07:00"),
            result: "=1+1 pemasaran daring",
        },
        // Complaint Thu 19 → response Wed 25 Nov: 4 days, late.
        Case {
            ticket: "PL-20261119-TVWX",
            received_at: "2026-11-19T09:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-11-24",
            nama: "Agus Salim",
            responded: Some("2026-11-25T09:00:00+07:00"),
            ..CASE
        },
        // Complaint never answered, due 1 Dec: overdue.
        Case {
            ticket: "PL-20261126-Y346",
            received_at: "2026-11-26T09:00:00+07:00",
            response_due: "2026-12-01",
            nama: "Nur Hidayah",
            ..CASE
        },
        // Complaint Fri 27 Nov → Wed 2 Dec: 3 days across a weekend.
        Case {
            ticket: "PL-20261127-79CD",
            received_at: "2026-11-27T17:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-12-02",
            nama: "Hendra",
            responded: Some("2026-12-02T08:00:00+07:00"),
            ..CASE
        },
        // Request still being checked, due 7 Dec: overdue on 10 Dec.
        Case {
            ticket: "KP-20261130-FHJK",
            received_at: "2026-11-30T08:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-12-07",
            completion_due: Some("2026-12-07"),
            jenis: "konsultasi",
            nama: "Yuli Astuti",
            nik: "3517 5511 6604 0007",
            responded: Some("2026-12-01T09:00:00+07:00"),
            ..CASE
        },
        // 30 Nov in UTC but 1 Dec in WIB: December.
        Case {
            ticket: "PL-20261201-MNRT",
            received_at: "2026-11-30T18:30:00+00:00",
            status: "diperiksa",
            response_due: "2026-12-04",
            nama: "Tono",
            responded: Some("2026-12-03T09:00:00+07:00"),
            ..CASE
        },
        // Tue 22 → Mon 28 Dec: 2 working days (24, 25 off), 4 if they counted.
        Case {
            ticket: "PL-20261222-PTVW",
            received_at: "2026-12-22T10:00:00+07:00",
            status: "diperiksa",
            response_due: "2026-12-29",
            nama: "Wati",
            responded: Some("2026-12-28T09:00:00+07:00"),
            ..CASE
        },
        // Wed 23 → Thu 31 Dec: 4 working days (6 if 24, 25 counted).
        Case {
            ticket: "KP-20261223-XY34",
            received_at: "2026-12-23T10:00:00+07:00",
            status: "selesai",
            response_due: "2027-01-01",
            completion_due: Some("2027-01-01"),
            jenis: "konsultasi",
            nama: "Eko Prasetyo",
            nik: "3517 0707 0808 0008",
            responded: Some("2026-12-28T09:00:00+07:00"),
            completed: Some("2026-12-31T10:00:00+07:00"),
            result: "Konsultasi: kemasan produk",
        },
        // Not answered yet, not due on 31 Dec.
        Case {
            ticket: "PL-20261230-6799",
            received_at: "2026-12-30T10:00:00+07:00",
            response_due: "2027-01-04",
            nama: "Lina",
            ..CASE
        },
    ]
}

/// The broken record: an unknown status, in the November folder.
pub(super) fn malformed() -> (String, String, usize) {
    let case = Case {
        ticket: "KP-20261120-CDFH",
        received_at: "2026-11-20T09:00:00+07:00",
        status: "baru",
        response_due: "besok",
        completion_due: Some("2026-11-27"),
        jenis: "konsultasi",
        nama: "Rusak",
        nik: "3517 9999 8888 0009",
        ..CASE
    };
    let text = case.yaml();
    let line = text
        .lines()
        .position(|l| l == "response_due: besok")
        .unwrap()
        + 1;
    (case.rel_path(), text, line)
}
