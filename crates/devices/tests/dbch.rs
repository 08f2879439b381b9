//! Dual-band Communications Hubs (DUIS 6.28–6.32) on the emulated CHF: each DBCH use case
//! answered like its RTDS RESPONSE (structure, and the values where the state is the RTDS
//! one), the configuration written then read back, the channel leaving a masked channel and a
//! scan moving it, the log reading the changes; a single-band hub answering every DBCH use case
//! as unsupported and changing nothing; a faulty object answering like the RTDS ERROR vector and
//! changing nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use devices::config::sub_ghz::{ChannelChange, MANUFACTURER_CONFIGURATION, SubGhzState};
use devices::{DeviceFault, DeviceKind, EmulatedDevice, Outcome};
use gbcs::axdr::Data;
use gbcs::usecases::{
    self, ChannelLogPeriod, ChannelPage, CommandHeader, Failure, ResponseOutcome, ResponseValue,
    SubGhzChannel, SubGhzConfiguration,
};
use gbcs::{Eui64, Frame, GeneralSigning, MessageCode, Payload, UtcDateTime};

const CHF: u64 = 0x00db_1234_5678_90a2;

fn hdr(w: &World, counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(
        w.acb.eui,
        Eui64::from_u64(CHF),
        counter,
        w.supplier.eui,
        counter,
    )
}

fn dual_band(w: &World) -> EmulatedDevice {
    let mut dev = w.device(DeviceKind::Chf, CHF);
    dev.state_mut().config.sub_ghz = SubGhzState::dual_band();
    dev
}

/// The 6.28 template's configuration (channels 1 and 2 of each page).
fn template() -> SubGhzConfiguration {
    SubGhzConfiguration {
        lower_band_0_26: 0b110,
        lower_band_27_34: 0b110,
        lower_band_35_61: 0b110,
        upper_band_0_26: 0,
        normal_limited_duty_cycle: 130,
        limited_critical_duty_cycle: 220,
        max_channel_changes_per_week: 5,
        gsme_curfew: 7,
        channel_quieter_threshold: 7,
        channel_noisier_threshold: 12,
        non_gsme_poor_comms_percentage: 6000,
        non_gsme_poor_comms_periods: 130,
        local_ch_noise_period: 100,
        local_ch_failure_percentage: 4000,
        local_ch_retry_percentage: 3000,
    }
}

/// Sends `apdu`; the device answers (success or not as `success`) with the RTDS file's
/// structure (`file` empty: not compared); returns the decoded outcome.
fn send(
    w: &World,
    dev: &mut EmulatedDevice,
    apdu: GeneralSigning,
    dir: &str,
    file: &str,
    success: bool,
) -> (ResponseOutcome, GeneralSigning) {
    let code = apdu.message_code();
    let wan = w.wan(apdu, dev);
    let reply = dev.handle(&wan, w.now);
    assert_eq!(
        reply.outcome,
        Outcome::Executed {
            message_code: code,
            success
        },
        "{file}"
    );
    let bytes = reply.response.expect("a response");
    let resp = open(&bytes, dev, &w.acb);
    // The RTDS structure shows the values too: compared only where they are the RTDS ones.
    if !file.is_empty() {
        assert_same_structure(&bytes, &rtds(dir, file), file);
    }
    let out = usecases::decode_response(code, &resp.content).unwrap();
    assert_eq!(out.is_failure(), !success, "{file}: {out:?}");
    (out, resp)
}

fn rtds_data(dir: &str, file: &str) -> Vec<Data> {
    match Frame::decode(&rtds(dir, file)).unwrap().apdu().payload() {
        Payload::AccessResponse(r) => r.data,
        p => panic!("{p:?}"),
    }
}

fn data(resp: &GeneralSigning) -> Vec<Data> {
    match resp.payload() {
        Payload::AccessResponse(r) => r.data,
        p => panic!("{p:?}"),
    }
}

fn ok(v: ResponseValue) -> ResponseOutcome {
    ResponseOutcome::Success(v)
}

fn whole_period() -> ChannelLogPeriod {
    ChannelLogPeriod {
        from: 0,
        to: u32::MAX,
    }
}

#[test]
fn a_fresh_dual_band_hub_answers_like_the_rtds_responses() {
    let w = World::new();
    let mut dev = dual_band(&w);
    let (_, resp) = send(
        &w,
        &mut dev,
        usecases::dbch03_read_sub_ghz_configuration(&hdr(&w, 10)),
        "6.30_DBCH03",
        "DBCH03_6.30_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(
        data(&resp),
        rtds_data("6.30_DBCH03", "DBCH03_6.30_SUCCESS_RESPONSE_GBCS.HEX")
    );
    let (_, resp) = send(
        &w,
        &mut dev,
        usecases::dbch01_read_sub_ghz_channel(&hdr(&w, 11)),
        "6.31_DBCH01",
        "DBCH01_6.31_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(
        data(&resp),
        rtds_data("6.31_DBCH01", "DBCH01_6.31_SUCCESS_RESPONSE_GBCS.HEX")
    );
    // With the RTDS log in its state, DBCH02 answers the RTDS entries.
    let rtds_log = match usecases::decode_response(
        MessageCode::DBCH02,
        &Frame::decode(&rtds(
            "6.32_DBCH02",
            "DBCH02_6.32_SUCCESS_RESPONSE_GBCS.HEX",
        ))
        .unwrap()
        .apdu()
        .content,
    )
    .unwrap()
    {
        ResponseOutcome::Success(ResponseValue::SubGhzChannelLog(l)) => l,
        o => panic!("{o:?}"),
    };
    dev.state_mut().config.sub_ghz.log = rtds_log
        .iter()
        .map(|e| ChannelChange {
            time: e.time,
            channel_word: e.channel.word(),
            reason: e.reason,
        })
        .collect();
    let period = ChannelLogPeriod::new(
        UtcDateTime::new(2014, 12, 20, 0, 0, 0).unwrap(),
        UtcDateTime::new(2014, 12, 31, 9, 0, 0).unwrap(),
    )
    .unwrap();
    let (out, resp) = send(
        &w,
        &mut dev,
        usecases::dbch02_read_sub_ghz_channel_log(&hdr(&w, 12), period).unwrap(),
        "6.32_DBCH02",
        "DBCH02_6.32_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(out, ok(ResponseValue::SubGhzChannelLog(rtds_log)));
    assert_eq!(
        data(&resp),
        rtds_data("6.32_DBCH02", "DBCH02_6.32_SUCCESS_RESPONSE_GBCS.HEX")
    );
    send(
        &w,
        &mut dev,
        usecases::dbch05_request_sub_ghz_channel_scan(&hdr(&w, 13)),
        "6.29_DBCH05",
        "DBCH05_6.29_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    send(
        &w,
        &mut dev,
        usecases::dbch04_set_sub_ghz_configuration(&hdr(&w, 14), &template()).unwrap(),
        "6.28_DBCH04",
        "DBCH04_6.28_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
}

#[test]
fn the_configuration_written_is_read_back_and_the_hub_acts_on_it() {
    let w = World::new();
    let mut dev = dual_band(&w);
    assert_eq!(
        dev.state().config.sub_ghz.configuration(),
        MANUFACTURER_CONFIGURATION
    );
    send(
        &w,
        &mut dev,
        usecases::dbch04_set_sub_ghz_configuration(&hdr(&w, 20), &template()).unwrap(),
        "6.28_DBCH04",
        "DBCH04_6.28_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    let (out, _) = send(
        &w,
        &mut dev,
        usecases::dbch03_read_sub_ghz_configuration(&hdr(&w, 21)),
        "6.30_DBCH03",
        "",
        true,
    );
    assert_eq!(out, ok(ResponseValue::SubGhzConfiguration(template())));
    // Channel 0 is masked now: the hub moved to channel 1, and logged it.
    let ch = |page, n| SubGhzChannel::new(page, n).unwrap();
    let read_channel = |dev: &mut EmulatedDevice, c| {
        send(
            &w,
            dev,
            usecases::dbch01_read_sub_ghz_channel(&hdr(&w, c)),
            "6.31_DBCH01",
            "",
            true,
        )
        .0
    };
    assert_eq!(
        read_channel(&mut dev, 22),
        ok(ResponseValue::SubGhzChannel(ch(ChannelPage::Lower0To26, 1)))
    );
    // A scan moves it to the next allowed channel.
    send(
        &w,
        &mut dev,
        usecases::dbch05_request_sub_ghz_channel_scan(&hdr(&w, 23)),
        "6.29_DBCH05",
        "DBCH05_6.29_SUCCESS_RESPONSE_GBCS.HEX",
        true,
    );
    assert_eq!(
        read_channel(&mut dev, 24),
        ok(ResponseValue::SubGhzChannel(ch(ChannelPage::Lower0To26, 2)))
    );
    let (out, _) = send(
        &w,
        &mut dev,
        usecases::dbch02_read_sub_ghz_channel_log(&hdr(&w, 25), whole_period()).unwrap(),
        "6.32_DBCH02",
        "",
        true,
    );
    let ResponseOutcome::Success(ResponseValue::SubGhzChannelLog(log)) = out else {
        panic!("{out:?}")
    };
    let now = w.now.to_zigbee_utc().unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|e| e.time == now && e.reason == 0));
    assert_eq!(log[0].channel, ch(ChannelPage::Lower0To26, 1));
    assert_eq!(log[1].channel, ch(ChannelPage::Lower0To26, 2));
    // A period before the changes reads none.
    let (out, _) = send(
        &w,
        &mut dev,
        usecases::dbch02_read_sub_ghz_channel_log(
            &hdr(&w, 26),
            ChannelLogPeriod {
                from: 0,
                to: now - 1,
            },
        )
        .unwrap(),
        "6.32_DBCH02",
        "",
        true,
    );
    assert_eq!(out, ok(ResponseValue::SubGhzChannelLog(Vec::new())));
}

#[test]
fn a_single_band_hub_answers_every_dbch_use_case_as_unsupported() {
    let w = World::new();
    let mut dev = w.device(DeviceKind::Chf, CHF);
    assert!(!dev.state().config.sub_ghz.dual_band);
    let before = dev.state().config.sub_ghz.clone();
    let h = |c| hdr(&w, c);
    let commands = [
        usecases::dbch04_set_sub_ghz_configuration(&h(30), &template()).unwrap(),
        usecases::dbch05_request_sub_ghz_channel_scan(&h(31)),
        usecases::dbch03_read_sub_ghz_configuration(&h(32)),
        usecases::dbch01_read_sub_ghz_channel(&h(33)),
        usecases::dbch02_read_sub_ghz_channel_log(&h(34), whole_period()).unwrap(),
    ];
    for apdu in commands {
        let code = apdu.message_code();
        let wan = w.wan(apdu, &dev);
        let reply = dev.handle(&wan, w.now);
        assert_eq!(
            reply.outcome,
            Outcome::NotSupported { message_code: code },
            "{code:?}"
        );
        let resp = open(&reply.response.expect("an answer"), &dev, &w.acb);
        assert_eq!(
            usecases::decode_response(code, &resp.content).unwrap(),
            ResponseOutcome::Failure(Failure::Dlms {
                index: 0,
                result: 4
            }),
            "{code:?}: object-undefined"
        );
    }
    assert_eq!(dev.state().config.sub_ghz, before, "nothing changed");
}

#[test]
fn a_faulty_object_answers_like_the_rtds_error_and_changes_nothing() {
    let w = World::new();
    let mut dev = dual_band(&w);
    let o = usecases::dbch04::OBJECT;
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let (out, _) = send(
        &w,
        &mut dev,
        usecases::dbch04_set_sub_ghz_configuration(&hdr(&w, 40), &template()).unwrap(),
        "6.28_DBCH04",
        "DBCH04_6.28_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    assert_eq!(
        out,
        ResponseOutcome::Failure(Failure::Dlms {
            index: 0,
            result: 1
        })
    );
    assert_eq!(dev.state().config.sub_ghz.configuration, None);
    send(
        &w,
        &mut dev,
        usecases::dbch03_read_sub_ghz_configuration(&hdr(&w, 41)),
        "6.30_DBCH03",
        "DBCH03_6.30_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    for (o, dir, file, apdu) in [
        (
            usecases::dbch05::OBJECT,
            "6.29_DBCH05",
            "DBCH05_6.29_ERROR_RESPONSE_GBCS.HEX",
            usecases::dbch05_request_sub_ghz_channel_scan(&hdr(&w, 42)),
        ),
        (
            usecases::dbch01::OBJECT,
            "6.31_DBCH01",
            "DBCH01_6.31_ERROR_RESPONSE_GBCS.HEX",
            usecases::dbch01_read_sub_ghz_channel(&hdr(&w, 43)),
        ),
        (
            usecases::dbch02::OBJECT,
            "6.32_DBCH02",
            "DBCH02_6.32_ERROR_RESPONSE_GBCS.HEX",
            usecases::dbch02_read_sub_ghz_channel_log(&hdr(&w, 44), whole_period()).unwrap(),
        ),
    ] {
        dev.state_mut().faults.insert(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        });
        send(&w, &mut dev, apdu, dir, file, false);
    }
    assert!(
        dev.state().config.sub_ghz.log.is_empty(),
        "the scan did not move"
    );
}

#[test]
fn a_configuration_change_raises_the_dbch09_alert_to_the_acb_like_the_rtds_alert() {
    let w = World::new();
    let mut dev = dual_band(&w);
    // The RTDS 6.28 configuration (the DUIS template's, 915 MHz channels 1 and 2 open: the
    // hub takes any configuration in range; which ones may be sent is the DCC's rule).
    let rtds_config = SubGhzConfiguration {
        upper_band_0_26: 0b110,
        ..template()
    };
    let wan = w.wan(
        usecases::dbch04_set_sub_ghz_configuration(&hdr(&w, 50), &rtds_config).unwrap(),
        &dev,
    );
    let reply = dev.handle(&wan, w.now);
    assert_eq!(reply.alerts.len(), 1, "one alert");
    let alert = &reply.alerts[0];
    let a = open(alert, &dev, &w.acb);
    assert_eq!(a.cra, gbcs::Cra::Alert);
    assert_eq!(a.recipient, w.acb.eui);
    assert_eq!(a.message_code(), MessageCode(0x0113));
    let rtds_alert = rtds(
        "6.28_DBCH04",
        "DBCH04_6.28_NA_SUCCESS_ALERT_DBCH09_GBCS.HEX",
    );
    assert_eq!(frame_shape(alert), frame_shape(&rtds_alert));
    let body = |content: &[u8]| match Payload::decode(gbcs::Cra::Alert, content) {
        Payload::DataNotification(n) => n.body,
        p => panic!("{p:?}"),
    };
    let ours = body(&a.content);
    let theirs = body(&Frame::decode(&rtds_alert).unwrap().apdu().content);
    let (Data::Structure(o), Data::Structure(t)) = (&ours, &theirs) else {
        panic!("{ours:?}")
    };
    assert_eq!(o[0], Data::LongUnsigned(0x8F2A));
    assert_eq!(o[0], t[0], "the alert code");
    assert_eq!(
        o[2], t[2],
        "the configuration, as the RTDS alert carries the template's"
    );
    assert_eq!(o[2], rtds_config.to_data());
    // A refused change (a faulty object) raises none.
    let o = usecases::dbch04::OBJECT;
    dev.state_mut().faults.insert(DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    });
    let wan = w.wan(
        usecases::dbch04_set_sub_ghz_configuration(&hdr(&w, 51), &template()).unwrap(),
        &dev,
    );
    assert!(dev.handle(&wan, w.now).alerts.is_empty());
}
