//! `loket serve --log-format json`: every line it writes, on stdout or
//! stderr, is one JSON object with loket's version, where it listens too;
//! levels say what happened (a broken edit on SIGHUP, with the last good
//! site still served, is a warning, not an error).

use std::time::{Duration, Instant};

use crate::common::server::Server;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[tokio::test]
async fn json_logs_are_all_json_with_the_version_and_honest_levels() {
    let server = Server::start_with(&["--rate-limit", "0", "--log-format", "json"]);
    let page = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(page.status(), 200);

    // A broken page, then SIGHUP: the server builds, fails, keeps serving.
    server
        .site()
        .write("content/rusak.md", "---\ntitle: [\n---\n");
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server
        .stderr_now()
        .contains("still serving the last good site")
    {
        assert!(Instant::now() < deadline, "{}", server.stderr_now());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let still = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(still.status(), 200);
    let addr = server.addr.to_string();
    let desk = server.desk.expect("a desk").to_string();
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");

    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| {
            // YAML refuses a key given twice, where serde_json keeps the last.
            loket::core::yaml::from_str::<loket::core::yaml::Value>(l)
                .unwrap_or_else(|e| panic!("not one clean object ({e}): {l}"));
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))
        })
        .collect();
    for line in &lines {
        assert_eq!(line["version"].as_str(), Some(VERSION), "{line}");
        assert!(line["level"].is_string(), "{line}");
    }
    let message = |l: &serde_json::Value| l["message"].as_str().unwrap_or("").to_string();
    let listening = lines
        .iter()
        .find(|l| message(l).starts_with("Listening on"))
        .unwrap_or_else(|| panic!("no listening event in:\n{log}"));
    assert_eq!(listening["level"], "INFO");
    assert_eq!(listening["addr"].as_str(), Some(addr.as_str()));
    let desk_line = lines
        .iter()
        .find(|l| message(l).starts_with("Desk on"))
        .unwrap_or_else(|| panic!("no desk event in:\n{log}"));
    assert_eq!(desk_line["desk"].as_str(), Some(desk.as_str()));

    let broken: Vec<_> = lines
        .iter()
        .filter(|l| {
            let m = message(l);
            m.contains("rusak.md") || m.contains("still serving the last good site")
        })
        .collect();
    assert!(broken.len() >= 2, "{log}");
    for line in broken {
        assert_eq!(line["level"], "WARN", "{line}");
    }
    assert!(
        !lines.iter().any(|l| l["level"] == "ERROR"),
        "nothing failed:\n{log}"
    );
}

/// A server that cannot start says why in the log's format too.
#[test]
fn a_server_that_cannot_start_says_so_in_json() {
    let site = crate::common::TempSite::fixture();
    site.write("content/rusak.md", "---\ntitle: [\n---\n");
    let out = crate::common::loket()
        .args(["serve", "--root", site.root_str(), "--addr", "127.0.0.1:0"])
        .args(["--desk-addr", "off", "--log-format", "json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["level"] == "ERROR"
            && l["version"] == VERSION
            && l["message"]
                .as_str()
                .is_some_and(|m| m.contains("not serving"))),
        "{err}"
    );
    assert!(err.contains("rusak.md:2:"), "{err}");
}
