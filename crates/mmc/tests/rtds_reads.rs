//! The read use cases' RTDS responses as MMC, value by value: the registers, matrices, counters,
//! prepayment values, maximum demands, load limit data and meter balances the vectors carry
//! (sensitive ones opened with the RTDS keystore's keys), the device's failures (DLMS results,
//! ZCL statuses, and failed records inside an opened block), and the sensitive ones left
//! encrypted without a key. (That every response of a mapped use case renders with its element:
//! `rtds.rs`; schema validity: `crates/opendcc/tests/mmc_e2e.rs`.)
#![allow(clippy::unwrap_used)]

#[path = "../../gbcs/tests/common/mod.rs"]
mod common;

use common::{Keystore, read_hex, rtds_dir};
use gbcs::Frame;

fn render(dir: &str, file: &str, with_keys: bool) -> mmc::Rendered {
    let bytes = read_hex(&rtds_dir().join(dir).join(file));
    let ks = Keystore::load();
    let apdu = match Frame::decode(&bytes).unwrap() {
        Frame::Ciphered(c) => c.apdu,
        Frame::Signing(s) => s,
    };
    let k = ks
        .ka_private
        .get(
            &gbcs::alerts::supplementary_remote_party(&apdu.other_info.ext)
                .0
                .unwrap_or(apdu.recipient),
        )
        .and_then(|v| v.first());
    let d = ks.ka_public.get(&apdu.originator);
    let ctx = mmc::Context {
        service_reference: None,
        service_reference_variant: None,
        keys: k.zip(d).filter(|_| with_keys).map(|(k, d)| mmc::Keys {
            requester_ka: k,
            device_ka: d,
        }),
    };
    let r = mmc::render(&bytes, &ctx).unwrap();
    assert!(r.mapped, "{file}: {:?}", r.notes);
    r
}

fn ok(dir: &str, file: &str) -> String {
    let r = render(dir, file, true);
    assert!(r.notes.is_empty(), "{file}: {:?}", r.notes);
    assert!(!r.sealed);
    r.xml
}

fn has(xml: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(xml.contains(f), "{f}:\n{xml}");
    }
}

/// The document (or a fragment) without its indentation and line breaks.
fn flat(xml: &str) -> String {
    xml.lines().map(str::trim).collect()
}

/// `has`, whatever the fragments' indentation.
fn has_flat(xml: &str, fragments: &[&str]) {
    let x = flat(xml);
    for f in fragments {
        assert!(x.contains(&flat(f)), "{f}:\n{xml}");
    }
}

fn lacks(xml: &str, fragment: &str) {
    assert!(!xml.contains(fragment), "{fragment}:\n{xml}");
}

/// The body between `<ra:SMETSData>` and its end.
fn smets(xml: &str) -> &str {
    let a = xml.find("<ra:SMETSData>").unwrap();
    let b = xml.find("</ra:SMETSData>").unwrap();
    &xml[a..b]
}

#[test]
fn export_registers_4_2() {
    let x = ok("4.2_ECS17a", "ECS17a_4.2_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.2</ra:ServiceReferenceVariant>",
            "<ra:ReadInstantaneousExportRegistersRsp MessageSuccess=\"true\">",
            "<ra:ActiveExportRegister>\n            <ra:Value>10</ra:Value>\n            <ra:ActiveEnergyUnit>Wh</ra:ActiveEnergyUnit>",
            "<ra:ReactiveExportRegister>\n            <ra:Value>20</ra:Value>\n            <ra:ReactiveEnergyUnit>varh</ra:ReactiveEnergyUnit>",
        ],
    );
    let x = ok("4.2_ECS17a", "ECS17a_4.2_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ReadInstantaneousExportRegistersRsp MessageSuccess=\"false\"/>",
            "<ra:COSEMDebug>",
        ],
    );
}

#[test]
fn tou_matrices_4_1_2() {
    // Single element: 48 primary registers (the first and last of the vector), no secondary.
    let x = ok(
        "4.1.2_ECS17d",
        "ECS17d_4.1.2_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.1.2</ra:ServiceReferenceVariant>",
            "<ra:ReadInstantaneousImportTOUMatricesRsp MessageSuccess=\"true\">",
            "<ra:Electricity>",
            "<ra:TOUPrimaryRegisterValue index=\"1\">81</ra:TOUPrimaryRegisterValue>",
            "<ra:TOUPrimaryRegisterValue index=\"2\">15</ra:TOUPrimaryRegisterValue>",
            "<ra:TOUPrimaryRegisterValue index=\"48\">133</ra:TOUPrimaryRegisterValue>",
        ],
    );
    assert_eq!(x.matches("<ra:TOUPrimaryRegisterValue ").count(), 48);
    lacks(&x, "TOUSecondRegisterValue");
    // Twin element: the 4 secondary registers too.
    let x = ok(
        "4.1.2_ECS17d",
        "ECS17d_4.1.2_TWIN_SUCCESS_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:TOUSecondRegisterValue index=\"1\">220</ra:TOUSecondRegisterValue>",
            "<ra:TOUSecondRegisterValue index=\"4\">224</ra:TOUSecondRegisterValue>",
        ],
    );
    assert_eq!(x.matches("<ra:TOUSecondRegisterValue ").count(), 4);
    // The sensitive registers stay encrypted without the requester's key.
    let sealed = render(
        "4.1.2_ECS17d",
        "ECS17d_4.1.2_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        false,
    );
    assert!(sealed.sealed);
    has(&sealed.xml, &["format=\"encrypted\"", "type=\"dlms\""]);
    lacks(&sealed.xml, "TOUPrimaryRegisterValue");
    let x = ok("4.1.2_ECS17d", "ECS17d_4.1.2_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "MessageSuccess=\"false\"",
            "<ra:Electricity/>",
            "<ra:COSEMDebug>",
        ],
    );

    // Gas: tiers 1–4 of 1000, 2000, 3000, 4000 × 1 ÷ 1000 m³.
    for f in [
        "GCS13c_4.1.2_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX",
        "GCS13c_4.1.2_SUCCESS_RELIABLE_GPF_RESPONSE_GBCS.HEX",
        "GCS13c_4.1.2_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX",
    ] {
        let x = ok("4.1.2_GCS13c", f);
        has(
            &x,
            &[
                "<ra:Gas>\n            <ra:TariffTOURegisterMatrix>",
                "<ra:TOURegisterMatrixValue index=\"1\">1</ra:TOURegisterMatrixValue>",
                "<ra:TOURegisterMatrixValue index=\"2\">2</ra:TOURegisterMatrixValue>",
                "<ra:TOURegisterMatrixValue index=\"3\">3</ra:TOURegisterMatrixValue>",
                "<ra:TOURegisterMatrixValue index=\"4\">4</ra:TOURegisterMatrixValue>",
            ],
        );
        let sealed = render("4.1.2_GCS13c", f, false);
        assert!(sealed.sealed);
        has(&sealed.xml, &["type=\"zigbeeCiphered\""]);
    }
    // The failure is inside the encrypted records: opened, it is the device's failure.
    let x = ok("4.1.2_GCS13c", "GCS13c_4.1.2_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "MessageSuccess=\"false\"",
            "<ra:Gas/>",
            "<ra:AttributeID>0301</ra:AttributeID>\n              <ra:Status ResponseCode=\"C0\">",
        ],
    );
}

#[test]
fn tou_with_blocks_4_1_3() {
    let x = ok("4.1.3_ECS17e", "ECS17e_4.1.3_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.1.3</ra:ServiceReferenceVariant>",
            "<ra:ReadInstantaneousImportTOUWithBlocksMatricesRsp MessageSuccess=\"true\">",
            "<ra:TariffBlockTOURegisterCollection>",
            // Rate 1: slots 95, 203, 243, 46 (blocks 1–4); rate 2 starts at the 9th register.
            "<ra:TariffBlock index=\"1\">\n              <ra:RegisterMatrixTOUValue index=\"1\">95</ra:RegisterMatrixTOUValue>\n              <ra:RegisterMatrixTOUValue index=\"2\">39</ra:RegisterMatrixTOUValue>",
            "<ra:TariffBlock index=\"4\">\n              <ra:RegisterMatrixTOUValue index=\"1\">46</ra:RegisterMatrixTOUValue>",
        ],
    );
    assert_eq!(x.matches("<ra:TariffBlock ").count(), 4);
    assert_eq!(x.matches("<ra:RegisterMatrixTOUValue ").count(), 32);
    let x = ok("4.1.3_ECS17e", "ECS17e_4.1.3_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadInstantaneousImportTOUWithBlocksMatricesRsp MessageSuccess=\"false\"/>"],
    );
    assert!(
        render(
            "4.1.3_ECS17e",
            "ECS17e_4.1.3_SUCCESS_RESPONSE_GBCS.HEX",
            false
        )
        .sealed
    );
}

#[test]
fn block_counters_4_1_4() {
    let x = ok(
        "4.1.4_GCS13b",
        "GCS13b_4.1.4_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.1.4</ra:ServiceReferenceVariant>",
            "<ra:ReadInstantaneousImportBlockCountersRsp MessageSuccess=\"true\">",
            "<ra:TariffBlockCounterValue index=\"1\">0</ra:TariffBlockCounterValue>",
            "<ra:TariffBlockCounterValue index=\"2\">0.001</ra:TariffBlockCounterValue>",
            "<ra:TariffBlockCounterValue index=\"3\">0.002</ra:TariffBlockCounterValue>",
            "<ra:TariffBlockCounterValue index=\"4\">0.003</ra:TariffBlockCounterValue>",
        ],
    );
    let x = ok("4.1.4_GCS13b", "GCS13b_4.1.4_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ReadInstantaneousImportBlockCountersRsp MessageSuccess=\"false\"/>",
            "<ra:ZCLStatus>HARDWARE_FAILURE</ra:ZCLStatus>",
        ],
    );
    let sealed = render(
        "4.1.4_GCS13b",
        "GCS13b_4.1.4_ERROR_RESPONSE_GBCS.HEX",
        false,
    );
    assert!(
        sealed.sealed,
        "without the key the failure inside cannot be seen"
    );
}

#[test]
fn prepay_values_4_3() {
    let x = ok("4.3_ECS19", "ECS19_4.3_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        smets(&x),
        concat!(
            "<ra:SMETSData>\n",
            "        <ra:ReadInstantaneousPrepayValuesRsp MessageSuccess=\"true\">\n",
            "          <ra:EmergencyCreditBalance>95000</ra:EmergencyCreditBalance>\n",
            "          <ra:AccumulatedDebtRegister>187000</ra:AccumulatedDebtRegister>\n",
            "          <ra:PaymentDebtRegister>46000</ra:PaymentDebtRegister>\n",
            "          <ra:TimeDebtRegister1>203000</ra:TimeDebtRegister1>\n",
            "          <ra:TimeDebtRegister2>243000</ra:TimeDebtRegister2>\n",
            "          <ra:MeterBalance>250000</ra:MeterBalance>\n",
            "        </ra:ReadInstantaneousPrepayValuesRsp>\n      "
        )
    );
    assert!(render("4.3_ECS19", "ECS19_4.3_SUCCESS_RESPONSE_GBCS.HEX", false).sealed);
    let x = ok("4.3_ECS19", "ECS19_4.3_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadInstantaneousPrepayValuesRsp MessageSuccess=\"false\"/>"],
    );

    for f in [
        "GCS14_4.3_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX",
        "GCS14_4.3_SUCCESS_RELIABLE_GPF_RESPONSE_GBCS.HEX",
        "GCS14_4.3_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX",
    ] {
        let x = ok("4.3_GCS14", f);
        has(
            &x,
            &[
                "<ra:EmergencyCreditBalance>500000</ra:EmergencyCreditBalance>",
                "<ra:AccumulatedDebtRegister>2500000</ra:AccumulatedDebtRegister>",
                "<ra:PaymentDebtRegister>5000</ra:PaymentDebtRegister>",
                "<ra:TimeDebtRegister1>5000</ra:TimeDebtRegister1>",
                "<ra:TimeDebtRegister2>5000</ra:TimeDebtRegister2>",
                "<ra:MeterBalance>2500000</ra:MeterBalance>",
            ],
        );
        let sealed = render("4.3_GCS14", f, false);
        assert!(sealed.sealed);
        lacks(&sealed.xml, "MeterBalance");
    }
    let x = ok("4.3_GCS14", "GCS14_4.3_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "MessageSuccess=\"false\"",
            "<ra:AttributeID>0617</ra:AttributeID>",
        ],
    );
}

#[test]
fn maximum_demand_4_12() {
    let x = ok("4.12.1_ECS18b", "ECS18b_4.12.1_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        smets(&x),
        concat!(
            "<ra:SMETSData>\n",
            "        <ra:ReadMaximumDemandImportRegistersRsp MessageSuccess=\"true\">\n",
            "          <ra:MaxDemandConfigurableTimeActivePowerImport>\n",
            "            <ra:Value>12122</ra:Value>\n",
            "            <ra:CaptureTime>2014-12-31T11:30:00Z</ra:CaptureTime>\n",
            "            <ra:LastResetDateTime>2014-12-31T00:00:00Z</ra:LastResetDateTime>\n",
            "          </ra:MaxDemandConfigurableTimeActivePowerImport>\n",
            "          <ra:MaxDemandActiveEnergyImport>\n",
            "            <ra:Value>4775</ra:Value>\n",
            "            <ra:CaptureTime>2014-12-31T09:30:00Z</ra:CaptureTime>\n",
            "            <ra:LastResetDateTime>2014-12-31T00:00:00Z</ra:LastResetDateTime>\n",
            "          </ra:MaxDemandActiveEnergyImport>\n",
            "          <ra:MaxDemandConfigurableTimePeriod>\n",
            "            <ra:StartTime>12:00:00</ra:StartTime>\n",
            "            <ra:EndTime>09:00:00</ra:EndTime>\n",
            "          </ra:MaxDemandConfigurableTimePeriod>\n",
            "        </ra:ReadMaximumDemandImportRegistersRsp>\n      "
        )
    );
    let x = ok("4.12.1_ECS18b", "ECS18b_4.12.1_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ReadMaximumDemandImportRegistersRsp MessageSuccess=\"false\"/>",
            "<ra:COSEMDebug>",
        ],
    );
    let x = ok("4.12.2_ECS18a", "ECS18a_4.12.2_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ReadMaximumDemandExportRegistersRsp MessageSuccess=\"true\">",
            "<ra:MaxDemandActiveEnergyExport>\n            <ra:Value>4775</ra:Value>\n            <ra:CaptureTime>2014-12-30T20:37:00Z</ra:CaptureTime>\n            <ra:LastResetDateTime>2014-12-31T00:00:00Z</ra:LastResetDateTime>",
        ],
    );
    let x = ok("4.12.2_ECS18a", "ECS18a_4.12.2_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadMaximumDemandExportRegistersRsp MessageSuccess=\"false\"/>"],
    );
}

#[test]
fn load_limit_data_4_15() {
    let x = ok("4.15_ECS27", "ECS27_4.15_SUCCESS_RESPONSE_GBCS.HEX");
    assert_eq!(
        smets(&x),
        concat!(
            "<ra:SMETSData>\n",
            "        <ra:ReadLoadLimitDataRsp MessageSuccess=\"true\">\n",
            "          <ra:LoadLimitCounterValue>30</ra:LoadLimitCounterValue>\n",
            "          <ra:LoadLimitPowerThreshold>6900</ra:LoadLimitPowerThreshold>\n",
            "          <ra:LoadLimitPeriod>300</ra:LoadLimitPeriod>\n",
            "          <ra:LoadLimitRestorationPeriod>30</ra:LoadLimitRestorationPeriod>\n",
            "          <ra:LoadLimitSupplyState>Unchanged</ra:LoadLimitSupplyState>\n",
            "        </ra:ReadLoadLimitDataRsp>\n      "
        )
    );
    let x = ok("4.15_ECS27", "ECS27_4.15_ERROR_RESPONSE_GBCS.HEX");
    has(&x, &["<ra:ReadLoadLimitDataRsp MessageSuccess=\"false\"/>"]);
}

#[test]
fn meter_balance_4_18() {
    let x = ok("4.18_ECS82", "ECS82_4.18_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.18</ra:ServiceReferenceVariant>",
            "<ra:ReadMeterBalanceRsp MessageSuccess=\"true\">\n          <ra:MeterBalance>250000</ra:MeterBalance>\n        </ra:ReadMeterBalanceRsp>",
        ],
    );
    let x = ok("4.18_ECS82", "ECS82_4.18_ERROR_RESPONSE_GBCS.HEX");
    has(&x, &["<ra:ReadMeterBalanceRsp MessageSuccess=\"false\"/>"]);
    for (dir, f) in [
        ("4.18_GCS60", "GCS60_4.18_SUCCESS_RESPONSE_GBCS.HEX"),
        (
            "4.18_GCS60a",
            "GCS60a_4.18_SUCCESS_RELIABLE_GPF_RESPONSE_GBCS.HEX",
        ),
        (
            "4.18_GCS60a",
            "GCS60a_4.18_SUCCESS_RELIABLE_GSME_RESPONSE_GBCS.HEX",
        ),
        (
            "4.18_GCS60a",
            "GCS60a_4.18_SUCCESS_UNRELIABLE_GSME_RESPONSE_GBCS.HEX",
        ),
    ] {
        let x = ok(dir, f);
        has(
            &x,
            &[
                "<ra:MeterBalance>3500000</ra:MeterBalance>",
                "<ra:Gas>\n            <ra:MeterBalancePrepaymentMode>2500000</ra:MeterBalancePrepaymentMode>",
            ],
        );
    }
    for (dir, f) in [
        ("4.18_GCS60", "GCS60_4.18_ERROR_RESPONSE_GBCS.HEX"),
        ("4.18_GCS60a", "GCS60a_4.18_ERROR_RESPONSE_GBCS.HEX"),
    ] {
        let x = ok(dir, f);
        has(
            &x,
            &[
                "<ra:ReadMeterBalanceRsp MessageSuccess=\"false\"/>",
                "<ra:AttributeID>0A00</ra:AttributeID>",
            ],
        );
    }
}

#[test]
fn profile_data_4_8() {
    // Active import: 49 half hours from 2014-12-31T00:00Z; twin: the secondary element too.
    let x = ok(
        "4.8.1_ECS22b",
        "ECS22b_4.8.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.8.1</ra:ServiceReferenceVariant>",
            "<ra:ReadActiveImportProfileDataRsp MessageSuccess=\"true\">\n          <ra:LogEntry>\n            <ra:Timestamp>2014-12-31T00:00:00Z</ra:Timestamp>\n            <ra:Electricity>\n              <ra:PrimaryValue>95</ra:PrimaryValue>\n            </ra:Electricity>",
            "<ra:Timestamp>2015-01-01T00:00:00Z</ra:Timestamp>\n            <ra:Electricity>\n              <ra:PrimaryValue>139</ra:PrimaryValue>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 49);
    lacks(&x, "SecondaryValue");
    let x = ok(
        "4.8.1_ECS22b",
        "ECS22b_4.8.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:PrimaryValue>95</ra:PrimaryValue>\n              <ra:SecondaryValue>203</ra:SecondaryValue>",
        ],
    );
    assert_eq!(x.matches("<ra:SecondaryValue>").count(), 49);
    assert!(
        render(
            "4.8.1_ECS22b",
            "ECS22b_4.8.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
            false
        )
        .sealed
    );
    let x = ok("4.8.1_ECS22b", "ECS22b_4.8.1_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadActiveImportProfileDataRsp MessageSuccess=\"false\"/>"],
    );

    // Gas: 97 samples, half-hourly from 2014-12-30T00:00Z, litres as m³.
    let x = ok("4.8.1_GCS17", "GCS17_4.8.1_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:LogEntry>\n            <ra:Timestamp>2014-12-30T00:00:00Z</ra:Timestamp>\n            <ra:Gas>\n              <ra:PrimaryValue>4767.306</ra:PrimaryValue>",
            "<ra:Timestamp>2014-12-30T00:30:00Z</ra:Timestamp>\n            <ra:Gas>\n              <ra:PrimaryValue>3949.71</ra:PrimaryValue>",
            "<ra:Timestamp>2015-01-01T00:00:00Z</ra:Timestamp>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 97);
    assert!(
        render(
            "4.8.1_GCS17",
            "GCS17_4.8.1_SUCCESS_RESPONSE_GBCS.HEX",
            false
        )
        .sealed
    );
    for (f, status) in [
        ("GCS17_4.8.1_ERROR_RESPONSE_GBCS.HEX", "HARDWARE_FAILURE"),
        ("GCS17_4.8.1_NOT_FOUND_RESPONSE_GBCS.HEX", "NOT_FOUND"),
    ] {
        let x = ok("4.8.1_GCS17", f);
        has(
            &x,
            &[
                "<ra:ReadActiveImportProfileDataRsp MessageSuccess=\"false\"/>",
                &format!("<ra:ZCLStatus>{status}</ra:ZCLStatus>"),
            ],
        );
    }

    let x = ok("4.8.2_ECS22c", "ECS22c_4.8.2_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:LogEntry>\n            <ra:ReactiveEnergyImportedValue>95</ra:ReactiveEnergyImportedValue>\n            <ra:Timestamp>2014-10-01T09:00:00Z</ra:Timestamp>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 49);
    let x = ok("4.8.2_ECS22c", "ECS22c_4.8.2_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadReactiveImportProfileDataRsp MessageSuccess=\"false\"/>"],
    );

    let x = ok("4.8.3_ECS22a", "ECS22a_4.8.3_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:LogEntry>\n            <ra:ActiveEnergyExportedValue>81</ra:ActiveEnergyExportedValue>\n            <ra:ReactiveEnergyExportedValue>56</ra:ReactiveEnergyExportedValue>\n            <ra:Timestamp>2014-10-01T09:30:00Z</ra:Timestamp>",
        ],
    );
    let x = ok("4.8.3_ECS22a", "ECS22a_4.8.3_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadExportProfileDataRsp MessageSuccess=\"false\"/>"],
    );
}

#[test]
fn network_data_4_10_and_14_1() {
    let x = ok("4.10_ECS23", "ECS23_4.10_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:SinglePhaseESME>\n              <ra:AvgRMSOverVoltageCounter>\n                <ra:Value>147</ra:Value>\n              </ra:AvgRMSOverVoltageCounter>\n              <ra:AvgRMSUnderVoltageCounter>\n                <ra:Value>239</ra:Value>",
            "<ra:LogEntry>\n                  <ra:Value>81</ra:Value>\n                  <ra:Timestamp>2014-12-30T00:00:00Z</ra:Timestamp>",
            "<ra:MeasurementPeriod>3600</ra:MeasurementPeriod>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 49);
    let x = ok("4.10_ECS23", "ECS23_4.10_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadNetworkDataRsp MessageSuccess=\"false\">\n          <ra:Electricity/>"],
    );
    let x = ok("4.10_ECS23b", "ECS23b_4.10_SUCCESS_RESPONSE_GBCS.HEX");
    for phase in 1..=3 {
        has(&x, &[&format!("<ra:Phase>{phase}</ra:Phase>")]);
    }
    assert_eq!(x.matches("<ra:PhaseVoltageOperationalData>").count(), 3);
    has(
        &x,
        &["<ra:AvgRMSOverVoltageCounter>\n                    <ra:Value>81</ra:Value>"],
    );
    let x = ok("4.10_ECS23b", "ECS23b_4.10_ERROR_RESPONSE_GBCS.HEX");
    has(&x, &["<ra:Electricity/>"]);

    let x = ok("4.10_GCS18", "GCS18_4.10_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:Gas>\n            <ra:NetworkDataLog>\n              <ra:LogEntry>\n                <ra:Value>0.002</ra:Value>\n                <ra:Timestamp>2014-12-31T20:00:00Z</ra:Timestamp>",
            "<ra:Timestamp>2014-12-31T20:06:00Z</ra:Timestamp>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 41);
    assert!(render("4.10_GCS18", "GCS18_4.10_SUCCESS_RESPONSE_GBCS.HEX", false).sealed);
    let x = ok("4.10_GCS18", "GCS18_4.10_NOT_FOUND_RESPONSE_GBCS.HEX");
    has(&x, &["<ra:Gas/>", "<ra:ZCLStatus>NOT_FOUND</ra:ZCLStatus>"]);

    let x = ok("14.1_GCS31", "GCS31_14.1_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:RecordNetworkDataGASRsp MessageSuccess=\"true\">\n          <ra:SampleID>2</ra:SampleID>",
        ],
    );
    let x = ok("14.1_GCS31", "GCS31_14.1_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:RecordNetworkDataGASRsp MessageSuccess=\"false\"/>"],
    );
}

#[test]
fn prepayment_configuration_4_13() {
    for f in [
        "ECS26a_4.13_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
        "ECS26a_4.13_TWIN_SUCCESS_RESPONSE_GBCS.HEX",
    ] {
        let x = ok("4.13_ECS26a", f);
        has(
            &x,
            &[
                "<ra:ServiceReferenceVariant>4.13</ra:ServiceReferenceVariant>",
                "<ra:ReadPrepaymentConfigurationRsp MessageSuccess=\"true\">\n          <ra:DebtRecoveryPerPayment>5000</ra:DebtRecoveryPerPayment>\n          <ra:DebtRecoveryRateCap>10000</ra:DebtRecoveryRateCap>\n          <ra:DisablementThreshold>-500000</ra:DisablementThreshold>\n          <ra:EmergencyCreditLimit>2500000</ra:EmergencyCreditLimit>\n          <ra:EmergencyCreditThreshold>100000</ra:EmergencyCreditThreshold>\n          <ra:LowCreditThreshold>500000</ra:LowCreditThreshold>\n          <ra:CreditMaxCreditThreshold>5000000</ra:CreditMaxCreditThreshold>\n          <ra:MaxCreditMaxMeterBalance>10000000</ra:MaxCreditMaxMeterBalance>",
                "<ra:DebtRecovery1>\n              <ra:DebtRecoveryRate>5000</ra:DebtRecoveryRate>\n              <ra:DebtRecoveryRatePriceScale>-5</ra:DebtRecoveryRatePriceScale>\n              <ra:DebtRecoveryRatePeriod>DAILY</ra:DebtRecoveryRatePeriod>",
                "<ra:DebtRecovery2>\n              <ra:DebtRecoveryRate>6000</ra:DebtRecoveryRate>",
            ],
        );
    }
    // The non-disablement calendar: four special days; weekends from midnight, weekdays from
    // 18:00 to 08:00, 2014-10-26 to 2015-03-29.
    let x = ok(
        "4.13_ECS26a",
        "ECS26a_4.13_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
    );
    assert_eq!(x.matches("<ra:SpecialDay index=").count(), 4);
    has_flat(
        &x,
        &[
            "<ra:NonDisablementScript>START</ra:NonDisablementScript><ra:SpecialDaysApplicability><ra:SpecialDayApplicability><ra:SpecialDayID>1</ra:SpecialDayID>",
            "<ra:DayOfWeekID>Saturday</ra:DayOfWeekID></ra:DayOfWeekApplicability><ra:DayOfWeekApplicability><ra:DayOfWeekID>Sunday</ra:DayOfWeekID></ra:DayOfWeekApplicability></ra:DaysOfWeekApplicability><ra:ScheduleDatesAndTime><ra:SwitchTime>00:00:00</ra:SwitchTime><ra:StartDate>2014-10-26</ra:StartDate><ra:EndDate>2015-03-29</ra:EndDate>",
            "<ra:NonDisablementScript>STOP</ra:NonDisablementScript>",
            "<ra:SwitchTime>08:00:00</ra:SwitchTime>",
        ],
    );
    let x = ok("4.13_ECS26a", "ECS26a_4.13_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadPrepaymentConfigurationRsp MessageSuccess=\"false\"/>"],
    );

    let x = ok("4.13_GCS21b", "GCS21b_4.13_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:DebtRecoveryPerPayment>1000</ra:DebtRecoveryPerPayment>",
            "<ra:DebtRecoveryRateCap>1000000</ra:DebtRecoveryRateCap>",
            "<ra:DisablementThreshold>-5000000</ra:DisablementThreshold>",
            "<ra:EmergencyCreditLimit>1000000</ra:EmergencyCreditLimit>",
            "<ra:EmergencyCreditThreshold>200000</ra:EmergencyCreditThreshold>",
            "<ra:LowCreditThreshold>500000</ra:LowCreditThreshold>",
            "<ra:CreditMaxCreditThreshold>5000000</ra:CreditMaxCreditThreshold>",
            "<ra:MaxCreditMaxMeterBalance>10000000</ra:MaxCreditMaxMeterBalance>",
            "</ra:NonDisablementCalendar>\n            <ra:DebtRecovery1>\n              <ra:DebtRecoveryRate>500000</ra:DebtRecoveryRate>\n              <ra:DebtRecoveryRatePeriod>DAILY</ra:DebtRecoveryRatePeriod>",
            "<ra:DebtRecovery2>\n              <ra:DebtRecoveryRate>200000</ra:DebtRecoveryRate>",
        ],
    );
    // The friendly credit calendar: day 1 non-disablement from midnight, stopping at 08:00,
    // again from 18:00.
    has_flat(
        &x,
        &[
            "<ra:NonDisablementCalendar><ra:DayProfiles><ra:GasNonDisablementDayProfile><ra:TimeStartAction index=\"1\"><ra:StartTime>00:00:00</ra:StartTime><ra:NonDisablementAction>START</ra:NonDisablementAction></ra:TimeStartAction><ra:TimeStartAction index=\"2\"><ra:StartTime>08:00:00</ra:StartTime><ra:NonDisablementAction>STOP</ra:NonDisablementAction>",
            "<ra:GasNonDisablementDayProfile>",
        ],
    );
    assert_eq!(x.matches("<ra:SpecialDay>").count(), 4);
    for (f, status) in [
        ("GCS21b_4.13_ERROR_RESPONSE_GBCS.HEX", "HARDWARE_FAILURE"),
        ("GCS21b_4.13_NOT_FOUND_RESPONSE_GBCS.HEX", "NOT_FOUND"),
    ] {
        let x = ok("4.13_GCS21b", f);
        has(
            &x,
            &[
                "<ra:ReadPrepaymentConfigurationRsp MessageSuccess=\"false\"/>",
                &format!("<ra:ZCLStatus>{status}</ra:ZCLStatus>"),
            ],
        );
    }
}

#[test]
fn tariff_4_11() {
    let x = ok("4.11.1_ECS24", "ECS24_4.11.1_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.11.1</ra:ServiceReferenceVariant>",
            "<ra:Electricity>\n            <ra:PrimaryActiveTariffPrice>1</ra:PrimaryActiveTariffPrice>\n            <ra:StandingCharge>20000</ra:StandingCharge>\n            <ra:StandingChargeScale>-5</ra:StandingChargeScale>\n            <ra:PriceScale>-5</ra:PriceScale>",
            // Block prices: TOU rate 1 blocks 1–2 (indexes A1, B1), rate 2 (A2, B2).
            "<ra:TariffBlockPrices index=\"1\">\n                <ra:BlockPrice index=\"1\">2289</ra:BlockPrice>\n                <ra:BlockPrice index=\"2\">3546</ra:BlockPrice>",
            "<ra:TariffBlockPrices index=\"2\">\n                <ra:BlockPrice index=\"1\">4002</ra:BlockPrice>\n                <ra:BlockPrice index=\"2\">6969</ra:BlockPrice>",
            "<ra:TariffTOUPrice index=\"1\">2121</ra:TariffTOUPrice>",
            "<ra:ElecTariffThresholds index=\"1\">\n                <ra:BlockThreshold index=\"1\">10000</ra:BlockThreshold>",
        ],
    );
    assert_eq!(x.matches("<ra:TariffTOUPrice ").count(), 48);
    assert_eq!(x.matches("<ra:ElecTariffThresholds ").count(), 8);
    // The switching table: day 1 switches to block tariff 1 at 07:00 and 2 at 23:00 (script
    // selectors 101, 102), day 2 to TOU rate 1; weekdays day 1, weekends day 2; one season.
    has_flat(
        &x,
        &[
            "<ra:Day>1</ra:Day>
                <ra:ProfileSchedule>
                  <ra:StartTime>07:00:00</ra:StartTime>
                  <ra:BlockTariffAction>1</ra:BlockTariffAction>",
            "<ra:StartTime>23:00:00</ra:StartTime>
                  <ra:BlockTariffAction>2</ra:BlockTariffAction>",
            "<ra:Day>2</ra:Day>
                <ra:ProfileSchedule>
                  <ra:StartTime>00:00:00</ra:StartTime>
                  <ra:TOUTariffAction>1</ra:TOUTariffAction>",
            "<ra:ReferencedElecDay index=\"6\">2</ra:ReferencedElecDay>",
            "<ra:SeasonName>all</ra:SeasonName>
                <ra:SeasonStartDate>
                  <ra:Year>
                    <ra:SpecifiedYear>2015</ra:SpecifiedYear>",
            "<ra:SpecialDay>
              <ra:Date>
                <ra:Year>
                  <ra:SpecifiedYear>2015</ra:SpecifiedYear>
                </ra:Year>
                <ra:Month>
                  <ra:SpecifiedMonth>5</ra:SpecifiedMonth>",
        ],
    );
    assert_eq!(x.matches("<ra:SpecialDay>").count(), 2);
    let x = ok("4.11.1_ECS24", "ECS24_4.11.1_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadTariffPrimaryElementRsp MessageSuccess=\"false\">\n          <ra:Electricity/>"],
    );

    let x = ok("4.11.2_ECS24b", "ECS24b_4.11.2_SUCCESS_RESPONSE_GBCS.HEX");
    has_flat(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.11.2</ra:ServiceReferenceVariant>",
            "<ra:SecondaryActiveTariffPrice>10000</ra:SecondaryActiveTariffPrice>\n          <ra:PriceScale>-5</ra:PriceScale>",
            "<ra:TariffTOUPrice index=\"1\">10000</ra:TariffTOUPrice>",
            "<ra:TariffTOUPrice index=\"4\">13000</ra:TariffTOUPrice>",
            // Secondary element actions (script selectors 201-204) are its TOU rates 1-4.
            "<ra:Day>4</ra:Day>
                <ra:ProfileSchedule>
                  <ra:StartTime>00:00:00</ra:StartTime>
                  <ra:TOUTariffAction>4</ra:TOUTariffAction>",
            "<ra:SeasonName>winter</ra:SeasonName>",
            "<ra:NonSpecifiedYear/>",
        ],
    );
    assert_eq!(x.matches("<ra:Season>").count(), 4);
    assert_eq!(x.matches("<ra:SpecialDay>").count(), 3);
    let x = ok("4.11.2_ECS24b", "ECS24b_4.11.2_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:ReadTariffSecondaryElementRsp MessageSuccess=\"false\"/>"],
    );

    let x = ok("4.11.1_GCS21f", "GCS21f_4.11.1_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:Gas>\n            <ra:PrimaryActiveTariffPrice>9600</ra:PrimaryActiveTariffPrice>\n            <ra:PrimaryActiveTariffPriceScale>-5</ra:PrimaryActiveTariffPriceScale>\n            <ra:CurrencyUnitsLabel>GBP</ra:CurrencyUnitsLabel>\n            <ra:StandingCharge>22465</ra:StandingCharge>",
            "<ra:BlockThreshold index=\"1\">100</ra:BlockThreshold>",
            "<ra:BlockThreshold index=\"3\">300</ra:BlockThreshold>",
            "<ra:TariffTOUPrice index=\"2\">10200</ra:TariffTOUPrice>",
            "<ra:BlockPrice index=\"4\">12000</ra:BlockPrice>",
        ],
    );
    // The Calendar cluster's components: day N is tier N; weekdays day 1, weekends day 2;
    // seasons from 2014-09-23 (week 1) and 2015-03-20 (week 2); three special days.
    has_flat(
        &x,
        &[
            "<ra:DayProfile><ra:DayName>3</ra:DayName><ra:TOUTariffAction>3</ra:TOUTariffAction></ra:DayProfile>",
            "<ra:ReferencedDay index=\"6\">2</ra:ReferencedDay>",
            "<ra:Season><ra:SeasonStartDate><ra:GasYearWithWildcards><ra:SpecifiedYear>2014</ra:SpecifiedYear></ra:GasYearWithWildcards><ra:GasMonthWithWildcards><ra:SpecifiedMonth>9</ra:SpecifiedMonth></ra:GasMonthWithWildcards><ra:GasDayOfMonthWithWildcards><ra:SpecifiedDayOfMonth>23</ra:SpecifiedDayOfMonth>",
            "<ra:ReferencedWeekName>2</ra:ReferencedWeekName>",
        ],
    );
    assert_eq!(x.matches("<ra:SpecialDay>").count(), 3);
    for f in [
        "GCS21f_4.11.1_ERROR_RESPONSE_GBCS.HEX",
        "GCS21f_4.11.1_NOT_FOUND_RESPONSE_GBCS.HEX",
    ] {
        let x = ok("4.11.1_GCS21f", f);
        has(
            &x,
            &["<ra:ReadTariffPrimaryElementRsp MessageSuccess=\"false\">\n          <ra:Gas/>"],
        );
    }
}

#[test]
fn active_power_import_4_16() {
    let x = ok("4.16_ECS17c", "ECS17c_4.16_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.16</ra:ServiceReferenceVariant>",
            "<ra:ReadActivePowerImportRsp MessageSuccess=\"true\">\n          <ra:ActivePowerImport>\n            <ra:Value>10</ra:Value>\n            <ra:Unit>W</ra:Unit>\n          </ra:ActivePowerImport>\n          <ra:PrimaryActivePowerImportValue>10</ra:PrimaryActivePowerImportValue>",
        ],
    );
    let x = ok("4.16_ECS17c", "ECS17c_4.16_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ReadActivePowerImportRsp MessageSuccess=\"false\"/>",
            "<ra:COSEMDebug>",
        ],
    );
}

#[test]
fn billing_data_logs_4_4() {
    let x = ok("4.4.4_ECS20a", "ECS20a_4.4.4_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:ServiceReferenceVariant>4.4.4</ra:ServiceReferenceVariant>",
            "<ra:PaymentBasedDebtRepayment>\n            <ra:LogEntry>\n              <ra:Amount>95</ra:Amount>\n              <ra:Timestamp>2014-12-23T00:00:00Z</ra:Timestamp>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 10);
    let x = ok("4.4.5_ECS20d", "ECS20d_4.4.5_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:PrepaymentCredits>\n            <ra:LogEntry>\n              <ra:Amount>95</ra:Amount>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 5);
    let x = ok(
        "4.4.2_ECS20b",
        "ECS20b_4.4.2_TWIN_SUCCESS_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:LogEntryConsumptionAndTariffRegistersData>\n              <ra:ActiveImportRegisterConsumption>10117000</ra:ActiveImportRegisterConsumption>",
            "<ra:SecondaryActiveImportRegisterConsumption>830000</ra:SecondaryActiveImportRegisterConsumption>",
            "<ra:Timestamp>2014-11-01T00:00:00Z</ra:Timestamp>\n            </ra:LogEntryConsumptionAndTariffRegistersData>",
            "<ra:LogEntryPrepaymentData>",
        ],
    );
    assert!(
        render(
            "4.4.2_ECS20b",
            "ECS20b_4.4.2_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
            false
        )
        .sealed
    );
    let x = ok(
        "4.4.3_ECS20c",
        "ECS20c_4.4.3_SINGLE_SUCCESS_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:ESMEBillingDataLogEntry>\n              <ra:Timestamp>2014-12-01T00:00:00Z</ra:Timestamp>\n              <ra:ActiveImportRegisterValueConsumption>10387</ra:ActiveImportRegisterValueConsumption>",
            "<ra:ESMEBillingPrepaymentDataLogEntry>\n              <ra:AccumulatedDebtRegister>185</ra:AccumulatedDebtRegister>",
        ],
    );
    for (dir, f) in [
        ("4.4.2_ECS20b", "ECS20b_4.4.2_ERROR_RESPONSE_GBCS.HEX"),
        ("4.4.3_ECS20c", "ECS20c_4.4.3_ERROR_RESPONSE_GBCS.HEX"),
    ] {
        has(
            &ok(dir, f),
            &["MessageSuccess=\"false\">\n          <ra:Electricity/>"],
        );
    }

    let x = ok("4.4.2_GCS15b", "GCS15b_4.4.2_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:LogEntryConsumptionRegister>\n              <ra:ConsumptionRegister>0.144</ra:ConsumptionRegister>\n              <ra:Timestamp>2014-12-01T00:00:00Z</ra:Timestamp>",
            "<ra:BlockRegisterMatrixValue index=\"4\">0.179</ra:BlockRegisterMatrixValue>",
            "<ra:LogEntryPrepaymentData>\n              <ra:AccumulatedDebtRegister>130</ra:AccumulatedDebtRegister>",
        ],
    );
    let x = ok("4.4.3_GCS15c", "GCS15c_4.4.3_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:GSMEBillingDataLogEntry>\n              <ra:Timestamp>2015-02-01T00:00:00Z</ra:Timestamp>\n              <ra:ActiveImportRegisterValueConsumption>0.065</ra:ActiveImportRegisterValueConsumption>",
            "<ra:GSMEBillingPrepaymentDataLogEntry>",
        ],
    );
    let x = ok("4.4.4_GCS15d", "GCS15d_4.4.4_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:LogEntry>\n              <ra:Amount>163000</ra:Amount>\n              <ra:Timestamp>2014-12-01T00:00:00Z</ra:Timestamp>",
        ],
    );
    let x = ok("4.4.5_GCS15e", "GCS15e_4.4.5_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:PrepaymentCredits>\n            <ra:LogEntry>\n              <ra:Amount>1000000</ra:Amount>\n              <ra:Timestamp>2014-12-25T19:12:00Z</ra:Timestamp>",
        ],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 5);
    // No entry in the period: an empty log, a success.
    for (dir, f, element) in [
        (
            "4.4.4_GCS15d",
            "GCS15d_4.4.4_NOT_FOUND_RESPONSE_GBCS.HEX",
            "RetrieveBillingDataLogDebtPaymentsRsp",
        ),
        (
            "4.4.5_GCS15e",
            "GCS15e_4.4.5_NOT_FOUND_RESPONSE_GBCS.HEX",
            "RetrieveBillingDataLogPrepaymentCreditsRsp",
        ),
    ] {
        has(
            &ok(dir, f),
            &[&format!("<ra:{element} MessageSuccess=\"true\"/>")],
        );
    }
    let x = ok("4.4.2_GCS15b", "GCS15b_4.4.2_ERROR_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "MessageSuccess=\"false\">\n          <ra:Gas/>",
            "HARDWARE_FAILURE",
        ],
    );
}

#[test]
fn daily_logs_4_6_4_14_4_17() {
    let x = ok(
        "4.6.1_ECS21a",
        "ECS21a_4.6.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX",
    );
    has(
        &x,
        &[
            "<ra:LogEntry>\n            <ra:Timestamp>2014-03-09T00:00:00Z</ra:Timestamp>\n            <ra:Electricity>\n              <ra:ElecActiveImportRegisterConsumption>10434000</ra:ElecActiveImportRegisterConsumption>\n              <ra:SecondaryActiveImportRegisterConsumption>513000</ra:SecondaryActiveImportRegisterConsumption>",
            "<ra:TariffTOURegisterMatrixValue index=\"48\">",
            "<ra:TariffTOUBlock4RegisterMatrixValue index=\"8\">",
        ],
    );
    let x = ok("4.6.1_GCS16a", "GCS16a_4.6.1_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:Timestamp>2014-12-30T09:00:00Z</ra:Timestamp>\n            <ra:Gas>\n              <ra:GasActiveImportRegisterConsumption>0.032</ra:GasActiveImportRegisterConsumption>\n              <ra:TariffBlockCounterMatrix index=\"1\">0.047</ra:TariffBlockCounterMatrix>",
            "<ra:TariffTOURegisterMatrix index=\"1\">0.227</ra:TariffTOURegisterMatrix>",
        ],
    );
    let x = ok("4.6.2_ECS21c", "ECS21c_4.6.2_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:LogEntry>\n            <ra:ActiveExportRegisterValue>10</ra:ActiveExportRegisterValue>\n            <ra:TimeStamp>2014-12-01T00:00:00Z</ra:TimeStamp>",
        ],
    );
    // 4.14: the known remote party's answer and the unknown remote party's (the ACB sent the
    // command; the answer is encrypted to the supplier it was for).
    for f in [
        "ECS21b_4.14_KRP_SUCCESS_RESPONSE_GBCS.HEX",
        "ECS21b_4.14_URP_SUCCESS_RESPONSE_GBCS.HEX",
    ] {
        let x = ok("4.14_ECS21b", f);
        has(
            &x,
            &[
                "<ra:Electricity>\n            <ra:LogEntry>\n              <ra:AccumulatedDebtRegister>490000</ra:AccumulatedDebtRegister>\n              <ra:EmergencyCreditBalance>1000000</ra:EmergencyCreditBalance>\n              <ra:MeterBalance>700000</ra:MeterBalance>",
            ],
        );
    }
    for f in [
        "GCS16b_4.14_KRP_SUCCESS_RESPONSE_GBCS.HEX",
        "GCS16b_4.14_URP_SUCCESS_RESPONSE_GBCS.HEX",
    ] {
        let x = ok("4.14_GCS16b", f);
        has(
            &x,
            &[
                "<ra:Gas>\n            <ra:LogEntry>\n              <ra:AccumulatedDebtRegister>130</ra:AccumulatedDebtRegister>",
                "<ra:EmergencyCreditBalance>-64</ra:EmergencyCreditBalance>",
            ],
        );
    }
    let x = ok("4.17_ECS66", "ECS66_4.17_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &["<ra:Electricity>\n            <ra:LogEntry>\n              <ra:Value>95</ra:Value>"],
    );
    assert_eq!(x.matches("<ra:LogEntry>").count(), 4);
    let x = ok("4.17_GCS61", "GCS61_4.17_SUCCESS_RESPONSE_GBCS.HEX");
    has(
        &x,
        &[
            "<ra:LogEntry>\n              <ra:Value>48.714</ra:Value>\n              <ra:Timestamp>2014-12-22T00:00:00Z</ra:Timestamp>",
            "<ra:Timestamp>2014-12-23T00:00:00Z</ra:Timestamp>",
        ],
    );
    has(
        &ok("4.17_GCS61", "GCS61_4.17_NOT_FOUND_RESPONSE_GBCS.HEX"),
        &["<ra:RetrieveDailyConsumptionLogRsp MessageSuccess=\"true\">\n          <ra:Gas/>"],
    );
    has(
        &ok("4.17_ECS66", "ECS66_4.17_ERROR_RESPONSE_GBCS.HEX"),
        &["MessageSuccess=\"false\">\n          <ra:Electricity/>"],
    );
}
