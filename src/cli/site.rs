//! `loket build` and `loket check`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::site::build::{self, BuildError, BuildOptions};

use super::print_all;

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Site folder holding site.yaml, content/, templates/ and static/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: ROOT/public]; replaced whole on success.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Site folder holding site.yaml, content/, templates/ and static/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

pub fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.unwrap_or_else(|| args.root.join("public"));
    let opts = BuildOptions::new(args.root, out);
    match build::build(&opts) {
        Ok(report) => {
            if let Some(previous) = report.previous {
                previous.leave_for_next_build();
            }
            print_all(&report.warnings);
            say!(
                "Built {} pages and {} assets into {} in {} ms",
                report.pages,
                report.assets,
                opts.out.display(),
                report.elapsed.as_millis()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(BuildError::Invalid(diags)) => {
            print_all(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: build failed with {errors} error(s); {} was left as it was",
                opts.out.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(err @ BuildError::Output { .. }) => Err(anyhow::anyhow!(err).context(format!(
            "build failed; {} was left as it was",
            opts.out.display()
        ))),
    }
}

pub fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let diags = build::check(&args.root);
    print_all(&diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.iter().filter(|d| d.is_warning()).count();
    if errors > 0 {
        eprintln!("{errors} kesalahan, {warnings} peringatan");
        Ok(ExitCode::FAILURE)
    } else {
        say!("Tidak ada kesalahan ({warnings} peringatan)")?;
        Ok(ExitCode::SUCCESS)
    }
}
