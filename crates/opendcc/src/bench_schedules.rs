//! `opendcc bench schedules`: a day of DCC schedules for a large world, in process.
//!
//! A demo world is made in a temporary directory and grown to `--meters` ESMEs (each at its own
//! premises, with its own MPAN, registered to `supplier-a`, sharing one real KA certificate so
//! that the ACB MAC is computed for each as for a real device). Then, on the core's own code
//! paths and the real SQLite store:
//!
//! 1. `create`: every meter gets a daily 5.1 schedule of 4.16 Read Active Power Import,
//!    planned by the 5.1 service exactly as the gateway does after authentication (body
//!    parsing, eligibility, registration, the trial plan of the first run, the insert, the
//!    signed-response rendering is left out), `--batch` per transaction;
//! 2. `run`: the clock moves to the runs' time of day and `Scheduler::run_all_due` makes every
//!    run (eligibility again, the run's request, the catalogue's plan, the GBCS command, the ACB
//!    MAC, the WAN queue, the run's record), a batch per transaction;
//! 3. `again`: the scheduler at the same instant finds nothing more to do (no run twice).
//!
//! The emulated WAN and the devices' answers are not part of it (the meters have no emulated
//! state): this measures the DCC's scheduling, not the SM WAN.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use dcc::model::{DeviceType, Premises, Registration, RegistrationRole};
use dcc::services::NonDeviceRequest;
use dcc::store::Store as _;
use duis::Srv;
use eui::Eui64;
use time::OffsetDateTime;

use crate::world::{self, World};

#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// How many ESMEs (each gets one daily schedule).
    #[arg(long, default_value_t = 10_000)]
    pub meters: u64,
    /// Schedules created, and runs made, per transaction.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Where the world is made (default: a new temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, serde::Serialize)]
struct Report {
    meters: u64,
    batch: usize,
    world_secs: f64,
    create_secs: f64,
    creates_per_sec: f64,
    run_secs: f64,
    runs: usize,
    runs_per_sec: f64,
    again_runs: usize,
    wan_jobs_queued: usize,
    database_bytes: u64,
}

const EXEC: &str = "02:00:00Z";

fn create_xml(supplier: Eui64, counter: u64, device: Eui64, start: time::Date) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sr:Request \
         xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\" schemaVersion=\"5.4\">\
         <sr:Header><sr:RequestID>{supplier}:{}:{counter}</sr:RequestID>\
         <sr:CommandVariant>8</sr:CommandVariant><sr:ServiceReference>5.1</sr:ServiceReference>\
         <sr:ServiceReferenceVariant>5.1</sr:ServiceReferenceVariant></sr:Header><sr:Body>\
         <sr:CreateSchedule><sr:ScheduleFrequency>Daily</sr:ScheduleFrequency>\
         <sr:ScheduleStartDate>{start}</sr:ScheduleStartDate>\
         <sr:ScheduleExecutionStartTime>{EXEC}</sr:ScheduleExecutionStartTime>\
         <sr:DSPScheduledServiceReference>4.16</sr:DSPScheduledServiceReference>\
         <sr:DSPScheduledServiceReferenceVariant>4.16</sr:DSPScheduledServiceReferenceVariant>\
         <sr:DeviceID>{device}</sr:DeviceID><sr:DSPReadActivePowerImport/></sr:CreateSchedule>\
         </sr:Body></sr:Request>",
        world::DCC_EUI
    )
}

pub fn run(args: &ScheduleArgs) -> Result<String, String> {
    if args.meters == 0 || args.batch == 0 {
        return Err("--meters and --batch must be positive".into());
    }
    let (dir, remove) = match &args.data {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!(
                "opendcc-bench-schedules-{}-{}",
                std::process::id(),
                OffsetDateTime::now_utc().unix_timestamp_nanos()
            )),
            true,
        ),
    };
    let out = run_in(args, &dir);
    if remove {
        let _ = std::fs::remove_dir_all(&dir);
    }
    out
}

fn run_in(args: &ScheduleArgs, dir: &std::path::Path) -> Result<String, String> {
    let t0 = Instant::now();
    let world = World::open_or_create(dir)?;
    let store = Arc::new(world.open_store()?);
    let dcc = Arc::new(world.dcc_crypto()?);
    let signer: Arc<dyn dcc::gateway::ResponseSigner> = Arc::new(world.xml_signer()?);
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .map_err(|e| e.to_string())?;
    let start = now.date().next_day().ok_or("no tomorrow")?;
    let esme: Eui64 = "00-DB-12-34-56-78-90-A0"
        .parse()
        .map_err(|e| format!("{e}"))?;
    let (supplier, template, ka) = store
        .transaction(|tx| {
            let u = tx.user_by_name("supplier-a")?.ok_or_else(|| {
                dcc::DccError::from(dcc::error::InternalError::Storage("no supplier-a".into()))
            })?;
            let d = tx.device(esme)?.ok_or_else(|| {
                dcc::DccError::from(dcc::error::InternalError::Storage("no ESME".into()))
            })?;
            let ka = tx.device_cert(esme, "ka")?.ok_or_else(|| {
                dcc::DccError::from(dcc::error::InternalError::Storage("no ESME KA".into()))
            })?;
            Ok((u, d, ka))
        })
        .map_err(|e| e.to_string())?;
    // Grow the world: one ESME per premises, registered to supplier-a.
    let base = 0x00DB_9000_0000_0000u64;
    let ids: Vec<Eui64> = (0..args.meters)
        .map(|i| Eui64::from_u64(base + i))
        .collect();
    for chunk in ids.chunks(2048) {
        store
            .transaction(|tx| {
                for id in chunk {
                    let n = id.to_u64() - base;
                    let uprn = format!("{}", 900_000_000_000u64 + n);
                    let mpan = format!("{:013}", 5_000_000_000_000u64 + n);
                    tx.put_premises(&Premises {
                        uprn: uprn.clone(),
                        postcode: "ZZ1 1ZZ".into(),
                        address_identifier: format!("{n}"),
                        region: duis::CspRegion::Central,
                        mpan: Some(mpan.clone()),
                        mprn: None,
                    })?;
                    let mut d = template.clone();
                    d.id = *id;
                    d.device_type = DeviceType::Esme;
                    d.uprn = Some(uprn);
                    d.mpxn = Some(mpan.clone());
                    tx.put_device(&d)?;
                    tx.put_device_cert(*id, "ka", &ka)?;
                    tx.put_registration(&Registration {
                        mpxn: mpan,
                        role: RegistrationRole::ImportSupplier,
                        party: supplier.eui,
                        from: now.date().previous_day().unwrap_or(now.date()),
                        to: None,
                    })?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
    }
    let world_secs = t0.elapsed().as_secs_f64();

    // 1. Create.
    let service = dcc::catalogue::non_device_service(Srv::V5_1).map_err(|e| e.to_string())?;
    let roles =
        dcc::eligibility::eligible_roles(&supplier, Srv::V5_1.info()).map_err(|e| e.to_string())?;
    let first_counter = u64::try_from(dcc::gateway::unix_ms(now)).unwrap_or(1) * 1000;
    let t1 = Instant::now();
    for (c, chunk) in ids.chunks(args.batch).enumerate() {
        store
            .transaction(|tx| {
                for (i, id) in chunk.iter().enumerate() {
                    let counter = first_counter + (c * args.batch + i) as u64;
                    let xml = create_xml(supplier.eui, counter, *id, start);
                    let req = duis::parse_request(xml.as_bytes()).map_err(|e| {
                        dcc::DccError::from(dcc::error::InternalError::Render(e.to_string()))
                    })?;
                    service.plan(&mut NonDeviceRequest {
                        tx: &mut *tx,
                        request: &req,
                        user: &supplier,
                        roles: &roles,
                        now,
                        dialect: dcc::gateway::Dialect::Duis54,
                        dcc: &dcc,
                    })?;
                    tx.set_request_counter(supplier.eui, world::DCC_EUI, counter)?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
    }
    let create_secs = t1.elapsed().as_secs_f64();

    // 2. Run: the day's runs, all due at 02:00 tomorrow.
    let scheduler = dcc::schedule::Scheduler::new(signer, dcc.clone(), world::DCC_EUI, 30_000)
        .with_batch(args.batch);
    let at = start
        .with_hms(2, 0, 1)
        .map_err(|e| e.to_string())?
        .assume_utc();
    let t2 = Instant::now();
    let r = scheduler
        .run_all_due(&*store, at)
        .map_err(|e| e.to_string())?;
    let run_secs = t2.elapsed().as_secs_f64();
    // 3. Again at the same instant: nothing.
    let again = scheduler
        .run_all_due(&*store, at)
        .map_err(|e| e.to_string())?;
    let wan_jobs_queued = store
        .transaction(|tx| Ok(tx.pending_wan_jobs()?))
        .map_err(|e| e.to_string())?;
    let database_bytes = std::fs::metadata(world.dir().join(world::DB))
        .map(|m| m.len())
        .unwrap_or(0);
    let report = Report {
        meters: args.meters,
        batch: args.batch,
        world_secs,
        create_secs,
        creates_per_sec: args.meters as f64 / create_secs,
        run_secs,
        runs: r.runs,
        runs_per_sec: r.runs as f64 / run_secs,
        again_runs: again.handled(),
        wan_jobs_queued,
        database_bytes,
    };
    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())
}
