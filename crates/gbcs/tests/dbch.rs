//! Dual-band Communications Hubs, DUIS 6.28–6.32 (DBCH04, DBCH05, DBCH03, DBCH01, DBCH02):
//! each builder against the RTDS commands byte for byte (with the ACB MAC), every RTDS command
//! decoding strictly to its parameters, every RTDS response (SUCCESS and ERROR) decoding and
//! classifying, and commands outside the use cases' formats refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Keystore, apdu, check_command};
use gbcs::axdr::Data;
use gbcs::usecases::{
    self, ChannelLogEntry, ChannelLogPeriod, ChannelPage, CommandDecodeError, CommandHeader,
    DecodedCommand, Failure, ResponseOutcome, ResponseValue, SubGhzChannel, SubGhzConfiguration,
    classify_response, decode_command, decode_response,
};
use gbcs::{Eui64, UtcDateTime};

const SUPPLIER: u64 = 0x90b3_d51f_3001_0000;
const ACB: u64 = 0x90b3_d51f_3000_0002;
const CHF: u64 = 0x00db_1234_5678_90a2;

fn h(counter: u64, user_counter: u64) -> CommandHeader {
    CommandHeader::on_behalf_of(
        Eui64::from_u64(ACB),
        Eui64::from_u64(CHF),
        counter,
        Eui64::from_u64(SUPPLIER),
        user_counter,
    )
}

/// The DUIS 6.28 template's configuration (channels 1 and 2 of each page, 28/29 and 36/37 in
/// the lower band's second and third).
pub fn template_config() -> SubGhzConfiguration {
    SubGhzConfiguration {
        lower_band_0_26: 0b110,
        lower_band_27_34: 0b110,
        lower_band_35_61: 0b110,
        upper_band_0_26: 0b110,
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

fn rtds_period() -> ChannelLogPeriod {
    ChannelLogPeriod::new(
        UtcDateTime::new(2014, 12, 20, 0, 0, 0).unwrap(),
        UtcDateTime::new(2014, 12, 31, 9, 0, 0).unwrap(),
    )
    .unwrap()
}

#[test]
fn builders_reproduce_the_rtds_commands() {
    let ks = Keystore::load();
    let c = template_config();
    check_command(
        &ks,
        "6.28_DBCH04",
        "DBCH04_6.28_SUCCESS_COMMAND_GBCS.HEX",
        usecases::dbch04_set_sub_ghz_configuration(&h(1300, 1000), &c).unwrap(),
    );
    check_command(
        &ks,
        "6.28_DBCH04",
        "DBCH04_6.28_ERROR_COMMAND_GBCS.HEX",
        usecases::dbch04_set_sub_ghz_configuration(&h(1301, 1001), &c).unwrap(),
    );
    for (file, c, u) in [
        ("DBCH05_6.29_SUCCESS_COMMAND_GBCS.HEX", 1300, 1000),
        ("DBCH05_6.29_ERROR_COMMAND_GBCS.HEX", 1302, 1002),
    ] {
        check_command(
            &ks,
            "6.29_DBCH05",
            file,
            usecases::dbch05_request_sub_ghz_channel_scan(&h(c, u)),
        );
    }
    for (file, c, u) in [
        ("DBCH03_6.30_SUCCESS_COMMAND_GBCS.HEX", 1300, 1000),
        ("DBCH03_6.30_ERROR_COMMAND_GBCS.HEX", 1302, 1002),
    ] {
        check_command(
            &ks,
            "6.30_DBCH03",
            file,
            usecases::dbch03_read_sub_ghz_configuration(&h(c, u)),
        );
    }
    for (file, c, u) in [
        ("DBCH01_6.31_SUCCESS_COMMAND_GBCS.HEX", 1300, 1000),
        ("DBCH01_6.31_ERROR_COMMAND_GBCS.HEX", 1302, 1002),
    ] {
        check_command(
            &ks,
            "6.31_DBCH01",
            file,
            usecases::dbch01_read_sub_ghz_channel(&h(c, u)),
        );
    }
    for (file, c, u) in [
        ("DBCH02_6.32_SUCCESS_COMMAND_GBCS.HEX", 1301, 1001),
        ("DBCH02_6.32_ERROR_COMMAND_GBCS.HEX", 1302, 1002),
    ] {
        check_command(
            &ks,
            "6.32_DBCH02",
            file,
            usecases::dbch02_read_sub_ghz_channel_log(&h(c, u), rtds_period()).unwrap(),
        );
    }
}

#[test]
fn every_rtds_command_decodes_to_its_parameters() {
    for (dir, stem, want) in [
        (
            "6.28_DBCH04",
            "DBCH04_6.28",
            DecodedCommand::Dbch04(template_config()),
        ),
        ("6.29_DBCH05", "DBCH05_6.29", DecodedCommand::Dbch05),
        ("6.30_DBCH03", "DBCH03_6.30", DecodedCommand::Dbch03),
        ("6.31_DBCH01", "DBCH01_6.31", DecodedCommand::Dbch01),
        (
            "6.32_DBCH02",
            "DBCH02_6.32",
            DecodedCommand::Dbch02(rtds_period()),
        ),
    ] {
        for kind in ["SUCCESS", "ERROR"] {
            let file = format!("{stem}_{kind}_COMMAND_GBCS.HEX");
            let a = apdu(dir, &file);
            let d = decode_command(&a).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(d, want, "{file}");
            assert_eq!(d.spec().message_code, a.message_code(), "{file}");
            assert!(d.spec().dcc_originated && !d.spec().critical, "{file}");
        }
    }
}

fn response(dir: &str, stem: &str, kind: &str) -> ResponseOutcome {
    let file = format!("{stem}_{kind}_RESPONSE_GBCS.HEX");
    let a = apdu(dir, &file);
    let out =
        decode_response(a.message_code(), &a.content).unwrap_or_else(|e| panic!("{file}: {e}"));
    let class = classify_response(a.message_code(), &a.content);
    assert_eq!(class.is_failure(), kind == "ERROR", "{file}: {class:?}");
    assert_eq!(out.is_failure(), kind == "ERROR", "{file}");
    out
}

#[test]
fn every_rtds_response_decodes_and_is_classified() {
    let hw = ResponseOutcome::Failure(Failure::Dlms {
        index: 0,
        result: 1,
    });
    for (dir, stem) in [
        ("6.28_DBCH04", "DBCH04_6.28"),
        ("6.29_DBCH05", "DBCH05_6.29"),
        ("6.30_DBCH03", "DBCH03_6.30"),
        ("6.31_DBCH01", "DBCH01_6.31"),
        ("6.32_DBCH02", "DBCH02_6.32"),
    ] {
        assert_eq!(response(dir, stem, "ERROR"), hw, "{stem}");
    }
    for (dir, stem) in [
        ("6.28_DBCH04", "DBCH04_6.28"),
        ("6.29_DBCH05", "DBCH05_6.29"),
    ] {
        assert_eq!(
            response(dir, stem, "SUCCESS"),
            ResponseOutcome::Success(ResponseValue::Done)
        );
    }
    let ResponseOutcome::Success(ResponseValue::SubGhzConfiguration(c)) =
        response("6.30_DBCH03", "DBCH03_6.30", "SUCCESS")
    else {
        panic!("6.30")
    };
    assert_eq!(
        c,
        SubGhzConfiguration {
            lower_band_0_26: 0b11,
            lower_band_27_34: 0b11,
            lower_band_35_61: 0b11,
            upper_band_0_26: 0b11,
            normal_limited_duty_cycle: 125,
            limited_critical_duty_cycle: 200,
            max_channel_changes_per_week: 4,
            gsme_curfew: 6,
            channel_quieter_threshold: 6,
            channel_noisier_threshold: 10,
            non_gsme_poor_comms_percentage: 5050,
            non_gsme_poor_comms_periods: 125,
            local_ch_noise_period: 90,
            local_ch_failure_percentage: 5000,
            local_ch_retry_percentage: 3000,
        }
    );
    assert_eq!(
        response("6.31_DBCH01", "DBCH01_6.31", "SUCCESS"),
        ResponseOutcome::Success(ResponseValue::SubGhzChannel(
            SubGhzChannel::new(ChannelPage::Lower0To26, 0).unwrap()
        ))
    );
    let ResponseOutcome::Success(ResponseValue::SubGhzChannelLog(log)) =
        response("6.32_DBCH02", "DBCH02_6.32", "SUCCESS")
    else {
        panic!("6.32")
    };
    assert_eq!(log.len(), 11);
    assert_eq!(
        log[0],
        ChannelLogEntry {
            time: rtds_period().from,
            event: usecases::dbch02::CHANNEL_CHANGED,
            channel: SubGhzChannel::new(ChannelPage::Lower0To26, 0).unwrap(),
            reason: 0,
        }
    );
    assert_eq!(
        log[3].channel,
        SubGhzChannel::new(ChannelPage::Upper0To26, 3).unwrap()
    );
    assert_eq!(log[7].reason, 7);
    assert_eq!(
        log[1].channel,
        SubGhzChannel::new(ChannelPage::Lower27To34, 28).unwrap()
    );
    // The compact array re-encodes to the bytes it was read from.
    let a = apdu("6.32_DBCH02", "DBCH02_6.32_SUCCESS_RESPONSE_GBCS.HEX");
    let r = gbcs::dlms::AccessResponse::decode(&a.content).unwrap();
    assert_eq!(r.data[0], usecases::dbch02::entries_data(&log));
}

#[test]
fn the_configuration_round_trips_and_checks_its_ranges() {
    let c = template_config();
    assert_eq!(SubGhzConfiguration::from_data(&c.to_data()), Some(c));
    assert_eq!(c.check(), Ok(()));
    for bad in [
        SubGhzConfiguration {
            lower_band_27_34: 1 << 8,
            ..c
        },
        SubGhzConfiguration {
            normal_limited_duty_cycle: 201,
            ..c
        },
        SubGhzConfiguration {
            limited_critical_duty_cycle: 250,
            ..c
        },
        SubGhzConfiguration {
            max_channel_changes_per_week: 0,
            ..c
        },
        SubGhzConfiguration {
            gsme_curfew: 1,
            ..c
        },
        SubGhzConfiguration {
            channel_noisier_threshold: 21,
            ..c
        },
        SubGhzConfiguration {
            non_gsme_poor_comms_periods: 151,
            ..c
        },
        SubGhzConfiguration {
            local_ch_noise_period: 60,
            ..c
        },
        SubGhzConfiguration {
            local_ch_retry_percentage: 10001,
            ..c
        },
    ] {
        assert!(bad.check().is_err(), "{bad:?}");
        assert!(usecases::dbch04_set_sub_ghz_configuration(&h(1, 1), &bad).is_err());
    }
}

#[test]
fn commands_not_in_their_use_case_format_do_not_decode() {
    // A DBCH04 whose page-31 mask carries page 28's number.
    let mut a =
        usecases::dbch04_set_sub_ghz_configuration(&h(1300, 1000), &template_config()).unwrap();
    let i = a
        .content
        .windows(5)
        .position(|w| w == [0x04, 0x20, 0xF8, 0x00, 0x00])
        .unwrap();
    a.content[i + 2] = 0xE0;
    assert!(matches!(
        decode_command(&a),
        Err(CommandDecodeError::Format { .. })
    ));
    // A DBCH05 setting 1.
    let mut a = usecases::dbch05_request_sub_ghz_channel_scan(&h(1300, 1000));
    let n = a.content.len();
    assert_eq!(&a.content[n - 2..], [0x11, 0x00]);
    a.content[n - 1] = 1;
    assert!(decode_command(&a).is_err());
    // A DBCH02 whose period ends before it starts.
    let p = rtds_period();
    let backwards = ChannelLogPeriod {
        from: p.to,
        to: p.from,
    };
    assert!(usecases::dbch02_read_sub_ghz_channel_log(&h(1, 1), backwards).is_err());
    // A DBCH03 bound to another counter.
    let mut a = usecases::dbch03_read_sub_ghz_configuration(&h(1300, 1000));
    a.counter += 1;
    assert!(decode_command(&a).is_err());
    // A one-channel word must name exactly one channel.
    assert_eq!(SubGhzChannel::of_word(0xE000_0003), None);
    assert_eq!(
        SubGhzChannel::of_word(0xE800_0100),
        None,
        "page 29 has 8 channels"
    );
    let _ = Data::Null;
}
