//! The form page is built from the form file (forms/ID.yaml): a field added
//! to the file appears on the page, in the file's order, with its label,
//! hint and need, through the component of its type.

use crate::common::*;

/// Input names in page order (radios once), without the hidden fields.
fn field_names(html: &str) -> Vec<String> {
    let form = &html[html.find("<form method=\"post\"").expect("a form")..];
    let mut names: Vec<String> = Vec::new();
    for name in attr_values(form, "name") {
        if ["situs_web", "draf"].contains(&name) {
            continue;
        }
        if names.last().map(String::as_str) != Some(name) {
            names.push(name.to_string());
        }
    }
    names
}

#[test]
fn a_field_added_to_the_form_file_appears_on_its_page() {
    let site = TempSite::fixture();
    let file = site.read("forms/pengaduan-layanan.yaml");
    let added = "  - { name: unit, label: \"Unit layanan yang dituju\", type: text, hint: \"Contoh: bidang koperasi\", required: true, group: \"Tentang layanan\" }\n  \
        - { name: tanggal, label: \"Tanggal kejadian\", type: date, group: \"Tentang layanan\" }\n  \
        - { name: kecamatan, label: \"Kecamatan\", type: choice, options: [Bandarkedungmulyo, Bareng, Diwek, Gudo, Jogoroto, Jombang] }\n  \
        - { name: isi,";
    site.write(
        "forms/pengaduan-layanan.yaml",
        replace(&file, "  - { name: isi,", added, 1),
    );
    let out = site.build();
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let html = site.page("/pengaduan-layanan/formulir/");

    // Exactly the file's fields, in its order (the checkbox after the privacy notice).
    assert_eq!(
        field_names(&html),
        [
            "nama",
            "kontak",
            "unit",
            "tanggal",
            "kecamatan",
            "isi",
            "lampiran",
            "rahasia",
            "persetujuan"
        ],
        "{html}"
    );
    // Label, need and hint from the file; the group as a fieldset.
    for fact in [
        "<legend>Tentang layanan</legend>",
        "<label for=\"f-unit\">Unit layanan yang dituju (wajib)</label>",
        "<p class=\"hint\" id=\"f-unit-hint\">Contoh: bidang koperasi</p>",
        "type=\"text\" id=\"f-unit\" name=\"unit\"",
        "aria-describedby=\"f-unit-hint\"",
        "<label for=\"f-tanggal\">Tanggal kejadian (opsional)</label>",
        "type=\"date\" id=\"f-tanggal\" name=\"tanggal\"",
        // Six options: a select, not radios.
        "<label for=\"f-kecamatan\">Kecamatan (opsional)</label>",
        "<select class=\"input\" id=\"f-kecamatan\" name=\"kecamatan\">",
        "<option value=\"Jogoroto\">Jogoroto</option>",
    ] {
        assert!(html.contains(fact), "{fact:?} missing:\n{html}");
    }
    assert!(!html.contains("type=\"radio\" id=\"f-kecamatan"), "{html}");

    // The other form's choice (two options) stays radios.
    let permohonan = site.page("/permohonan/");
    assert!(permohonan.contains("<legend>Jenis permohonan (wajib)</legend>"));
    assert!(permohonan.contains("type=\"radio\" id=\"f-jenis-pengaduan\" name=\"jenis\""));
}

/// A site's own form.html replaces loket's.
#[test]
fn a_site_may_override_form_html() {
    let site = TempSite::fixture();
    site.write(
        "templates/form.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"own\">{% for g in form.groups %}{% for f in g.fields %}{{ f.label }};{% endfor %}{% endfor %}</p>{% endblock content %}",
    );
    let out = site.build();
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    let html = site.page("/pengaduan-layanan/formulir/");
    assert!(
        html.contains("<p id=\"own\">Nama;Nomor HP/WhatsApp atau surel;Isi keluhan, saran, atau masukan;Lampiran;</p>"),
        "{html}"
    );
}
