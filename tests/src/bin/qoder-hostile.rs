//! The hostile server as a process, for the Python and Node suites (and by hand):
//! `qoder-hostile` prints `listening <origin> blackhole=<url>` and serves until stdin closes.

use std::io::Read;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::io::Result<()> {
    let h = qoder_tests::hostile::Hostile::start().await?;
    println!("listening {} blackhole={}", h.origin, h.blackhole);
    // Served until the parent closes our stdin (or dies): no orphan outlives a test run.
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .ok();
    Ok(())
}
