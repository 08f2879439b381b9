//! `opendcc serve --config FILE` on real sockets: every role in one process, and the roles
//! split over two processes on one SQLite directory; the client tools find the DCC by the
//! manifest the gateway writes (kept away from the data directory, so that nothing finds the
//! store by the manifest's place); a role already run by another process is refused; a world
//! moved to PostgreSQL (`opendcc migrate`) served from there.

mod common;

use std::path::Path;
use std::time::Duration;

use common::procs::{Served, kill9, path_str};
use common::*;

/// The roles every configuration of these tests shares: a SQLite world in `root/data`.
fn config(roles: &[&str], manifest: bool) -> String {
    let mut c = String::from("store = \"sqlite:data\"\nqueue = \"embedded\"\n");
    if roles.contains(&"gateway") {
        c.push_str("listen = \"127.0.0.1:0\"\n");
    }
    if roles.contains(&"smki") {
        c.push_str("smki_listen = \"127.0.0.1:0\"\n");
    }
    if manifest {
        c.push_str("manifest = \"run/dcc.json\"\n");
    }
    let quoted: Vec<String> = roles.iter().map(|r| format!("{r:?}")).collect();
    c.push_str(&format!("roles = [{}]\n", quoted.join(", ")));
    c
}

/// Runs `opendcc bench load` on the DCC `manifest` names with `args` (and a short crypto
/// ceiling, a two-minute bound), and returns its JSON report.
fn bench_load(manifest: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["bench", "load", "--manifest", path_str(manifest)];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", "--ceiling-ms", "5", "--max-seconds", "120"]);
    let bench = run_cli_within(&all, None, Duration::from_secs(180));
    assert!(bench.status.success(), "bench load: {}", stderr_of(&bench));
    serde_json::from_str(stdout_of(&bench).trim()).expect("the bench report is JSON")
}

/// Reads the ESME's firmware version (11.2, ECS52) with the client tools as supplier-a and
/// checks that its answer, from the meter, reaches the Receive Response Service that `opendcc
/// user response-url --manifest` registered.
fn read_a_meter_with_the_client_tools(root: &Path, manifest_path: &Path, counter: u64) {
    let manifest = Manifest::load(manifest_path);
    let out = root.join("responses");
    let mut listener = CliListener::start(manifest_path, &out);
    let set = run_cli(
        &[
            "user",
            "response-url",
            "--manifest",
            path_str(manifest_path),
            "--user",
            "supplier-a",
            listener.url(),
        ],
        None,
    );
    assert!(set.status.success(), "response-url: {}", stderr_of(&set));

    let rid = request_id(&manifest.user("supplier-a").eui, premises1::ESME, counter);
    let file = root.join(format!("read-{counter}.xml"));
    std::fs::write(
        &file,
        set_text(&template(tpl::READ_FIRMWARE_ESME), "RequestID", &rid),
    )
    .expect("writing the request");
    let sent = run_cli(
        &[
            "client",
            "send",
            "--manifest",
            path_str(manifest_path),
            "--user",
            "supplier-a",
            "--sign",
            path_str(&file),
        ],
        None,
    );
    assert!(sent.status.success(), "client send: {}", stderr_of(&sent));
    let dcc = cert_der(&manifest.dcc.xml_signing_cert);
    DuisResponse::checked(stdout_of(&sent).trim_end(), &dcc).assert_code("I99", &rid);

    listener.wait_for_line(DELIVERY_WAIT, |l| {
        l == format!("VERIFIED response I0 {rid}")
    });
    let answer = std::fs::read_to_string(listener.saved(&rid)).expect("the saved response");
    let r = DuisResponse::checked(&answer, &dcc);
    r.assert_code("I0", &rid);
    assert!(
        r.find_any("GBCSPayload").is_some(),
        "the meter's answer: {}",
        r.xml
    );
}

#[test]
fn serve_runs_every_role_and_the_client_tools_use_its_manifest() {
    let root = tempfile::tempdir().expect("a temporary directory");
    let mut dcc = Served::start(
        root.path(),
        "dcc",
        &config(
            &["gateway", "wan", "devices", "delivery", "scheduler", "smki"],
            true,
        ),
    );
    let manifest_path = root.path().join("run/dcc.json");
    dcc.wait_until("the manifest", |_| manifest_path.exists());
    let manifest = Manifest::load(&manifest_path);
    assert!(manifest.duis_url.starts_with("https://127.0.0.1:"));
    assert!(
        manifest
            .smki_url
            .as_deref()
            .is_some_and(|u| u.starts_with("http://127.0.0.1:")),
        "{manifest:?}"
    );
    // A new world was made in the empty directory, as `opendcc demo` makes it.
    let data = std::fs::canonicalize(root.path().join("data")).expect("the data directory");
    assert!(data.join("world.json").is_file());
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).expect("the manifest"))
            .expect("the manifest is JSON");
    assert_eq!(
        recorded["store"],
        serde_json::json!(format!("sqlite:{}", data.display()))
    );

    read_a_meter_with_the_client_tools(root.path(), &manifest_path, 1_000);
    // The operator's counter tool finds the store by the manifest too.
    let floor = run_cli(
        &[
            "user",
            "counter",
            "--manifest",
            path_str(&manifest_path),
            "--user",
            "supplier-a",
        ],
        None,
    );
    assert!(
        floor.status.success(),
        "user counter: {}",
        stderr_of(&floor)
    );
    assert!(
        stdout_of(&floor)
            .trim_end()
            .ends_with(": counter floor 1000"),
        "{}",
        stdout_of(&floor)
    );

    // A second process on the same directory cannot run a role this one runs, and says so.
    let again = run_cli(
        &[
            "serve",
            "--config",
            path_str(&{
                let f = root.path().join("again.toml");
                std::fs::write(&f, config(&["delivery"], false)).expect("writing");
                f
            }),
        ],
        None,
    );
    assert!(!again.status.success());
    assert!(
        stderr_of(&again).contains(&format!(
            "role \"delivery\" already runs in another process on {}",
            data.display()
        )),
        "{}",
        stderr_of(&again)
    );

    // `bench load` finds the store from the manifest too.
    let report = bench_load(&manifest_path, &["--requests", "4", "--concurrency", "2"]);
    assert_eq!(report["completed"], serde_json::json!(4), "{report}");

    let status = dcc.stop();
    assert!(status.success(), "SIGTERM is a clean shutdown: {status}");
}

#[test]
fn roles_split_over_two_processes_serve_one_dcc() {
    let root = tempfile::tempdir().expect("a temporary directory");
    // The front: DUIS, delivery, SMKI. It makes the world and writes the manifest.
    let mut front = Served::start(
        root.path(),
        "front",
        &config(&["gateway", "delivery", "smki"], true),
    );
    let manifest_path = root.path().join("run/dcc.json");
    front.wait_until("the manifest", |_| manifest_path.exists());
    // The back: the WAN with its devices, and the scheduler.
    let mut back = Served::start(
        root.path(),
        "back",
        &config(&["wan", "devices", "scheduler"], false),
    );
    back.wait_until("the emulated SM WAN", |s| {
        s.log().contains("emulated SM WAN up")
    });
    assert!(!front.log().contains("emulated SM WAN up"));

    read_a_meter_with_the_client_tools(root.path(), &manifest_path, 2_000);

    // The back's roles are taken; a third process asking for one of them is refused, and
    // nothing is left half-started by it.
    let third = root.path().join("third.toml");
    std::fs::write(&third, config(&["wan", "devices"], false)).expect("writing");
    let out = run_cli(&["serve", "--config", path_str(&third)], None);
    assert!(!out.status.success());
    assert!(
        stderr_of(&out).contains("role \"wan\" already runs in another process"),
        "{}",
        stderr_of(&out)
    );

    assert!(back.stop().success());
    assert!(front.stop().success());
}

#[test]
fn serve_refuses_bad_configurations_before_touching_anything() {
    let root = tempfile::tempdir().expect("a temporary directory");
    let cases: &[(&str, &str)] = &[
        (
            "store = \"sqlite:data\"\nroles = [\"gateway\", \"mixer\"]\n",
            "unknown variant `mixer`, expected one of `gateway`, `wan`, `devices`, `delivery`, `scheduler`, `smki`",
        ),
        (
            "store = \"mysql://h/db\"\nroles = [\"delivery\"]\n",
            "a store is \"sqlite:DIR\" (a SQLite database in DIR) or \"postgres://…\" (PostgreSQL)",
        ),
        (
            "store = \"postgres://dcc:pw@127.0.0.1/dcc\"\ndata = \"data\"\nroles = [\"delivery\"]\n",
            "holds no demo world (run `opendcc demo --data",
        ),
        (
            "store = \"sqlite:data\"\nqueue = \"nats://127.0.0.1:4222\"\nqueue_prefix = \"a b\"\nroles = [\"delivery\"]\n",
            "queue \"nats://127.0.0.1:4222\": NATS JetStream configuration: prefix \"a b\"",
        ),
        (
            "store = \"sqlite:data\"\nqueue_prefix = \"p\"\nroles = [\"delivery\"]\n",
            "queue_prefix and queue_partitions are for queue = \"nats://…\"",
        ),
        (
            "store = \"sqlite:data\"\nroles = [\"wan\"]\n",
            "role \"wan\" needs \"devices\" in the same process",
        ),
        (
            "store = \"sqlite:data\"\nmanifest = \"m.json\"\nroles = [\"gateway\"]\n",
            "role \"gateway\" needs listen",
        ),
        (
            "store = \"sqlite:data\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:GX:90-B3-D5-1F-30-03-00-00\"]\n",
            "registrations: \"1234567:GX:90-B3-D5-1F-30-03-00-00\": unknown registration role \"GX\"",
        ),
        // Checked against the world it would make, before making it.
        (
            "store = \"sqlite:data\"\nroles = [\"delivery\"]\nregistrations = [\"1234567:GS:90-B3-D5-1F-30-05-00-00\"]\n",
            "registration 1234567:GS:90-B3-D5-1F-30-05-00-00: user transporter (90-B3-D5-1F-30-05-00-00) holds networkOperator SMKI certificates",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let file = root.path().join(format!("bad-{i}.toml"));
        std::fs::write(&file, text).expect("writing");
        let out = run_cli(&["serve", "--config", path_str(&file)], None);
        assert!(!out.status.success(), "{text:?} was accepted");
        let err = stderr_of(&out);
        assert!(
            err.contains(want),
            "{text:?}\n  gave: {err}\n  want: {want}"
        );
        assert!(!err.contains(":pw@"), "the password is not shown: {err}");
    }
    assert!(
        !root.path().join("data").exists(),
        "no refused configuration made a world"
    );
}

/// `registrations` makes the world as `opendcc demo --registration` does: supplier-b is the gas
/// supplier of premises 1's MPRN; the world resumes with the same configuration.
#[test]
fn serve_makes_its_world_with_the_configured_registrations() {
    use dcc::store::Store;
    let root = tempfile::tempdir().expect("a temporary directory");
    let text = format!(
        "{}registrations = [\"1234567:GS:90-B3-D5-1F-30-03-00-00\"]\n",
        config(&["delivery"], false)
    );
    for run in ["first", "resumed"] {
        let mut served = Served::start(root.path(), run, &text);
        served.wait_until("its roles", |s| s.log().contains("roles running"));
        assert!(served.stop().success());
    }
    let store = opendcc::world::World::open_existing_store(&root.path().join("data"))
        .expect("the world's store");
    let gas = store
        .transaction(|tx| Ok(tx.registrations("1234567")?))
        .expect("reading registrations");
    let suppliers: Vec<String> = gas
        .iter()
        .filter(|r| r.role == dcc::model::RegistrationRole::GasSupplier)
        .map(|r| r.party.to_string())
        .collect();
    assert_eq!(suppliers, ["90-B3-D5-1F-30-03-00-00"]);
}

/// Every file under `dir` with its length and modification time.
fn dir_state(
    dir: &Path,
) -> std::collections::BTreeMap<std::path::PathBuf, (u64, std::time::SystemTime)> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("listing") {
            let entry = entry.expect("an entry");
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                todo.push(entry.path());
            } else {
                out.insert(
                    entry.path(),
                    (meta.len(), meta.modified().expect("a modification time")),
                );
            }
        }
    }
    out
}

/// How many tables the database at `url` holds.
fn table_count(url: &str) -> i64 {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connecting");
    c.query_one(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        &[],
    )
    .expect("counting tables")
    .get(0)
}

#[test]
fn a_world_migrated_to_postgres_is_served_from_there() {
    let root = tempfile::tempdir().expect("a temporary directory");
    // A world made on SQLite, as `opendcc demo` makes it.
    let mut maker = Served::start(root.path(), "maker", &config(&["delivery"], false));
    maker.wait_until("its roles", |s| s.log().contains("roles running"));
    assert!(maker.stop().success());

    let db = PgDatabase::new();
    let data = root.path().join("data");
    let from = format!("sqlite:{}", path_str(&data));
    let moved = run_cli(&["migrate", "--from", &from, "--to", &db.url()], None);
    assert!(moved.status.success(), "migrate: {}", stderr_of(&moved));
    let report = stdout_of(&moved);
    assert!(report.contains(" rows in "), "{report}");
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("users ") && !l.trim_end().ends_with(" 0")),
        "{report}"
    );
    // The directory is marked as moved, naming the database.
    let mark: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("moved.json")).expect("DIR/moved.json"),
    )
    .expect("the mark is JSON");
    assert_eq!(mark["to"], serde_json::json!(db.url()));
    assert!(report.contains("marked as moved"), "{report}");

    // From now on nothing works on the stale SQLite file, each refusal naming where the world
    // went, and nothing changes in the directory or in another database.
    let before = dir_state(&data);
    let refused = |what: &str, out: std::process::Output| {
        assert!(!out.status.success(), "{what} was not refused");
        let e = stderr_of(&out);
        assert!(
            e.contains("was moved to PostgreSQL (") && e.contains(&db.url()),
            "{what}: {e}"
        );
        assert!(e.contains("--manifest"), "{what}: {e}");
    };
    // Migrating again, even into an empty database.
    let other = PgDatabase::new();
    refused(
        "a second migrate",
        run_cli(&["migrate", "--from", &from, "--to", &other.url()], None),
    );
    assert_eq!(table_count(&other.url()), 0, "the other database untouched");
    refused(
        "user response-url --data",
        run_cli(
            &[
                "user",
                "response-url",
                "--data",
                path_str(&data),
                "--user",
                "supplier-a",
                "http://127.0.0.1:9/x",
            ],
            None,
        ),
    );
    refused(
        "user counter --data",
        run_cli(
            &[
                "user",
                "counter",
                "--data",
                path_str(&data),
                "--user",
                "supplier-a",
            ],
            None,
        ),
    );
    refused(
        "wan fault --data",
        run_cli(
            &[
                "wan",
                "fault",
                "--data",
                path_str(&data),
                "--chf",
                "00-DB-12-34-56-78-90-A2",
                "no-wan",
            ],
            None,
        ),
    );
    refused(
        "demo --data",
        run_cli(
            &["demo", "--data", path_str(&data), "--listen", "127.0.0.1:0"],
            None,
        ),
    );
    let stale = root.path().join("stale.toml");
    std::fs::write(&stale, config(&["delivery"], false)).expect("writing");
    refused(
        "serve on sqlite:DIR",
        run_cli(&["serve", "--config", path_str(&stale)], None),
    );
    assert_eq!(
        dir_state(&data),
        before,
        "nothing changed in {}",
        data.display()
    );

    // Served from PostgreSQL, the keys and certificates from the world's directory.
    let mut dcc = Served::start(
        root.path(),
        "pg",
        &format!(
            "store = {:?}\ndata = \"data\"\nlisten = \"127.0.0.1:0\"\n\
             smki_listen = \"127.0.0.1:0\"\nmanifest = \"run/pg.json\"\n\
             roles = [\"gateway\", \"wan\", \"devices\", \"delivery\", \"scheduler\", \"smki\"]\n",
            db.url()
        ),
    );
    let manifest_path = root.path().join("run/pg.json");
    dcc.wait_until("the manifest", |_| manifest_path.exists());
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).expect("the manifest"))
            .expect("the manifest is JSON");
    assert_eq!(recorded["store"], serde_json::json!(db.url()));

    // The client tools reach the store the manifest names: PostgreSQL.
    read_a_meter_with_the_client_tools(root.path(), &manifest_path, 3_000);
    let floor = run_cli(
        &[
            "user",
            "counter",
            "--manifest",
            path_str(&manifest_path),
            "--user",
            "supplier-a",
        ],
        None,
    );
    assert!(
        floor.status.success(),
        "user counter: {}",
        stderr_of(&floor)
    );
    assert!(
        stdout_of(&floor)
            .trim_end()
            .ends_with(": counter floor 3000"),
        "{}",
        stdout_of(&floor)
    );
    // A second WAN runner on the same database (the embedded queue: one runner at a time)
    // stands by while the first holds the role's lock, and takes it over when that process
    // stops.
    let mut second = Served::start(
        root.path(),
        "second",
        &format!(
            "store = {:?}\ndata = \"data\"\nroles = [\"wan\", \"devices\"]\n",
            db.url()
        ),
    );
    second.wait_until("standing by", |s| {
        s.log().contains("standing by, to take it over")
    });
    assert!(!second.log().contains("taking it over"), "{}", second.log());
    assert!(dcc.stop().success());
    second.wait_until("the WAN taken over", |s| {
        s.log()
            .contains("the process that ran the role has stopped: taking it over")
    });
    // The WAN runner it took over carries commands: a front with the other roles, and a meter
    // read through it answered by the meter.
    let mut front = Served::start(
        root.path(),
        "front",
        &format!(
            "store = {:?}\ndata = \"data\"\nlisten = \"127.0.0.1:0\"\n\
             manifest = \"run/front.json\"\nroles = [\"gateway\", \"delivery\"]\n",
            db.url()
        ),
    );
    let front_manifest = root.path().join("run/front.json");
    front.wait_until("the manifest", |_| front_manifest.exists());
    read_a_meter_with_the_client_tools(root.path(), &front_manifest, 3_001);
    assert!(front.stop().success());
    assert!(second.stop().success());
}

/// `config`, with `queue = URL` and the test's own stream prefix.
fn nats_config(roles: &[&str], manifest: bool, url: &str, prefix: &str) -> String {
    config(roles, manifest).replacen(
        "queue = \"embedded\"\n",
        &format!("queue = \"{url}\"\nqueue_prefix = \"{prefix}\"\n"),
        1,
    )
}

#[test]
fn roles_split_over_two_processes_pass_their_work_through_nats_jetstream() {
    let url = nats_url();
    let prefix = format!("serve_e2e_{}_{}", std::process::id(), next_unique());
    let _streams = NatsPrefix {
        url: url.clone(),
        prefix: prefix.clone(),
    };
    let root = tempfile::tempdir().expect("a temporary directory");
    let mut front = Served::start(
        root.path(),
        "front",
        &nats_config(
            &["gateway", "delivery", "scheduler", "smki"],
            true,
            &url,
            &prefix,
        ),
    );
    let manifest_path = root.path().join("run/dcc.json");
    front.wait_until("the manifest", |s| {
        if s.log().contains("cannot connect") {
            panic!(
                "NATS with JetStream must answer at {url} for this test (test.sh starts it \
                 through scripts/services.sh; OPENDCC_TEST_NATS sets another address):\n{}",
                s.log()
            );
        }
        manifest_path.exists()
    });
    assert!(
        front.log().contains("NATS JetStream connected"),
        "{}",
        front.log()
    );
    let mut back = Served::start(
        root.path(),
        "back",
        &nats_config(&["wan", "devices"], false, &url, &prefix),
    );
    back.wait_until("the WAN runner on NATS", |s| {
        s.log()
            .contains("WAN runner taking notices from NATS JetStream")
    });

    read_a_meter_with_the_client_tools(root.path(), &manifest_path, 3_000);
    assert!(
        front
            .log()
            .contains("delivery worker taking notices from NATS JetStream"),
        "{}",
        front.log()
    );

    assert!(back.stop().success());
    assert!(front.stop().success());
}

#[test]
fn serve_with_nats_unreachable_at_start_retries_then_fails_saying_so() {
    let root = tempfile::tempdir().expect("a temporary directory");
    // A loopback port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let url = format!("nats://127.0.0.1:{port}");
    let file = root.path().join("serve.toml");
    // Waited for (each failed attempt logged with its retry) up to connect_timeout_secs.
    std::fs::write(
        &file,
        nats_config(&["delivery"], false, &url, "unreachable") + "connect_timeout_secs = 1\n",
    )
    .expect("writing");
    let out = run_cli(&["serve", "--config", path_str(&file)], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "queue \"{url}\": NATS unavailable at {url}: cannot connect"
        )) && err.contains("attempts over 1 s: connect_timeout_secs = 1)")
            && err.contains("not answering at start; retrying"),
        "{err}"
    );
}

/// A number no other call in this process returns.
fn next_unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    nanos * 1000 + N.fetch_add(1, Ordering::Relaxed)
}

/// The worker that holds the WAN lease of `chf`'s partition (its name carries its pid).
fn wan_lease_holder(url: &str, prefix: &str, chf: &str) -> String {
    let chf: eui::Eui64 = chf.parse().expect("an EUI-64");
    with_nats_queue(url, prefix, |q| async move {
        let leases = q
            .leases(queue_nats::Lane::Wan)
            .await
            .expect("reading the leases");
        leases
            .get(&q.partition_of(chf))
            .cloned()
            .unwrap_or_else(|| panic!("no lease on the hub's partition: {leases:?}"))
    })
}

#[test]
fn several_gateways_and_wan_workers_share_postgres_and_nats_and_survive_a_worker_killed() {
    let url = nats_url();
    let prefix = format!("serve_e2e_pg_{}_{}", std::process::id(), next_unique());
    let _streams = NatsPrefix {
        url: url.clone(),
        prefix: prefix.clone(),
    };
    let root = tempfile::tempdir().expect("a temporary directory");
    let mut maker = Served::start(root.path(), "maker", &config(&["delivery"], false));
    maker.wait_until("its roles", |s| s.log().contains("roles running"));
    assert!(maker.stop().success());
    let db = PgDatabase::new();
    let from = format!("sqlite:{}", path_str(&root.path().join("data")));
    let moved = run_cli(&["migrate", "--from", &from, "--to", &db.url()], None);
    assert!(moved.status.success(), "migrate: {}", stderr_of(&moved));

    let pg = |roles: &[&str], manifest: Option<&str>| {
        let mut c = format!(
            "store = {:?}\ndata = \"data\"\nqueue = {url:?}\nqueue_prefix = {prefix:?}\n",
            db.url()
        );
        if roles.contains(&"gateway") {
            c.push_str("listen = \"127.0.0.1:0\"\n");
        }
        if roles.contains(&"smki") {
            c.push_str("smki_listen = \"127.0.0.1:0\"\n");
        }
        if let Some(m) = manifest {
            c.push_str(&format!("manifest = \"run/{m}.json\"\n"));
        }
        let quoted: Vec<String> = roles.iter().map(|r| format!("{r:?}")).collect();
        c.push_str(&format!("roles = [{}]\n", quoted.join(", ")));
        c
    };
    // Two fronts (each a gateway and a delivery worker), two backs (each a WAN runner with the
    // emulated devices); the scheduler and the SMKI once.
    let mut front1 = Served::start(
        root.path(),
        "front1",
        &pg(&["gateway", "delivery", "scheduler", "smki"], Some("one")),
    );
    let mut front2 = Served::start(
        root.path(),
        "front2",
        &pg(&["gateway", "delivery"], Some("two")),
    );
    let mut back1 = Served::start(root.path(), "back1", &pg(&["wan", "devices"], None));
    let mut back2 = Served::start(root.path(), "back2", &pg(&["wan", "devices"], None));
    let (one, two) = (
        root.path().join("run/one.json"),
        root.path().join("run/two.json"),
    );
    front1.wait_until("the first manifest", |_| one.exists());
    front2.wait_until("the second manifest", |_| two.exists());
    for back in [&mut back1, &mut back2] {
        back.wait_until("the WAN runner on NATS", |s| {
            s.log()
                .contains("WAN runner taking notices from NATS JetStream")
        });
    }
    // The scheduler runs in one process per database at a time: a second stands by.
    let mut standby = Served::start(root.path(), "standby", &pg(&["scheduler"], None));
    standby.wait_until("standing by", |s| {
        s.log().contains("standing by, to take it over")
    });

    // A meter read through each gateway, answered and delivered; the counters are one space
    // for the user across the gateways (one database).
    read_a_meter_with_the_client_tools(root.path(), &one, 4_000);
    read_a_meter_with_the_client_tools(root.path(), &two, 4_001);

    // The WAN worker that holds the meter's hub is killed: the other takes its partitions when
    // their leases run out, and the next read is answered.
    let holder = wan_lease_holder(&url, &prefix, premises1::CHF);
    let (victim, survivor) = if holder.contains(&format!("-{}-", back1.pid())) {
        (&mut back1, &mut back2)
    } else {
        assert!(
            holder.contains(&format!("-{}-", back2.pid())),
            "the hub's partition is held by {holder}, neither back"
        );
        (&mut back2, &mut back1)
    };
    kill9(victim);
    read_a_meter_with_the_client_tools(root.path(), &two, 4_002);
    let holder = wan_lease_holder(&url, &prefix, premises1::CHF);
    assert!(
        holder.contains(&format!("-{}-", survivor.pid())),
        "the survivor holds the hub's partition now: {holder}"
    );

    // `bench load` spreads its requests over both gateways (`--gateway`), each device's
    // through one of them, and every one is answered (last: its counters are above the
    // reads' above).
    let second: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&two).expect("reading the second manifest"))
            .expect("the manifest is JSON");
    let second_url = second["duis_url"].as_str().expect("duis_url").to_string();
    let report = bench_load(
        &one,
        &[
            "--gateway",
            &second_url,
            "--requests",
            "16",
            "--concurrency",
            "4",
        ],
    );
    assert_eq!(report["completed"], serde_json::json!(16), "{report}");
    assert_eq!(report["duplicate_final"], serde_json::json!(0), "{report}");
    let gateways = report["gateways"].as_object().expect("gateways");
    assert_eq!(gateways.len(), 2, "both gateways used: {report}");
    assert!(
        gateways.contains_key(second_url.trim_end_matches('/')),
        "{report}"
    );

    // The scheduler's process dies: the one standing by takes the role over (PostgreSQL
    // releases the advisory lock with the dead process's session).
    assert!(
        !standby.log().contains("taking it over"),
        "{}",
        standby.log()
    );
    kill9(&mut front1);
    standby.wait_until("the scheduler taken over", |s| {
        s.log()
            .contains("the process that ran the role has stopped: taking it over")
    });

    assert!(survivor.stop().success());
    assert!(front2.stop().success());
    assert!(standby.stop().success());
}
