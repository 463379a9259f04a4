//! `SSL_CERT_FILE` is honoured: a private CA named there is trusted with no option at all, the
//! way users behind a TLS-inspecting proxy configure every tool at once. A process of its own,
//! since it sets the environment (read when a client is built).

use qoder_cloud::Client;
use qoder_emulator::tls::TlsConfig;
use qoder_emulator::EmulatorConfig;

#[tokio::test]
async fn ssl_cert_file_names_a_trusted_ca() {
    let config = EmulatorConfig { port: 0, tls: Some(TlsConfig::generate()), ..Default::default() };
    let emu = qoder_emulator::start(config).await.expect("emulator starts");
    let dir = std::env::temp_dir().join(format!("qoder-ssl-cert-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, emu.ca_pem().unwrap()).unwrap();
    let client = || {
        Client::builder()
            .ignore_env(true)
            .access_token("pt-test")
            .base_url(emu.base_url())
            .max_retries(0)
            .build()
            .unwrap()
    };

    // Not trusted before: the system store does not know this CA.
    let before = client().call("agents.list", serde_json::json!({}), Default::default()).await;
    assert!(before.is_err(), "an unknown CA was trusted");

    // SAFETY (edition 2021: set_var is safe to call): this test binary has a single test, so no
    // other thread reads the environment meanwhile.
    std::env::set_var("SSL_CERT_FILE", &ca);
    let agent = client()
        .call("agents.create", serde_json::json!({"name": "via-ssl-cert-file", "model": "auto"}), Default::default())
        .await
        .expect("trusted through SSL_CERT_FILE");
    assert_eq!(agent.value["name"], "via-ssl-cert-file");
    std::env::remove_var("SSL_CERT_FILE");
    std::fs::remove_dir_all(&dir).ok();
}
