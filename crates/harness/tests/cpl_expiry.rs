//! The Certified Products List's expiry on the simulated clock: the DCC suspends the devices of
//! the expired model and their dependants, and withdraws their DCC schedules, telling each
//! owner (DCC alert N12, `DSPScheduleRemoval`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::model::DeviceStatus;
use dcc::store::Store as _;
use harness::{DCC_EUI, Delivered, Harness, element_text, premises1};

const SUPPLIER: &str = "supplier-a";
const CREATE: &str = "ECS21a_5.1._DCC_SCHEDULED_REQUEST_DUIS.XML";

#[test]
fn expiry_suspends_the_hub_and_its_meters_and_withdraws_their_schedules() {
    let mut h = Harness::new_world();
    let start = h.now().date().next_day().unwrap();
    let body = format!(
        "<sr:CreateSchedule><sr:ScheduleFrequency>Daily</sr:ScheduleFrequency>\
         <sr:ScheduleStartDate>{start}</sr:ScheduleStartDate>\
         <sr:ScheduleExecutionStartTime>02:00:00Z</sr:ScheduleExecutionStartTime>\
         <sr:DSPScheduledServiceReference>4.16</sr:DSPScheduledServiceReference>\
         <sr:DSPScheduledServiceReferenceVariant>4.16</sr:DSPScheduledServiceReferenceVariant>\
         <sr:DeviceID>{}</sr:DeviceID><sr:DSPReadActivePowerImport/></sr:CreateSchedule>",
        premises1::ESME
    );
    let p = h.request(CREATE, SUPPLIER, &DCC_EUI.to_string());
    let a = p.xml.find("<sr:CreateSchedule>").unwrap();
    let b = p.xml.find("</sr:CreateSchedule>").unwrap() + "</sr:CreateSchedule>".len();
    let xml = format!("{}{body}{}", &p.xml[..a], &p.xml[b..]);
    let signed = h.sign(SUPPLIER, &xml);
    let answer = h.send(&signed);
    assert_eq!(
        answer.code.map(|c| c.as_str()),
        Some("I0"),
        "{}",
        answer.body
    );
    let id = element_text(&answer.body, "DSPScheduleID").expect("a schedule id");

    // Nothing expires now; in ten years every demo model with a CPA certificate has expired.
    assert_eq!(
        h.expire_cpl(h.now()),
        dcc::products::ExpiryOutcome::default()
    );
    let later = h.now() + time::Duration::days(3650);
    let out = h.expire_cpl(later);
    assert_eq!(
        out.expired.len(),
        6,
        "every model but the IHD (no CPA certificate): {out:?}"
    );
    let hub: eui::Eui64 = premises1::CHF.parse().unwrap();
    let esme: eui::Eui64 = premises1::ESME.parse().unwrap();
    assert!(
        out.suspended.contains(&hub) && out.suspended.contains(&esme),
        "{out:?}"
    );
    assert_eq!(out.withdrawn_schedules, vec![id.parse::<u64>().unwrap()]);
    let (status, left) = h
        .store()
        .transaction(|tx| {
            Ok((
                tx.device(esme)?.unwrap().status,
                tx.due_schedules(i64::MAX, 1000)?.len(),
            ))
        })
        .unwrap();
    assert_eq!(status, DeviceStatus::Suspended);
    assert_eq!(left, 0);
    // The suspension went through the SMI status machine: in the meter's history, by the DCC.
    let history = h
        .store()
        .transaction(|tx| Ok(tx.status_history(esme)?))
        .unwrap();
    let last = history.last().expect("a history entry");
    assert_eq!(last.from, Some(DeviceStatus::Commissioned));
    assert_eq!(last.to, DeviceStatus::Suspended);
    assert_eq!(
        last.cause,
        dcc::model::smi::SmiCause::Process(dcc::model::smi::DccProcess::CplExpiry)
    );
    assert_eq!(last.by, dcc::model::smi::SmiActor::Dcc);
    // 8.2 Read Inventory reports the model's CPL status and its firmware version's: Expired.
    let p = h.request(
        "8.2_READ_INVENTORY_REQUEST_DUIS.XML",
        SUPPLIER,
        &DCC_EUI.to_string(),
    );
    let xml = harness::set_text(&p.xml, "DeviceID", premises1::ESME);
    let inventory = h.send(&h.sign(SUPPLIER, &xml));
    assert_eq!(
        element_text(&inventory.body, "CPLStatus").as_deref(),
        Some("Expired"),
        "{}",
        inventory.body
    );
    assert_eq!(
        element_text(&inventory.body, "DeviceFirmwareVersionStatus").as_deref(),
        Some("Expired"),
        "{}",
        inventory.body
    );

    h.run_until_idle();
    let alerts: Vec<Delivered> = h
        .delivered_to(SUPPLIER)
        .into_iter()
        .filter(|d| d.kind == "dcc-alert")
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].xml.contains("DSPScheduleRemoval"));
    assert_eq!(element_text(&alerts[0].xml, "DSPScheduleID"), Some(id));
}
