//! The command line. The only place that prints for people and picks exit codes.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::build::{self, BuildError, BuildOptions};
use crate::diagnostic::Diagnostic;
use crate::server::{self, Limits, ServeError, ServeOptions};

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
    /// Build the site, then serve it and accept form submissions.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Site folder holding site.yaml, content/, templates/ and static/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Output folder [default: ROOT/public].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Folder where submissions are stored (created 0700) [default: ROOT/data].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Largest accepted upload, per file, in megabytes.
    #[arg(long, default_value_t = crate::build::DEFAULT_MAX_UPLOAD_MB, value_parser = clap::value_parser!(u64).range(1..=100))]
    max_upload_mb: u64,
    /// Submissions allowed per client address per window (0: no limit).
    #[arg(long, default_value_t = 10)]
    rate_limit: u32,
    /// Length of the rate-limit window, in seconds.
    #[arg(long, default_value_t = 600)]
    rate_window_secs: u64,
    /// Connections served at once; more wait in the listen queue.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build { root, out } => {
            let out = out.unwrap_or_else(|| root.join("public"));
            run_build(&BuildOptions::new(root, out))
        }
        Command::Check { root } => run_check(&root),
        Command::Serve(args) => run_serve(args),
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

fn run_serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.unwrap_or_else(|| args.root.join("public"));
    let data = args.data.unwrap_or_else(|| args.root.join("data"));
    let mut build = BuildOptions::new(&args.root, out);
    build.max_upload_mb = args.max_upload_mb;
    let limits = Limits {
        max_file_bytes: args.max_upload_mb * 1024 * 1024,
        rate_limit: args.rate_limit,
        rate_window: Duration::from_secs(args.rate_window_secs),
        max_connections: args.max_connections.max(1),
        ..Limits::default()
    };
    let opts = ServeOptions {
        build,
        addr: args.addr,
        data: data.clone(),
        limits,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(server::serve(opts, |addr| {
        println!(
            "Listening on http://{addr}/ (submissions go to {})",
            data.display()
        );
        let _ = std::io::stdout().flush();
    }));
    match served {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(ServeError::Build(BuildError::Invalid(diags))) => {
            print_all(&diags);
            eprintln!("error: the site has errors; not serving");
            Ok(ExitCode::FAILURE)
        }
        Err(ServeError::Calendar(diags)) => {
            print_all(&diags);
            eprintln!("error: the holiday list has errors; not serving");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
