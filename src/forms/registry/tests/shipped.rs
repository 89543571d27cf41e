//! The shipped form files: the facts of the standard, the documentation's
//! example, the fixture's copies.

use super::super::*;
use crate::forms::spec::{Need, Role, Until};

/// What the code relied on when the two forms were Rust: the roles, the
/// NIK, the split of the report, the terms and what purge keeps.
#[test]
fn shipped_forms_keep_the_facts_of_the_standard() {
    let forms = Forms::builtin();
    assert_eq!(forms.len(), 2);
    let kp = forms.by_prefix("KP").unwrap();
    let pl = forms.by_prefix("PL").unwrap();
    assert_eq!((&*kp.id, &*pl.id), ("permohonan", "pengaduan-layanan"));
    let role = |spec: &FormSpec, r| spec.role(r).map(|f| f.name.clone());
    assert_eq!(role(kp, Role::Name).as_deref(), Some("nama"));
    assert_eq!(role(kp, Role::Phone).as_deref(), Some("telepon"));
    assert_eq!(role(kp, Role::Email).as_deref(), Some("email"));
    assert_eq!(kp.nik_field().unwrap().name, "nik");
    assert_eq!(kp.report_by.as_deref(), Some("jenis"));
    assert_eq!((kp.term.days, kp.term.until), (Some(5), Until::Selesai));
    assert_eq!(role(pl, Role::Name).as_deref(), Some("nama"));
    assert_eq!(role(pl, Role::Phone).as_deref(), Some("kontak"));
    assert_eq!(role(pl, Role::Email).as_deref(), Some("kontak"));
    assert!(pl.nik_field().is_none());
    assert_eq!((pl.term.days, pl.term.until), (Some(3), Until::Tanggapan));
    // Purge keeps `jenis` only; the acknowledgement holds no personal data.
    let kept = |spec: &FormSpec| -> Vec<String> {
        spec.fields
            .iter()
            .filter(|f| !f.personal)
            .map(|f| f.name.clone())
            .collect()
    };
    assert_eq!(kept(kp), ["jenis", "persetujuan"]);
    // The citizen's ask for confidentiality is a yes or no, kept with the
    // case after a purge (issue 28).
    assert_eq!(kept(pl), ["rahasia", "persetujuan"]);
    assert_eq!(role(pl, Role::Confidential).as_deref(), Some("rahasia"));
    assert_eq!(role(kp, Role::Confidential), None);
}

/// The SK's procedure for requests, and the office's own for complaints
/// about the service (cek administrasi, koordinasi internal/eksternal).
#[test]
fn shipped_steps_follow_the_standard() {
    let forms = Forms::builtin();
    let walk = |id: &str| -> Vec<(String, Vec<String>, Vec<Need>, bool)> {
        forms
            .get(id)
            .unwrap()
            .steps
            .iter()
            .map(|s| (s.id.clone(), s.next.clone(), s.needs.clone(), s.is_final))
            .collect()
    };
    let kp = walk("permohonan");
    assert_eq!(kp[0].0, "baru");
    let ids: Vec<&str> = kp.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        ids,
        [
            "baru",
            "diperiksa",
            "menunggu-kelengkapan",
            "konsultasi-diberikan",
            "pertemuan-dijadwalkan",
            "selesai",
            "ditolak"
        ]
    );
    assert_eq!(kp[1].2, [Need::FilesComplete]);
    // Incomplete documents are asked of the citizen, then checked again.
    let waiting = forms
        .get("permohonan")
        .unwrap()
        .step("menunggu-kelengkapan")
        .unwrap();
    assert!(waiting.asks_citizen);
    assert_eq!(waiting.next, ["diperiksa", "ditolak"]);
    assert!(kp[1].1.contains(&"menunggu-kelengkapan".to_string()));
    assert_eq!(kp[4].2, [Need::Meeting]);
    assert_eq!(
        (kp[5].2.as_slice(), kp[5].3),
        ([Need::Result].as_slice(), true)
    );
    assert_eq!(
        (kp[6].2.as_slice(), kp[6].3),
        ([Need::Reason].as_slice(), true)
    );
    let pl = walk("pengaduan-layanan");
    let ids: Vec<&str> = pl.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        ids,
        [
            "baru",
            "cek-administrasi",
            "koordinasi",
            "ditanggapi",
            "selesai",
            "ditolak"
        ]
    );
    // Records written before the complaint procedure had its own steps.
    let spec = forms.get("pengaduan-layanan").unwrap();
    assert_eq!(spec.step("diperiksa").unwrap().id, "cek-administrasi");
}

#[test]
fn shipped_forms_answer_lookups() {
    let forms = Forms::builtin();
    let kp = forms.get("permohonan").unwrap();
    let files: Vec<&str> = kp.file_fields().map(|f| f.name.as_str()).collect();
    assert_eq!(files, ["ktp", "dokumen_1", "dokumen_2", "dokumen_3"]);
    assert_eq!(kp.verb(), ("diselesaikan", "selesai"));
    assert_eq!(
        kp.field("termohon_nama").unwrap().need_text(kp),
        "wajib untuk fasilitasi pengaduan masalah usaha mikro"
    );
    assert_eq!(kp.field("ktp").unwrap().error_label(), "foto KTP");
    assert_eq!(kp.field("nik").unwrap().error_label(), "NIK");
    let pl = forms.by_prefix("PL").unwrap();
    assert_eq!(pl.verb(), ("ditanggapi", "ditanggapi"));
    assert!(pl.step("konsultasi-diberikan").is_none());
    assert!(forms.by_prefix("XX").is_none() && forms.get("lain").is_none());
    let ids: Vec<&str> = forms.iter().map(|f| &*f.id).collect();
    assert_eq!(ids, ["pengaduan-layanan", "permohonan"]);
}

/// Every line of the example in docs/formulir.md is in the shipped file.
#[test]
fn the_reference_quotes_the_shipped_file() {
    let doc = include_str!("../../../../docs/formulir.md");
    let shipped = include_str!("../../../../forms/permohonan.yaml");
    let example = doc
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let mut quoted = 0;
    for line in example.lines().filter(|l| !l.trim_start().starts_with('#')) {
        assert!(shipped.lines().any(|s| s == line), "{line}");
        quoted += 1;
    }
    assert!(quoted > 30, "{quoted}");
}

#[test]
fn the_fixture_site_ships_the_same_form_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for id in ["permohonan", "pengaduan-layanan"] {
        let shipped = std::fs::read(root.join("forms").join(format!("{id}.yaml"))).unwrap();
        let fixture = std::fs::read(
            root.join("tests/fixtures/site/forms")
                .join(format!("{id}.yaml")),
        )
        .unwrap();
        assert_eq!(shipped, fixture, "{id}");
    }
    let (forms, diags) = Forms::load(&root.join("tests/fixtures/site"));
    assert!(diags.is_empty(), "{diags:?}");
    let ids: Vec<&str> = forms.iter().map(|f| &*f.id).collect();
    assert_eq!(ids, ["pengaduan-layanan", "permohonan"]);
    assert_eq!(
        forms.get("permohonan").unwrap().path,
        Path::new("forms/permohonan.yaml")
    );
}
