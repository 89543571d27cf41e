//! The hand-made October 2026 of [`super::kepala`]: a site whose forms
//! declare outcome categories, and records of both forms by every channel,
//! late, closed with categories, and confidential.

use std::fs;

use crate::common::*;

/// The fixture's permohonan form with the step the seed's procedure ends
/// with for a complaint about a business (fasilitasi di lokasi) and the
/// outcome categories a form may declare; and the complaint form's
/// `selesai` with two. (The fixture's forms are the shipped ones, which
/// declare none: the seed names no categories.)
pub(super) fn site_with_outcomes() -> TempSite {
    let site = TempSite::fixture();
    let forms = site.root().join("forms");
    let permohonan = fs::read_to_string(forms.join("permohonan.yaml")).unwrap();
    let permohonan = permohonan
        .replace(
            "    next: [pertemuan-dijadwalkan, selesai, ditolak]\n",
            "    next: [pertemuan-dijadwalkan, fasilitasi-selesai, selesai, ditolak]\n  \
- id: fasilitasi-selesai\n    label: \"Catat hasil fasilitasi\"\n    status: \"Fasilitasi sudah dilaksanakan\"\n    \
needs: [result]\n    final: true\n    outcomes:\n      \
- { id: mediasi-berhasil, label: \"Mediasi berhasil\" }\n      \
- { id: mediasi-tidak-berhasil, label: \"Mediasi tidak berhasil\" }\n      \
- { id: dirujuk-bpsk, label: \"Dirujuk ke BPSK\" }\n      \
- { id: dirujuk-dinkes, label: \"Dirujuk ke Dinas Kesehatan\" }\n      \
- { id: dirujuk-djki, label: \"Dirujuk ke DJKI\" }\n",
        );
    assert!(permohonan.contains("fasilitasi-selesai"));
    site.write("forms/permohonan.yaml", permohonan);
    let pengaduan = fs::read_to_string(forms.join("pengaduan-layanan.yaml")).unwrap();
    let line = pengaduan
        .lines()
        .find(|l| l.starts_with("  - { id: selesai,"))
        .unwrap();
    let pengaduan = pengaduan.replace(
        line,
        "  - id: selesai\n    label: \"Selesai\"\n    status: \"Selesai\"\n    needs: [result]\n    final: true\n    \
outcomes: [{ id: ditindaklanjuti, label: \"Keluhan ditindaklanjuti\" }, { id: dirujuk-inspektorat, label: \"Dirujuk ke Inspektorat\" }]",
    );
    site.write("forms/pengaduan-layanan.yaml", pengaduan);
    site
}

/// One hand-made record: `ticket`, received at `received` (WIB), in
/// `status`, by `channel`, with its deadlines and what happened.
pub(super) struct Made<'a> {
    pub(super) ticket: &'a str,
    pub(super) received: &'a str,
    pub(super) status: &'a str,
    pub(super) channel: &'a str,
    pub(super) response_due: &'a str,
    pub(super) completion_due: Option<&'a str>,
    pub(super) responded: Option<&'a str>,
    pub(super) completed: Option<&'a str>,
    pub(super) outcome: Option<&'a str>,
    pub(super) confidential: bool,
    pub(super) name: &'a str,
}

impl Made<'_> {
    pub(super) fn yaml(&self) -> String {
        let request = self.ticket.starts_with("KP-");
        let fields = match request {
            true => format!(
                "fields:\n  jenis: pengaduan\n  nama: {}\n  nik: 3517 0152 0590 0001\nnormalized:\n  nik: '3517015205900001'\n",
                self.name
            ),
            false => format!("fields:\n  nama: {}\n  kontak: 0813 9876 5432\n", self.name),
        };
        let mut text = format!(
            "ticket: {}\nkind: {}\nreceived_at: {}T09:00:00+07:00\nchannel: {}\nstatus: {}\nresponse_due: {}\ncompletion_due: {}\n{fields}attachments: []\nhistory: []\n",
            self.ticket,
            if request {
                "permohonan"
            } else {
                "pengaduan-layanan"
            },
            self.received,
            self.channel,
            self.status,
            self.response_due,
            self.completion_due.unwrap_or("null"),
        );
        if let Some(day) = self.responded {
            text += &format!("first_response_at: {day}T10:00:00+07:00\n");
        }
        if let Some(day) = self.completed {
            text += &format!(
                "completed_at: {day}T14:00:00+07:00\nresult: Hasil rahasia {}\n",
                self.name
            );
        }
        if let Some(outcome) = self.outcome {
            text += &format!("outcome: {outcome}\n");
        }
        if self.confidential {
            text += &format!(
                "confidential:\n  by: pemohon\n  reason: ''\n  at: {}T09:00:00+07:00\n",
                self.received
            );
        }
        text
    }
}

pub(super) const MADE: Made = Made {
    ticket: "",
    received: "",
    status: "baru",
    channel: "web",
    response_due: "",
    completion_due: None,
    responded: None,
    completed: None,
    outcome: None,
    confidential: false,
    name: "",
};

/// October 2026 (and a case either side of it), one request by every
/// channel. Requests: 5 working days to completion; complaints: 3 to the
/// first response.
pub(super) fn cases() -> Vec<Made<'static>> {
    let kp = |ticket, received, due| Made {
        ticket,
        received,
        response_due: due,
        completion_due: Some(due),
        ..MADE
    };
    let pl = |ticket, received, due| Made {
        ticket,
        received,
        response_due: due,
        ..MADE
    };
    vec![
        // Thu 1 → Mon 5 Oct: 2 days, on time; selesai declares no outcomes.
        Made {
            status: "selesai",
            responded: Some("2026-10-02"),
            completed: Some("2026-10-05"),
            name: "Siti Aminah",
            ..kp("KP-20261001-CDFH", "2026-10-01", "2026-10-08")
        },
        // Fri 2 → Thu 8 Oct: 4 days, on time; mediation succeeded.
        Made {
            status: "fasilitasi-selesai",
            channel: "langsung",
            responded: Some("2026-10-05"),
            completed: Some("2026-10-08"),
            outcome: Some("mediasi-berhasil"),
            name: "Joko Susilo",
            ..kp("KP-20261002-JKMN", "2026-10-02", "2026-10-09")
        },
        // Mon 5 → Wed 14 Oct: 7 days, late; referred to BPSK.
        Made {
            status: "fasilitasi-selesai",
            channel: "kotak-aduan",
            responded: Some("2026-10-06"),
            completed: Some("2026-10-14"),
            outcome: Some("dirujuk-bpsk"),
            name: "Rudi Hartono",
            ..kp("KP-20261005-WXY3", "2026-10-05", "2026-10-12")
        },
        // Tue 6 → Tue 13 Oct: 5 days, on time; mediation failed.
        Made {
            status: "fasilitasi-selesai",
            channel: "telepon",
            responded: Some("2026-10-07"),
            completed: Some("2026-10-13"),
            outcome: Some("mediasi-tidak-berhasil"),
            name: "Dewi Lestari",
            ..kp("KP-20261006-4679", "2026-10-06", "2026-10-13")
        },
        // Wed 7 → refused Thu 8 Oct: 1 day, on time.
        Made {
            status: "ditolak",
            channel: "whatsapp",
            responded: Some("2026-10-08"),
            completed: Some("2026-10-08"),
            name: "Sri Wahyuni",
            ..kp("KP-20261007-MNPR", "2026-10-07", "2026-10-14")
        },
        // Open, due 19 Oct: late and overdue on 10 Nov.
        Made {
            status: "pertemuan-dijadwalkan",
            channel: "surel",
            responded: Some("2026-10-13"),
            name: "Agus Salim",
            ..kp("KP-20261012-CJ7K", "2026-10-12", "2026-10-19")
        },
        // Open, due 2 Nov: late and overdue.
        Made {
            status: "diperiksa",
            channel: "lapor",
            responded: Some("2026-10-27"),
            name: "Yuli Astuti",
            ..kp("KP-20261026-FHJK", "2026-10-26", "2026-11-02")
        },
        // Confidential: Wed 28 → Fri 30 Oct, 2 days, on time; to DJKI.
        Made {
            status: "fasilitasi-selesai",
            channel: "media-sosial",
            responded: Some("2026-10-29"),
            completed: Some("2026-10-30"),
            outcome: Some("dirujuk-djki"),
            confidential: true,
            name: "Sulastri Tersembunyi",
            ..kp("KP-20261028-PRTV", "2026-10-28", "2026-11-04")
        },
        // Complaint Thu 1 → answered Mon 5 (due 6): on time; closed Wed 7: 4 days.
        Made {
            status: "selesai",
            responded: Some("2026-10-05"),
            completed: Some("2026-10-07"),
            outcome: Some("ditindaklanjuti"),
            name: "Nur Hidayah",
            ..pl("PL-20261001-MNRT", "2026-10-01", "2026-10-06")
        },
        // Thu 8 → answered Wed 14 (due 13): late; answered, so not overdue.
        Made {
            status: "ditanggapi",
            channel: "telepon",
            responded: Some("2026-10-14"),
            name: "Hendra",
            ..pl("PL-20261008-PTVW", "2026-10-08", "2026-10-13")
        },
        // Tue 20, never answered (due 23): late and overdue.
        Made {
            channel: "kotak-aduan",
            name: "Tono",
            ..pl("PL-20261020-XY34", "2026-10-20", "2026-10-23")
        },
        // Confidential (an officer's levy): Thu 22 → answered Fri 23, on
        // time; closed Mon 26: 2 days; to the Inspektorat.
        Made {
            status: "selesai",
            channel: "langsung",
            responded: Some("2026-10-23"),
            completed: Some("2026-10-26"),
            outcome: Some("dirujuk-inspektorat"),
            confidential: true,
            name: "Bejo Pelapor",
            ..pl("PL-20261022-6799", "2026-10-22", "2026-10-27")
        },
        // September and November: outside the month, inside the year (and
        // November inside the quarter).
        Made {
            name: "Wati",
            ..pl("PL-20260930-TVWX", "2026-09-30", "2026-10-05")
        },
        Made {
            name: "Lina",
            ..pl("PL-20261103-CDFH", "2026-11-03", "2026-11-06")
        },
    ]
}
