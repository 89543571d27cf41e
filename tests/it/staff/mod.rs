//! Staff tools on hand-made records: `loket inbox`, `show` and `status`,
//! the audit log they write, and who may run them.
//!
//! - [`audit`]: a line per command, naming the person who ran it.
//! - [`owner`]: root refused where the files would end up root's.
//! - [`inbox`]: the list, its filters, its CSV, and records it skips.
//! - [`show`]: one record and its attachments.
//! - [`status`]: a step of the procedure written into the record.

mod audit;
mod inbox;
mod owner;
mod show;
mod status;

use std::fs;
use std::path::{Path, PathBuf};

/// Writes a record as the server would, under `data`; returns its path.
fn record(
    data: &Path,
    ticket: &str,
    kind: &str,
    received: &str,
    status: &str,
    nama: &str,
) -> PathBuf {
    let dir = crate::common::submit::day_dir(data, ticket);
    fs::create_dir_all(&dir).unwrap();
    let (response_due, completion_due) = match kind {
        "permohonan" => ("2026-11-27", "2026-11-27"),
        _ => ("2026-11-25", "null"),
    };
    let path = dir.join(format!("{ticket}.yaml"));
    fs::write(
        &path,
        format!(
            "# {ticket}\nticket: {ticket}\nkind: {kind}\nreceived_at: {received}\nstatus: {status}\n\
response_due: {response_due}\ncompletion_due: {completion_due}\nfields:\n  jenis: pengaduan\n  nama: {nama}\n  nik: 3517 0152 0590 0001\n\
normalized:\n  nik: '3517015205900001'\nattachments:\n- field: ktp\n  stored_name: ktp.jpg\n  original_name: foto.jpg\n  size: 4\n  type: image/jpeg\n  sha256: abc\n\
history: []\n"
        ),
    )
    .unwrap();
    path
}

fn data_with_records() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    record(
        &data,
        "KP-20261120-CDFH",
        "permohonan",
        "2026-11-20T09:00:00+07:00",
        "baru",
        "Siti Aminah",
    );
    record(
        &data,
        "PL-20261120-HJKM",
        "pengaduan-layanan",
        "2026-11-20T08:00:00+07:00",
        "selesai",
        "Budi",
    );
    record(
        &data,
        "KP-20261124-MNPR",
        "permohonan",
        "2026-11-24T10:00:00+07:00",
        "diperiksa",
        "=1+1",
    );
    (tmp, data)
}

fn data_arg(data: &Path) -> &str {
    data.to_str().unwrap()
}
