//! The JetStream layer against a real nats-server (127.0.0.1:4222, or `OPENDCC_TEST_NATS`):
//! each test on a prefix of its own, its streams deleted at the end. If NATS does not answer,
//! the tests fail and say so.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{TestResult, config, eventually, hub, wan, with_queue};
use queue_nats::{
    DeviceMessage, DeviceMessageKind, Lane, OutboxNotice, PartitionedConsumer, Queue, QueueConfig,
    QueueError,
};
use tokio::time::Instant;

const PATIENCE: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_notice_is_published_taken_and_acknowledged() -> TestResult {
    with_queue(config("ack"), |q, _| async move {
        let n = wan(1, hub(1));
        let p = q.partition_of(n.chf);
        let published = q.publish_wan(&n).await?;
        assert!(!published.duplicate);
        assert_eq!(q.pending(Lane::Wan).await?, 1);

        let mut c = q.wan_partition(p).await?;
        let taken = c.take(10, PATIENCE).await?;
        assert_eq!(taken.len(), 1);
        let t = taken.into_iter().next().ok_or("no message")?;
        assert_eq!(t.notice(), &n);
        assert_eq!(t.delivered(), 1);
        assert_eq!(t.partition(), Some(p));
        assert!(t.subject().ends_with(&n.chf.to_hex()), "{}", t.subject());
        t.ack().await?;
        // Work-queue retention: acknowledged is gone.
        assert_eq!(q.pending(Lane::Wan).await?, 0);
        let state = q.consumer_state(Lane::Wan, Some(p)).await?;
        assert_eq!((state.pending, state.ack_pending), (0, 0));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn outbox_and_device_messages_go_through_their_own_streams() -> TestResult {
    with_queue(config("lanes"), |q, _| async move {
        let o = OutboxNotice {
            item: 5,
            attempt: 0,
            recipient: hub(9),
            next_at: 0,
        };
        q.publish_outbox(&o).await?;
        let d = DeviceMessage {
            source_id: "csp-42".into(),
            chf: hub(3),
            device: hub(4),
            kind: DeviceMessageKind::Alert,
            frame: vec![0xdd, 0x01, 0x02],
            received_at: 7,
        };
        q.publish_device(&d).await?;
        let bad = DeviceMessage {
            source_id: "two words".into(),
            ..d.clone()
        };
        assert!(matches!(
            q.publish_device(&bad).await,
            Err(QueueError::Config(_))
        ));

        let mut outbox = q.outbox().await?;
        let t = outbox.take(1, PATIENCE).await?;
        assert_eq!(t.first().map(|t| t.notice()), Some(&o));
        for t in t {
            t.ack().await?;
        }
        let mut device = q.device_partition(q.partition_of(d.chf)).await?;
        let t = device.take(1, PATIENCE).await?;
        assert_eq!(t.first().map(|t| t.notice()), Some(&d));
        for t in t {
            t.ack().await?;
        }
        assert_eq!(q.pending(Lane::Outbox).await?, 0);
        assert_eq!(q.pending(Lane::Device).await?, 0);
        // A partition that does not exist is refused.
        assert!(matches!(
            q.wan_partition(4).await,
            Err(QueueError::Config(_))
        ));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_duplicate_publish_is_delivered_once() -> TestResult {
    with_queue(config("dup"), |q, _| async move {
        let n = wan(7, hub(2));
        let first = q.publish_wan(&n).await?;
        let again = q.publish_wan(&n).await?;
        assert!(!first.duplicate);
        assert!(again.duplicate, "same message id within the window");
        assert_eq!(again.sequence, first.sequence);
        // The next attempt is a new message.
        let next = q.publish_wan(&n.next_attempt(100)).await?;
        assert!(!next.duplicate);
        assert_eq!(q.pending(Lane::Wan).await?, 2);

        let mut c = q.wan_partition(q.partition_of(n.chf)).await?;
        let mut seen = Vec::new();
        while seen.len() < 2 {
            for t in c.take(10, PATIENCE).await? {
                seen.push(t.notice().message_id());
                t.ack().await?;
            }
        }
        assert_eq!(seen, ["wan-7-0", "wan-7-1"]);
        assert_eq!(q.pending(Lane::Wan).await?, 0);

        let o = OutboxNotice {
            item: 1,
            attempt: 3,
            recipient: hub(5),
            next_at: 0,
        };
        assert!(!q.publish_outbox(&o).await?.duplicate);
        assert!(q.publish_outbox(&o).await?.duplicate);
        assert_eq!(q.pending(Lane::Outbox).await?, 1);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_sweep_re_announces_in_one_batch_and_repeats_are_dropped() -> TestResult {
    with_queue(config("sweep"), |q, _| async move {
        // The producer announced jobs 1 to 10; the sweeper then re-announces 1 to 15 (11 to 15
        // were committed by a producer that died before publishing).
        let first: Vec<_> = (1..=10).map(|j| wan(j, hub(j as u64 % 5))).collect();
        let sweep: Vec<_> = (1..=15).map(|j| wan(j, hub(j as u64 % 5))).collect();
        let a = q.publish_wan_all(&first).await?;
        assert_eq!((a.stored, a.duplicates), (10, 0));
        let b = q.publish_wan_all(&sweep).await?;
        assert_eq!((b.stored, b.duplicates), (5, 10));
        assert_eq!(q.pending(Lane::Wan).await?, 15);
        let o: Vec<_> = (1..=3)
            .map(|i| OutboxNotice {
                item: i,
                attempt: 0,
                recipient: hub(1),
                next_at: 0,
            })
            .collect();
        assert_eq!(q.publish_outbox_all(&o).await?.stored, 3);
        assert_eq!(q.publish_outbox_all(&o).await?.duplicates, 3);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_message_taken_by_a_worker_that_dies_is_redelivered_to_another() -> TestResult {
    let cfg = QueueConfig {
        ack_wait: Duration::from_secs(1),
        ..config("redeliver")
    };
    with_queue(cfg, |q, cfg| async move {
        let n = wan(3, hub(7));
        let p = q.partition_of(n.chf);
        q.publish_wan(&n).await?;
        {
            // Worker A: its own connection; takes the message and dies without settling it.
            let a = common::connect(&cfg).await;
            let mut c = a.wan_partition(p).await?;
            let taken = c.take(1, PATIENCE).await?;
            assert_eq!(taken.len(), 1);
            drop(taken);
            drop(c);
            drop(a);
        }
        // Worker B, another connection, gets it again once ack_wait has passed.
        let b = common::connect(&cfg).await;
        let mut c = b.wan_partition(p).await?;
        let start = Instant::now();
        let mut taken = Vec::new();
        while taken.is_empty() && start.elapsed() < PATIENCE {
            taken = c.take(1, PATIENCE).await?;
        }
        let t = taken.into_iter().next().ok_or("not redelivered")?;
        assert_eq!(t.notice(), &n);
        assert!(t.delivered() >= 2, "delivery {}", t.delivered());
        t.ack().await?;
        assert_eq!(q.pending(Lane::Wan).await?, 0);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_nak_with_a_delay_brings_the_message_back_after_the_delay() -> TestResult {
    with_queue(config("nak"), |q, _| async move {
        let n = wan(11, hub(8));
        q.publish_wan(&n).await?;
        let mut c = q.wan_partition(q.partition_of(n.chf)).await?;
        let t = c
            .take(1, PATIENCE)
            .await?
            .into_iter()
            .next()
            .ok_or("no message")?;
        let delay = Duration::from_millis(1500);
        let naked_at = Instant::now();
        t.nak(delay).await?;
        let mut back = Vec::new();
        while back.is_empty() && naked_at.elapsed() < PATIENCE {
            back = c.take(1, PATIENCE).await?;
        }
        let elapsed = naked_at.elapsed();
        let t = back.into_iter().next().ok_or("not delivered again")?;
        assert_eq!(t.notice(), &n);
        assert_eq!(t.delivered(), 2);
        assert!(
            elapsed >= delay - Duration::from_millis(100),
            "back after {elapsed:?}, delay {delay:?}"
        );
        t.ack().await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn progress_keeps_a_long_piece_of_work_from_being_redelivered() -> TestResult {
    let cfg = QueueConfig {
        ack_wait: Duration::from_secs(1),
        ..config("progress")
    };
    with_queue(cfg, |q, _| async move {
        let n = wan(12, hub(9));
        let p = q.partition_of(n.chf);
        q.publish_wan(&n).await?;
        let mut c = q.wan_partition(p).await?;
        let t = c
            .take(1, PATIENCE)
            .await?
            .into_iter()
            .next()
            .ok_or("no message")?;
        // Three ack_waits of work, reporting progress every 300 ms.
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            t.in_progress().await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let state = q.consumer_state(Lane::Wan, Some(p)).await?;
        assert_eq!(state.redelivered, 0, "{state:?}");
        assert_eq!(state.ack_pending, 1);
        assert_eq!(t.delivered(), 1);
        t.ack().await?;
        assert_eq!(q.pending(Lane::Wan).await?, 0);
        Ok(())
    })
    .await
}

/// What the workers took: `(worker, partition, job)` in the order taken.
type Seen = Arc<Mutex<Vec<(&'static str, u32, i64)>>>;

/// Runs a worker on the WAN lane: takes, works `work` on each message, records `(worker,
/// partition, job)` in the order taken, acknowledges. Stops when `stop` is set or when `die_after` messages were taken (then it
/// drops everything it took from that point on, unacknowledged, and its leases: a crash).
fn spawn_worker(
    q: Queue,
    name: &'static str,
    seen: Seen,
    stop: Arc<std::sync::atomic::AtomicBool>,
    die_after: Option<usize>,
    work: Duration,
) -> tokio::task::JoinHandle<Result<(), QueueError>> {
    tokio::spawn(async move {
        let mut w = PartitionedConsumer::wan(&q, name).await?;
        let mut taken_total = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let batch = w.take(16, Duration::from_millis(200)).await?;
            for t in batch {
                taken_total += 1;
                if die_after.is_some_and(|n| taken_total > n) {
                    // Dies holding this message (and whatever it prefetched), unsettled.
                    drop(t);
                    return Ok(());
                }
                let job = t.notice().job;
                let p = t.partition().unwrap_or(u32::MAX);
                tokio::time::sleep(work).await;
                t.ack().await?;
                if let Ok(mut s) = seen.lock() {
                    s.push((name, p, job));
                }
            }
        }
        w.leave().await
    })
}

/// Publishes `per_hub` notices for each of `hubs` hubs, interleaved; job ids grow with the
/// order of publication. Returns the jobs of each hub in order.
async fn publish_interleaved(
    q: &Queue,
    hubs: u64,
    per_hub: i64,
) -> Result<BTreeMap<u64, Vec<i64>>, QueueError> {
    let mut by_hub: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
    let mut job = 0;
    for _ in 0..per_hub {
        for h in 0..hubs {
            job += 1;
            q.publish_wan(&wan(job, hub(h))).await?;
            by_hub.entry(h).or_default().push(job);
        }
    }
    Ok(by_hub)
}

#[tokio::test]
async fn a_hubs_notices_come_out_in_order_while_two_workers_share_the_partitions() -> TestResult {
    with_queue(config("order"), |q, _| async move {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let a = spawn_worker(
            q.clone(),
            "worker-a",
            seen.clone(),
            stop.clone(),
            None,
            Duration::ZERO,
        );
        let b = spawn_worker(
            q.clone(),
            "worker-b",
            seen.clone(),
            stop.clone(),
            None,
            Duration::ZERO,
        );
        // Both hold their share (2 of 4) before anything is published.
        eventually(PATIENCE, "two workers sharing four partitions", || {
            let q = q.clone();
            async move {
                leases(&q)
                    .await
                    .is_ok_and(|l| l.len() == 4 && distinct_owners(&l) == 2)
            }
        })
        .await;

        let hubs = 12;
        let per_hub = 15;
        let by_hub = publish_interleaved(&q, hubs, per_hub).await?;
        let total = usize::try_from(hubs)? * usize::try_from(per_hub)?;
        eventually(PATIENCE, "every notice taken", || {
            let n = seen.lock().map(|s| s.len()).unwrap_or(0);
            async move { n >= total }
        })
        .await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        a.await??;
        b.await??;

        let seen = seen.lock().map_err(|_| "poisoned")?.clone();
        assert_eq!(seen.len(), total, "each notice taken exactly once");
        let jobs: BTreeSet<i64> = seen.iter().map(|s| s.2).collect();
        assert_eq!(jobs.len(), total);
        let workers: BTreeSet<&str> = seen.iter().map(|s| s.0).collect();
        assert_eq!(workers.len(), 2, "both workers took part");
        for (h, expected) in by_hub {
            let got: Vec<i64> = seen
                .iter()
                .filter(|s| expected.contains(&s.2))
                .map(|s| s.2)
                .collect();
            assert_eq!(got, expected, "hub {h}'s notices in order");
            let owners: BTreeSet<&str> = seen
                .iter()
                .filter(|s| expected.contains(&s.2))
                .map(|s| s.0)
                .collect();
            assert_eq!(owners.len(), 1, "hub {h} taken by one worker");
        }
        assert_eq!(q.pending(Lane::Wan).await?, 0);
        Ok(())
    })
    .await
}

/// The WAN lane's partition leases as the bucket holds them: partition → worker.
async fn leases(q: &Queue) -> Result<BTreeMap<u32, String>, QueueError> {
    q.leases(Lane::Wan).await
}

fn distinct_owners(l: &BTreeMap<u32, String>) -> usize {
    l.values().collect::<BTreeSet<_>>().len()
}

#[tokio::test]
async fn when_a_partitions_worker_dies_another_takes_it_over_and_nothing_is_lost() -> TestResult {
    let cfg = QueueConfig {
        ack_wait: Duration::from_secs(2),
        ..config("failover")
    };
    with_queue(cfg, |q, _| async move {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Worker A dies after taking 5 notices (the sixth, and what it prefetched, unsettled).
        let a = spawn_worker(
            q.clone(),
            "worker-a",
            seen.clone(),
            stop.clone(),
            Some(5),
            Duration::ZERO,
        );
        let b = spawn_worker(
            q.clone(),
            "worker-b",
            seen.clone(),
            stop.clone(),
            None,
            Duration::ZERO,
        );
        eventually(PATIENCE, "two workers sharing four partitions", || {
            let q = q.clone();
            async move {
                leases(&q)
                    .await
                    .is_ok_and(|l| l.len() == 4 && distinct_owners(&l) == 2)
            }
        })
        .await;
        let a_partitions: BTreeSet<u32> = leases(&q)
            .await?
            .into_iter()
            .filter(|(_, w)| w == "worker-a")
            .map(|(p, _)| p)
            .collect();

        let hubs = 12;
        let per_hub = 10;
        let by_hub = publish_interleaved(&q, hubs, per_hub).await?;
        let total = usize::try_from(hubs)? * usize::try_from(per_hub)?;
        a.await??;
        // B takes A's partitions over once A's leases expire, and gets every notice: those A
        // never took, and those A took and died with (after ack_wait).
        eventually(PATIENCE, "worker B holding every partition", || {
            let q = q.clone();
            async move {
                leases(&q)
                    .await
                    .is_ok_and(|l| l.len() == 4 && l.values().all(|w| w == "worker-b"))
            }
        })
        .await;
        eventually(PATIENCE, "every notice acknowledged", || {
            let n = seen
                .lock()
                .map(|s| s.iter().map(|s| s.2).collect::<BTreeSet<_>>().len())
                .unwrap_or(0);
            async move { n >= total }
        })
        .await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        b.await??;

        let seen = seen.lock().map_err(|_| "poisoned")?.clone();
        let jobs: BTreeSet<i64> = seen.iter().map(|s| s.2).collect();
        let all: BTreeSet<i64> = by_hub.values().flatten().copied().collect();
        assert_eq!(jobs, all, "nothing lost");
        // At least once: a message B prefetched and held past ack_wait (a loaded machine) may
        // come twice; the database's check makes the second harmless.
        assert!(seen.len() >= total);
        let a_acked = seen.iter().filter(|s| s.0 == "worker-a").count();
        assert_eq!(a_acked, 5);
        // B took over A's partitions' notices.
        assert!(
            seen.iter()
                .any(|s| s.0 == "worker-b" && a_partitions.contains(&s.1)),
            "B took A's partitions"
        );
        // No order is asserted across the takeover: A's unsettled notices come to B after
        // ack_wait, possibly after later notices of the same hubs that A never got. That is why
        // the WAN consumer attempts a job only when it is its device's oldest unfinished one.
        assert_eq!(q.pending(Lane::Wan).await?, 0);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error_at_connect() {
    // Port 1 on loopback: nothing listens there.
    let cfg = QueueConfig {
        url: "nats://127.0.0.1:1".into(),
        ..config("unreachable")
    };
    let start = Instant::now();
    let e = match Queue::connect(cfg).await {
        Ok(_) => panic!("connected to a port nothing listens on"),
        Err(e) => e,
    };
    assert!(e.is_unavailable(), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(start.elapsed() < Duration::from_secs(10), "failed fast");
}

#[tokio::test]
async fn a_process_with_another_partition_count_is_refused() -> TestResult {
    with_queue(config("layout"), |_q, cfg| async move {
        let other = QueueConfig {
            partitions: 8,
            ..cfg.clone()
        };
        match Queue::connect(other).await {
            Err(QueueError::Config(why)) => assert!(why.contains("partitions"), "{why}"),
            other => panic!("expected a configuration error, got {other:?}"),
        }
        let other = QueueConfig {
            lease_ttl: Duration::from_secs(5),
            ..cfg.clone()
        };
        assert!(matches!(
            Queue::connect(other).await,
            Err(QueueError::Config(_))
        ));
        // The same configuration connects again.
        common::connect(&cfg).await;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_worker_that_joins_gets_its_share_at_once_with_what_the_other_had_prefetched()
-> TestResult {
    // ack_wait (30 s) is longer than the test's patience: nothing here may wait for it.
    with_queue(config("join"), |q, cfg| async move {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        // A works slowly (20 ms a message), so that it holds a backlog when B joins.
        let a = spawn_worker(
            q.clone(),
            "worker-a",
            seen.clone(),
            stop.clone(),
            None,
            Duration::from_millis(20),
        );
        eventually(PATIENCE, "worker A holding every partition", || {
            let q = q.clone();
            async move {
                leases(&q)
                    .await
                    .is_ok_and(|l| l.len() == 4 && l.values().all(|w| w == "worker-a"))
            }
        })
        .await;
        let by_hub = publish_interleaved(&q, 12, 25).await?;
        let total = 12 * 25;
        eventually(PATIENCE, "worker A under way", || {
            let n = seen.lock().map(|s| s.len()).unwrap_or(0);
            async move { n > 0 }
        })
        .await;
        let joined = Instant::now();
        let b = spawn_worker(
            q.clone(),
            "worker-b",
            seen.clone(),
            stop.clone(),
            None,
            Duration::from_millis(20),
        );
        eventually(PATIENCE, "every notice taken", || {
            let n = seen.lock().map(|s| s.len()).unwrap_or(0);
            async move { n >= total }
        })
        .await;
        assert!(joined.elapsed() < cfg.ack_wait);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        a.await??;
        b.await??;
        let seen = seen.lock().map_err(|_| "poisoned")?.clone();
        assert_eq!(seen.len(), total, "each notice acknowledged once");
        let jobs: BTreeSet<i64> = seen.iter().map(|s| s.2).collect();
        let all: BTreeSet<i64> = by_hub.values().flatten().copied().collect();
        assert_eq!(jobs, all);
        let b_took = seen.iter().filter(|s| s.0 == "worker-b").count();
        assert!(b_took > 0, "B took its share");
        assert_eq!(q.pending(Lane::Wan).await?, 0);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn each_partitioned_lane_is_shared_out_on_its_own_under_the_same_worker_names() -> TestResult
{
    with_queue(config("lanes2"), |q, _| async move {
        let mut wan_a = PartitionedConsumer::wan(&q, "worker-a").await?;
        let mut wan_b = PartitionedConsumer::wan(&q, "worker-b").await?;
        let mut dev_a = PartitionedConsumer::device(&q, "worker-a").await?;
        let mut dev_b = PartitionedConsumer::device(&q, "worker-b").await?;
        let start = Instant::now();
        loop {
            wan_a.rebalance().await?;
            wan_b.rebalance().await?;
            dev_a.rebalance().await?;
            dev_b.rebalance().await?;
            let shared = |a: &[u32], b: &[u32]| a.len() == 2 && b.len() == 2;
            if shared(&wan_a.held(), &wan_b.held()) && shared(&dev_a.held(), &dev_b.held()) {
                break;
            }
            assert!(start.elapsed() < PATIENCE, "lanes not shared out");
        }
        for lane in [Lane::Wan, Lane::Device] {
            let l = q.leases(lane).await?;
            assert_eq!(l.len(), 4, "{lane:?}: {l:?}");
            assert_eq!(distinct_owners(&l), 2, "{lane:?}: {l:?}");
        }
        // A device message reaches the worker holding its hub's device partition.
        let d = DeviceMessage {
            source_id: "csp-7".into(),
            chf: hub(1),
            device: hub(2),
            kind: DeviceMessageKind::Response,
            frame: vec![1, 2, 3],
            received_at: 0,
        };
        q.publish_device(&d).await?;
        let holder = if dev_a.held().contains(&q.partition_of(d.chf)) {
            &mut dev_a
        } else {
            &mut dev_b
        };
        let mut got = Vec::new();
        while got.is_empty() && start.elapsed() < PATIENCE {
            got = holder.take(1, Duration::from_secs(1)).await?;
        }
        let t = got.into_iter().next().ok_or("device message not taken")?;
        assert_eq!(t.notice(), &d);
        t.ack().await?;
        for w in [wan_a, wan_b] {
            w.leave().await?;
        }
        for w in [dev_a, dev_b] {
            w.leave().await?;
        }
        assert!(
            q.leases(Lane::Wan).await?.is_empty(),
            "leave gives leases up"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn delivery_workers_share_the_outbox_each_notice_going_to_one_of_them() -> TestResult {
    // A worker asks for no more than it can work on: with a large prefetch the first to ask
    // would be sent the whole backlog.
    let cfg = QueueConfig {
        prefetch: 3,
        ..config("outbox2")
    };
    with_queue(cfg, |q, cfg| async move {
        let notices: Vec<OutboxNotice> = (1..=40)
            .map(|i| OutboxNotice {
                item: i,
                attempt: 0,
                recipient: hub(u64::try_from(i % 3).unwrap_or(0)),
                next_at: 0,
            })
            .collect();
        q.publish_outbox_all(&notices).await?;
        let other = common::connect(&cfg).await;
        let (mut one, mut two) = (q.outbox().await?, other.outbox().await?);
        let (mut got_one, mut got_two) = (Vec::new(), Vec::new());
        let start = Instant::now();
        while got_one.len() + got_two.len() < notices.len() && start.elapsed() < PATIENCE {
            // Each takes a few at a time and works on them a moment, as a delivery worker does.
            let (a, b) = tokio::join!(
                one.take(3, Duration::from_millis(200)),
                two.take(3, Duration::from_millis(200))
            );
            for (taken, got) in [(a?, &mut got_one), (b?, &mut got_two)] {
                for t in taken {
                    got.push(t.notice().item);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    t.ack().await?;
                }
            }
        }
        let mut all: Vec<i64> = got_one.iter().chain(&got_two).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (1..=40).collect::<Vec<_>>(), "each to one worker");
        assert!(!got_one.is_empty() && !got_two.is_empty(), "both took some");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_unreadable_message_is_terminated_and_the_next_one_taken() -> TestResult {
    with_queue(config("garbage"), |q, cfg| async move {
        let n = wan(21, hub(4));
        let p = q.partition_of(n.chf);
        // Something else publishes on the partition's subject.
        let raw = async_nats::connect(cfg.url.as_str()).await?;
        let js = async_nats::jetstream::new(raw);
        let subject = format!("{}.wan.{p}.{}", cfg.prefix, n.chf.to_hex());
        js.publish(subject, "not a notice".into()).await?.await?;
        q.publish_wan(&n).await?;
        let mut c = q.wan_partition(p).await?;
        let mut got = Vec::new();
        let start = Instant::now();
        while got.is_empty() && start.elapsed() < PATIENCE {
            got = c.take(10, Duration::from_secs(1)).await?;
        }
        assert_eq!(got.len(), 1);
        let t = got.into_iter().next().ok_or("no message")?;
        assert_eq!(t.notice(), &n);
        t.ack().await?;
        // The unreadable one is settled too: nothing is waiting for an acknowledgement.
        let state = q.consumer_state(Lane::Wan, Some(p)).await?;
        assert_eq!((state.pending, state.ack_pending), (0, 0), "{state:?}");
        Ok(())
    })
    .await
}
