//! Processes starting together: any number of `Queue::connect` calls on a fresh prefix at the
//! same moment set the layout up once between them and all succeed (the streams, the durable
//! consumers and both buckets are created or found, whoever is first), on a nats-server of the
//! test's own so that the machine's server's load does not decide the outcome.

mod common;

use std::time::Duration;

use common::own_server::{OwnServer, connect_when_listening};
use common::{TestResult, hub, wan};
use queue_nats::{Lane, Queue, QueueConfig, QueueError};

/// How many processes start at once, and how many times the test makes them (before the
/// layout's set-up retried a step that met another process, one start in a few rounds of twelve
/// failed: `bucket …_layout: … no stream found for given subject`, or `subjects overlap with an
/// existing stream`).
const AT_ONCE: usize = 12;
const ROUNDS: usize = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_setting_up_a_fresh_layout_together_all_succeed_and_agree() -> TestResult {
    // The server answers before the rounds start (its start is not what is tested). The free
    // port it was given can be taken by another process before it binds it: then another.
    let mut started = None;
    for _ in 0..3 {
        let server = OwnServer::start();
        let warm = QueueConfig {
            url: server.url(),
            prefix: common::unique_prefix("warm"),
            partitions: 1,
            ..QueueConfig::default()
        };
        match connect_when_listening(&warm).await {
            Ok(q) => {
                q.delete_layout().await?;
                started = Some(server);
                break;
            }
            Err(e) => eprintln!("the test's own nats-server at {}: {e}", warm.url),
        }
    }
    let server = started.ok_or("the test's own nats-server did not answer")?;

    for round in 0..ROUNDS {
        let config = QueueConfig {
            url: server.url(),
            prefix: common::unique_prefix(&format!("start{round}")),
            partitions: 16,
            ..QueueConfig::default()
        };
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(AT_ONCE));
        let mut starts = tokio::task::JoinSet::new();
        for _ in 0..AT_ONCE {
            let (config, barrier) = (config.clone(), barrier.clone());
            starts.spawn(async move {
                barrier.wait().await;
                Queue::connect(config).await
            });
        }
        let mut queues = Vec::new();
        while let Some(started) = starts.join_next().await {
            match started? {
                Ok(q) => queues.push(q),
                Err(e) => panic!("round {round}: a process starting with the others failed: {e}"),
            }
        }
        assert_eq!(queues.len(), AT_ONCE);

        // One layout: what each process publishes, another takes, from the one durable
        // consumer of its partition.
        let mut published = Vec::new();
        for (i, q) in queues.iter().enumerate() {
            let notice = wan(i64::try_from(i)?, hub(u64::try_from(i)?));
            assert!(!q.publish_wan(&notice).await?.duplicate);
            published.push(notice);
        }
        let taker = &queues[AT_ONCE - 1];
        let mut taken = Vec::new();
        for p in 0..16 {
            let here = published
                .iter()
                .filter(|n| taker.partition_of(n.chf) == p)
                .count();
            if here == 0 {
                continue;
            }
            let mut c = taker.wan_partition(p).await?;
            let mut got_here = 0;
            let mut starved = 0;
            while got_here < here {
                let got = match c.take(here - got_here, Duration::from_secs(10)).await {
                    Ok(got) => got,
                    // A machine loaded enough to starve the server past the fetch's idle
                    // heartbeat (CI building beside the test) fails the take; nothing is lost
                    // (the messages stay in the stream unsettled): ask again, a few times.
                    Err(e) if e.is_unavailable() && starved < 3 => {
                        eprintln!("round {round}: partition {p}: {e}; taking again");
                        starved += 1;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                assert!(
                    !got.is_empty(),
                    "round {round}: partition {p}'s notices not taken"
                );
                for t in got {
                    got_here += 1;
                    taken.push(t.notice().clone());
                    t.ack().await?;
                }
            }
        }
        taken.sort_by_key(|n| n.job);
        assert_eq!(taken, published, "round {round}: every notice taken once");
        for lane in [Lane::Wan, Lane::Device] {
            for p in 0..16 {
                queues[0].consumer_state(lane, Some(p)).await?;
            }
        }
        queues[0].consumer_state(Lane::Outbox, None).await?;
        assert_eq!(queues[0].pending(Lane::Wan).await?, 0);
        // The partition count recorded is the one they all started with: another is refused.
        let other = QueueConfig {
            partitions: 8,
            ..config.clone()
        };
        match Queue::connect(other).await {
            Err(QueueError::Config(why)) => assert!(why.contains("16 partitions"), "{why}"),
            Err(e) => panic!("another partition count: {e}"),
            Ok(_) => panic!("another partition count was accepted"),
        }
        queues[0].delete_layout().await?;
    }
    drop(server);
    Ok(())
}
