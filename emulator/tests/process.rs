//! The core's `testing::EmulatorProcess` (what the Python and Node test helpers wrap) against
//! this crate's binary: start, control endpoints, TLS, startup failures, stop.

use std::path::Path;

use qoder_cloud::testing::{Casing, EmulatorOptions, EmulatorProcess, DEFAULT_ACCESS_TOKEN};
use qoder_cloud::ErrorKind;

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_qoder-emulator"))
}

#[tokio::test]
async fn starts_answers_control_requests_and_stops() {
    let emu =
        EmulatorProcess::start(bin(), &EmulatorOptions { turn_delay_ms: Some(1), ..Default::default() }, Casing::Snake)
            .await
            .unwrap();
    assert!(
        emu.base_url().starts_with("http://127.0.0.1:") && emu.base_url().ends_with("/api/v1/cloud"),
        "{}",
        emu.base_url()
    );
    assert_eq!(emu.access_token(), DEFAULT_ACCESS_TOKEN);
    assert!(emu.ca_path().is_none());
    let stats = emu.stats().await.unwrap();
    assert_eq!(stats["requests_total"], 0);

    let e = emu.set_fault(Some("nonsense=1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    emu.set_fault(Some("status=503;count=1")).await.unwrap();
    emu.set_fault(None).await.unwrap();
    let clock = emu.advance_clock(60.0).await.unwrap();
    assert_eq!(clock["offset_seconds"], 60.0);
    assert_eq!(emu.advance_clock(-1.0).await.unwrap_err().param(), Some("seconds"));
    emu.reset().await.unwrap();

    emu.close().await;
    emu.close().await; // idempotent
    let e = emu.stats().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
}

#[tokio::test]
async fn tls_reports_its_ca_and_control_requests_trust_it() {
    let opts = EmulatorOptions { tls: true, tokens: Some(vec!["sk-a".into()]), ..Default::default() };
    let emu = EmulatorProcess::start(bin(), &opts, Casing::Snake).await.unwrap();
    assert!(emu.base_url().starts_with("https://"), "{}", emu.base_url());
    let ca = emu.ca_path().expect("a CA file");
    assert!(std::fs::read_to_string(ca).unwrap().contains("BEGIN CERTIFICATE"));
    assert_eq!(emu.access_token(), "sk-a", "the first allowed token by default");
    assert!(emu.stats().await.unwrap()["connections"].is_object());
    emu.close().await;
}

#[tokio::test]
async fn a_failed_start_names_the_reason_and_the_stderr() {
    let opts = EmulatorOptions { extra_args: vec!["--bogus-flag".into()], ..Default::default() };
    let e = EmulatorProcess::start(bin(), &opts, Casing::Snake).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EmulatorStartup);
    assert!(e.message().contains("exited with status 2") && e.message().contains("--bogus-flag"), "{}", e.message());

    let e =
        EmulatorProcess::start(Path::new("/nonexistent/qoder-emulator"), &EmulatorOptions::default(), Casing::Snake)
            .await
            .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EmulatorStartup);

    // A binary that never reports an address is killed after the startup timeout.
    let dir = std::env::temp_dir().join(format!("qoder-silent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("silent.sh");
    std::fs::write(&script, "#!/bin/sh\necho starting >&2\nexec sleep 60\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let opts = EmulatorOptions { startup_timeout: Some(0.3), ..Default::default() };
    let e = EmulatorProcess::start(&script, &opts, Casing::Snake).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EmulatorStartup);
    assert!(e.message().contains("did not report 'listening' within 0.3 s"), "{}", e.message());
    assert!(e.message().contains("starting"), "stderr is quoted: {}", e.message());

    let opts = EmulatorOptions { region: Some("mars".into()), ..Default::default() };
    let e = EmulatorProcess::start(bin(), &opts, Casing::Camel).await.unwrap_err();
    assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidArgument, Some("region")));
}
