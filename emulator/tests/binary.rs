//! The `qoder-emulator` binary: startup line, serving, exit on stdin EOF, flag errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn prints_listening_line_and_exits_when_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qoder-emulator"))
        .args(["--port", "0", "--exit-on-stdin-close", "--token", "tok"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("listening ").expect("listening line").to_string();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v1/cloud"), "{base}");
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{base}/models")).bearer_auth("tok").send().await.unwrap().status(), 200);
    assert_eq!(http.get(format!("{base}/models")).bearer_auth("other").send().await.unwrap().status(), 401);
    drop(child.stdin.take());
    let t = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "did not exit after stdin EOF");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn bad_flags_fail_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_qoder-emulator")).args(["--port", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port"));
    let out = Command::new(env!("CARGO_BIN_EXE_qoder-emulator")).args(["--fault", "status=x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("status"));
    let out = Command::new(env!("CARGO_BIN_EXE_qoder-emulator")).args(["--h2-max-streams", "many"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--h2-max-streams"));
}
