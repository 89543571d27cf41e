//! The backup units' commands with real restic (see `units.rs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// The test's restic repository (local, instead of the office's remote
/// one) as /etc/loket/restic.env names it, initialised.
fn repository(machine: &Machine, restic: &Path) -> [(&'static str, PathBuf); 3] {
    let password = machine.etc().join("restic.pass");
    fs::write(&password, "uji-cadangan-rahasia\n").unwrap();
    let env = [
        ("RESTIC_REPOSITORY", machine.dir.path().join("repo")),
        ("RESTIC_PASSWORD_FILE", password),
        ("RESTIC_CACHE_DIR", machine.dir.path().join("cache")),
    ];
    machine.hand_over();
    run_command(
        &[restic.display().to_string(), "init".to_string()],
        &env,
        None,
    );
    env
}

/// The commands of the archive unit, then of the backup unit, as the timer
/// starts them (loket-backup requires loket-archive, after it).
fn backup_commands(machine: &Machine, restic: &Path) -> Vec<Vec<String>> {
    let vars = [("KEEP_WITHIN", "30d"), ("BACKUP_EXTRA", "")];
    let mut commands = machine.commands("loket-archive.service", restic, &vars);
    commands.extend(machine.commands("loket-backup.service", restic, &vars));
    commands
}

#[test]
fn the_backup_units_commands_and_the_restore_drill_work_with_real_restic() {
    let Some(restic) = restic("the backup unit with real restic") else {
        return;
    };
    let machine = Machine::new();
    closed_case(&machine.data(), "KP-20260105-CDFH", "2026-01-10", "selesai");
    closed_case(&machine.data(), "KP-20260212-HJKM", "", "baru");
    let before = machine.inbox(&machine.data());
    let env = repository(&machine, &restic);
    // As docs/deploy.md, "Mail", makes it: root's alone.
    machine.secret(&machine.etc().join("smtp-password"));

    let commands = backup_commands(&machine, &restic);
    assert_eq!(commands.len(), 4, "{commands:?}");
    let mut journal = String::new();
    for argv in &commands {
        let out = try_command(argv, &env, None, true);
        journal += &stdout(&out);
        assert!(
            out.status.success(),
            "{argv:?}:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
    }
    // restic's summary reaches the journal (no --quiet).
    assert!(journal.contains("snapshot "), "{journal}");
    assert!(journal.contains(" saved"), "{journal}");
    let archive = machine.var().join("backup/data.tar");
    assert_eq!(crate::common::submit::mode(&archive) & 0o777, 0o600);

    // The snapshot holds the settings and the drop-ins, not the secrets.
    let listed = try_command(
        &[restic.display().to_string(), "ls".into(), "latest".into()],
        &env,
        None,
        true,
    );
    assert!(listed.status.success(), "{}", stderr(&listed));
    let listed = stdout(&listed);
    assert!(listed.contains("/loket.d/50-kantor.yaml"), "{listed}");
    for secret in ["smtp-password", "restic.pass"] {
        assert!(
            !listed.contains(secret),
            "{secret} in the snapshot:\n{listed}"
        );
    }

    // The drill: the machine is lost; everything comes back from restic.
    let drill = machine.dir.path().join("drill");
    run_command(
        &[
            restic.display().to_string(),
            "restore".into(),
            "latest".into(),
            "--host".into(),
            "loket".into(),
            "--target".into(),
            drill.display().to_string(),
        ],
        &env,
        None,
    );
    let restored_archive = drill.join(archive.strip_prefix("/").unwrap());
    let restored_site = drill.join(machine.var().join("site").strip_prefix("/").unwrap());
    let restored_settings = drill.join(machine.etc().join("loket.yaml").strip_prefix("/").unwrap());
    assert!(restored_site.join("site.yaml").is_file());
    assert!(restored_settings.is_file());
    let data = machine.dir.path().join("restored-data");
    // As the data folder's owner (`sudo -u loket loket restore`): root is
    // refused in a folder that belongs to another user.
    let argv: Vec<String> = [
        loket_bin(),
        "restore",
        restored_archive.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        // The restored site: its form files are what the records are read
        // through (on the VM, /etc/loket/loket.yaml names it).
        "--root",
        restored_site.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = try_command(&argv, &[], None, true);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("2 kasus utuh, 0 masalah"),
        "{}",
        stderr(&out)
    );
    assert_eq!(machine.inbox(&data), before);
}

#[test]
fn a_source_restic_cannot_read_fails_the_backup_and_forgets_nothing() {
    let Some(restic) = restic("the backup unit with real restic") else {
        return;
    };
    let machine = Machine::new();
    closed_case(&machine.data(), "KP-20260105-CDFH", "2026-01-10", "selesai");
    let env = repository(&machine, &restic);
    // A page of the site the backup user cannot read.
    machine.secret(&machine.var().join("site/content/tak-terbaca.md"));

    let vars = [("KEEP_WITHIN", "30d"), ("BACKUP_EXTRA", "")];
    for argv in machine.commands("loket-archive.service", &restic, &vars) {
        run_command(&argv, &env, None);
    }
    let backup = machine.commands("loket-backup.service", &restic, &vars);
    // systemd runs the ExecStart= lines in order and stops, the unit
    // failed, at the first that exits other than 0.
    let out = try_command(&backup[0], &env, None, true);
    assert_eq!(
        out.status.code(),
        Some(3),
        "restic backup:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    // Said in the journal.
    assert!(stderr(&out).contains("tak-terbaca.md"), "{}", stderr(&out));
    assert!(backup[1].contains(&"forget".to_string()), "{backup:?}");
}

/// `argv` as `nobody` holding `caps` (systemd's names, `CAP_DAC_READ_SEARCH`)
/// as ambient capabilities with no new privileges, as systemd starts a
/// unit with `User=`, `AmbientCapabilities=`, `CapabilityBoundingSet=` and
/// `NoNewPrivileges=yes`.
fn as_nobody_with(caps: &[&str], argv: &[String], env: &[(&str, PathBuf)]) -> std::process::Output {
    let caps: Vec<String> = caps
        .iter()
        .map(|c| format!("+{}", c.trim_start_matches("CAP_").to_ascii_lowercase()))
        .collect();
    let mut cmd = Command::new("setpriv");
    cmd.args([
        format!("--reuid={NOBODY}"),
        format!("--regid={NOBODY}"),
        "--clear-groups".to_string(),
        "--no-new-privs".to_string(),
    ]);
    if !caps.is_empty() {
        cmd.arg(format!("--inh-caps={}", caps.join(",")))
            .arg(format!("--ambient-caps={}", caps.join(",")))
            .arg(format!("--bounding-set=-all,{}", caps.join(",")));
    }
    cmd.arg("--").args(argv);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn the_backup_user_reads_lokets_private_folder_through_the_units_capability_alone() {
    if !running_as_root() {
        // Granting a capability to another user needs root; CI runs as root.
        skipped(
            "the backup user's capability (needs root)",
            &["root (sudo)".to_string()],
            true,
        );
        return;
    }
    let Some(restic) = restic("the backup unit with real restic") else {
        return;
    };
    let machine = Machine::new();
    closed_case(&machine.data(), "KP-20260105-CDFH", "2026-01-10", "selesai");
    use std::os::unix::fs::PermissionsExt;
    let private = |path: &Path, mode: u32| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    };
    // loket's folder and settings (root's here, as loket's are not
    // loket-backup's); the backup user's own repository, cache and key.
    private(machine.dir.path(), 0o755);
    private(&machine.var(), 0o700);
    private(&machine.etc().join("loket.yaml"), 0o640);
    private(&machine.etc().join("loket.d"), 0o750);
    let own = machine.dir.path().join("loket-backup");
    fs::create_dir(&own).unwrap();
    fs::write(own.join("restic.pass"), "uji-cadangan-rahasia\n").unwrap();
    let env = [
        ("RESTIC_REPOSITORY", own.join("repo")),
        ("RESTIC_PASSWORD_FILE", own.join("restic.pass")),
        ("RESTIC_CACHE_DIR", own.join("cache")),
    ];
    let out = Command::new("chown")
        .args(["-R", &format!("{NOBODY}:{NOBODY}")])
        .arg(&own)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let init = as_nobody_with(&[], &[restic.display().to_string(), "init".into()], &env);
    assert!(init.status.success(), "{}", stderr(&init));

    let vars = [("KEEP_WITHIN", "30d"), ("BACKUP_EXTRA", "")];
    for argv in machine.commands("loket-archive.service", &restic, &vars) {
        run_command_as_root(&argv);
    }
    let unit = fs::read_to_string(deploy_file("loket-backup.service")).unwrap();
    let caps: Vec<&str> = settings(&unit, "AmbientCapabilities")
        .iter()
        .flat_map(|v| v.split_whitespace())
        .collect();
    let backup = machine.commands("loket-backup.service", &restic, &vars);
    // Without the capability the backup user reads nothing of loket's...
    let without = as_nobody_with(&[], &backup[0], &env);
    assert!(!without.status.success(), "{}", stdout(&without));
    // ...with the unit's, everything it names; and it writes none of it.
    for argv in &backup {
        let out = as_nobody_with(&caps, argv, &env);
        assert!(
            out.status.success(),
            "{argv:?}:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
    }
    let archive = machine.var().join("backup/data.tar");
    let write = as_nobody_with(
        &caps,
        &[
            "sh".into(),
            "-c".into(),
            format!("echo x >> {}", archive.display()),
        ],
        &env,
    );
    assert!(
        !write.status.success(),
        "the backup user wrote loket's archive"
    );
}

/// A unit's command as the test's own (root) user: loket's stand-in.
fn run_command_as_root(argv: &[String]) {
    let out = try_command(argv, &[], None, false);
    assert!(
        out.status.success(),
        "{argv:?}:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
}
