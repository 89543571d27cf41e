//! Sanitizes one upload, for bench/sanitize.sh: `sanitize IN OUT` prints
//! what was kept or why it was refused.

use std::io::Read;
use std::process::ExitCode;

use loket::cases::sanitize::{SanitizeLimits, Sanitizer};
use loket::forms::validate::FileKind;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [raw, out] = args.as_slice() else {
        eprintln!("usage: sanitize IN OUT");
        return ExitCode::from(2);
    };
    let mut head = [0; 8];
    let read = std::fs::File::open(raw).and_then(|mut f| f.read(&mut head));
    let Some(detected) = read.ok().and_then(|n| FileKind::sniff(&head[..n])) else {
        eprintln!("not a JPEG, PNG or PDF");
        return ExitCode::from(2);
    };
    let sanitizer = Sanitizer::new(SanitizeLimits::default());
    match sanitizer.sanitize(detected, raw.as_ref(), out.as_ref()) {
        Ok(kept) => {
            let (w, h) = kept.dimensions.unwrap_or_default();
            println!("kept {:?} {w}x{h} {} bytes", kept.file_type, kept.size);
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{e}");
            ExitCode::FAILURE
        }
    }
}
