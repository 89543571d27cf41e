//! Staff accounts' roles and profiles (issue 28): `loket staff add|set|list`
//! with roles, forms, full name, NIP and position; accounts from before
//! roles given theirs when the server starts; an admin's `/staf/` page;
//! staff named by their profiles on the desk.

use std::fs;

use reqwest::StatusCode;

use super::roles::add_with;
use super::*;
use crate::common::TempSite;

const NIP: &str = "198001012005011001";

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", crate::common::stderr(out));
    crate::common::stdout(out)
}

fn failed(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "{}", crate::common::stdout(out));
    crate::common::stderr(out)
}

#[test]
fn roles_forms_and_profiles_on_the_command_line() {
    let site = TempSite::fixture();
    let data = site.root().join("data");
    let root = site.root_str();
    let add = |name: &str, args: &[&str]| {
        let mut all = vec!["add", name, "--password-stdin", "--root", root];
        all.extend(args);
        staff(&data, &all, &format!("{PASSWORD}\n"))
    };
    // A NIP is 18 digits; spaces between them are dropped.
    for bad in ["12345", "19800101200501100X", "1980010120050110011"] {
        let e = failed(&add("rina", &["--nip", bad]));
        assert!(e.contains("18 digits"), "{bad}: {e}");
    }
    assert!(failed(&add("rina", &["--role", "kepala"])).contains("not a role"));
    let e = failed(&add("rina", &["--form", "izin-usaha"]));
    assert!(e.contains("not a form of this site"), "{e}");
    assert!(!data.join("staff.yaml").exists(), "nothing written");

    let said = ok(&add(
        "rina",
        &[
            "--role",
            "petugas",
            "--form",
            "permohonan",
            "--full-name",
            "  Rina   Wulandari, S.E. ",
            "--nip",
            "19800101 200501 1 001",
            "--position",
            "Analis Pemberdayaan Usaha Mikro",
        ],
    ));
    assert!(said.contains("petugas forms permohonan"), "{said}");
    ok(&add("kadis", &["--role", "pimpinan", "--role", "admin"]));
    let list = ok(&staff(&data, &["list"], ""));
    let rina = list.lines().find(|l| l.starts_with("rina\t")).unwrap();
    for shown in [
        "roles petugas",
        "forms permohonan",
        "full name Rina Wulandari, S.E.",
        &format!("NIP {NIP}"),
        "position Analis Pemberdayaan Usaha Mikro",
    ] {
        assert!(rina.contains(shown), "{shown}: {rina}");
    }
    assert!(
        list.contains("kadis\troles pimpinan,admin\tforms all"),
        "{list}"
    );
    assert!(!list.contains("argon2"), "no hashes: {list}");

    let set = |args: &[&str]| {
        let mut all = vec!["set"];
        all.extend(args);
        all.extend(["--root", root]);
        staff(&data, &all, "")
    };
    assert!(failed(&set(&["rina"])).contains("nothing to change"));
    assert!(failed(&set(&["rina", "--nip", "1980"])).contains("18 digits"));
    let e = failed(&set(&["kadis", "--role", "pimpinan"]));
    assert!(e.contains("admin"), "the last admin stays: {e}");
    ok(&set(&[
        "rina",
        "--role",
        "pengelola-pengaduan",
        "--all-forms",
        "--position",
        "Pejabat Pengelola Pengaduan",
    ]));
    let list = ok(&staff(&data, &["list"], ""));
    assert!(
        list.contains("rina\troles pengelola-pengaduan\tforms all"),
        "{list}"
    );
    assert!(list.contains("position Pejabat Pengelola Pengaduan"));

    let added = audited(&data, "account-added");
    assert_eq!(added.len(), 2);
    assert_eq!(
        added[0][4],
        "cli account rina roles petugas forms permohonan"
    );
    let roles = audited(&data, "roles-changed");
    assert_eq!(roles.len(), 1, "{roles:?}");
    assert_eq!(
        roles[0][4],
        "cli account rina roles pengelola-pengaduan all forms"
    );
    assert!(!roles[0][1].is_empty() && roles[0][1] != "-", "who did it");
    let profile = audited(&data, "profile-changed");
    assert_eq!(profile.len(), 2, "{profile:?}");
    assert_eq!(profile[0][4], "cli account rina full-name,nip,position");
    assert_eq!(profile[1][4], "cli account rina position");
    let log = audit_lines(&data).join("\n");
    assert!(!log.contains(NIP) && !log.contains("Wulandari"), "{log}");
}

/// Accounts written before roles: the server gives the first petugas and
/// admin, the others petugas, in `staff.yaml`, and says so once.
#[tokio::test]
async fn accounts_from_before_roles_get_theirs_when_the_server_starts() {
    let site = TempSite::fixture();
    let data = site.root().join("data");
    for name in ["budi", "siti", "agus"] {
        assert!(add_staff(&data, name, PASSWORD).status.success());
    }
    let file = data.join("staff.yaml");
    let old: String = fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter(|l| !matches!(l.trim(), "roles:" | "- petugas" | "- admin"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!old.contains("petugas"), "{old}");
    fs::write(&file, &old).unwrap();

    let server = Server::launch(site, data.clone(), &["--rate-limit", "0"]);
    let text = fs::read_to_string(&file).unwrap();
    let roles_of = |name: &str| {
        let at = text.find(&format!("name: {name}\n")).unwrap();
        let rest = &text[at..];
        let end = rest[1..].find("- name:").map_or(rest.len(), |e| e + 1);
        rest[..end].to_string()
    };
    assert!(roles_of("budi").contains("- petugas\n  - admin"), "{text}");
    for name in ["siti", "agus"] {
        let entry = roles_of(name);
        assert!(
            entry.contains("- petugas") && !entry.contains("admin"),
            "{entry}"
        );
    }
    let log = server.stderr_now();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("before roles")).collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("budi, siti, agus"), "{log}");

    let mut budi = DeskClient::signed_in(&server, "budi").await;
    assert_eq!(budi.get("/staf/").await.status, StatusCode::OK);
    let mut siti = DeskClient::signed_in(&server, "siti").await;
    assert_eq!(siti.get("/staf/").await.status, StatusCode::FORBIDDEN);
    assert_eq!(siti.get("/").await.status, StatusCode::OK);
}

/// An admin adds an account and changes another's roles and profile on
/// `/staf/`: checked as on the command line, with CSRF, audited by name,
/// and in force at the next request.
#[tokio::test]
async fn an_admin_manages_staff_on_the_desk() {
    let server = Server::start_at("2026-12-02 09:00:00");
    let ticket = submit(&server).await;
    add_with(&server, "admin", &["--role", "admin"]);
    add_with(&server, "rina", &["--role", "petugas"]);
    let mut admin = DeskClient::signed_in(&server, "admin").await;
    let home = admin.get("/").await;
    assert_eq!(
        home.header("location"),
        "/staf/",
        "an admin alone starts at the staff page"
    );
    let page = admin.get("/staf/").await;
    assert!(page.body.contains("rina") && !page.body.contains("argon2"));
    let csrf = page.csrf();
    let staff_file = fs::read(server.data.join("staff.yaml")).unwrap();

    let new = [
        ("aksi", "tambah"),
        ("nama", "dewi"),
        ("sandi", PASSWORD),
        ("peran", "pengelola-pengaduan"),
        ("nama_lengkap", "Dewi Lestari"),
        ("nip", "1980 0101"),
        ("jabatan", "Pejabat Pengelola Pengaduan"),
    ];
    let forged = admin.post("/staf/", &new).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    let bad = admin
        .post("/staf/", &[&new[..], &[("csrf", &csrf)]].concat())
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("NIP harus 18 angka"), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"Dewi Lestari\""),
        "typed values kept"
    );
    assert_eq!(
        fs::read(server.data.join("staff.yaml")).unwrap(),
        staff_file
    );

    let mut good = new.to_vec();
    good[5] = ("nip", NIP);
    good.push(("csrf", &csrf));
    let added = admin.post("/staf/", &good).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let list = admin.get(added.header("location")).await;
    assert!(
        list.body.contains("Akun dewi sudah disimpan."),
        "{}",
        list.body
    );
    assert!(list.body.contains("Dewi Lestari") && list.body.contains(NIP));
    let mut dewi = DeskClient::signed_in(&server, "dewi").await;
    assert!(
        dewi.get("/")
            .await
            .body
            .contains("Masuk sebagai <strong>Dewi Lestari (Pejabat Pengelola Pengaduan)</strong>")
    );

    let mut rina = DeskClient::signed_in(&server, "rina").await;
    assert_eq!(
        rina.get(&format!("/kasus/{ticket}/")).await.status,
        StatusCode::OK
    );
    let form = admin.get("/staf/?ubah=rina").await;
    assert!(
        form.body.contains("name=\"aksi\" value=\"ubah\""),
        "{}",
        form.body
    );
    let changed = admin
        .post(
            "/staf/",
            &[
                ("csrf", &csrf),
                ("aksi", "ubah"),
                ("nama", "rina"),
                ("peran", "petugas"),
                ("formulir", "pengaduan-layanan"),
                ("nama_lengkap", "Rina Wulandari"),
                ("nip", ""),
                ("jabatan", "Analis"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let now = rina.get(&format!("/kasus/{ticket}/")).await;
    assert_eq!(
        now.status,
        StatusCode::NOT_FOUND,
        "no longer her form's case"
    );

    let added = audited(&server.data, "account-added");
    let last = added.last().unwrap();
    assert_eq!(
        (last[1].as_str(), last[4].as_str()),
        ("admin", "account dewi roles pengelola-pengaduan all forms")
    );
    let roles = audited(&server.data, "roles-changed");
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0][1], "admin");
    assert_eq!(
        roles[0][4],
        "account rina roles petugas forms pengaduan-layanan"
    );
    let profile = audited(&server.data, "profile-changed");
    assert_eq!(
        profile.last().unwrap()[4],
        "account rina full-name,position"
    );
}

/// A step's history line and the page header name the staff member by
/// full name and position, not by login.
#[tokio::test]
async fn the_case_history_names_staff_by_their_profile() {
    let server = Server::start_at("2026-12-02 09:00:00");
    let ticket = submit(&server).await;
    let profile = [
        "--full-name",
        "Rina Wulandari",
        "--position",
        "Analis Pelayanan",
    ];
    add_with(
        &server,
        "rina",
        &[&["--role", "petugas"][..], &profile].concat(),
    );
    let mut rina = DeskClient::signed_in(&server, "rina").await;
    let path = format!("/kasus/{ticket}/");
    let page = rina.get(&path).await;
    let step = rina
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("versi", &page.hidden("versi")),
                ("langkah", "ditolak"),
                ("catatan", "Bukan usaha mikro"),
            ],
        )
        .await;
    assert_eq!(step.status, StatusCode::SEE_OTHER, "{}", step.body);
    let page = rina.get(&path).await;
    assert!(
        page.body.contains("oleh Rina Wulandari (Analis Pelayanan)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("oleh rina"));
    assert!(
        page.body
            .contains("Masuk sebagai <strong>Rina Wulandari (Analis Pelayanan)</strong>")
    );
}
