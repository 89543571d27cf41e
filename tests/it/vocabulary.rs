//! One vocabulary (docs/glosarium.md): no page, receipt, mail or desk page
//! uses a word the glossary retired. Scans every page the fixture site and
//! the shipped site build, loket's own templates (receipt, `/cek-status/`,
//! form parts, the monthly report), every mail template, every desk template
//! and the error texts of the messages modules.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// Words the glossary retired, in lower case: "pengaduan" for the complaint
/// about the service (it is "keluhan, saran, dan masukan"), "email" and
/// "e-mail" (it is "surel"), "kiriman" (it is "permohonan", "keluhan",
/// "formulir" for citizens, "kasus" for staff).
const RETIRED: [&str; 4] = ["pengaduan", "email", "e-mail", "kiriman"];

/// Phrases that keep "pengaduan" because the office's decree says so (the
/// service's name, its request branch and procedure, an official's title).
/// Lower case; removed before the words are counted.
const ALLOWED: [&str; 6] = [
    "fasilitasi konsultasi, pengaduan dan penyelesaian masalah usaha mikro",
    "pengaduan masalah usaha",
    "fasilitasi pengaduan",
    "surat pengaduan",
    "pengaduan dan konsultasi",
    "pejabat pengelola pengaduan",
];

/// Attributes whose values people read (or hear from a screen reader).
const READ_ATTRIBUTES: [&str; 5] = ["aria-label", "title", "alt", "placeholder", "content"];

/// Removes Tera's `{{ … }}`, `{% … %}` and `{# … #}`: variable names and
/// comments are code, not text.
fn without_template_syntax(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let close = match rest[at..].chars().nth(1) {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                out.push('{');
                rest = &rest[at + 1..];
                continue;
            }
        };
        match rest[at + 2..].find(close) {
            Some(end) => {
                out.push(' ');
                rest = &rest[at + 2 + end + 2..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replaces each HTML tag by the values of the attributes people read:
/// `type="email"`, `name="email"` or `href="/pengaduan-layanan/"` are
/// machine keys, an `aria-label` is text.
fn readable_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        for attr in READ_ATTRIBUTES {
            let key = format!(" {attr}=\"");
            if let Some(start) = tag.find(&key) {
                let value = &tag[start + key.len()..];
                out.push(' ');
                out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
            }
        }
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The retired words in `text`, each with a few words around it.
fn retired_words(text: &str) -> Vec<String> {
    let mut text = text.to_lowercase();
    for phrase in ALLOWED {
        text = text.replace(phrase, " ");
    }
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| RETIRED.contains(w))
        .map(|(i, _)| words[i.saturating_sub(4)..(i + 5).min(words.len())].join(" "))
        .collect()
}

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// The string literals of a Rust file (the messages modules hold the texts
/// citizens and staff read; their code and comments are English).
fn string_literals(rust: &str) -> String {
    rust.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .flat_map(|l| l.split('"').skip(1).step_by(2))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every retired word in the files, as `path: … word …`.
fn scan(files: &[PathBuf], read: impl Fn(&str) -> String) -> Vec<String> {
    let mut found = Vec::new();
    for path in files {
        let text = fs::read_to_string(path).unwrap();
        for hit in retired_words(&read(&text)) {
            found.push(format!("{}: … {hit} …", path.display()));
        }
    }
    found
}

fn built_pages(site: &TempSite) -> Vec<PathBuf> {
    let built = site.build();
    assert!(built.status.success(), "{}", stderr(&built));
    let pages = files_under(&site.out(), "html");
    assert!(pages.len() > 5, "{pages:?}");
    pages
}

#[test]
fn no_page_mail_or_desk_page_uses_a_retired_word() {
    let root = repo_root();
    let mut found = Vec::new();
    for site in [TempSite::fixture(), TempSite::shipped()] {
        found.extend(scan(&built_pages(&site), readable_text));
    }
    let templates = |dir: &str, ext: &str| files_under(&root.join(dir), ext);
    let template_text = |t: &str| readable_text(&without_template_syntax(t));
    for dir in ["templates", "src/site/builtin", "src/desk/templates"] {
        let files = templates(dir, "html");
        assert!(!files.is_empty(), "{dir}");
        found.extend(scan(&files, template_text));
    }
    let mails = templates("src/notify/templates", "txt");
    assert!(mails.len() >= 4, "{mails:?}");
    found.extend(scan(&mails, without_template_syntax));
    let messages = [
        root.join("src/server/messages.rs"),
        root.join("src/desk/messages.rs"),
    ];
    found.extend(scan(&messages, string_literals));
    assert!(found.is_empty(), "retired words:\n{}", found.join("\n"));
}

#[test]
fn the_scan_finds_what_it_must_and_spares_the_decree() {
    let page = "<h1>Cek status kiriman</h1><input type=\"email\" name=\"email\" aria-label=\"Alamat e-mail\">\
                <a href=\"/pengaduan-layanan/\">Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro</a>\
                <p>Pejabat Pengelola Pengaduan; fasilitasi pengaduan masalah usaha mikro. Pengaduan Anda.</p>";
    let hits = retired_words(&readable_text(page));
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(hits[0].contains("kiriman") && hits[1].contains("e-mail"));
    assert!(hits[2].ends_with("pengaduan anda"), "{hits:?}");
    let mail = "- Surel: {{ office.email }}\n{# the email #}Email: x";
    assert_eq!(
        retired_words(&without_template_syntax(mail)),
        ["surel email x"]
    );
}

/// loket's commands: staff read pages and mails, they do not run commands.
const COMMANDS: [&str; 13] = [
    "build", "check", "serve", "config", "inbox", "show", "status", "report", "staff", "verify",
    "backup", "restore", "purge",
];

/// Each `loket COMMAND` in `text`.
fn commands_named(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| w[0] == "loket" && COMMANDS.contains(&w[1]))
        .map(|w| w.join(" "))
        .collect()
}

#[test]
fn staff_pages_and_mails_never_name_a_loket_command() {
    let root = repo_root();
    let mut found = Vec::new();
    let mut look = |files: Vec<PathBuf>, read: &dyn Fn(&str) -> String| {
        assert!(!files.is_empty());
        for path in files {
            let text = read(&fs::read_to_string(&path).unwrap());
            for hit in commands_named(&text) {
                found.push(format!("{}: {hit}", path.display()));
            }
        }
    };
    let template_text = |t: &str| readable_text(&without_template_syntax(t));
    look(
        files_under(&root.join("src/desk/templates"), "html"),
        &template_text,
    );
    let staff_mails = files_under(&root.join("src/notify/templates"), "txt")
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("staf-")
        })
        .collect();
    look(staff_mails, &without_template_syntax);
    look(vec![root.join("src/desk/messages.rs")], &string_literals);
    assert!(
        found.is_empty(),
        "commands named to staff:\n{}",
        found.join("\n")
    );
    assert_eq!(
        commands_named("Minta pengelola server menjalankan loket verify. loket tidak mengirim"),
        ["loket verify"]
    );
}
