//! Dual-band Communications Hubs (DUIS 6.28–6.32) end to end on the simulated clock: the demo
//! world's premises 1 hub is dual band, premises 3's single band. A current DBCH Configuration
//! Table set by 6.28 is what 6.30 reads, across a restart, and the hub acts on it (6.31 reads
//! the channel it moved to, 6.32 the change); 6.29 scans; a configuration not from the current
//! tables is refused with nothing sent and nothing changed; a single-band hub answers as
//! unsupported (E100) and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::dbch_tables;
use dcc::services::s6_28_set_chf_sub_ghz_configuration::body_xml;
use dcc::store::Store as _;
use duis::CspRegion;
use gbcs::usecases::{
    self, ChannelPage, ResponseOutcome, ResponseValue, SubGhzChannel, SubGhzConfiguration,
};
use gbcs::{Frame, MessageCode};
use harness::{Harness, premises1};

const SUPPLIER: &str = "supplier-a";
/// Premises 3's (single-band) hub.
const SINGLE_BAND_CHF: &str = "00-DB-12-34-56-78-92-A2";

mod t {
    pub const SET: &str = "DBCH04_6.28_SUCCESS_REQUEST_DUIS.XML";
    pub const SCAN: &str = "DBCH05_6.29_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_CONFIG: &str = "DBCH03_6.30_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_CHANNEL: &str = "DBCH01_6.31_SUCCESS_REQUEST_DUIS.XML";
    pub const READ_LOG: &str = "DBCH02_6.32_SUCCESS_REQUEST_DUIS.XML";
}

fn current(r: CspRegion) -> SubGhzConfiguration {
    *dbch_tables::compiled()
        .unwrap()
        .current()
        .for_region(r)
        .unwrap()
}

/// The template's request for `target`, its 6.28 body replaced by one naming `c`.
fn with_config(xml: &str, c: &SubGhzConfiguration) -> String {
    let start = xml.find("<sr:SetCHFSubGHzConfiguration>").unwrap();
    let end_tag = "</sr:SetCHFSubGHzConfiguration>";
    let end = xml.find(end_tag).unwrap() + end_tag.len();
    format!("{}{}{}", &xml[..start], body_xml(c), &xml[end..])
}

/// Sends `xml`, signed by the supplier: the acknowledgement code, and once the DCC is idle the
/// response delivered (code, decoded GBCS outcome).
fn exchange(
    h: &mut Harness,
    rid: &str,
    xml: &str,
) -> (Option<String>, Option<(String, Option<ResponseOutcome>)>) {
    let a = h.send(&h.sign(SUPPLIER, xml));
    let ack = a.code.map(|c| c.as_str().to_string());
    h.run_until_idle();
    let r = h.response_for(SUPPLIER, rid).map(|d| {
        let outcome = d.gbcs_payload().map(|b| {
            let f = Frame::decode(&b).unwrap();
            let apdu = f.apdu();
            usecases::decode_response(apdu.message_code(), &apdu.content).unwrap()
        });
        (d.code().unwrap_or_default(), outcome)
    });
    (ack, r)
}

fn read(h: &mut Harness, template: &str, target: &str) -> ResponseOutcome {
    let p = h.request(template, SUPPLIER, target);
    let (ack, r) = exchange(h, &p.rid, &p.xml);
    assert_eq!(ack.as_deref(), Some("I99"));
    let (code, outcome) = r.expect("answered");
    assert_eq!(code, "I0", "{template}");
    outcome.expect("a GBCS payload")
}

fn sub_ghz(h: &Harness, chf: &str) -> serde_json::Value {
    h.device_state(chf)["config"]["sub_ghz"].clone()
}

#[test]
fn a_current_table_set_is_read_back_across_a_restart_and_the_hub_acts_on_it() {
    let mut h = Harness::new_world();
    let chf = premises1::CHF;
    assert_eq!(sub_ghz(&h, chf)["dual_band"], true);
    let table = current(CspRegion::Central);
    let p = h.request(t::SET, SUPPLIER, chf);
    let (ack, r) = exchange(&mut h, &p.rid, &with_config(&p.xml, &table));
    assert_eq!(ack.as_deref(), Some("I99"));
    assert_eq!(r.unwrap().0, "I0");
    h.restart();
    assert_eq!(
        read(&mut h, t::READ_CONFIG, chf),
        ResponseOutcome::Success(ResponseValue::SubGhzConfiguration(table))
    );
    // The table allows every lower-band channel: the hub stays on page 28 channel 0; a scan
    // moves it to channel 1, which 6.31 and 6.32 read, across a restart.
    let ch = |page, n| SubGhzChannel::new(page, n).unwrap();
    assert_eq!(
        read(&mut h, t::READ_CHANNEL, chf),
        ResponseOutcome::Success(ResponseValue::SubGhzChannel(ch(ChannelPage::Lower0To26, 0)))
    );
    let p = h.request(t::SCAN, SUPPLIER, chf);
    let (_, r) = exchange(&mut h, &p.rid, &p.xml);
    assert_eq!(r.unwrap().0, "I0");
    h.restart();
    assert_eq!(
        read(&mut h, t::READ_CHANNEL, chf),
        ResponseOutcome::Success(ResponseValue::SubGhzChannel(ch(ChannelPage::Lower0To26, 1)))
    );
    let now = h.now();
    let p = h.request(t::READ_LOG, SUPPLIER, chf);
    let day = |d: time::OffsetDateTime| {
        d.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let xml = harness::set_text(&p.xml, "StartDateTime", &day(now - time::Duration::days(1)));
    let xml = harness::set_text(&xml, "EndDateTime", &day(now + time::Duration::days(1)));
    let (_, r) = exchange(&mut h, &p.rid, &xml);
    let (code, outcome) = r.unwrap();
    assert_eq!(code, "I0");
    let Some(ResponseOutcome::Success(ResponseValue::SubGhzChannelLog(log))) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].channel, ch(ChannelPage::Lower0To26, 1));
    assert_eq!(log[0].event, usecases::dbch02::CHANNEL_CHANGED);
}

#[test]
fn a_configuration_not_from_the_current_tables_is_refused_and_nothing_changes() {
    let mut h = Harness::new_world();
    let chf = premises1::CHF;
    let before = sub_ghz(&h, chf);
    let tables = dbch_tables::compiled().unwrap();
    let old = *tables.versions[0].for_region(CspRegion::Central).unwrap();
    let p = h.request(t::SET, SUPPLIER, chf);
    // The DUIS template's own body (915 MHz channels 1 and 2 unmasked), an older version's
    // table, a current one changed in one value.
    let changed = SubGhzConfiguration {
        gsme_curfew: 99,
        ..current(CspRegion::North)
    };
    for xml in [
        p.xml.clone(),
        with_config(&p.xml, &old),
        with_config(&p.xml, &changed),
    ] {
        let (ack, r) = exchange(&mut h, &p.rid, &xml);
        // Service acceptance: the DCC's current-table rule (not the DUIS schema).
        assert_eq!(ack.as_deref(), Some("E062801"), "refused at once");
        assert!(r.is_none(), "nothing sent");
    }
    assert_eq!(h.pending_commands(), 0);
    assert_eq!(sub_ghz(&h, chf), before);
    // Not a CHF: E11.
    let p = h.request(t::SET, SUPPLIER, premises1::ESME);
    let (ack, _) = exchange(
        &mut h,
        &p.rid,
        &with_config(&p.xml, &current(CspRegion::Central)),
    );
    assert_eq!(ack.as_deref(), Some("E11"));
}

#[test]
fn a_single_band_hub_refuses_the_dbch_services_and_changes_nothing() {
    let mut h = Harness::new_world();
    let chf = SINGLE_BAND_CHF;
    assert_eq!(sub_ghz(&h, chf)["dual_band"], false);
    let before = sub_ghz(&h, chf);
    let p = h.request(t::SET, SUPPLIER, chf);
    let xml = with_config(&p.xml, &current(CspRegion::South));
    let mut requests = vec![(p.rid, xml)];
    for tpl in [t::SCAN, t::READ_CONFIG, t::READ_CHANNEL, t::READ_LOG] {
        let p = h.request(tpl, SUPPLIER, chf);
        requests.push((p.rid, p.xml));
    }
    for (rid, xml) in requests {
        let (ack, r) = exchange(&mut h, &rid, &xml);
        assert_eq!(ack.as_deref(), Some("I99"), "{rid}");
        let (code, outcome) = r.expect("answered");
        assert_eq!(code, "E100", "{rid}: the hub's failure answer");
        assert!(outcome.is_some_and(|o| o.is_failure()), "{rid}");
    }
    assert_eq!(sub_ghz(&h, chf), before);
    let _ = MessageCode::DBCH04;
}

/// Premises 2's (northern, dual-band) hub.
const NORTH_CHF: &str = "00-DB-12-34-56-78-91-A2";

fn report(h: &Harness) -> Vec<opendcc::dbch::Behind> {
    opendcc::dbch::report_on(h.store().as_ref()).unwrap()
}

fn held(h: &Harness, chf: &str) -> SubGhzConfiguration {
    let id: eui::Eui64 = chf.parse().unwrap();
    h.store()
        .transaction_in(|tx| Ok(wan::emulated::stored_state(tx, id)?.expect("a hub")))
        .unwrap()
        .config
        .sub_ghz
        .configuration()
}

#[test]
fn a_hub_on_an_old_table_is_reported_reconfigured_and_no_longer_reported_across_a_restart() {
    let mut h = Harness::new_world();
    let tables = dbch_tables::compiled().unwrap();
    // The northern hub holds version 1's table (premises 1's hub holds the manufacturer's).
    let old = *tables.versions[0].for_region(CspRegion::North).unwrap();
    let north: eui::Eui64 = NORTH_CHF.parse().unwrap();
    h.store()
        .transaction_in(|tx| {
            let mut state = wan::emulated::stored_state(tx, north)?.expect("a hub");
            assert!(state.config.sub_ghz.dual_band);
            state.config.sub_ghz.configuration = Some(old);
            wan::emulated::put_state(tx, north, &state)?;
            Ok(())
        })
        .unwrap();
    let behind = report(&h);
    let hubs: Vec<(String, Option<u32>)> = behind
        .iter()
        .map(|b| (b.hub.to_string(), b.version))
        .collect();
    assert_eq!(
        hubs,
        vec![
            (premises1::CHF.to_string(), None),
            (NORTH_CHF.to_string(), Some(1)),
        ],
        "the dual-band hubs not on the current table; single-band hubs never"
    );
    let crypto = opendcc::world::open_existing(h.world_dir())
        .unwrap()
        .dcc_crypto()
        .unwrap();
    let queued = opendcc::dbch::reconfigure_on(h.store().as_ref(), &crypto, h.now()).unwrap();
    assert_eq!(queued, behind);
    assert_eq!(h.pending_commands(), 2);
    h.run_until_idle();
    assert_eq!(h.pending_commands(), 0);
    assert!(report(&h).is_empty(), "{:?}", report(&h));
    h.restart();
    assert!(report(&h).is_empty());
    assert_eq!(held(&h, NORTH_CHF), current(CspRegion::North));
    assert_eq!(held(&h, premises1::CHF), current(CspRegion::Central));
    // No user gets a response; the hubs' 8F2A alerts (configuration changed, addressed to the
    // DCC) reach the supplier.
    let delivered = h.delivered_to(SUPPLIER);
    assert!(delivered.iter().all(|d| d.kind == "alert"), "{delivered:?}");
    assert_eq!(delivered.len(), 2);
    // A second run has nothing to do.
    let queued = opendcc::dbch::reconfigure_on(h.store().as_ref(), &crypto, h.now()).unwrap();
    assert!(queued.is_empty());
    assert_eq!(h.pending_commands(), 0);
}
