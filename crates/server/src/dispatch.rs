//! The real-time runner of the core's dispatcher (`dcc::dispatch::Driver`): polls for due WAN
//! commands, keeps one command per device on the air, waits each transmission's transit time
//! (the network's latency) and lets the driver make the attempt, and turns hub reports into
//! alerts. Every decision is the core's; this only supplies time and concurrency.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dcc::dispatch::{DeviceNetwork, Driver};
use dcc::gateway::Clock;
use dcc::store::Store;
use eui::Eui64;
use tokio::sync::watch;
use tracing::{info, warn};

/// How often and how much.
#[derive(Debug, Clone, Copy)]
pub struct RunnerConfig {
    pub poll_interval: Duration,
    /// Commands on the air at once.
    pub concurrency: usize,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(10),
            concurrency: 64,
        }
    }
}

/// Runs the dispatcher until `shutdown` turns true.
pub async fn run<S, N, C>(
    driver: Arc<Driver<S, N>>,
    clock: Arc<C>,
    config: RunnerConfig,
    mut shutdown: watch::Receiver<bool>,
) where
    S: Store,
    N: DeviceNetwork<S>,
    C: Clock,
{
    let busy: Arc<Mutex<HashSet<Eui64>>> = Arc::new(Mutex::new(HashSet::new()));
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let (d, c) = (driver.clone(), clock.clone());
        let due = tokio::task::spawn_blocking(move || {
            if let Err(e) = d.hub_reports(c.now()) {
                warn!(error = %e, "hub reports failed");
            }
            d.poll_due(c.now())
        })
        .await;
        let due = match due {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                warn!(error = %e, "reading the WAN queue failed");
                Vec::new()
            }
            Err(e) => {
                warn!(error = %e, "WAN queue reader failed");
                Vec::new()
            }
        };
        let mut started = 0;
        for job in due {
            if tasks.len() >= config.concurrency {
                break;
            }
            // One command at a time per device keeps each device's commands in order.
            {
                let Ok(mut b) = busy.lock() else { break };
                if !b.insert(job.target) {
                    continue;
                }
            }
            started += 1;
            let (d, c, busy) = (driver.clone(), clock.clone(), busy.clone());
            tasks.spawn(async move {
                let target = job.target;
                let d2 = d.clone();
                let j2 = job.clone();
                let transit = tokio::task::spawn_blocking(move || d2.transit_time(&j2))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or_default();
                tokio::time::sleep(transit).await;
                let id = job.id;
                match tokio::task::spawn_blocking(move || d.attempt(id, c.now())).await {
                    Ok(Ok(a)) => {
                        info!(job = id, device = %target, outcome = ?a, "WAN transmission")
                    }
                    Ok(Err(e)) => warn!(job = id, error = %e, "WAN transmission failed"),
                    Err(e) => warn!(job = id, error = %e, "WAN task failed"),
                }
                if let Ok(mut b) = busy.lock() {
                    b.remove(&target);
                }
            });
        }
        while let Some(r) = tasks.try_join_next() {
            if let Err(e) = r {
                warn!(error = %e, "WAN task panicked");
            }
        }
        if started == 0 {
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(config.poll_interval) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
    }
    while tasks.join_next().await.is_some() {}
}
