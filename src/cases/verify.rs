//! `loket verify`: is the data folder whole? Every record parses, is of a
//! form the site has, in a step of that form that its history ends with, and
//! is where its ticket says; every attachment it lists is there with its size
//! and sha256; nothing in the tree lacks a record; no attachment name is a
//! path and no attachment (or its folder) is a symbolic link, which loket
//! never follows. Each problem is a
//! `path: problem` line for a person to look at; nothing is changed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Record;
use crate::cases::layout::{self, STAGING_SUFFIX, SUBMISSIONS_DIR};
use crate::core::fs::is_replace_temp;
use crate::core::yaml;
use crate::forms::Forms;

/// One thing wrong in the data folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// What [`verify`] found.
#[derive(Debug, Default)]
pub struct Verified {
    /// Records that read and whose files are whole.
    pub records: usize,
    pub problems: Vec<Problem>,
}

/// Checks every day folder of the data folder `data`.
pub fn verify(data: &Path, forms: &Forms) -> Verified {
    let mut out = Verified::default();
    let mut problem = |path: &Path, message: &str| {
        out.problems.push(Problem {
            path: path.to_path_buf(),
            message: message.to_string(),
        })
    };
    let submissions = data.join(SUBMISSIONS_DIR);
    if !submissions.is_dir() {
        problem(&submissions, "folder tidak dapat dibaca");
    }
    let tree = layout::day_folders(&submissions);
    for (path, _) in &tree.unreadable {
        problem(path, "folder tidak dapat dibaca");
    }
    for path in &tree.strays {
        problem(
            path,
            "tidak seharusnya ada di sini (folder tahun/bulan/tanggal)",
        );
    }
    let mut records = 0;
    for day in tree.days {
        let Ok(entries) = fs::read_dir(&day) else {
            problem(&day, "folder tidak dapat dibaca");
            continue;
        };
        let mut names: BTreeSet<String> = BTreeSet::new();
        for entry in entries.flatten() {
            names.insert(entry.file_name().to_string_lossy().into_owned());
        }
        let mut explained: BTreeSet<String> = BTreeSet::new();
        for name in &names {
            let path = day.join(name);
            let Some(ticket) = name.strip_suffix(".yaml") else {
                continue;
            };
            explained.insert(name.clone());
            let folder = layout::attachment_folder(&day, ticket);
            if let Some(f) = folder.as_ref().and_then(|f| f.file_name()) {
                explained.insert(f.to_string_lossy().into_owned());
            }
            let folder = match folder {
                Some(f) if !layout::is_plain_dir(&f) => {
                    problem(
                        &f,
                        "folder lampiran ini tautan simbolis: loket tidak mengikutinya",
                    );
                    None
                }
                other => other,
            };
            if check_record(&path, (ticket, forms), folder.as_deref(), &mut problem) {
                records += 1;
            }
        }
        for name in names.difference(&explained) {
            let path = day.join(name);
            let message = if fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) {
                "tautan simbolis: loket tidak mengikutinya (hapus, atau taruh berkasnya sendiri di sini)"
            } else if is_replace_temp(name) {
                "berkas sementara dari perubahan status yang terputus (dihapus saat server mulai)"
            } else if name.ends_with(STAGING_SUFFIX) {
                "lampiran kasus yang tidak selesai disimpan (dihapus saat server mulai)"
            } else if path.is_dir() {
                "folder lampiran tanpa catatan (.yaml) kasus"
            } else {
                "berkas yang bukan catatan kasus"
            };
            problem(&path, message);
        }
    }
    out.records = records;
    out
}

/// Checks one record and its attachment folder; whether all is well.
fn check_record(
    path: &Path,
    (ticket, forms): (&str, &Forms),
    folder: Option<&Path>,
    problem: &mut impl FnMut(&Path, &str),
) -> bool {
    // Every problem found makes the record not whole.
    let mut found = 0;
    let mut problem = |path: &Path, message: &str| {
        found += 1;
        problem(path, message)
    };
    let text = match read_plain(path) {
        Ok(text) => text,
        Err(e) => {
            problem(path, &format!("tidak dapat dibaca: {e}"));
            return false;
        }
    };
    let record = match Record::parse(path, &text) {
        Ok(r) => r,
        Err(d) => {
            let at = d.line.map(|l| format!("baris {l}: ")).unwrap_or_default();
            problem(path, &format!("{at}{}", d.message));
            return false;
        }
    };
    let at = |value: &str| {
        yaml::line_of_value(&text, value)
            .map(|l| format!("baris {l}: "))
            .unwrap_or_default()
    };
    match forms.of(&record) {
        None => {
            let at = at(&record.kind);
            problem(
                path,
                &format!(
                    "{at}formulir `{}` tidak ada di situs (forms/{}.yaml)",
                    record.kind, record.kind
                ),
            );
        }
        Some(form) => {
            // Each history entry in the form it was taken in (a case moved
            // from another form keeps that form's steps before the move).
            let taken = record.history_forms();
            let unknown = std::iter::once((&record.status, &*form.id))
                .chain(record.history.iter().map(|h| &h.status).zip(taken))
                .find(|(s, id)| forms.get(id).is_some_and(|f| f.step(s).is_none()));
            if let Some((step, id)) = unknown {
                let at = at(step);
                let form = forms.get(id).unwrap_or(form);
                problem(
                    path,
                    &format!(
                        "{at}status `{step}` bukan langkah {}; pilih salah satu: {}",
                        form.path.display(),
                        form.step_ids().collect::<Vec<_>>().join(", ")
                    ),
                );
            } else if let Some(last) = record.history.last() {
                // The history is the truth; `status:` is written from it.
                let (now, then) = (form.step(&record.status), form.step(&last.status));
                if now.map(|s| &s.id) != then.map(|s| &s.id) {
                    problem(
                        path,
                        &format!(
                            "status `{}` tidak sama dengan langkah terakhir di riwayatnya (`{}`)",
                            record.status, last.status
                        ),
                    );
                } else if now.is_some_and(|s| s.is_final) != record.completed_at.is_some() {
                    let message = match record.completed_at {
                        Some(_) => format!(
                            "`completed_at` tertulis, padahal langkah `{}` bukan langkah akhir",
                            record.status
                        ),
                        None => format!("langkah akhir `{}` tanpa `completed_at`", record.status),
                    };
                    problem(path, &message);
                }
            }
        }
    }
    if record.ticket != ticket {
        problem(
            path,
            &format!("berisi tiket {}, bukan {ticket}", record.ticket),
        );
    }
    if record.attachments_purged.is_some() {
        return found == 0;
    }
    let mut listed = BTreeSet::new();
    for a in &record.attachments {
        if !layout::is_plain_name(&a.stored_name) {
            problem(
                path,
                &format!(
                    "nama lampiran {:?} bukan nama berkas biasa (tanpa folder, tidak diawali titik)",
                    a.stored_name
                ),
            );
            continue;
        }
        listed.insert(a.stored_name.clone());
        let Some(folder) = folder else {
            problem(
                path,
                &format!(
                    "lampiran {} tidak ada (folder {ticket}/ tidak ada)",
                    a.stored_name
                ),
            );
            continue;
        };
        let file = folder.join(&a.stored_name);
        match layout::open_attachment(folder, &a.stored_name).and_then(hash_open) {
            Ok((size, _)) if size != a.size => {
                problem(
                    &file,
                    &format!("ukurannya {size} bita, catatan menyebut {}", a.size),
                );
            }
            Ok((_, sha)) if sha != a.sha256 => {
                problem(&file, "isinya tidak sama dengan sha256 di catatan");
            }
            Ok(_) => {}
            Err(e) => {
                problem(&file, &format!("tidak dapat dibaca: {e}"));
            }
        }
    }
    if let Some(folder) = folder
        && let Ok(entries) = fs::read_dir(folder)
    {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_symlink()) {
                problem(
                    &entry.path(),
                    "tautan simbolis: loket tidak mengikutinya (lampiran harus berkas biasa)",
                );
            } else if !listed.contains(&name) {
                problem(
                    &entry.path(),
                    "berkas yang tidak tercatat dalam catatan kasus",
                );
            }
        }
    }
    found == 0
}

/// A record's text, not through a symbolic link.
fn read_plain(path: &Path) -> std::io::Result<String> {
    let meta = fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("bukan berkas biasa"));
    }
    fs::read_to_string(path)
}

/// Size and sha256 (hex) of an open file, read to its end.
fn hash_open(mut file: fs::File) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut file, &mut hasher)?;
    Ok((size, format!("{:x}", hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data folder with one record `text` for `ticket` received on 27 Nov.
    fn data_with(ticket: &str, text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let day = dir.path().join("submissions/2026/11/27");
        fs::create_dir_all(&day).unwrap();
        fs::write(day.join(format!("{ticket}.yaml")), text).unwrap();
        dir
    }

    fn problems(ticket: &str, text: &str) -> Vec<String> {
        let dir = data_with(ticket, text);
        let verified = verify(dir.path(), Forms::builtin());
        verified
            .problems
            .iter()
            .map(|p| p.message.clone())
            .collect()
    }

    const COMPLAINT: &str = "ticket: PL-20261127-CDFH\nkind: pengaduan-layanan\nreceived_at: 2026-11-27T10:00:00+07:00\nstatus: diperiksa\nresponse_due: 2026-12-02\nhistory:\n- at: 2026-11-30T09:00:00+07:00\n  status: diperiksa\n  by: budi\n  berkas: lengkap\n";

    #[test]
    fn an_older_complaint_in_diperiksa_reads_as_cek_administrasi() {
        assert_eq!(
            problems("PL-20261127-CDFH", COMPLAINT),
            Vec::<String>::new()
        );
        let record = Record::parse(Path::new("r.yaml"), COMPLAINT).unwrap();
        let form = Forms::builtin().of(&record).unwrap();
        assert_eq!(form.step(&record.status).unwrap().id, "cek-administrasi");
    }

    #[test]
    fn a_moved_case_keeps_the_steps_of_the_form_it_came_from() {
        let moved = COMPLAINT
            .replace("PL-20261127-CDFH", "KP-20261127-CDFH")
            .replace("kind: pengaduan-layanan", "kind: permohonan")
            .replace("  status: diperiksa\n", "  status: cek-administrasi\n")
            + "- at: 2026-11-30T10:00:00+07:00\n  status: diperiksa\n  by: budi\n  moved_from: pengaduan-layanan\n";
        assert_eq!(problems("KP-20261127-CDFH", &moved), Vec::<String>::new());
        let record = Record::parse(Path::new("r.yaml"), &moved).unwrap();
        assert_eq!(record.history_forms(), ["pengaduan-layanan", "permohonan"]);
    }

    #[test]
    fn an_unknown_step_or_form_and_a_status_off_its_history_are_named() {
        let unknown = COMPLAINT.replace(
            "status: diperiksa\nresponse_due",
            "status: entah\nresponse_due",
        );
        let found = problems("PL-20261127-CDFH", &unknown);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("baris 4: status `entah` bukan langkah forms/pengaduan-layanan.yaml; pilih salah satu: baru, cek-administrasi"),
            "{found:?}"
        );
        let off = COMPLAINT.replace(
            "status: diperiksa\nresponse_due",
            "status: selesai\nresponse_due",
        );
        let found = problems("PL-20261127-CDFH", &off);
        assert_eq!(
            found,
            ["status `selesai` tidak sama dengan langkah terakhir di riwayatnya (`diperiksa`)"]
        );
        let reopened = COMPLAINT.to_string() + "completed_at: 2026-11-30T09:00:00+07:00\n";
        let found = problems("PL-20261127-CDFH", &reopened);
        assert_eq!(
            found,
            ["`completed_at` tertulis, padahal langkah `diperiksa` bukan langkah akhir"]
        );
        let gone = COMPLAINT.replace("kind: pengaduan-layanan", "kind: nib");
        let found = problems("PL-20261127-CDFH", &gone);
        assert_eq!(
            found,
            ["baris 2: formulir `nib` tidak ada di situs (forms/nib.yaml)"]
        );
    }
}
