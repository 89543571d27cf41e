//! Operator settings: loket.yaml named by --config or LOKET_CONFIG, then its
//! drop-in folder loket.d/; every key also LOKET_<KEY> and a flag, flag >
//! environment > drop-ins > file > default; logs as text or JSON, filtered
//! by LOKET_LOG.

use std::fs;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::*;
use loket::core::yaml;

/// A settings file in its own folder, and that folder.
fn settings(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loket.yaml");
    fs::write(&path, text).unwrap();
    (dir, path)
}

/// Which data folder `loket inbox` looked in: it names it when it holds no
/// submissions.
fn inbox_data_folder(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    let start = err.find("no submissions folder in ").expect(&err) + 25;
    err[start..].split(" (").next().unwrap().to_string()
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
    let (dir, path) = settings("data: dari-berkas\n");
    let file = path.to_str().unwrap();
    let from_file = dir.path().join("dari-berkas").display().to_string();
    let default = "./data";

    let mut plain = loket();
    plain
        .args(["inbox"])
        .env_remove("LOKET_CONFIG")
        .env_remove("LOKET_DATA");
    assert_eq!(inbox_data_folder(&mut plain), default);

    let mut filed = loket();
    filed
        .args(["inbox", "--config", file])
        .env_remove("LOKET_DATA");
    assert_eq!(
        inbox_data_folder(&mut filed),
        from_file,
        "a relative path in the file is relative to the file"
    );

    let mut by_env = loket();
    by_env
        .arg("inbox")
        .env("LOKET_CONFIG", file)
        .env("LOKET_DATA", "/dari/lingkungan");
    assert_eq!(inbox_data_folder(&mut by_env), "/dari/lingkungan");

    let mut by_flag = loket();
    by_flag
        .args(["inbox", "--data", "/dari/opsi"])
        .env("LOKET_CONFIG", file)
        .env("LOKET_DATA", "/dari/lingkungan");
    assert_eq!(inbox_data_folder(&mut by_flag), "/dari/opsi");
}

#[test]
fn loket_config_shows_each_setting_and_where_it_comes_from() {
    let (_dir, path) = settings(
        "# the office's settings\naddr: 127.0.0.1:9000\nmax_upload_mb: 7\ntrust_proxy:\n  - 127.0.0.1\n  - 10.0.0.0/8\nroot: /srv/situs\n",
    );
    let out = loket()
        .args(["config", "--config", path.to_str().unwrap()])
        .env("LOKET_RATE_LIMIT", "3")
        .env_remove("LOKET_ADDR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "addr: 127.0.0.1:9000  # loket.yaml",
        "max_upload_mb: 7  # loket.yaml",
        "rate_limit: 3  # LOKET_RATE_LIMIT",
        "rate_window_secs: 600  # default",
        "trust_proxy: [127.0.0.1, 10.0.0.0/8]  # loket.yaml",
        "root: /srv/situs  # loket.yaml",
        "data: /srv/situs/data  # default (ROOT/data)",
        "log_format: text  # default",
        "desk_addr: 127.0.0.1:8081  # default",
        "desk_secure_cookies: false  # default",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    // What it prints reads back as a settings file saying the same.
    let (_again_dir, again) = settings(
        &text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{}\n", l.split("  #").next().unwrap()))
            .collect::<String>(),
    );
    let out = loket()
        .args(["config", "--config", again.to_str().unwrap()])
        .env_remove("LOKET_RATE_LIMIT")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("rate_limit: 3  # loket.yaml"));
    assert!(stdout(&out).contains("trust_proxy: [127.0.0.1, 10.0.0.0/8]  # loket.yaml"));
}

#[test]
fn a_bad_settings_file_is_refused_with_its_line_before_anything_runs() {
    for (text, expected) in [
        (
            "addr: 127.0.0.1:8080\nmax_uplod_mb: 5\n",
            ":2: unknown setting \"max_uplod_mb\"",
        ),
        (
            "rate_limit: 5\nmax_upload_mb: 500\n",
            ":2: max_upload_mb: invalid value '500'",
        ),
        ("addr: di-sini\n", ":1: addr: invalid value 'di-sini'"),
        (
            "trust_proxy: [nginx]\n",
            ":1: trust_proxy: invalid value 'nginx'",
        ),
        ("addr:\n  port: 80\n", ":1: addr: expected a single value"),
        ("addr: [127.0.0.1:80\n", "loket.yaml:"),
    ] {
        let (_dir, path) = settings(text);
        let out = loket()
            .args([
                "serve",
                "--config",
                path.to_str().unwrap(),
                "--addr",
                "127.0.0.1:0",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{text:?}");
        let err = stderr(&out);
        let want = format!("{}{expected}", path.display());
        assert!(
            err.starts_with(&format!("error: {}", path.display())) && err.contains(&want)
                || expected == "loket.yaml:" && err.contains(expected),
            "{text:?}: want {want:?} in:\n{err}"
        );
        assert!(!err.contains("panicked"));
    }
    let out = loket()
        .args(["inbox", "--config", "/nonexistent/loket.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read the settings file /nonexistent/loket.yaml"));
}

/// `loket serve` with only a settings file: the site, data folder and
/// address come from it; logs as JSON lines when the environment says so,
/// with the access log's fields and no form value.
#[tokio::test]
async fn serve_runs_from_a_settings_file_and_logs_json() {
    let site = TempSite::fixture();
    let data = site.root().join("kiriman");
    let (_dir, path) = settings(&format!(
        "root: {}\ndata: {}\naddr: 127.0.0.1:0\ndesk_addr: 127.0.0.1:0\nrate_limit: 0\n",
        site.root_str(),
        data.display()
    ));
    let mut child = loket()
        .args(["serve", "--config", path.to_str().unwrap()])
        .env("LOKET_LOG_FORMAT", "json")
        .env("LOKET_LOG", "info,loket::server=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The address is a log line like any other.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let ready = loop {
        let line = lines
            .next()
            .expect("loket serve said where it listens")
            .unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("Listening on") {
            break line;
        }
    };
    assert!(
        ready.contains(&format!("(submissions go to {})", data.display())),
        "{ready}"
    );
    let url = ready.split("Listening on ").nth(1).unwrap();
    let url = url.split_whitespace().next().unwrap().to_string();
    let page = reqwest::get(format!("{url}layanan/")).await.unwrap();
    assert_eq!(page.status(), 200);
    let missing = reqwest::get(format!("{url}tidak-ada/?nik=3517010101010001"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for line in lines {
        log.push_str(&line.unwrap());
        log.push('\n');
    }
    assert!(child.wait().unwrap().success());
    let access: Vec<yaml::Value> = log
        .lines()
        .map(|l| {
            yaml::from_str::<yaml::Value>(l)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
        })
        .filter(|v| v["target"].as_str() == Some("loket::access"))
        .collect();
    assert_eq!(access.len(), 2, "{log}");
    assert_eq!(access[0]["method"].as_str(), Some("GET"));
    assert_eq!(access[0]["path"].as_str(), Some("/layanan/"));
    assert_eq!(access[0]["status"].as_u64(), Some(200));
    assert!(
        access[0]["timestamp"]
            .as_str()
            .is_some_and(|t| t.starts_with("20"))
    );
    assert_eq!(access[1]["status"].as_u64(), Some(404));
    assert!(!log.contains("3517010101010001"), "a query is never logged");
    assert!(
        !log.lines()
            .any(|l| l.contains("\"INFO\"") && l.contains("\"loket::server\"")),
        "LOKET_LOG left the server's info lines out:\n{log}"
    );
    assert!(access[0]["ms"].as_f64().is_some(), "{log}");
}

#[test]
fn a_bad_log_filter_is_refused() {
    let out = loket()
        .args(["check", "--root", "/nonexistent"])
        .env("LOKET_LOG", "loket=[")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("LOKET_LOG=\"loket=[\" is not a log filter"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_drop_in_folder_wins_over_the_file_and_config_names_where_each_value_came_from() {
    let (dir, path) = settings("addr: 127.0.0.1:8080\nrate_limit: 10\nmax_upload_mb: 15\n");
    let drop_ins = dir.path().join("loket.d");
    fs::create_dir(&drop_ins).unwrap();
    fs::write(
        drop_ins.join("10-kantor.yaml"),
        "rate_limit: 20\nmax_upload_mb: 12\n",
    )
    .unwrap();
    fs::write(drop_ins.join("90-sementara.yaml"), "rate_limit: 30\n").unwrap();
    let config = |extra: &[(&str, &str)]| {
        let mut cmd = loket();
        cmd.args(["config", "--config", path.to_str().unwrap()])
            .env_remove("LOKET_CONFIG")
            .env_remove("LOKET_RATE_LIMIT")
            .env_remove("LOKET_MAX_UPLOAD_MB");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let out = config(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "addr: 127.0.0.1:8080  # loket.yaml",
        "rate_limit: 30  # loket.d/90-sementara.yaml",
        "max_upload_mb: 12  # loket.d/10-kantor.yaml",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in:\n{text}");
    }
    // The environment still beats every file.
    let out = config(&[("LOKET_RATE_LIMIT", "5")]);
    assert!(stdout(&out).contains("rate_limit: 5  # LOKET_RATE_LIMIT"));

    // A mistake in a drop-in stops every command with its path and line.
    fs::write(
        drop_ins.join("50-salah.yaml"),
        "# kantor\nrate_limit: banyak\n",
    )
    .unwrap();
    let out = config(&[]);
    assert!(!out.status.success());
    let at = drop_ins.join("50-salah.yaml");
    assert!(
        stderr(&out).contains(&format!("{}:2: rate_limit: ", at.display())),
        "{}",
        stderr(&out)
    );
}
