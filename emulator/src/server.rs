//! Accept loop with connection tracking and graceful shutdown.
//!
//! A hand-written loop (rather than `axum::serve`) lets the emulator count open
//! connections and close a connection without writing any response bytes
//! (the `drop-response` fault: the service returns an error, which makes
//! hyper close the socket).
//!
//! With TLS the handshake runs inside each connection's task (bounded by
//! [`crate::tls::HANDSHAKE_TIMEOUT`]), so a slow or hostile client never
//! stalls the accept loop; ALPN then fixes the protocol for the connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::body::{KillSwitch, KillableIo};
use crate::pipeline;
use crate::state::AppState;
use crate::stats::Gauge;
use crate::tls::{Negotiated, TlsServer};

/// How long open connections get to finish after shutdown starts.
const GRACE: Duration = Duration::from_secs(2);

/// Which HTTP versions a connection may speak.
#[derive(Debug, Clone, Copy)]
enum Protocols {
    /// Cleartext: HTTP/1.1, or HTTP/2 with prior knowledge (detected from the preface).
    Auto,
    /// TLS with ALPN `h2`.
    Http2,
    /// TLS with ALPN `http/1.1` or no ALPN.
    Http1,
}

/// Binds the listener and spawns the accept loop; with `tls` every accepted
/// connection is served over HTTPS.
pub async fn bind(st: Arc<AppState>, tls: Option<Arc<TlsServer>>) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind((st.config.host.as_str(), st.config.port)).await?;
    let addr = listener.local_addr()?;
    let _ = st.addr.set(addr);
    Ok((addr, tokio::spawn(accept_loop(listener, st, tls))))
}

async fn accept_loop(listener: TcpListener, st: Arc<AppState>, tls: Option<Arc<TlsServer>>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            res = listener.accept() => match res {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    conns.spawn(serve_connection(stream, st.clone(), tls.clone()));
                }
                // Typically EMFILE; back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = st.shutdown.cancelled() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, async { while conns.join_next().await.is_some() {} }).await;
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

async fn serve_connection(stream: TcpStream, st: Arc<AppState>, tls: Option<Arc<TlsServer>>) {
    // The gauge covers the handshake too: a connection is open from accept on.
    let _gauge = Gauge::connection(st.stats.clone());
    let Some(tls) = tls else {
        return serve_http(stream, st, Protocols::Auto).await;
    };
    let handshake = tokio::select! {
        r = tls.handshake(stream) => r,
        _ = st.shutdown.cancelled() => return,
    };
    match handshake {
        Ok((stream, negotiated)) => {
            st.stats.count_tls_handshake(negotiated);
            let protocols = if negotiated == Negotiated::H2 { Protocols::Http2 } else { Protocols::Http1 };
            serve_http(stream, st, protocols).await
        }
        // Dropping the stream closes the socket; rustls has already sent its alert.
        Err(_) => st.stats.count_tls_failure(),
    }
}

/// Serves HTTP on an established (cleartext or TLS) connection until it ends
/// or shutdown has let it finish gracefully.
async fn serve_http<I>(stream: I, st: Arc<AppState>, protocols: Protocols)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc_state = st.clone();
    // HTTP/1 requests get the connection's kill switch so a fault can cut the
    // socket right after the bytes already written (see `body::KillSwitch`).
    let switch = Arc::new(KillSwitch::default());
    let io = KillableIo::new(stream, switch.clone());
    let svc = service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
        if req.version() < http::Version::HTTP_2 {
            req.extensions_mut().insert(switch.clone());
        }
        pipeline::handle(svc_state.clone(), req)
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http2().max_concurrent_streams(st.config.h2_max_streams);
    // Over TLS, ALPN has settled the protocol; sniffing the preface is only for cleartext.
    let builder = match protocols {
        Protocols::Auto => builder,
        Protocols::Http2 => builder.http2_only(),
        Protocols::Http1 => builder.http1_only(),
    };
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = st.shutdown.cancelled() => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}
