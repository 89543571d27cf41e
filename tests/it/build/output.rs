//! The output as a whole: every page accessible, light and self-contained,
//! every internal link resolving, the sitemap and 404; and output folders
//! that cannot or must not be written.

use std::fs;

use super::*;
use crate::common::*;

#[test]
fn every_page_is_accessible_light_and_self_contained() {
    let site = built_fixture_site();
    let out = site.out();
    let css = fs::metadata(out.join("css/site.css")).unwrap().len();
    // The one script of the public site: the photo script of the form
    // pages, under its content-hashed URL.
    let hashed = fs::read_dir(out.join("js"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("foto.") && n.ends_with(".js") && n != "foto.js")
        .expect("the photo script's hashed copy");
    let photo_script = format!("<script src=\"/js/{hashed}\" defer></script>");
    let photo_script = photo_script.as_str();
    let js = fs::metadata(out.join("js/foto.js")).unwrap().len();
    let mut pages = 0;
    for (rel, bytes) in snapshot(&out) {
        if rel.extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8(bytes.clone()).unwrap();
        let name = rel.display();
        assert!(html.contains("<html lang=\"id\">"), "{name}: lang");
        let scripted = html.contains(photo_script);
        assert!(
            !html.replace(photo_script, "").contains("<script"),
            "{name}: no JavaScript but the photo script"
        );
        assert_eq!(
            scripted,
            html.contains("enctype=\"multipart/form-data\""),
            "{name}: the photo script on the form pages only"
        );
        assert!(!html.contains("style=\""), "{name}: no inline style");
        assert!(html.contains("href=\"#isi\""), "{name}: skip link");
        assert!(html.contains("<main"), "{name}: main landmark");
        assert!(html.contains("Terakhir diperbarui"), "{name}: last updated");
        assert!(html.contains("name=\"viewport\""), "{name}: viewport");
        let total = bytes.len() as u64 + css + if scripted { js } else { 0 } + 1024;
        assert!(
            total <= 30 * 1024,
            "{name}: {total} bytes with CSS and script"
        );
        // Only our own host is ever asked for a resource.
        for src in attr_values(&html, "src") {
            assert!(
                src.starts_with('/') && !src.starts_with("//"),
                "{name}: src {src}"
            );
        }
        for tag in html.split("<link ").skip(1) {
            let href = attr_values(tag, "href")[0];
            let rel_attr = attr_values(tag, "rel")[0];
            if rel_attr != "canonical" {
                assert!(href.starts_with('/'), "{name}: <link> to {href}");
            }
        }
    }
    assert!(
        pages >= 7,
        "home, layanan, service, permohonan, pengaduan, its form, 404"
    );
}

#[test]
fn every_internal_link_resolves() {
    let site = built_fixture_site();
    let out = site.out();
    for (rel, bytes) in snapshot(&out) {
        if rel.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for value in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if !value.starts_with('/') || value.starts_with("//") {
                continue;
            }
            // Made by `loket serve`, not the build (in every page's menu).
            if value == "/cek-status/" {
                continue;
            }
            let path = value.split('#').next().unwrap().trim_start_matches('/');
            let file = if path.is_empty() || path.ends_with('/') {
                out.join(path).join("index.html")
            } else {
                out.join(path)
            };
            assert!(
                file.is_file(),
                "{}: link {value} has no file",
                rel.display()
            );
        }
    }
}

#[test]
fn sitemap_and_404_are_written() {
    let site = built_fixture_site();
    let sitemap = fs::read_to_string(site.out().join("sitemap.xml")).unwrap();
    let base = "http://127.0.0.1:8080";
    for url in [
        "/",
        "/layanan/",
        "/layanan/fasilitasi-usaha-mikro/",
        "/permohonan/",
        "/pengaduan-layanan/",
        "/pengaduan-layanan/formulir/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{base}{url}</loc>")),
            "sitemap has {url}"
        );
    }
    let not_found = fs::read_to_string(site.out().join("404.html")).unwrap();
    assert!(not_found.contains("Halaman tidak ditemukan"));
    // git keeps public/ through its .gitignore; a build keeps it too.
    let repo_public = repo_root().join("public/.gitignore");
    assert!(repo_public.is_file());
}

#[test]
fn output_path_that_is_a_file_is_refused() {
    let site = TempSite::fixture();
    let out_file = site.root().join("keluaran");
    fs::write(&out_file, "bukan folder").unwrap();
    let out = run(&[
        "build",
        "--root",
        site.root_str(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&out_file).unwrap(), "bukan folder");
}

#[test]
fn output_under_a_file_is_refused() {
    let site = TempSite::fixture();
    let blocker = site.root().join("berkas");
    fs::write(&blocker, "x").unwrap();
    let out = run(&[
        "build",
        "--root",
        site.root_str(),
        "--out",
        blocker.join("public").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot write the site"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn output_folder_that_would_swallow_the_site_is_refused() {
    let site = TempSite::fixture();
    for out in [
        site.root().to_path_buf(),
        site.root().join("content/public"),
        site.root().parent().unwrap().to_path_buf(),
    ] {
        let before = snapshot(site.root());
        let result = run(&[
            "build",
            "--root",
            site.root_str(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!result.status.success(), "{} accepted", out.display());
        assert!(
            stderr(&result).contains("must not be the site folder"),
            "{}",
            stderr(&result)
        );
        assert_eq!(snapshot(site.root()), before);
    }
}
