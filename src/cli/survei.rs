//! `loket survei`: a period's Survei Kepuasan Masyarakat results from the
//! data folder, as text, JSON (one [`Summary`] object), CSV or a printable
//! HTML file. Messages are in Indonesian: staff read them.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use time::Date;

use super::{Folders, date_arg};
use crate::cases::report::Period;
use crate::core::{csv, dates};
use crate::office::config::SiteConfig;
use crate::office::templates::{SURVEY_REPORT_TEMPLATE, TEMPLATES_DIR, Templates};
use crate::survey::Range;
use crate::survey::store::Surveys;
use crate::survey::summary::Summary;
use crate::survey::view::SummaryView;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("range").required(true).args(["from", "period"])))]
pub struct SurveiArgs {
    /// First day of the results (YYYY-MM-DD), included.
    #[arg(long, value_parser = date_arg, requires = "to")]
    from: Option<Date>,
    /// Last day of the results (YYYY-MM-DD), included.
    #[arg(long, value_parser = date_arg, requires = "from")]
    to: Option<Date>,
    /// A report period instead of --from/--to: 2026-11, 2026-Q4, 2026-S2 or 2026.
    #[arg(long, value_parser = Period::parse, conflicts_with_all = ["from", "to"])]
    period: Option<Period>,
    /// Output format: text for reading, json (one object), csv (for a
    /// spreadsheet), html (a printable report).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    folders: Folders,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
    Html,
}

pub fn survei(args: SurveiArgs) -> anyhow::Result<ExitCode> {
    let range = match (args.period, args.from, args.to) {
        (Some(period), _, _) => Range::from(&period),
        (None, Some(from), Some(to)) if from <= to => Range::between(from, to),
        (None, Some(from), Some(to)) => anyhow::bail!(
            "--from ({}) jatuh sesudah --to ({}); tukar keduanya",
            dates::format_iso(from),
            dates::format_iso(to)
        ),
        _ => anyhow::bail!("sebutkan --from dan --to, atau --period"),
    };
    let data = args.folders.data();
    if !data.is_dir() {
        anyhow::bail!(
            "tidak ada folder data di {} (tunjukkan dengan --data)",
            data.display()
        );
    }
    let (summary, answers) = Surveys::new(&data)
        .summary(&range)
        .with_context(|| format!("jawaban survei di {} tidak dapat dibaca", data.display()))?;
    let unreadable = answers.unreadable.len();
    let mut out = io::stdout().lock();
    match args.format {
        Format::Text => write_text(&mut out, &summary)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &summary)?;
            writeln!(out)?;
        }
        Format::Csv => out.write_all(render_csv(&summary).as_bytes())?,
        Format::Html => {
            out.write_all(render_html(&args.folders, &summary, unreadable)?.as_bytes())?
        }
    }
    out.flush()?;
    if unreadable == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    for (path, why) in &answers.unreadable {
        eprintln!(
            "{}: berkas jawaban tidak dapat dibaca: {why}",
            path.display()
        );
    }
    eprintln!("error: {unreadable} berkas jawaban tidak dapat dibaca dan tidak dihitung");
    Ok(ExitCode::FAILURE)
}

fn write_text(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    let v = SummaryView::of(s);
    writeln!(out, "Survei Kepuasan Masyarakat: {}", v.nama_periode)?;
    writeln!(
        out,
        "Responden {} dari populasi {}; sampel minimum {}{}",
        v.responden,
        v.populasi,
        v.sampel_minimum,
        if v.sampel_kurang { " (kurang)" } else { "" }
    )?;
    match v.mutu_kata.as_str() {
        "" => writeln!(out, "IKM: – (ada unsur yang belum dinilai)")?,
        words => writeln!(out, "IKM: {} (mutu {}, {words})", v.ikm, v.mutu)?,
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<4} {:<42} {:>7} {:>6} {:>7} {:>4}",
        "", "Unsur", "Jawaban", "NRR", "Nilai", "Mutu"
    )?;
    for (i, u) in v.unsur.iter().enumerate() {
        writeln!(
            out,
            "U{:<3} {:<42} {:>7} {:>6} {:>7} {:>4}",
            i + 1,
            u.nama,
            u.jawaban,
            u.nrr,
            u.nilai,
            u.mutu
        )?;
    }
    Ok(())
}

/// One row per element, then the unit's index, the population and the
/// minimum sample; decimals with a comma, as a spreadsheet set to
/// Indonesian reads them.
fn render_csv(s: &Summary) -> String {
    let v = SummaryView::of(s);
    // A spreadsheet reads an empty cell as no value, a dash as text.
    let n = |shown: &str| {
        if shown == "–" {
            String::new()
        } else {
            shown.to_string()
        }
    };
    let mut text = csv::BOM.to_string();
    text.push_str(&csv::line(&[
        "periode",
        "unsur",
        "jawaban",
        "nrr",
        "nilai_konversi",
        "mutu",
    ]));
    for (i, u) in v.unsur.iter().enumerate() {
        text.push_str(&csv::line(&[
            v.periode.clone(),
            format!("U{} {}", i + 1, u.nama),
            u.jawaban.to_string(),
            n(&u.nrr),
            n(&u.nilai),
            n(&u.mutu),
        ]));
    }
    let total = |name: &str, count: u32, value: &str, mutu: &str| {
        csv::line(&[
            v.periode.as_str(),
            name,
            &count.to_string(),
            "",
            value,
            mutu,
        ])
    };
    text.push_str(&total(
        "IKM (responden)",
        v.responden,
        &n(&v.ikm),
        &n(&v.mutu),
    ));
    text.push_str(&total("Populasi", v.populasi, "", ""));
    text.push_str(&total("Sampel minimum", v.sampel_minimum, "", ""));
    text
}

/// The printable report, through the site's template when it has one.
fn render_html(folders: &Folders, s: &Summary, unreadable: usize) -> anyhow::Result<String> {
    let config = SiteConfig::load(&folders.root).map_err(|d| {
        anyhow::anyhow!("{d}\n(laporan HTML memerlukan site.yaml untuk kop kantor; pakai --root)")
    })?;
    let templates = if folders.root.join(TEMPLATES_DIR).is_dir() {
        Templates::load(&folders.root)
    } else {
        Templates::builtin()
    }
    .map_err(|diags| {
        super::print_all(&diags);
        anyhow::anyhow!("templat situs bermasalah; tidak ada laporan")
    })?;
    let mut ctx = tera::Context::new();
    ctx.insert("office", &config.to_template_value().office);
    ctx.insert("s", &SummaryView::of(s));
    ctx.insert("made", &dates::format_long(dates::today()));
    ctx.insert("unreadable", &unreadable);
    templates
        .render(SURVEY_REPORT_TEMPLATE, &ctx)
        .map_err(|e| anyhow::anyhow!("{}", crate::office::templates::diagnostic(&e, None)))
}
