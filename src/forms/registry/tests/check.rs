//! `loket check` on a form file: each mistake named at its line.

use super::super::*;
use crate::forms::spec::Role;

/// A small valid form, broken by the tests one mistake at a time.
const GOOD: &str = "title: Pendampingan NIB
noun: permohonan
service: /layanan/nib/
ticket_prefix: NB
term: { days: 3, until: selesai }
fields:
  - { name: nama, label: \"Nama lengkap\", type: text, required: true, personal: true, role: name }
  - { name: jenis_usaha, label: \"Jenis usaha\", type: choice, options: [Kuliner, Lainnya], required: true }
  - name: uraian_lain
    label: \"Sebutkan jenis usaha\"
    type: text
    required: { when: { jenis_usaha: Lainnya } }
steps:
  - { id: baru, status: \"Diterima\", next: [diperiksa, ditolak] }
  - id: diperiksa
    label: \"Berkas lengkap\"
    status: \"Sedang diproses\"
    next: [selesai, ditolak]
  - { id: selesai, label: \"Tandai selesai\", status: \"Selesai\", needs: [result], final: true }
  - { id: ditolak, label: \"Tolak\", status: \"Ditolak\", needs: [reason], final: true }
";

/// The lines `loket check` prints for `text` as forms/x.yaml.
fn problems(text: &str) -> Vec<String> {
    match parse("x", text) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.iter().map(ToString::to_string).collect(),
    }
}

fn broken(from: &str, to: &str) -> Vec<String> {
    assert!(GOOD.contains(from), "{from}");
    problems(&GOOD.replacen(from, to, 1))
}

#[test]
fn a_good_form_passes_and_derives_its_words() {
    let spec = parse("x", GOOD).unwrap();
    assert_eq!(spec.version, 1);
    assert!(!spec.anonymous);
    assert_eq!(spec.verb(), ("diselesaikan", "selesai"));
    let other = spec.field("uraian_lain").unwrap();
    assert_eq!(other.need_text(&spec), "wajib untuk lainnya");
    assert_eq!(other.max_chars(), Some(150));
    assert_eq!(spec.field("nama").unwrap().error_label(), "nama lengkap");
    assert_eq!(spec.first_step().name(), "Baru");
    assert_eq!(
        spec.step("diperiksa").unwrap().label.as_deref(),
        Some("Berkas lengkap")
    );
}

#[test]
fn each_mistake_names_its_line() {
    let cases: [(&str, &str, &[&str]); 22] = [
        (
            "label: \"Nama lengkap\"",
            "lable: \"Nama lengkap\"",
            &["forms/x.yaml:7: kunci `label` wajib ada"],
        ),
        (
            "    type: text\n",
            "    type: text\n    lable: x\n",
            &["forms/x.yaml:12: kunci `lable` tidak dikenal"],
        ),
        (
            "noun: permohonan\n",
            "noun: permohonan\nnon: 1\n",
            &["forms/x.yaml:3: kunci `non` tidak dikenal"],
        ),
        (
            "type: text, required: true",
            "type: telp, required: true",
            &[
                "forms/x.yaml:7: nilai `telp` tidak dikenal; pilih salah satu: text, textarea, nik, phone, email, contact, date, choice, checkbox, file",
            ],
        ),
        (
            "next: [selesai, ditolak]",
            "next: [selesai, selsai]",
            &[
                "forms/x.yaml:18: langkah `diperiksa` menyebut langkah berikutnya `selsai` yang tidak ada",
            ],
        ),
        (
            "next: [diperiksa, ditolak]",
            "next: [ditolak]",
            &[
                "forms/x.yaml:15: langkah `diperiksa` tidak dapat dicapai dari langkah pertama `baru`",
                "forms/x.yaml:19: langkah `selesai` tidak dapat dicapai dari langkah pertama `baru`",
            ],
        ),
        (
            "needs: [result], final: true",
            "needs: [result], final: true, next: [ditolak]",
            &["forms/x.yaml:19: langkah akhir `selesai` tidak boleh punya `next`"],
        ),
        (
            "needs: [result], final: true }",
            "needs: [result] }",
            &[
                "forms/x.yaml:19: langkah `selesai` tidak punya `next` dan bukan langkah akhir; tulis langkah berikutnya, atau `final: true`",
            ],
        ),
        (
            "options: [Kuliner, Lainnya], required: true }",
            "options: [Kuliner, Lainnya], required: true, role: phone }",
            &["forms/x.yaml:8: peran `phone` tidak cocok untuk isian berjenis choice"],
        ),
        (
            "    type: text\n",
            "    type: text\n    role: name\n",
            &[
                "forms/x.yaml:12: peran `name` diberikan dua kali (baris 7 dan 12); satu peran untuk satu isian",
            ],
        ),
        (
            "name: uraian_lain",
            "name: nama",
            &["forms/x.yaml:9: isian `nama` ditulis dua kali; nama isian harus berbeda"],
        ),
        (
            "  - { id: ditolak,",
            "  - { id: selesai, label: x, status: y, final: true }\n  - { id: ditolak,",
            &["forms/x.yaml:20: langkah `selesai` ditulis dua kali; id langkah harus berbeda"],
        ),
        (
            "ticket_prefix: NB",
            "ticket_prefix: Nb",
            &["forms/x.yaml:4: prefiks tiket harus dua huruf kapital, misalnya NB; tertulis `Nb`"],
        ),
        (
            "{ when: { jenis_usaha: Lainnya } }",
            "{ when: { jenis: Lainnya } }",
            &["forms/x.yaml:12: `required: { when }` menyebut isian `jenis` yang tidak ada"],
        ),
        (
            "{ when: { jenis_usaha: Lainnya } }",
            "{ when: { jenis_usaha: Lain } }",
            &[
                "forms/x.yaml:12: isian `jenis_usaha` tidak punya pilihan `Lain`; pilihannya: Kuliner, Lainnya",
            ],
        ),
        (
            "{ when: { jenis_usaha: Lainnya } }",
            "{ when: { nama: Budi } }",
            &[
                "forms/x.yaml:12: `required: { when }` hanya dapat menyebut isian berjenis choice atau checkbox; `nama` berjenis text",
            ],
        ),
        (
            "type: choice, options: [Kuliner, Lainnya]",
            "type: choice",
            &["forms/x.yaml:8: isian `jenis_usaha` berjenis choice tetapi tidak punya `options`"],
        ),
        (
            "personal: true, role: name }",
            "personal: true }",
            &[
                "forms/x.yaml:6: tidak ada isian dengan `role: name`; beri peran itu pada isian nama, atau tulis `anonymous: true` bila formulir boleh dikirim tanpa nama",
            ],
        ),
        (
            "term: { days: 3, until: selesai }",
            "term: { days: 3, hours: 2, until: selesai }",
            &[
                "forms/x.yaml:5: `term` harus memuat tepat satu dari days (hari kerja), calendar_days (hari kalender), atau hours (jam kerja)",
            ],
        ),
        (
            "until: selesai",
            "until: jawab",
            &["forms/x.yaml:5: nilai `jawab` tidak dikenal; pilih salah satu: selesai, tanggapan"],
        ),
        (
            "  - id: diperiksa\n    label: \"Berkas lengkap\"\n",
            "  - id: diperiksa\n",
            &[
                "forms/x.yaml:15: langkah `diperiksa` perlu `label`: judul tindakan yang dilihat petugas",
            ],
        ),
        (
            "name: uraian_lain",
            "name: situs_web",
            &["forms/x.yaml:9: nama isian `situs_web` dipakai loket sendiri; pilih nama lain"],
        ),
    ];
    for (from, to, expected) in cases {
        let got = broken(from, to);
        assert_eq!(got, expected, "{from} → {to}");
    }
    // One need per step (the desk shows one input per step), and the desk's
    // own `pindah` is no step id.
    assert_eq!(
        broken("needs: [result]", "needs: [meeting, result]"),
        [
            "forms/x.yaml:19: langkah `selesai` hanya boleh meminta satu hal di `needs` (meja layanan menampilkan satu isian per langkah); bagi menjadi dua langkah"
        ]
    );
    assert_eq!(
        problems(&GOOD.replace("ditolak", "pindah")),
        [
            "forms/x.yaml:20: id langkah `pindah` dipakai meja layanan untuk memindahkan kasus ke formulir lain; pilih id lain"
        ]
    );
    // An anonymous form needs no name.
    let anonymous = GOOD
        .replacen("personal: true, role: name }", "personal: true }", 1)
        .replacen("title:", "anonymous: true\ntitle:", 1);
    assert_eq!(problems(&anonymous), Vec::<String>::new());
    // An anonymous form asks for no name, contact or NIK (issue 28).
    let named = GOOD.replacen("title:", "anonymous: true\ntitle:", 1);
    assert_eq!(
        problems(&named),
        [
            "forms/x.yaml:8: formulir ini `anonymous: true` (baris 1), tetapi isian `nama` punya `role: name`; formulir anonim tidak meminta identitas (nama, kontak, NIK): hapus isian itu atau hapus `anonymous: true`"
        ]
    );
    let nik = anonymous.replacen(
        "  - { name: jenis_usaha",
        "  - { name: nik, label: NIK, type: nik }\n  - { name: jenis_usaha",
        1,
    );
    assert_eq!(
        problems(&nik),
        [
            "forms/x.yaml:9: formulir ini `anonymous: true` (baris 1), tetapi isian `nik` meminta NIK; formulir anonim tidak meminta identitas (nama, kontak, NIK): hapus isian itu atau hapus `anonymous: true`"
        ]
    );
}

/// An anonymous form's sender cannot be asked for anything: they have no
/// way to answer (issue 28).
#[test]
fn an_anonymous_form_asks_its_sender_nothing() {
    let asking = GOOD
        .replacen("personal: true, role: name }", "personal: true }", 1)
        .replacen("title:", "anonymous: true\ntitle:", 1)
        .replacen(
            "    label: \"Berkas lengkap\"\n",
            "    label: \"Berkas lengkap\"\n    asks_citizen: true\n",
            1,
        );
    assert_eq!(
        problems(&asking),
        [
            "forms/x.yaml:18: langkah `diperiksa` meminta kelengkapan dari pemohon (`asks_citizen`), tetapi formulir ini `anonymous: true`: pengirimnya tidak dapat membuka Cek Status untuk menjawab"
        ]
    );
}

/// `role: confidential` goes on one optional checkbox (issue 28).
#[test]
fn the_confidentiality_box_is_an_optional_checkbox() {
    let with = |field: &str| {
        GOOD.replacen(
            "  - { name: jenis_usaha",
            &format!("{field}\n  - {{ name: jenis_usaha"),
            1,
        )
    };
    let good = with("  - { name: rahasia, label: Rahasiakan, type: checkbox, role: confidential }");
    assert_eq!(problems(&good), Vec::<String>::new());
    let spec = parse("x", &good).unwrap();
    assert_eq!(
        spec.role(Role::Confidential).map(|f| f.name.as_str()),
        Some("rahasia")
    );
    assert_eq!(
        problems(&with(
            "  - { name: rahasia, label: Rahasiakan, type: text, role: confidential }"
        )),
        ["forms/x.yaml:8: peran `confidential` tidak cocok untuk isian berjenis text"]
    );
    assert_eq!(
        problems(&with(
            "  - { name: rahasia, label: Rahasiakan, type: checkbox, required: true, role: confidential }"
        )),
        [
            "forms/x.yaml:8: isian `rahasia` (`role: confidential`) tidak boleh wajib: pemohon memilih sendiri apakah identitasnya dirahasiakan"
        ]
    );
}

/// Values of the wrong shape, inside lists and maps too, are named in
/// staff's words.
#[test]
fn values_of_the_wrong_shape_name_their_line() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "options: [Kuliner, Lainnya]",
            "options: [Kuliner, { value: Lainnya, lable: x }]",
            "forms/x.yaml:8: kunci `lable` tidak dikenal",
        ),
        (
            "type: text, required: true",
            "type: text, max: banyak, required: true",
            "forms/x.yaml:7: nilai tidak sesuai: tertulis \"banyak\", seharusnya bilangan bulat",
        ),
        (
            "type: text, required: true",
            "type: text, required: ya",
            "forms/x.yaml:7: nilai tidak sesuai: tertulis \"ya\", seharusnya true, false, atau { when: { ISIAN: NILAI } }",
        ),
        (
            "{ when: { jenis_usaha: Lainnya } }",
            "{ when: { jenis_usaha: Lainnya, nama: x } }",
            "forms/x.yaml:12: `when` harus menyebut tepat satu ISIAN: NILAI",
        ),
        (
            "role: name }",
            "role: [name, nama] }",
            "forms/x.yaml:7: nilai `nama` tidak dikenal; pilih salah satu: name, phone, email, confidential, respondent, respondent_contact, ktp",
        ),
        (
            "needs: [result]",
            "needs: [hasil]",
            "forms/x.yaml:19: nilai `hasil` tidak dikenal; pilih salah satu: note, reason, result, meeting, files_complete",
        ),
        (
            "steps:\n",
            "steps: baru\nx:\n",
            "forms/x.yaml:13: nilai tidak sesuai: tertulis \"baru\", seharusnya daftar [ … ]",
        ),
    ];
    for (from, to, expected) in cases {
        assert_eq!(broken(from, to), [expected], "{from} → {to}");
    }
}

#[test]
fn a_ticket_prefix_belongs_to_one_form() {
    let other = GOOD.replacen("title: Pendampingan NIB", "title: Lain", 1);
    let (forms, diags) = Forms::from_texts([("nib", GOOD), ("lain", other.as_str())]);
    assert_eq!(forms.len(), 1);
    let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "forms/lain.yaml:4: prefiks tiket `NB` sudah dipakai forms/nib.yaml; pilih dua huruf lain"
        ]
    );
    assert!(forms.by_prefix("NB").is_some());
    assert!(forms.get("lain").is_none());
}

#[test]
fn a_missing_folder_is_the_shipped_forms_and_a_bad_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (forms, diags) = Forms::load(dir.path());
    assert!(diags.is_empty());
    assert_eq!(forms.len(), 2);
    assert!(forms.get("permohonan").is_some());
    std::fs::create_dir(dir.path().join("forms")).unwrap();
    std::fs::write(dir.path().join("forms/nib.yaml"), GOOD).unwrap();
    std::fs::write(dir.path().join("forms/catatan.txt"), "bukan formulir").unwrap();
    std::fs::write(dir.path().join("forms/rusak.yaml"), "title: [\n").unwrap();
    std::fs::write(dir.path().join("forms/lain.yml"), GOOD).unwrap();
    let (forms, diags) = Forms::load(dir.path());
    assert_eq!(forms.iter().map(|f| &*f.id).collect::<Vec<_>>(), ["nib"]);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(
        diags[0].to_string(),
        "forms/lain.yml: peringatan: berkas ini diabaikan: nama berkas formulir harus berakhiran .yaml"
    );
    assert!(diags[1].is_error());
    assert_eq!(diags[1].path, Path::new("forms/rusak.yaml"));
    assert!(diags[1].line.is_some());
}

#[test]
fn next_steps_name_a_branch_of_a_choice() {
    let with = |steps: &str| GOOD.replacen("steps:\n", &format!("next_steps:\n{steps}steps:\n"), 1);
    let good = with(
        "  - \"Petugas memeriksa.\"\n  - { text: \"Hanya kuliner.\", when: { jenis_usaha: Kuliner } }\n",
    );
    let spec = parse("x", &good).unwrap();
    let kuliner = spec.next_steps_for(|f| (f == "jenis_usaha").then_some("Kuliner"));
    assert_eq!(kuliner, ["Petugas memeriksa.", "Hanya kuliner."]);
    let other = spec.next_steps_for(|f| (f == "jenis_usaha").then_some("Lainnya"));
    assert_eq!(other, ["Petugas memeriksa."]);
    let wrong = problems(&with("  - { text: \"A\", when: { jenis_usaha: Batik } }\n"));
    assert!(
        wrong.iter().any(|p| p.contains("`next_steps`: isian `jenis_usaha` tidak punya pilihan `Batik`; pilihannya: Kuliner, Lainnya")),
        "{wrong:?}"
    );
    let not_choice = problems(&with("  - { text: \"A\", when: { nama: Budi } }\n"));
    assert!(
        not_choice.iter().any(|p| p
            .contains("`next_steps`: `when` harus menyebut isian berjenis choice; `nama` bukan")),
        "{not_choice:?}"
    );
}

/// `asks_citizen`: a step between the first and the last may ask the
/// citizen for something; elsewhere, or with a value that is no yes/no,
/// `loket check` says why.
#[test]
fn a_step_that_asks_the_citizen_is_checked() {
    let asking = GOOD.replace(
        "    status: \"Sedang diproses\"\n",
        "    status: \"Sedang diproses\"\n    asks_citizen: true\n",
    );
    let spec = parse("x", &asking).unwrap();
    assert!(spec.step("diperiksa").unwrap().asks_citizen);
    assert!(!spec.step("selesai").unwrap().asks_citizen);
    assert_eq!(
        broken(
            "needs: [result], final: true",
            "needs: [result], asks_citizen: true, final: true"
        ),
        [
            "forms/x.yaml:19: langkah `selesai` tidak dapat meminta kelengkapan dari pemohon (`asks_citizen`): langkah akhir menutup kasus, jadi pemohon tidak dapat lagi mengirim kekurangannya"
        ]
    );
    assert_eq!(
        broken(
            "status: \"Diterima\",",
            "status: \"Diterima\", asks_citizen: true,"
        ),
        [
            "forms/x.yaml:14: langkah `baru` tidak dapat meminta kelengkapan dari pemohon (`asks_citizen`): langkah pertama diambil sebelum petugas memeriksa apa pun"
        ]
    );
    assert_eq!(
        broken(
            "status: \"Diterima\",",
            "status: \"Diterima\", asks_citizen: ya,"
        ),
        ["forms/x.yaml:14: nilai tidak sesuai: tertulis \"ya\", seharusnya true atau false"]
    );
    assert_eq!(
        broken(
            "status: \"Diterima\",",
            "status: \"Diterima\", ask_citizen: true,"
        ),
        ["forms/x.yaml:14: kunci `ask_citizen` tidak dikenal"]
    );
}

/// `referral: { to: [...] }` on a step names where a case may be referred
/// (issue 28).
#[test]
fn a_referral_step_names_its_bodies() {
    let with = |referral: &str| {
        GOOD.replacen(
            "    next: [selesai, ditolak]",
            &format!("    next: [selesai, ditolak, dirujuk]\n  - {{ id: dirujuk, label: Rujuk, status: Dirujuk, final: true, {referral} }}"),
            1,
        )
    };
    let good = with("referral: { to: [Inspektorat Daerah, UPP Saber Pungli] }");
    assert_eq!(problems(&good), Vec::<String>::new());
    let spec = parse("x", &good).unwrap();
    assert_eq!(
        spec.step("dirujuk").unwrap().referral.as_ref().unwrap().to,
        ["Inspektorat Daerah", "UPP Saber Pungli"]
    );
    assert_eq!(
        problems(&with("referral: { to: [] }")),
        [
            "forms/x.yaml:19: langkah `dirujuk`: `referral` perlu `to`, daftar instansi tujuan rujukan (mis. `to: [\"Inspektorat Daerah\"]`)"
        ]
    );
    assert_eq!(
        problems(&with(
            "needs: [note], referral: { to: [Inspektorat Daerah] }"
        )),
        [
            "forms/x.yaml:19: langkah `dirujuk` dengan `referral` tidak boleh punya `needs` atau `asks_citizen`: meja layanan menampilkan satu isian per langkah, di sini tujuan, nomor, dan tanggal surat rujukan"
        ]
    );
}
