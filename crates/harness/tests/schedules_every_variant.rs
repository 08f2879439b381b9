//! Every DCC-schedulable variant on a DCC schedule: one daily schedule per variant and device
//! type, created through 5.1 on the demo world, and after a simulated day exactly one run of
//! each delivered to its owner as a signed `DSPScheduledMessage` (I0) whose GBCS payload is the
//! scheduled use case's answer and reports success. A variant the XSD lets a schedule name but
//! the matrix does not schedule (4.2) is refused and stores nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::model::{Registration, RegistrationRole};
use dcc::store::Store as _;
use harness::{DCC_EUI, Harness, element_text, premises1};
use time::Date;

const CREATE: &str = "ECS21a_5.1._DCC_SCHEDULED_REQUEST_DUIS.XML";

/// One schedule: variant, `DSP…` element, device, owner, and the GBCS use case its runs send.
struct Case {
    srv: &'static str,
    dsp: &'static str,
    period: bool,
    device: &'static str,
    user: &'static str,
    use_case: &'static str,
}

const fn case(
    srv: &'static str,
    dsp: &'static str,
    period: bool,
    device: &'static str,
    user: &'static str,
    use_case: &'static str,
) -> Case {
    Case {
        srv,
        dsp,
        period,
        device,
        user,
        use_case,
    }
}

const ESME: &str = premises1::ESME;
const GSME: &str = premises1::GSME;
const GPF: &str = premises1::GPF;

/// Every DCC-scheduled variant of the matrix, on each device type the demo world has for it.
const CASES: &[Case] = &[
    case(
        "4.6.1",
        "DSPRetrieveImportDailyReadLog",
        true,
        ESME,
        "supplier-a",
        "ECS21a",
    ),
    case(
        "4.6.1",
        "DSPRetrieveImportDailyReadLog",
        true,
        GSME,
        "supplier-a",
        "GCS16a",
    ),
    case(
        "4.6.2",
        "DSPRetrieveExportDailyReadLog",
        true,
        ESME,
        "supplier-b",
        "ECS21c",
    ),
    case(
        "4.8.1",
        "DSPReadActiveImportProfileData",
        true,
        ESME,
        "supplier-a",
        "ECS22b",
    ),
    case(
        "4.8.1",
        "DSPReadActiveImportProfileData",
        true,
        GSME,
        "supplier-a",
        "GCS17",
    ),
    case(
        "4.8.2",
        "DSPReadReactiveImportProfileData",
        true,
        ESME,
        "distributor",
        "ECS22c",
    ),
    case(
        "4.8.3",
        "DSPReadExportProfileData",
        true,
        ESME,
        "distributor",
        "ECS22a",
    ),
    case(
        "4.10",
        "DSPReadNetworkData",
        true,
        ESME,
        "distributor",
        "ECS23",
    ),
    case(
        "4.10",
        "DSPReadNetworkData",
        true,
        GSME,
        "transporter",
        "GCS18",
    ),
    case(
        "4.12.1",
        "DSPReadMaximumDemandImportRegisters",
        false,
        ESME,
        "supplier-a",
        "ECS18b",
    ),
    case(
        "4.12.2",
        "DSPReadMaximumDemandExportRegisters",
        false,
        ESME,
        "distributor",
        "ECS18a",
    ),
    case(
        "4.14",
        "DSPReadPrepaymentDailyReadLog",
        true,
        ESME,
        "supplier-a",
        "ECS21b",
    ),
    case(
        "4.14",
        "DSPReadPrepaymentDailyReadLog",
        true,
        GSME,
        "supplier-a",
        "GCS16b",
    ),
    case(
        "4.15",
        "DSPReadLoadLimitData",
        false,
        ESME,
        "distributor",
        "ECS27",
    ),
    case(
        "4.16",
        "DSPReadActivePowerImport",
        false,
        ESME,
        "supplier-a",
        "ECS17c",
    ),
    case(
        "4.17",
        "DSPRetrieveDailyConsumptionLog",
        true,
        ESME,
        "supplier-a",
        "ECS66",
    ),
    case(
        "4.17",
        "DSPRetrieveDailyConsumptionLog",
        true,
        GPF,
        "transporter",
        "GCS61",
    ),
    case(
        "14.1",
        "DSPRecordNetworkDataGAS",
        false,
        GSME,
        "transporter",
        "GCS31",
    ),
];

fn body(c: &Case, start: Date, srv: &str) -> String {
    // The gas network data recording (14.1) runs first: the gas 4.10 read reads what it records.
    let exec = if srv == "14.1" {
        "00:30:00Z"
    } else {
        "02:00:00Z"
    };
    let element = if c.period {
        format!(
            "<sr:{0}><sr:StartDateOffset>-1</sr:StartDateOffset>\
             <sr:StartTime>00:00:00.00Z</sr:StartTime><sr:EndDateOffset>0</sr:EndDateOffset>\
             <sr:EndTime>00:00:00.00Z</sr:EndTime></sr:{0}>",
            c.dsp
        )
    } else {
        format!("<sr:{}/>", c.dsp)
    };
    // 4.6.1 belongs to service reference 4.6; 4.10 is its own.
    let reference = match srv.rsplit_once('.') {
        Some((r, _)) if srv.matches('.').count() == 2 => r,
        _ => srv,
    };
    format!(
        "<sr:CreateSchedule><sr:ScheduleFrequency>Daily</sr:ScheduleFrequency>\
         <sr:ScheduleStartDate>{start}</sr:ScheduleStartDate>\
         <sr:ScheduleExecutionStartTime>{exec}</sr:ScheduleExecutionStartTime>\
         <sr:DSPScheduledServiceReference>{reference}</sr:DSPScheduledServiceReference>\
         <sr:DSPScheduledServiceReferenceVariant>{srv}</sr:DSPScheduledServiceReferenceVariant>\
         <sr:DeviceID>{}</sr:DeviceID>{element}</sr:CreateSchedule>",
        c.device
    )
}

/// Sends a Create Schedule with `body`; the synchronous answer's code and document.
fn create(h: &mut Harness, user: &str, body: &str) -> (Option<String>, String) {
    let p = h.request(CREATE, user, &DCC_EUI.to_string());
    let (open, close) = ("<sr:CreateSchedule>", "</sr:CreateSchedule>");
    let a = p.xml.find(open).unwrap();
    let b = p.xml.find(close).unwrap() + close.len();
    let xml = format!("{}{body}{}", &p.xml[..a], &p.xml[b..]);
    let signed = h.sign(user, &xml);
    let answer = h.send(&signed);
    (answer.code.map(|c| c.as_str().to_string()), answer.body)
}

fn schedules_in_store(h: &Harness) -> usize {
    h.store()
        .transaction(|tx| Ok(tx.due_schedules(i64::MAX, 1000)?))
        .unwrap()
        .len()
}

#[test]
fn every_schedulable_variant_runs_once_a_day_and_answers_its_owner() {
    let mut h = Harness::new_world();
    // The demo world has no export supplier: register supplier-b for premises 1's export.
    let since = h.now().date().previous_day().unwrap();
    let exporter = h.user_eui("supplier-b");
    h.store()
        .transaction(|tx| {
            tx.put_registration(&Registration {
                mpxn: premises1::MPAN.into(),
                role: RegistrationRole::ExportSupplier,
                party: exporter,
                from: since,
                to: None,
            })?;
            Ok(())
        })
        .unwrap();

    let start = h.now().date().next_day().unwrap();
    let mut ids = Vec::new();
    for c in CASES {
        let (code, doc) = create(&mut h, c.user, &body(c, start, c.srv));
        assert_eq!(
            code.as_deref(),
            Some("I0"),
            "{} on {} by {}: {doc}",
            c.srv,
            c.device,
            c.user
        );
        h.check_signed(&doc);
        ids.push(element_text(&doc, "DSPScheduleID").unwrap());
    }
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), CASES.len(), "one id per schedule");

    // 4.2 is in the XSD's choice but not DCC-scheduled: refused, nothing stored.
    let stored = schedules_in_store(&h);
    let export_read = case(
        "4.2",
        "DSPReadInstantaneousExportRegisters",
        false,
        ESME,
        "supplier-b",
        "ECS17a",
    );
    let (code, doc) = create(&mut h, "supplier-b", &body(&export_read, start, "4.2"));
    assert_eq!(code.as_deref(), Some("E050101"), "{doc}");
    assert_eq!(schedules_in_store(&h), stored);

    // The first runs are at 00:30 and 02:00 tomorrow: a day and a bit later each has run once.
    let until = start.with_hms(3, 0, 0).unwrap().assume_utc();
    let ahead = until - h.now();
    h.advance(ahead.try_into().unwrap());
    for (c, id) in CASES.iter().zip(&ids) {
        let runs: Vec<_> = h
            .delivered_to(c.user)
            .into_iter()
            .filter(|d| {
                d.kind == "response"
                    && d.xml.contains("DSPScheduledMessage")
                    && element_text(&d.xml, "DSPScheduleID").as_deref() == Some(id.as_str())
            })
            .collect();
        let what = format!("{} on {} by {}", c.srv, c.device, c.user);
        assert_eq!(runs.len(), 1, "{what}");
        let run = &runs[0];
        assert_eq!(run.code().as_deref(), Some("I0"), "{what}: {}", run.xml);
        h.check_signed(&run.xml);
        assert_eq!(
            element_text(&run.xml, "ServiceReferenceVariant").as_deref(),
            Some(c.srv),
            "{what}"
        );
        let frame = gbcs::Frame::decode(&run.gbcs_payload().unwrap()).unwrap();
        let apdu = frame.apdu();
        assert_eq!(
            apdu.message_code().use_case(),
            Some(c.use_case),
            "{what}: the run sends the variant's use case"
        );
        let class = gbcs::usecases::classify_response(apdu.message_code(), &apdu.content);
        assert_eq!(class, gbcs::usecases::ResponseClass::Success, "{what}");
    }
}
