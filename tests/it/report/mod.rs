//! `loket report` on hand-made records: exact numbers, masked NIKs, skipped
//! broken records, an empty month, and working days across holidays.
//!
//! - [`cases`]: the hand-made records (November and December 2026, and a
//!   broken one).
//! - [`numbers`]: the numbers of a month, an empty month, working days
//!   around Christmas, and provisional deadlines.
//! - [`privacy`]: NIKs only masked, no contact details, private files.
//! - [`input`]: a broken record, bad arguments, the office's own template.
//! - [`kepala`]: the report for the Kepala Dinas (issue 28): each form's
//!   figures by hand, outcomes, confidential cases, quarter and year.
//! - [`october`]: the hand-made October 2026 [`kepala`] reads.
//! - [`desk`]: the narrative on the desk, the quarter there, the outcome
//!   the desk's step form asks for.

mod cases;
mod desk;
mod input;
mod kepala;
mod numbers;
mod october;
mod privacy;

use std::fs;
use std::path::PathBuf;
use std::process::Output;

use self::cases::{cases, malformed};
use crate::common::*;

struct Setup {
    site: TempSite,
    data: PathBuf,
    out: PathBuf,
}

fn setup() -> Setup {
    let site = TempSite::fixture();
    let data = site.root().join("data");
    for case in cases() {
        site.write(&format!("data/{}", case.rel_path()), case.yaml());
    }
    let (rel, text, _) = malformed();
    site.write(&format!("data/{rel}"), text);
    let out = site.root().join("laporan");
    Setup { site, data, out }
}

impl Setup {
    fn report(&self, month: &str, on: &str) -> Output {
        run(&[
            "report",
            "--month",
            month,
            "--on",
            on,
            "--root",
            self.site.root_str(),
            "--data",
            self.data.to_str().unwrap(),
            "--out",
            self.out.to_str().unwrap(),
        ])
    }

    fn written(&self, month: &str, on: &str) -> (String, String, Output) {
        let output = self.report(month, on);
        assert!(
            output.status.success(),
            "report failed:\n{}\n{}",
            stdout(&output),
            stderr(&output)
        );
        let html = fs::read_to_string(self.out.join(format!("laporan-{month}.html"))).unwrap();
        let csv = fs::read_to_string(self.out.join(format!("laporan-{month}.csv"))).unwrap();
        (html, csv, output)
    }
}
