//! Broken or odd input: front matter, templates, URLs, encodings, missing
//! folders, links and assets. An error names file and line and leaves the
//! previous output byte-for-byte the same; a warning does not fail the build.

use std::fs;

use crate::common::*;

/// Builds a good site, breaks it with `breakage`, builds again, and checks the
/// build failed with a message containing every `expected` part while the
/// previous output stayed byte-for-byte the same.
fn assert_bad_input(breakage: impl FnOnce(&TempSite), expected: &[&str]) -> String {
    let site = TempSite::fixture();
    assert!(site.build().status.success());
    let before = snapshot(&site.out());
    breakage(&site);
    let out = site.build();
    let err = stderr(&out);
    assert!(!out.status.success(), "build should fail; stderr:\n{err}");
    for part in expected {
        assert!(err.contains(part), "stderr should contain {part:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(&site.out()), before, "previous output untouched");
    let leftovers: Vec<_> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
    err
}

#[test]
fn malformed_yaml_names_file_and_line() {
    let err = assert_bad_input(
        |s| {
            s.write(
                "content/rusak.md",
                "---\ntitle: Rusak\nweight: [1, 2\n---\nisi\n",
            )
        },
        &["content/rusak.md:", "front matter tidak sah"],
    );
    // The YAML problem is reported on a line inside the front matter (2..4).
    let line: usize = err
        .split("content/rusak.md:")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!((2..=4).contains(&line), "line {line} in {err}");
}

#[test]
fn wrong_type_in_front_matter_names_the_line() {
    assert_bad_input(
        |s| {
            s.write(
                "content/rusak.md",
                "---\ntitle: Rusak\n\nweight: sepuluh\n---\nisi\n",
            )
        },
        &["content/rusak.md:4: front matter tidak sah", "weight"],
    );
}

#[test]
fn unclosed_front_matter_is_an_error() {
    assert_bad_input(
        |s| s.write("content/rusak.md", "---\ntitle: Rusak\nisi tanpa penutup\n"),
        &["content/rusak.md:1:", "tidak ditutup dengan baris ---"],
    );
}

#[test]
fn unknown_front_matter_key_is_a_warning_naming_the_key() {
    let site = TempSite::fixture();
    site.write(
        "content/catatan.md",
        "---\ntitle: Catatan\nauthr: Budi\n---\nisi\n",
    );
    let out = site.build();
    assert!(out.status.success(), "a warning does not fail the build");
    let err = stderr(&out);
    assert!(
        err.contains(
            "content/catatan.md:3: peringatan: kunci front matter \"authr\" tidak dikenal"
        ),
        "{err}"
    );
}

#[test]
fn unknown_template_is_an_error() {
    assert_bad_input(
        |s| {
            s.write(
                "content/x.md",
                "---\ntitle: X\ntemplate: tidak-ada.html\n---\nisi\n",
            )
        },
        &[
            "content/x.md:3:",
            "templat \"tidak-ada.html\" untuk /x/ tidak ada",
            "page.html",
        ],
    );
}

#[test]
fn template_syntax_error_names_template_and_line() {
    assert_bad_input(
        |s| {
            let t = s.read("templates/page.html");
            s.write("templates/page.html", format!("{t}\n{{% if %}}\n"));
        },
        &["templates/page.html:"],
    );
}

/// One ignore rule for every loader (`core::fs::is_ignored_name`): an
/// editor's autosave or swap file in `templates/` or `content/` is not read,
/// broken as it is.
#[test]
fn editor_files_beside_templates_and_pages_are_ignored() {
    let site = TempSite::fixture();
    let broken = "{% if %}\n---\ntitle: [\n";
    for name in [
        "templates/#base.html#",
        "templates/.#base.html",
        "templates/base.html~",
        "templates/.base.html.swp",
        "templates/4913",
        "content/#index.md#",
        "content/index.md~",
    ] {
        site.write(name, broken);
    }
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn template_render_error_names_template_line_and_page() {
    let err = assert_bad_input(
        |s| {
            s.write(
                "templates/page.html",
                "{% extends \"base.html\" %}\n{% block content %}\n{{ page.tidak_ada.sama_sekali }}\n{% endblock content %}\n",
            )
        },
        &["templates/page.html:3:", "saat membuat content/"],
    );
    assert!(err.contains(".md"), "{err}");
}

#[test]
fn two_files_for_one_url_is_an_error() {
    assert_bad_input(
        |s| {
            s.write(
                "content/permohonan/_index.md",
                "---\ntitle: Dua\n---\nisi\n",
            )
        },
        &[
            "content/permohonan.md",
            "content/permohonan/_index.md",
            "/permohonan/",
        ],
    );
}

#[test]
fn non_utf8_file_is_an_error() {
    assert_bad_input(
        |s| s.write("content/latin1.md", b"# Judul\n\nCaf\xe9\n"),
        &["content/latin1.md:3:", "bukan UTF-8 yang sah"],
    );
}

#[test]
fn missing_content_folder_is_an_error() {
    assert_bad_input(
        |s| fs::rename(s.root().join("content"), s.root().join("konten")).unwrap(),
        &["folder content/ tidak ada"],
    );
}

#[test]
fn missing_templates_folder_is_an_error() {
    assert_bad_input(
        |s| fs::remove_dir_all(s.root().join("templates")).unwrap(),
        &["folder templates/ tidak ada"],
    );
}

#[test]
fn broken_internal_link_names_file_and_line() {
    assert_bad_input(
        |s| {
            s.write(
                "content/x.md",
                "---\ntitle: X\n---\nBaris satu.\n\nLihat [halaman](/tidak-ada/).\n",
            )
        },
        &["content/x.md:6:", "tautan rusak \"/tidak-ada/\""],
    );
}

#[test]
fn missing_asset_is_an_error() {
    assert_bad_input(
        |s| s.write("content/x.md", "# X\n\n![logo](/img/logo.png)\n"),
        &["content/x.md:3:", "/img/logo.png", "tidak ada di static/"],
    );
}

#[test]
fn service_page_missing_a_component_is_an_error() {
    assert_bad_input(
        |s| {
            let page = s.read("content/layanan/fasilitasi-usaha-mikro.md");
            s.write(
                "content/layanan/fasilitasi-usaha-mikro.md",
                page.replace("## Biaya/tarif", "## Lain-lain"),
            );
        },
        &[
            "content/layanan/fasilitasi-usaha-mikro.md:",
            "belum memuat komponen \"biaya/tarif\"",
        ],
    );
}

/// An office moving old pages in can publish first and mend links after.
#[test]
fn broken_links_can_be_warnings() {
    let site = TempSite::fixture();
    site.write("content/lama.md", "# Lama\n\n[arsip](/arsip-2019/)\n");
    let out = site.build();
    assert!(!out.status.success(), "an error by default");
    let text = site.read("site.yaml");
    site.write("site.yaml", format!("{text}check:\n  broken_links: warn\n"));
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("content/lama.md:3: peringatan: tautan rusak \"/arsip-2019/\""),
        "{}",
        stderr(&out)
    );
}
