//! The HTTP server loop: one hyper HTTP/1.1 connection per client with a bound on how long
//! its request headers may take (stalled and slowloris connections are closed), and a
//! bounded graceful shutdown: after the shutdown signal, open connections finish their
//! requests, and what is still open when the grace period ends is closed.

use axum::Router;
use axum::extract::ConnectInfo;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long a client may stall.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Time to send a request's headers. hyper's timer also runs while a kept-alive
    /// connection waits for its next request, so this bounds idle connections too.
    pub header: Duration,
    /// Time open connections get after the shutdown signal.
    pub grace: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains within the grace.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let service = app.clone().layer(axum::Extension(ConnectInfo(peer)));
                let service = hyper_util::service::TowerToHyperService::new(service);
                let mut stopped = stopped.clone();
                connections.spawn(async move {
                    let connection = hyper::server::conn::http1::Builder::new()
                        .timer(hyper_util::rt::TokioTimer::new())
                        .header_read_timeout(limits.header)
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stopped.changed() => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "cave-daemon: {} connection(s) still open after the {:?} shutdown grace; closing them",
            connections.len(),
            limits.grace
        );
        connections.abort_all();
    }
}
