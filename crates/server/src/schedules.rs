//! The real-time runner of the DCC's scheduler (`dcc::schedule::Scheduler`): at each tick, makes
//! every run of a 5.1 schedule due at the clock's time (a batch per transaction, on a blocking
//! thread). The first tick, at start, makes the runs that fell due while the DCC was down, once
//! each. Every decision is the core's; this only supplies time. After runs that queued
//! requests it wakes the dispatcher and the delivery worker ([`Wakeups`]).

use std::sync::Arc;
use std::time::Duration;

use dcc::gateway::Clock;
use dcc::schedule::Scheduler;
use dcc::store::Store;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::wake::Wakeups;

/// How often the scheduler looks for due runs (runs fall on whole seconds of a time of day).
pub const DEFAULT_TICK: Duration = Duration::from_secs(1);

/// Runs the scheduler until `shutdown` turns true.
pub async fn run<S, C>(
    scheduler: Arc<Scheduler>,
    store: Arc<S>,
    clock: Arc<C>,
    tick: Duration,
    wakeups: Wakeups,
    mut shutdown: watch::Receiver<bool>,
) where
    S: Store,
    C: Clock,
{
    // The UTC day the CPL's expiry was last run for: entries expire by date (`cpl::Cpl::
    // expired_at`), so one run a day is enough, not a write transaction on every tick.
    let mut cpl_checked: Option<time::Date> = None;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let (sc, st, c) = (scheduler.clone(), store.clone(), clock.clone());
        let (sc2, st2, now) = (scheduler.clone(), store.clone(), clock.now());
        let day = now.to_offset(time::UtcOffset::UTC).date();
        // The Certified Products List's expiry as the clock passes it (`dcc::products`).
        let expiry = if cpl_checked == Some(day) {
            None
        } else {
            Some(
                tokio::task::spawn_blocking(move || {
                    st2.transaction(|tx| dcc::products::expire(tx, now, Some(&sc2)))
                })
                .await,
            )
        };
        if matches!(expiry, Some(Ok(Ok(_)))) {
            cpl_checked = Some(day);
        }
        match expiry {
            None => {}
            Some(Ok(Ok(o))) if !o.expired.is_empty() => {
                info!(
                    expired = o.expired.len(),
                    suspended = o.suspended.len(),
                    schedules_withdrawn = o.withdrawn_schedules.len(),
                    "CPL entries expired"
                );
                wakeups.outbox.signal();
            }
            Some(Ok(Ok(_))) => {}
            Some(Ok(Err(e))) => warn!(error = %e, "CPL expiry failed"),
            Some(Err(e)) => warn!(error = %e, "CPL expiry task failed"),
        }
        match tokio::task::spawn_blocking(move || sc.run_all_due(&*st, c.now())).await {
            Ok(Ok(r)) if r.handled() > 0 => {
                info!(
                    runs = r.runs,
                    removed = r.removed,
                    skipped = r.skipped,
                    finished = r.finished,
                    "DCC schedules"
                );
                // Runs queue WAN commands; removals and skips tell their owners.
                wakeups.wan.signal();
                wakeups.outbox.signal();
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => warn!(error = %e, "DCC schedules failed"),
            Err(e) => warn!(error = %e, "DCC scheduler task failed"),
        }
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(tick) => {}
        }
    }
}
