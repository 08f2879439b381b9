//! The whole protocol the crate documentation describes, against a real nats-server, with an
//! in-memory stand-in for the database: jobs committed before they are announced (some never
//! announced: their producer "died"), two workers sharing the partitions, each attempt a
//! compare-and-set on the job's attempt count and only for the device's oldest open job,
//! retries announced by a successor notice, a worker that dies between its commit and its
//! acknowledgement, and a sweeper re-announcing open jobs. In the end every job is answered
//! exactly once, each device's jobs in the order they were queued.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{TestResult, config, eventually, hub, wan, with_queue};
use eui::Eui64;
use queue_nats::{PartitionedConsumer, Queue, QueueConfig, QueueError, Taken, WanNotice};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A job as the database keeps it.
#[derive(Debug, Clone)]
struct Job {
    notice: WanNotice,
    finished: bool,
    /// Whether its first transmission is "lost" (a retry follows).
    lose_first: bool,
}

/// The stand-in for the database: one mutex is one serialisable transaction.
#[derive(Default)]
struct Db {
    jobs: BTreeMap<i64, Job>,
    /// Every answer given, in the order committed: (device, job).
    answers: Vec<(Eui64, i64)>,
}

type SharedDb = Arc<Mutex<Db>>;

/// What one notice came to, decided and committed in one transaction.
enum Outcome {
    /// Finished, or attempted since the notice: nothing done.
    Stale,
    NotDue(Duration),
    /// The device's earlier job is still open.
    NotHead,
    /// Lost on the way: attempt recorded, the successor notice to publish.
    Retry(WanNotice),
    Answered,
}

fn attempt(db: &SharedDb, n: &WanNotice) -> Result<Outcome, String> {
    let mut db = db.lock().map_err(|_| "database poisoned")?;
    let now = now_ms();
    let Some(job) = db.jobs.get(&n.job).cloned() else {
        return Ok(Outcome::Stale);
    };
    if job.finished || job.notice.attempt != n.attempt {
        return Ok(Outcome::Stale);
    }
    if job.notice.due_at > now {
        let ms = u64::try_from(job.notice.due_at - now).unwrap_or(0);
        return Ok(Outcome::NotDue(Duration::from_millis(ms)));
    }
    let head = db
        .jobs
        .values()
        .filter(|j| j.notice.target == n.target && !j.finished)
        .map(|j| j.notice.job)
        .min();
    if head != Some(n.job) {
        return Ok(Outcome::NotHead);
    }
    let j = db.jobs.get_mut(&n.job).ok_or("job vanished")?;
    if j.lose_first && j.notice.attempt == 0 {
        j.notice = j.notice.next_attempt(now + 200);
        return Ok(Outcome::Retry(j.notice.clone()));
    }
    j.finished = true;
    let target = j.notice.target;
    db.answers.push((target, n.job));
    Ok(Outcome::Answered)
}

/// Settles a notice after its transaction: the rules of the crate documentation.
async fn settle(q: &Queue, t: Taken<WanNotice>, outcome: Outcome) -> Result<(), QueueError> {
    match outcome {
        Outcome::Stale | Outcome::Answered => t.ack().await,
        Outcome::NotDue(d) => t.nak(d).await,
        Outcome::NotHead => t.nak(Duration::from_millis(100)).await,
        Outcome::Retry(next) => {
            // The retry is committed; announce the next attempt, then let this one go.
            q.publish_wan(&next).await?;
            t.ack().await
        }
    }
}

fn spawn_worker(
    q: Queue,
    db: SharedDb,
    name: &'static str,
    stop: Arc<AtomicBool>,
    die_after_answers: Option<usize>,
) -> tokio::task::JoinHandle<Result<bool, String>> {
    // Ok(true): it died as told.
    tokio::spawn(async move {
        let mut w = PartitionedConsumer::wan(&q, name)
            .await
            .map_err(|e| e.to_string())?;
        let mut answered = 0;
        while !stop.load(Ordering::Relaxed) {
            let taken = match w.take(8, Duration::from_millis(200)).await {
                Ok(t) => t,
                Err(e) => return Err(e.to_string()),
            };
            for t in taken {
                let outcome = attempt(&db, t.notice())?;
                if matches!(outcome, Outcome::Answered) {
                    answered += 1;
                    if die_after_answers.is_some_and(|n| answered >= n) {
                        // Committed, and dies before acknowledging: the notice comes again
                        // (to whoever holds the partition then) and is found stale.
                        drop(t);
                        return Ok(true);
                    }
                }
                settle(&q, t, outcome).await.map_err(|e| e.to_string())?;
            }
        }
        w.leave().await.map_err(|e| e.to_string())?;
        Ok(false)
    })
}

/// Re-announces every open job whose due time is more than `bound` ago.
fn spawn_sweeper(
    q: Queue,
    db: SharedDb,
    stop: Arc<AtomicBool>,
    bound: Duration,
) -> tokio::task::JoinHandle<Result<usize, String>> {
    tokio::spawn(async move {
        let mut stored = 0;
        while !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let cutoff = now_ms() - i64::try_from(bound.as_millis()).unwrap_or(0);
            let open: Vec<WanNotice> = {
                let db = db.lock().map_err(|_| "database poisoned")?;
                db.jobs
                    .values()
                    .filter(|j| !j.finished && j.notice.due_at < cutoff)
                    .map(|j| j.notice.clone())
                    .collect()
            };
            if !open.is_empty() {
                match q.publish_wan_all(&open).await {
                    Ok(a) => stored += a.stored,
                    Err(e) => return Err(e.to_string()),
                }
            }
        }
        Ok(stored)
    })
}

#[tokio::test]
async fn every_job_is_answered_exactly_once_in_device_order_through_a_crash_and_lost_publishes()
-> TestResult {
    let cfg = QueueConfig {
        ack_wait: Duration::from_secs(2),
        ..config("protocol")
    };
    with_queue(cfg, |q, _| async move {
        let db: SharedDb = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let a = spawn_worker(q.clone(), db.clone(), "worker-a", stop.clone(), Some(4));
        let b = spawn_worker(q.clone(), db.clone(), "worker-b", stop.clone(), None);
        let sweeper = spawn_sweeper(q.clone(), db.clone(), stop.clone(), Duration::from_secs(1));

        // The gateway: 8 hubs, 6 requests each, interleaved; each job committed, then
        // announced, except every seventh (its producer died between commit and publish).
        let mut job = 0;
        let mut unannounced = 0;
        for _ in 0..6 {
            for h in 0..8 {
                job += 1;
                let notice = WanNotice {
                    due_at: now_ms(),
                    ..wan(job, hub(h))
                };
                db.lock().map_err(|_| "poisoned")?.jobs.insert(
                    job,
                    Job {
                        notice: notice.clone(),
                        finished: false,
                        lose_first: job % 5 == 0,
                    },
                );
                if job % 7 == 0 {
                    unannounced += 1;
                    continue;
                }
                q.publish_wan(&notice).await?;
            }
        }
        assert!(unannounced > 0);
        let total = usize::try_from(job)?;
        eventually(Duration::from_secs(40), "every job answered", || {
            let done = db
                .lock()
                .map(|d| d.jobs.values().all(|j| j.finished))
                .unwrap_or(false);
            async move { done }
        })
        .await;
        stop.store(true, Ordering::Relaxed);
        assert!(a.await??, "worker A died holding an answered notice");
        b.await??;
        let swept = sweeper.await??;
        assert!(
            swept >= unannounced,
            "the sweeper announced what was never published"
        );

        let db = db.lock().map_err(|_| "poisoned")?;
        assert_eq!(db.answers.len(), total, "each job answered once");
        let mut per_device: BTreeMap<Eui64, Vec<i64>> = BTreeMap::new();
        for (device, job) in &db.answers {
            per_device.entry(*device).or_default().push(*job);
        }
        for (device, jobs) in per_device {
            let mut sorted = jobs.clone();
            sorted.sort_unstable();
            assert_eq!(jobs, sorted, "device {device}: in the order queued");
        }
        Ok(())
    })
    .await
}
