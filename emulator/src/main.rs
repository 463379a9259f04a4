//! `qoder-emulator` binary: serves the emulator until killed (or until stdin
//! closes with `--exit-on-stdin-close`). Prints exactly one line,
//! `listening http://HOST:PORT/api/v1/cloud`, once ready.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use qoder_emulator::{EmulatorConfig, Region};

const USAGE: &str = "usage: qoder-emulator [--port N] [--host ADDR] [--prefix PATH] [--region global|cn]
                      [--max-body-bytes N] [--keepalive-ms N] [--turn-delay-ms N] [--fault SPEC]
                      [--h2-max-streams N|unlimited]
                      [--token TOKEN]... [--forbidden-token TOKEN]... [--exit-on-stdin-close]";

#[derive(Debug)]
struct Args {
    config: EmulatorConfig,
    exit_on_stdin_close: bool,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut config = EmulatorConfig::default();
    let mut exit_on_stdin_close = false;
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
            "--turn-delay-ms" => config.turn_step_delay = Duration::from_millis(num("--turn-delay-ms", value("--turn-delay-ms")?)?),
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
            "--exit-on-stdin-close" => exit_on_stdin_close = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(Some(Args { config, exit_on_stdin_close }))
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
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening {}", emu.base_url());
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
        let a = parse(&["--port", "0", "--region", "cn", "--token", "a", "--token=b", "--turn-delay-ms", "5", "--exit-on-stdin-close"])
            .unwrap()
            .unwrap();
        assert_eq!(a.config.body_limit(), 4 * 1024 * 1024);
        assert_eq!(a.config.allowed_tokens, Some(vec!["a".to_string(), "b".to_string()]));
        assert!(a.exit_on_stdin_close);
        assert!(parse(&["--bogus"]).unwrap_err().contains("--bogus"));
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--fault", "nope=1"]).is_err());
        assert!(parse(&["--port"]).is_err());
    }
}
