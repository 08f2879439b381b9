//! NATS down mid-run: a nats-server of the test's own (on a free loopback port, its JetStream in
//! a temporary directory) is stopped and started again. While it is down every call fails with
//! `QueueError::Unavailable` (never a panic, and at once for a publish); once it is back the
//! client has reconnected on its own and nothing published before the outage is lost.
//!
//! Needs the `nats-server` binary (Debian's package; `scripts/services.sh` installs it), or its
//! path in `OPENDCC_NATS_SERVER`.

mod common;

use std::time::Duration;

use common::own_server::{OwnServer, PATIENCE, connect_when_listening};
use common::{TestResult, eventually, hub, wan};
use queue_nats::{Lane, QueueConfig};

#[tokio::test]
async fn while_nats_is_down_calls_fail_as_unavailable_and_nothing_published_is_lost() -> TestResult
{
    let mut server = OwnServer::start();
    let config = QueueConfig {
        url: server.url(),
        prefix: common::unique_prefix("outage"),
        partitions: 2,
        ..QueueConfig::default()
    };
    let q = connect_when_listening(&config).await?;

    let before = wan(1, hub(1));
    let p = q.partition_of(before.chf);
    q.publish_wan(&before).await?;
    let mut c = q.wan_partition(p).await?;

    server.stop();
    eventually(PATIENCE, "the client seeing the connection drop", || {
        let down = q.check_available().is_err();
        async move { down }
    })
    .await;
    let during = wan(2, hub(1));
    let e = q
        .publish_wan(&during)
        .await
        .err()
        .ok_or("published while NATS was down")?;
    assert!(e.is_unavailable(), "{e:?}");
    let e = q
        .wan_partition(p)
        .await
        .err()
        .ok_or("a consumer while NATS was down")?;
    assert!(e.is_unavailable(), "{e:?}");
    let e = c
        .take(1, Duration::from_secs(2))
        .await
        .err()
        .ok_or("took while NATS was down")?;
    assert!(e.is_unavailable(), "{e:?}");

    server.restart();
    eventually(PATIENCE, "the client reconnecting on its own", || {
        let up = q.is_connected();
        async move { up }
    })
    .await;
    // The producer (or the sweeper) publishes what it could not.
    q.publish_wan(&during).await?;
    let mut got = Vec::new();
    let start = tokio::time::Instant::now();
    while got.len() < 2 && start.elapsed() < PATIENCE {
        // The consumer's subscription was dropped by the failed take and opens again here.
        match c.take(10, Duration::from_secs(1)).await {
            Ok(taken) => {
                for t in taken {
                    got.push(t.notice().job);
                    t.ack().await?;
                }
            }
            Err(e) if e.is_unavailable() => {}
            Err(e) => return Err(e.into()),
        }
    }
    got.sort_unstable();
    assert_eq!(got, [1, 2], "nothing lost");
    assert_eq!(q.pending(Lane::Wan).await?, 0);
    q.delete_layout().await?;
    Ok(())
}

#[tokio::test]
async fn a_server_without_jetstream_is_refused_as_unavailable_and_says_why() {
    let server = OwnServer::start_with(false);
    let config = QueueConfig {
        url: server.url(),
        prefix: common::unique_prefix("nojs"),
        ..QueueConfig::default()
    };
    match connect_when_listening(&config).await {
        Ok(_) => panic!("connected to a server without JetStream"),
        Err(e) => {
            assert!(e.is_unavailable(), "{e:?}");
            assert!(e.to_string().contains("JetStream"), "{e}");
        }
    }
}
