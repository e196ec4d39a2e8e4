//! Accepting connections and serving them, with the bounds `axum::serve` leaves open:
//! - a deadline for a request's headers (`DBM_HEADER_READ_SECS`): a client that sends half
//!   a request, or connects and sends nothing, is disconnected then, instead of holding a
//!   connection and its file descriptor forever;
//! - keep-alive connections idle for [`KEEP_ALIVE_IDLE`] are closed;
//! - a limit on connections open at once (`DBM_MAX_CONNECTIONS`): past it, new connections
//!   wait in the listen backlog until one closes.
//!
//! Connections are HTTP/1.1 or HTTP/2 and end gracefully (the request under way finishes)
//! when they are closed for idleness or the server stops.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as ConnectionBuilder;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// A keep-alive connection with no request for this long is closed.
pub const KEEP_ALIVE_IDLE: Duration = Duration::from_secs(60);

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// The most a client may take to send a request's headers (or its first request).
    pub header_read: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

/// What a connection is doing, for its idle watchdog.
struct Activity {
    opened: Instant,
    requests_in_flight: AtomicUsize,
    requests_seen: AtomicU64,
    /// Milliseconds after `opened` when a request last began or ended.
    last_change_ms: AtomicU64,
}

impl Activity {
    fn touch(&self) {
        let now = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_change_ms.store(now, Ordering::Relaxed);
    }

    /// Idle past its bound: no request under way, and none for long enough.
    fn idle_too_long(&self, limits: &ConnectionLimits) -> bool {
        if self.requests_in_flight.load(Ordering::Relaxed) > 0 {
            return false;
        }
        let bound = if self.requests_seen.load(Ordering::Relaxed) == 0 {
            limits.header_read
        } else {
            KEEP_ALIVE_IDLE
        };
        let last = Duration::from_millis(self.last_change_ms.load(Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last) >= bound
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits for the connections
/// still open to finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = ConnectionBuilder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let builder = Arc::new(builder);
    let (stopping, stop_requested) = watch::channel(false);
    let tasks = TaskTracker::new();
    let room = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        // A connection is accepted only when there is room for it.
        let permit = tokio::select! {
            permit = Arc::clone(&room).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, for one: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(error) = socket.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let (app, builder) = (app.clone(), Arc::clone(&builder));
        let mut stop_requested = stop_requested.clone();
        tasks.spawn(async move {
            serve_connection(socket, peer, app, &builder, limits, &mut stop_requested).await;
            drop(permit);
        });
    }
    let _ = stopping.send(true);
    tasks.close();
    tasks.wait().await;
    Ok(())
}

async fn serve_connection(
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    builder: &ConnectionBuilder<TokioExecutor>,
    limits: ConnectionLimits,
    stop_requested: &mut watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity {
        opened: Instant::now(),
        requests_in_flight: AtomicUsize::new(0),
        requests_seen: AtomicU64::new(0),
        last_change_ms: AtomicU64::new(0),
    });
    let counted = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
        request
            .extensions_mut()
            .insert(ConnectInfo::<SocketAddr>(peer));
        let (app, activity) = (app.clone(), Arc::clone(&counted));
        activity.requests_seen.fetch_add(1, Ordering::Relaxed);
        activity.requests_in_flight.fetch_add(1, Ordering::Relaxed);
        activity.touch();
        async move {
            let response = app.oneshot(request).await;
            activity.requests_in_flight.fetch_sub(1, Ordering::Relaxed);
            activity.touch();
            response
        }
    });
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(socket), service);
    tokio::pin!(connection);
    let mut watchdog = tokio::time::interval(limits.header_read.min(KEEP_ALIVE_IDLE) / 4);
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, %peer, "connection ended with an error");
                }
                return;
            }
            _ = watchdog.tick(), if !closing => {
                if activity.idle_too_long(&limits) {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
            changed = stop_requested.changed(), if !closing => {
                if changed.is_err() || *stop_requested.borrow() {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
