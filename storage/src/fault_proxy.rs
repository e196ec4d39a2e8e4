//! A TCP proxy the tests control (feature `testing`), put between a store and a real S3
//! server to inject faults: pass bytes through, stall (keep connections open and answer
//! nothing), delay every chunk of the answers, or reset connections. The mode can change at
//! any time and applies to connections already open (pooled ones too), chunk by chunk.

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the proxy does with the bytes it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// Holds every chunk (both ways) until the mode changes: a store that accepts
    /// connections and never answers.
    Stall,
    /// Waits this long before passing on each chunk of an answer.
    Delay(Duration),
    /// Closes connections as soon as they carry anything.
    Reset,
}

impl Fault {
    fn encode(self) -> u64 {
        match self {
            Fault::Pass => 0,
            Fault::Stall => 1,
            Fault::Reset => 2,
            Fault::Delay(delay) => 3 + u64::try_from(delay.as_millis()).unwrap_or(u64::MAX / 2),
        }
    }

    fn decode(code: u64) -> Self {
        match code {
            0 => Fault::Pass,
            1 => Fault::Stall,
            2 => Fault::Reset,
            millis => Fault::Delay(Duration::from_millis(millis - 3)),
        }
    }
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`: the endpoint to give a store.
    pub url: String,
    mode: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of `target` (`host:port`), passing bytes.
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mode = Arc::new(AtomicU64::new(Fault::Pass.encode()));
        let target = target.to_owned();
        let shared = Arc::clone(&mode);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (target, mode) = (target.clone(), Arc::clone(&shared));
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&target).await {
                        carry(client, server, mode).await;
                    }
                });
            }
        });
        Self { url, mode, task }
    }

    pub fn set(&self, fault: Fault) {
        self.mode.store(fault.encode(), Ordering::SeqCst);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Carries one connection both ways until either side closes or the mode resets it.
async fn carry(client: TcpStream, server: TcpStream, mode: Arc<AtomicU64>) {
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let requests = tokio::spawn(pipe(client_read, server_write, Arc::clone(&mode), false));
    let answers = tokio::spawn(pipe(server_read, client_write, mode, true));
    let _ = tokio::join!(requests, answers);
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mode: Arc<AtomicU64>,
    is_answer: bool,
) {
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let Ok(read) = from.read(&mut buffer).await else {
            return;
        };
        if read == 0 {
            let _ = to.shutdown().await;
            return;
        }
        loop {
            match Fault::decode(mode.load(Ordering::SeqCst)) {
                Fault::Pass => break,
                Fault::Stall => tokio::time::sleep(Duration::from_millis(20)).await,
                Fault::Reset => return,
                Fault::Delay(delay) => {
                    if is_answer {
                        tokio::time::sleep(delay).await;
                    }
                    break;
                }
            }
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}
