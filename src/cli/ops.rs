//! The operator's commands: `verify`, `backup`, `restore` and `purge`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use time::Date;

use crate::forms::Forms;
use crate::site::config::SiteConfig;
use crate::work::{self, care::CareError};

use super::{Folders, date_arg, on_or_today, print_all, user};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub folders: Folders,
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The archive to write (replaced whole).
    #[arg(long)]
    to: PathBuf,
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The archive `loket backup` wrote.
    from: PathBuf,
    /// The data folder to make (new or empty).
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, clap::Args)]
pub struct PurgeArgs {
    /// Only say what would be deleted.
    #[arg(long)]
    dry_run: bool,
    /// The site folder's site.yaml gives privacy.retention.
    #[command(flatten)]
    folders: Folders,
    /// Count the periods up to this date (YYYY-MM-DD) [default: today].
    #[arg(long, value_parser = date_arg)]
    on: Option<Date>,
}

pub fn verify(data: &Path, forms: &Forms) -> anyhow::Result<ExitCode> {
    let verified = work::care::verify(data, forms);
    for p in &verified.problems {
        say!("{p}")?;
    }
    let owners = user::wrongly_owned(data);
    for line in &owners {
        say!("{line}")?;
    }
    let problems = verified.problems.len() + owners.len();
    eprintln!("{} kasus utuh, {problems} masalah", verified.records);
    Ok(if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    user::refuse_root_writing(&data, "backup")?;
    let done = match work::care::backup(&data, &args.to, &super::actor()) {
        Err(CareError::Audit(e)) => {
            return Err(super::audit_failed(&data, e).context("nothing was shown"));
        }
        done => done?,
    };
    say!(
        "{}: {} kasus, {} berkas, {} bita",
        args.to.display(),
        done.records,
        done.files,
        done.bytes
    )?;
    for link in &done.links {
        eprintln!(
            "{}: tautan simbolis, tidak diikuti dan tidak dicadangkan",
            link.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    user::refuse_root_writing(&data, "restore")?;
    let (files, audited) = work::care::restore(&args.from, &data, &super::actor())?;
    if let Err(e) = audited {
        eprintln!("warning: {:#}", super::audit_failed(&data, e));
    }
    say!("{files} berkas dipulihkan ke {}", data.display())?;
    verify(&data, &args.folders.forms())
}

pub fn purge(args: PurgeArgs) -> anyhow::Result<ExitCode> {
    let data = args.folders.data();
    if !args.dry_run {
        user::refuse_root_writing(&data, "purge")?;
    }
    let config = SiteConfig::load(&args.folders.root).map_err(|d| anyhow::anyhow!("{d}"))?;
    let forms = args.folders.forms();
    let done = work::care::purge(
        (&data, &forms),
        config.privacy.retention,
        on_or_today(args.on),
        args.dry_run,
        &super::actor(),
    );
    let purged = &done.purge;
    for done in &purged.done {
        say!("{}", done.describe(args.dry_run))?;
    }
    // Mail about a redacted case goes with its personal data.
    for (ticket, forgotten) in &done.forgotten {
        match forgotten {
            Ok(0) => {}
            Ok(n) => say!("{ticket}: {n} surel yang belum terkirim dihapus")?,
            Err(e) => eprintln!("{ticket}: surel yang belum terkirim tidak dapat dihapus: {e}"),
        }
    }
    let mut failed = !purged.problems.is_empty();
    match &done.suggestions {
        Ok(s) => {
            if s.emptied > 0 {
                let what = if args.dry_run {
                    "akan dikosongkan"
                } else {
                    "dikosongkan"
                };
                say!("survei: saran pada {} jawaban {what}", s.emptied)?;
            }
            for (path, why) in &s.unreadable {
                eprintln!(
                    "{}: jawaban survei tidak terbaca, sarannya tidak diperiksa: {why}",
                    path.display()
                );
                failed = true;
            }
        }
        Err(e) => {
            eprintln!("survei: saran jawaban survei tidak dapat dihapus: {e}");
            failed = true;
        }
    }
    print_all(&purged.problems);
    if let Some(Err(e)) = done.audit {
        eprintln!("warning: {:#}", super::audit_failed(&data, e));
    }
    let emptied = done.suggestions.as_ref().map_or(0, |s| s.emptied);
    if purged.done.is_empty() && emptied == 0 {
        say!("Tidak ada yang perlu dihapus.")?;
    }
    Ok(if !failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
