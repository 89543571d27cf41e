//! What the built pages publish: the office and its services, the service
//! standard, the complaint channels, titles and section lists, the privacy
//! notice, and what an office publishes only when it is filled in.

use super::*;
use crate::common::*;

fn assert_has_all(page: &str, html: &str, facts: &[&str]) {
    for fact in facts {
        assert!(
            html.contains(fact),
            "page {page} should contain {fact:?}\n---\n{html}"
        );
    }
}

#[test]
fn home_page_names_the_office_and_its_services() {
    let site = built_fixture_site();
    let home = site.page("/");
    assert_has_all(
        "/",
        &home,
        &[
            "Dinas Koperasi dan Usaha Mikro",
            "Pemerintah Kabupaten Jombang",
            "Jl. Presiden KH. Abdurrahman Wahid No.153-155, Candi Mulyo, Kec. Jombang, Kabupaten Jombang, Jawa Timur 61419",
            "(0321) 861494",
            "href=\"tel:+62321861494\"",
            "www.jombangkab.go.id/opd/dinkopum",
            "href=\"/layanan/fasilitasi-usaha-mikro/\"",
            "Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro",
        ],
    );
}

#[test]
fn service_page_publishes_the_standard() {
    let site = built_fixture_site();
    let page = site.page("/layanan/fasilitasi-usaha-mikro/");
    assert_has_all(
        "service",
        &page,
        &[
            "<h1>Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro</h1>",
            "188.4/457/415.26/2023",
            // Persyaratan (3)
            "Masyarakat Pelaku Usaha Mikro Kabupaten Jombang mengajukan secara tertulis pengaduan dan konsultasi kepada Kepala Dinas Usaha Mikro dan UM Kabupaten Jombang",
            "Fotokopi KTP",
            "Menyampaikan surat permohonan tersebut secara langsung atau melalui",
            // Sistem, mekanisme dan prosedur (5)
            "Pemohon mengajukan surat pengaduan atau permohonan fasilitasi konsultasi masalah Usaha Mikro ke Kepala Dinas Usaha Mikro dan UM Kab. Jombang",
            "Petugas memeriksa kelengkapan berkas.",
            "Dalam hal fasilitasi konsultasi, maka Petugas langsung memberikan materi konsultasi sesuai kebutuhan.",
            "Dalam hal fasilitasi pengaduan, Petugas menjadwalkan pertemuan antara pemohon dan termohon guna menyelesaikan permasalahan.",
            "Petugas melaksanakan fasilitasi penyelesaian permasalahan usaha mikro secara langsung di lokasi yang telah ditentukan sesuai kesepakatan.",
            "5 hari kerja",
            "Tidak dipungut biaya",
            "Dokumentasi dan laporan hasil",
            "href=\"/permohonan/\"",
            "href=\"/pengaduan-layanan/\"",
        ],
    );
    for heading in [
        "Persyaratan",
        "Sistem, mekanisme, dan prosedur",
        "Waktu penyelesaian",
        "Biaya/tarif",
        "Produk pelayanan",
        "Penanganan keluhan, saran, dan masukan",
    ] {
        assert!(
            page.contains(&format!(">{heading}</h2>")),
            "heading {heading}"
        );
    }
    // The summary box comes before the prose.
    let summary = page.find("188.4/457/415.26/2023").unwrap();
    let prose = page.find(">Persyaratan</h2>").unwrap();
    assert!(summary < prose, "summary box is at the top");
}

#[test]
fn complaints_page_lists_every_channel() {
    let site = built_fixture_site();
    let page = site.page("/pengaduan-layanan/");
    assert_has_all(
        "pengaduan-layanan",
        &page,
        &[
            "Keluhan, saran, dan masukan disampaikan secara tertulis dengan memuat identitas lengkap dan isinya melalui:",
            "Tatap muka langsung dengan Pejabat Pengelola Pengaduan",
            "Kotak aduan dan saran",
            "href=\"tel:+623218491519\"",
            "(0321) 8491519",
            "href=\"https://wa.me/6282139751135\"",
            "082139751135",
            "href=\"mailto:dinkopum@jombangkab.go.id\"",
            "www.lapor.go.id",
            "SP4N-LAPOR!",
            "https://facebook.com/profile.php?id=100067489682291",
            "instagram.com/dinkopumjombang/",
            "Cek administrasi",
            "Koordinasi internal/eksternal",
            "Respons paling lambat 3 hari kerja sejak keluhan, saran, atau masukan diterima.",
            "Penyelesaian sesuai dengan kondisi dan permasalahan yang ada.",
        ],
    );
}

#[test]
fn page_without_front_matter_takes_its_title_from_the_first_heading() {
    let site = TempSite::fixture();
    site.write(
        "content/tentang.md",
        "# Tentang Kami\n\nHalaman tanpa front matter.\n",
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = site.page("/tentang/");
    assert!(page.contains("<title>Tentang Kami"), "{page}");
    assert!(page.contains("<h1>Tentang Kami</h1>"));
    assert_eq!(
        page.matches("Tentang Kami</h1>").count(),
        1,
        "title not repeated"
    );
    assert!(page.contains("Halaman tanpa front matter."));
}

#[test]
fn sections_list_children_by_weight() {
    let site = TempSite::fixture();
    site.write(
        "content/info/_index.md",
        "---\ntitle: Informasi\n---\nDaftar informasi.\n",
    );
    site.write(
        "content/info/b.md",
        "---\ntitle: Bravo\nweight: 1\n---\nb\n",
    );
    site.write("content/info/a.md", "---\ntitle: Alfa\nweight: 2\n---\na\n");
    site.write(
        "content/info/c.md",
        "---\ntitle: Charlie\nweight: 1\n---\nc\n",
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = site.page("/info/");
    let pos = |t: &str| page.find(t).unwrap_or_else(|| panic!("{t} listed"));
    assert!(pos("Bravo") < pos("Charlie") && pos("Charlie") < pos("Alfa"));
}

/// The privacy notice says what `site.yaml` says, on both forms alike; what
/// the office left out takes loket's default and `check` names it.
#[test]
fn the_privacy_notice_comes_from_site_yaml() {
    let site = TempSite::fixture();
    let text = site.read("site.yaml");
    site.write(
        "site.yaml",
        format!(
            "{text}privacy:\n  legal_basis: \"Dasar contoh kantor.\"\n  retention: {{ attachments_days: 45, records_years: 3 }}\n  shared_with: \"Data Anda tidak diberikan kepada pihak lain.\"\n"
        ),
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let warned = stderr(&out);
    assert!(
        warned.contains("pemberitahuan data pribadi memakai nilai bawaan loket untuk: privacy.purpose_permohonan, privacy.purpose_pengaduan, privacy.ktp_reason, privacy.ktp_tip, privacy.rights, privacy.contact;"),
        "only the keys left out are named: {warned}"
    );
    for url in ["/permohonan/", "/pengaduan-layanan/formulir/"] {
        let page = site.page(url);
        assert_has_all(
            url,
            &page,
            &[
                "Pemberitahuan pelindungan data pribadi",
                "Dasar contoh kantor.",
                "disimpan 45 hari setelah",
                "disimpan 3 tahun setelah selesai",
                "Data Anda tidak diberikan kepada pihak lain.",
                "Saya sudah membaca pemberitahuan pelindungan data pribadi di atas (wajib)",
            ],
        );
    }
    assert!(
        site.page("/permohonan/")
            .contains("Mengapa fotokopi KTP diperlukan")
    );
    assert!(
        !site
            .page("/pengaduan-layanan/formulir/")
            .contains("Mengapa fotokopi KTP diperlukan")
    );
    // A promise the office does not make is not published.
    let shipped = TempSite::fixture();
    assert!(shipped.build().status.success());
    assert!(
        !shipped
            .page("/permohonan/")
            .contains("tidak diberikan kepada pihak lain")
    );
}

/// Each form points to the other at its top; the home page opens with both.
#[test]
fn the_two_kinds_point_to_each_other() {
    let site = built_fixture_site();
    let permohonan = site.page("/permohonan/");
    let keluhan = site.page("/pengaduan-layanan/formulir/");
    let signpost = |html: &str| html.find("class=\"signpost\"").expect("a signpost");
    assert!(signpost(&permohonan) < permohonan.find("<form").unwrap());
    assert!(permohonan[signpost(&permohonan)..].contains("href=\"/pengaduan-layanan/formulir/\""));
    assert!(keluhan[signpost(&keluhan)..].contains("href=\"/permohonan/\""));
    assert!(
        permohonan.contains("href=\"#formulir\""),
        "a link that jumps to the form"
    );
    let home = site.page("/");
    let actions = home.find("class=\"actions\"").unwrap();
    assert!(
        actions < home.find("Situs ini memuat").unwrap(),
        "the calls to action come first"
    );
    assert!(home[actions..].contains("href=\"/permohonan/\""));
    assert!(home[actions..].contains("href=\"/pengaduan-layanan/formulir/\""));
}

/// What an office is expected to publish is shown only when filled in.
#[test]
fn optional_publications_only_when_filled_in() {
    let site = TempSite::fixture();
    assert!(site.build().status.success());
    let before = site.page("/");
    for absent in [
        "Jam layanan",
        "Maklumat pelayanan",
        "survei kepuasan",
        "Kotak aduan dan saran:",
        "Pejabat Pengelola Pengaduan:",
        "di peta",
    ] {
        assert!(!before.contains(absent), "{absent} is not invented");
    }
    let text = site
        .read("site.yaml")
        .replace("  website: ", "  hours: \"Senin–Jumat 08.00–15.00 WIB\"\n  map_url: \"https://peta.contoh/kantor\"\n  website: ");
    site.write(
        "site.yaml",
        format!(
            "{text}publish:\n  maklumat: \"Kami sanggup melayani sesuai standar.\"\n  survey_url: \"https://skm.contoh/isi\"\n  complaints_officer: \"Sekretaris Dinas\"\n  complaint_box: \"lobi kantor\"\n"
        ),
    );
    let service = "content/layanan/fasilitasi-usaha-mikro.md";
    let page = site.read(service).replace(
        "  complaint_days: 3",
        "  decree_pdf: \"/dokumen/sk.pdf\"\n  complaint_days: 3",
    );
    site.write(service, page);
    // The PDF must exist: a link to a missing file is an error.
    let out = site.build();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("service.decree_pdf: tautan rusak \"/dokumen/sk.pdf\""),
        "{}",
        stderr(&out)
    );
    site.write("static/dokumen/sk.pdf", "%PDF-1.4\n%%EOF\n");
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let home = site.page("/");
    assert_has_all(
        "home",
        &home,
        &[
            "Jam layanan: Senin–Jumat 08.00–15.00 WIB",
            "href=\"https://peta.contoh/kantor\"",
            "<h2 id=\"maklumat-pelayanan\">Maklumat pelayanan</h2>",
            "Kami sanggup melayani sesuai standar.",
            "href=\"https://skm.contoh/isi\"",
            "Pejabat Pengelola Pengaduan: Sekretaris Dinas",
            "Kotak aduan dan saran: lobi kantor",
        ],
    );
    assert!(
        site.page("/layanan/fasilitasi-usaha-mikro/")
            .contains("<a href=\"/dokumen/sk.pdf\">188.4/457/415.26/2023 (PDF)</a>")
    );
    // The maklumat counts as the standard's jaminan pelayanan.
    let err = stderr(&site.check());
    assert!(
        err.contains("catatan: standar pelayanan memuat 7 dari 14 komponen"),
        "{err}"
    );
}

/// The complaint form `/cek-status/` names to a citizen whose case is late
/// must be a page of the site.
#[test]
fn the_complaint_form_named_in_site_yaml_must_exist() {
    let site = TempSite::fixture();
    let config = site.read("site.yaml");
    site.write(
        "site.yaml",
        format!("{config}publish:\n  complaint_form: \"/pengaduan/formulir/\"\n"),
    );
    let out = site.build();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(
            "site.yaml:23: publish.complaint_form: tautan rusak \"/pengaduan/formulir/\""
        ),
        "{}",
        stderr(&out)
    );
    site.write(
        "site.yaml",
        format!("{config}publish:\n  complaint_form: \"/pengaduan-layanan/formulir/\"\n"),
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_site_says_whether_the_online_form_replaces_the_letter() {
    const REPLACES: &str = "<p class=\"letter-note\">Formulir daring ini menggantikan surat tertulis yang diminta standar pelayanan: Anda tidak perlu mengirim surat lagi.</p>";
    const KEPT: &str = "<p class=\"letter-note\">Formulir daring ini tidak menggantikan surat tertulis yang diminta standar pelayanan: surat tetap perlu Anda sampaikan.</p>";
    let pages = [
        "/permohonan/",
        "/pengaduan-layanan/formulir/",
        "/layanan/fasilitasi-usaha-mikro/",
    ];
    let site = TempSite::fixture();
    let yaml = site.read("site.yaml");
    assert!(
        yaml.contains("  online_form_replaces_letter: true\n"),
        "{yaml}"
    );
    for (setting, said, unsaid) in [("true", REPLACES, KEPT), ("false", KEPT, REPLACES)] {
        site.write(
            "site.yaml",
            yaml.replace(
                "online_form_replaces_letter: true",
                &format!("online_form_replaces_letter: {setting}"),
            ),
        );
        let out = site.build();
        assert!(out.status.success(), "{}", stderr(&out));
        for url in pages {
            let html = site.page(url);
            assert!(
                html.contains(said) && !html.contains(unsaid),
                "{url}: {html}"
            );
        }
        assert!(!site.page("/").contains("letter-note"));
    }
    let form = site.page("/permohonan/");
    assert!(
        form.contains("<label for=\"f-ktp\">Foto KTP (pengganti fotokopi KTP) (wajib)</label>"),
        "{form}"
    );
    // Not set: nothing is said, and check asks the office to decide.
    site.write(
        "site.yaml",
        yaml.replace("  online_form_replaces_letter: true\n", ""),
    );
    let out = site.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!site.page("/permohonan/").contains("letter-note"));
    assert!(
        stderr(&site.check())
            .contains("site.yaml:5: peringatan: office.online_form_replaces_letter belum diisi"),
        "{}",
        stderr(&site.check())
    );
}
