//! `qoder-emulator` binary: serves the emulator until killed (or until stdin
//! closes with `--exit-on-stdin-close`). Prints exactly one line,
//! `listening http://HOST:PORT/api/v1/cloud`, once ready; with TLS,
//! `listening https://HOST:PORT/api/v1/cloud ca=/path/to/ca.pem`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use qoder_emulator::{EmulatorConfig, Region, TlsConfig};

const USAGE: &str = "usage: qoder-emulator [--port N] [--host ADDR] [--prefix PATH] [--region global|cn]
                      [--max-body-bytes N] [--keepalive-ms N] [--turn-delay-ms N] [--fault SPEC]
                      [--h2-max-streams N|unlimited]
                      [--tls | --tls-cert PATH --tls-key PATH] [--tls-ca-out PATH] [--alpn h2,http/1.1]
                      [--token TOKEN]... [--forbidden-token TOKEN]... [--exit-on-stdin-close]";

#[derive(Debug)]
struct Args {
    config: EmulatorConfig,
    exit_on_stdin_close: bool,
    /// Where to write the CA PEM (TLS only); `None` = a temp dir removed on exit.
    tls_ca_out: Option<PathBuf>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut config = EmulatorConfig::default();
    let mut exit_on_stdin_close = false;
    let (mut tls, mut tls_cert, mut tls_key, mut tls_ca_out, mut alpn) = (false, None, None, None, None);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{name}: '{v}' is not a valid number"))
        }
        match flag.as_str() {
            "--port" => config.port = num("--port", value("--port")?)?,
            "--host" => config.host = value("--host")?,
            "--prefix" => config.prefix = value("--prefix")?,
            "--region" => config.region = value("--region")?.parse::<Region>()?,
            "--max-body-bytes" => config.max_body_bytes = Some(num("--max-body-bytes", value("--max-body-bytes")?)?),
            "--keepalive-ms" => {
                let ms: u64 = num("--keepalive-ms", value("--keepalive-ms")?)?;
                if ms == 0 {
                    return Err("--keepalive-ms must be positive".into());
                }
                config.keepalive_interval = Duration::from_millis(ms);
            }
            "--turn-delay-ms" => {
                config.turn_step_delay = Duration::from_millis(num("--turn-delay-ms", value("--turn-delay-ms")?)?)
            }
            "--fault" => {
                let spec = value("--fault")?;
                qoder_emulator::FaultSpec::parse(&spec).map_err(|e| format!("--fault: {e}"))?;
                config.fault = Some(spec);
            }
            "--h2-max-streams" => {
                let v = value("--h2-max-streams")?;
                config.h2_max_streams = if v == "unlimited" { None } else { Some(num("--h2-max-streams", v)?) };
            }
            "--token" => config.allowed_tokens.get_or_insert_with(Vec::new).push(value("--token")?),
            "--forbidden-token" => config.forbidden_tokens.push(value("--forbidden-token")?),
            "--tls" => tls = true,
            "--tls-cert" => tls_cert = Some(PathBuf::from(value("--tls-cert")?)),
            "--tls-key" => tls_key = Some(PathBuf::from(value("--tls-key")?)),
            "--tls-ca-out" => tls_ca_out = Some(PathBuf::from(value("--tls-ca-out")?)),
            "--alpn" => {
                alpn = Some(qoder_emulator::tls::parse_alpn(&value("--alpn")?).map_err(|e| format!("--alpn: {e}"))?)
            }
            "--exit-on-stdin-close" => exit_on_stdin_close = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    config.tls = match (tls_cert, tls_key) {
        // Loaded now so a bad file is a flag error naming the file, before anything binds.
        (Some(cert), Some(key)) => {
            Some(TlsConfig::from_pem_files(&cert, &key).map_err(|e| format!("--tls-cert/--tls-key: {e}"))?)
        }
        (None, None) if tls => Some(TlsConfig::generate()),
        (None, None) => None,
        _ => return Err("--tls-cert and --tls-key must be given together".into()),
    };
    if config.tls.is_none() {
        if tls_ca_out.is_some() {
            return Err("--tls-ca-out needs --tls or --tls-cert/--tls-key".into());
        }
        if alpn.is_some() {
            return Err("--alpn needs --tls or --tls-cert/--tls-key".into());
        }
    }
    if let Some(alpn) = alpn {
        config.alpn = alpn;
    }
    Ok(Some(Args { config, exit_on_stdin_close, tls_ca_out }))
}

/// The CA PEM written for clients; a file in a temp dir of our own is removed
/// again on exit (the dir is per process, so concurrent emulators never clash).
struct CaFile {
    path: PathBuf,
    temp_dir: Option<PathBuf>,
}

impl CaFile {
    fn write(pem: &str, out: Option<PathBuf>) -> std::io::Result<CaFile> {
        let (path, temp_dir) = match out {
            Some(p) => (p, None),
            None => {
                let dir = std::env::temp_dir().join(format!("qoder-emulator-{}", std::process::id()));
                std::fs::create_dir_all(&dir)?;
                (dir.join("ca.pem"), Some(dir))
            }
        };
        std::fs::write(&path, pem)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))?;
        Ok(CaFile { path, temp_dir })
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        if let Some(dir) = &self.temp_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("qoder-emulator: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("qoder-emulator: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let emu = match qoder_emulator::start(args.config).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("qoder-emulator: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Written before the ready line, so a harness can read the file at once.
        let ca_file = match emu.ca_pem().map(|pem| CaFile::write(&pem, args.tls_ca_out)).transpose() {
            Ok(f) => f,
            Err(e) => {
                eprintln!("qoder-emulator: CA certificate: {e}");
                emu.shutdown().await;
                return ExitCode::FAILURE;
            }
        };
        {
            // One line only: harnesses read the first stdout line.
            let mut out = std::io::stdout().lock();
            let _ = match &ca_file {
                Some(f) => writeln!(out, "listening {} ca={}", emu.base_url(), f.path.display()),
                None => writeln!(out, "listening {}", emu.base_url()),
            };
            let _ = out.flush();
        }
        let stdin_closed = async {
            if args.exit_on_stdin_close {
                let mut stdin = tokio::io::stdin();
                let mut buf = [0u8; 1024];
                loop {
                    match tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            } else {
                std::future::pending::<()>().await;
            }
        };
        let terminate = async {
            #[cfg(unix)]
            {
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(mut s) => {
                        s.recv().await;
                    }
                    Err(_) => std::future::pending::<()>().await,
                }
            }
            #[cfg(not(unix))]
            std::future::pending::<()>().await;
        };
        tokio::select! {
            _ = stdin_closed => {}
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
        emu.shutdown().await;
        drop(ca_file);
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() {
        let a = parse(&[
            "--port",
            "0",
            "--region",
            "cn",
            "--token",
            "a",
            "--token=b",
            "--turn-delay-ms",
            "5",
            "--exit-on-stdin-close",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(a.config.body_limit(), 4 * 1024 * 1024);
        assert_eq!(a.config.allowed_tokens, Some(vec!["a".to_string(), "b".to_string()]));
        assert!(a.exit_on_stdin_close);
        assert!(parse(&["--bogus"]).unwrap_err().contains("--bogus"));
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--fault", "nope=1"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(a.config.tls.is_none() && a.tls_ca_out.is_none());
    }

    #[test]
    fn parses_tls_flags() {
        let a = parse(&["--tls", "--tls-ca-out", "/tmp/x/ca.pem", "--alpn=http/1.1"]).unwrap().unwrap();
        assert!(a.config.tls.as_ref().is_some_and(|t| t.is_generated()));
        assert_eq!(a.tls_ca_out, Some(PathBuf::from("/tmp/x/ca.pem")));
        assert_eq!(a.config.alpn, vec!["http/1.1".to_string()]);
        let a = parse(&["--tls"]).unwrap().unwrap();
        assert_eq!(a.config.alpn, vec!["h2".to_string(), "http/1.1".to_string()]);
        assert_eq!(parse(&["--tls", "--alpn", " h2 , http/1.1 "]).unwrap().unwrap().config.alpn.len(), 2);
        assert!(parse(&["--tls", "--alpn", "h3"]).unwrap_err().contains("h3"));
        assert!(parse(&["--tls", "--alpn", ","]).unwrap_err().contains("--alpn"));
        assert!(parse(&["--tls", "--alpn", "h2,h2"]).is_err());
        assert!(parse(&["--alpn", "h2"]).unwrap_err().contains("--tls"));
        assert!(parse(&["--tls-ca-out", "x.pem"]).unwrap_err().contains("--tls"));
        assert!(parse(&["--tls-cert", "c.pem"]).unwrap_err().contains("together"));
        assert!(parse(&["--tls-key", "k.pem"]).unwrap_err().contains("together"));
        let missing = "/nonexistent/qoder-emulator-test/cert.pem";
        let e = parse(&["--tls-cert", missing, "--tls-key", "/nonexistent/key.pem"]).unwrap_err();
        assert!(e.contains(missing), "{e}");
    }

    #[test]
    fn given_cert_files_are_loaded_and_checked() {
        let dir = std::env::temp_dir().join(format!("qoder-emulator-parse-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let g = qoder_emulator::tls::generate_certificate(&[]).unwrap();
        let other = qoder_emulator::tls::generate_certificate(&[]).unwrap();
        let (cert, key, bad) = (dir.join("cert.pem"), dir.join("key.pem"), dir.join("other-key.pem"));
        std::fs::write(&cert, &g.cert_chain_pem).unwrap();
        std::fs::write(&key, &g.key_pem).unwrap();
        std::fs::write(&bad, &other.key_pem).unwrap();
        let s = |p: &PathBuf| p.to_str().unwrap().to_string();
        let a = parse(&["--tls-cert", &s(&cert), "--tls-key", &s(&key)]).unwrap().unwrap();
        assert!(a.config.tls.as_ref().is_some_and(|t| !t.is_generated()));
        // A key that does not belong to the certificate, or a key file given as the cert.
        assert!(parse(&["--tls-cert", &s(&cert), "--tls-key", &s(&bad)]).unwrap_err().contains("key file"));
        let e = parse(&["--tls-cert", &s(&key), "--tls-key", &s(&key)]).unwrap_err();
        assert!(e.contains("certificate file") && e.contains("key.pem"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
