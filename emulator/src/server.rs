//! Accept loop with connection tracking and graceful shutdown.
//!
//! A hand-written loop (rather than `axum::serve`) lets the emulator count open
//! connections and close a connection without writing any response bytes
//! (the `drop-response` fault: the service returns an error, which makes
//! hyper close the socket).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::body::{KillSwitch, KillableIo};
use crate::pipeline;
use crate::state::AppState;
use crate::stats::Gauge;

/// How long open connections get to finish after shutdown starts.
const GRACE: Duration = Duration::from_secs(2);

/// Binds the listener and spawns the accept loop.
pub async fn bind(st: Arc<AppState>) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind((st.config.host.as_str(), st.config.port)).await?;
    let addr = listener.local_addr()?;
    let _ = st.addr.set(addr);
    Ok((addr, tokio::spawn(accept_loop(listener, st))))
}

async fn accept_loop(listener: TcpListener, st: Arc<AppState>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            res = listener.accept() => match res {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    conns.spawn(serve_connection(stream, st.clone()));
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

async fn serve_connection(stream: TcpStream, st: Arc<AppState>) {
    let _gauge = Gauge::connection(st.stats.clone());
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
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = st.shutdown.cancelled() => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}
