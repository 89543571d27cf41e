//! The command line. The only place that prints for people and picks exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::{self, BuildError, BuildOptions};
use crate::diagnostic::Diagnostic;

#[derive(Debug, Parser)]
#[command(
    name = "loket",
    version,
    about = "Publishes a public service's standard as a static site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site from content/ and templates/ into the output folder.
    Build {
        /// Site folder holding site.yaml, content/, templates/ and static/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder [default: ROOT/public]; replaced whole on success.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the site for problems without writing anything.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { root, out } => {
            let out = out.unwrap_or_else(|| root.join("public"));
            run_build(&BuildOptions { root, out })
        }
        Command::Check { root } => run_check(&root),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_all(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}

fn run_build(opts: &BuildOptions) -> anyhow::Result<ExitCode> {
    match build::build(opts) {
        Ok(report) => {
            print_all(&report.warnings);
            println!(
                "Built {} pages and {} assets into {} in {} ms",
                report.pages,
                report.assets,
                opts.out.display(),
                report.elapsed.as_millis()
            );
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

fn run_check(root: &Path) -> anyhow::Result<ExitCode> {
    let diags = build::check(root);
    print_all(&diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if errors > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
        Ok(ExitCode::FAILURE)
    } else {
        println!("No problems found ({warnings} warning(s))");
        Ok(ExitCode::SUCCESS)
    }
}
