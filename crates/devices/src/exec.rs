//! Execution of the implemented use cases and the payloads of their responses.
//!
//! Every command is decoded with its use case's decoder from the `gbcs` catalogue
//! ([`gbcs::usecases::decode_command`]), and the device acts on the decoded meaning: the objects
//! or attributes requested are the ones read, the clock validity interval is the one the command
//! carries, the device added to the log is the one named, the GCS32 answer echoes the decoded
//! provider id, issuer event id and implementation time. A command whose payload does not decode
//! as its use case gets the "not supported" answer and a format alert. Response layouts follow
//! the RTDS 4.5.0 RESPONSE vectors of each use case; failures follow the ERROR vectors, request
//! for request (DLMS: the requests before the failing one succeed, the failing one gets
//! `hardware-fault` (1), the following ones `other-reason` (250); GBZ: the faulty attribute's
//! record HARDWARE_FAILURE, or a ZCL Default Response; ASN.1: the use case's result code).
//!
//! What fails, and where:
//!
//! | use case | situation | answer (as the RTDS ERROR vector) |
//! |---|---|---|
//! | ECS52, GCS38, CS08 | [`DeviceFault::FirmwareVersion`] | `Get(1)`; `0x0206` HARDWARE_FAILURE; result 1, zero version |
//! | ECS45, GCS33 | [`DeviceFault::SupplyStatus`] | `Get(1)`; `0x0014` HARDWARE_FAILURE |
//! | ECS17b | [`DeviceFault::ImportRegisters`] | `Action(1)`, no data |
//! | GCS13a | [`DeviceFault::MeteringAttribute`] (RTDS: `0x0302`) | that record HARDWARE_FAILURE, encrypted |
//! | ECS42, ECS43, ECS44, GCS32, GCS39 | [`DeviceFault::SupplySwitch`] | `Action(1)`; Default Response HARDWARE_FAILURE |
//! | ECS47 | [`DeviceFault::DlmsObject`] on the duration object or `9/0.0.10.0.103.255/1` | that request hardware-fault, the rest 250 |
//! | ECS47a | [`DeviceFault::DlmsObject`] on the start or end object or `9/0.0.10.0.103.255/1` | that request hardware-fault, the rest 250 |
//! | ECS38 | [`DeviceFault::DlmsObject`] `1/0.0.94.44.0.1/2` | `Set(1)` |
//! | ECS30, ECS30a, ECS26d, ECS26l | [`DeviceFault::DlmsObject`] `22/0.0.15.0.0.255/4` | `Set(1)`, `Get(1)` (see [`crate::config::gas`]) |
//! | GCS25, GCS25a, GCS21d, GCS21k | [`DeviceFault::ZclCommand`] `0x0700`/`0x01`, `0x0700`/`0x0B` | Default Response HARDWARE_FAILURE |
//! | ECS70 | now outside the validity interval | `Set(0), Action(0), Action(0), Get(1), Get(250)` |
//! | GCS28 | now outside the validity interval | result 2 with the device time |
//! | CCS01 | device log full | `Action(0), Set(1), Set(250)` |
//! | CCS02 | device not in the log | `Action(1)` |
//! | instantaneous reads (ECS17a/d/e, ECS18a/b, ECS19, ECS27, ECS82, GCS13b/c, GCS14, GCS60/60a) | see [`crate::reads::instantaneous`] | |
//! | supplier settings (ECS16, GCS44, ECS14, GCS11, ECS10, GCS07) | see [`crate::settings`] | |
//! | change of tenancy (ECS12, GCS09) | see [`crate::tenancy`] | |
//! | top-up (CS01a, CS01b) | UTRN refused | see [`crate::top_up`] |
//! | clear event log (CS11, ECS15a, ECS15c) | see [`crate::event_logs`] | |
//! | alert behaviour (ECS25a…ECS25b3, ECS25r1/r2, GCS20, GCS20r) | see [`crate::alert_config`] | |

use gbcs::asn1::{TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, Tlv};
use gbcs::axdr::Data;
use gbcs::crypto::encrypt_payload;
use gbcs::dlms::{AccessResponse, CosemDescriptor, RequestSpec, ResponseSpec, long_invoke_id};
use gbcs::gbz::{CONTROL_ENCRYPTED, CONTROL_LAST, GbzBody, GbzComponent, GbzPayload, ZclFrame};
use gbcs::usecases::{
    self, CLUSTER_METERING, ChangeSupply, ClockValidity, DecodedCommand, DeviceLogAddition,
    DlmsRead, ProtectedRead, ZclRead, ecs17b, ecs45, ecs52, gcs32,
};
use gbcs::{Cra, GeneralSigning, Payload, UtcDateTime};

use crate::device::{Accepted, EmulatedDevice};
use crate::state::{DEVICE_LOG_CAPACITY, DeviceFault, DeviceLogEntry, EventKind, SupplyState};
use crate::zcl::{self, ZclValue};

/// DLMS data-access-result / action-result: success.
pub(crate) const DLMS_SUCCESS: u8 = 0;
/// DLMS result: hardware-fault (what the RTDS error responses carry for the failing request).
pub(crate) const DLMS_FAILURE: u8 = 1;
/// DLMS result: object-undefined (request for an object the device does not implement).
pub(crate) const DLMS_OBJECT_UNDEFINED: u8 = 4;
/// DLMS result: other-reason (requests not executed after a failure).
pub(crate) const DLMS_NOT_EXECUTED: u8 = 250;

/// ZCL command: Read Attributes Response.
pub(crate) const ZCL_READ_ATTRIBUTES_RESPONSE: u8 = 0x01;
/// ZCL command: Default Response.
pub(crate) const ZCL_DEFAULT_RESPONSE: u8 = 0x0B;
/// ZSE Metering server→client command: Supply Status Response.
const ZSE_SUPPLY_STATUS_RESPONSE: u8 = 0x0C;
/// ZCL frame control: global, server→client.
const FC_GLOBAL_TO_CLIENT: u8 = 0x08;
/// ZCL frame control: global, server→client, default response disabled (encrypted components).
const FC_GLOBAL_TO_CLIENT_NO_DEFAULT: u8 = 0x18;
/// ZCL frame control: cluster-specific, server→client.
const FC_CLUSTER_TO_CLIENT: u8 = 0x09;
/// ZCL status: UNSUP_CLUSTER_COMMAND.
const ZCL_UNSUP_CLUSTER_COMMAND: u8 = 0x81;
/// ZCL status: UNSUP_GENERAL_COMMAND.
const ZCL_UNSUP_GENERAL_COMMAND: u8 = 0x82;
/// ZCL status: HARDWARE_FAILURE.
pub(crate) const ZCL_HARDWARE_FAILURE: u8 = zcl::HARDWARE_FAILURE;
/// CS08 result: the firmware version could not be read (RTDS CS08 ERROR).
const CS08_RESULT_FAILURE: u8 = 1;
/// ECS70: the request that fails when the clock is not set (GET of the time, as the RTDS ERROR
/// vector shows: the SET and both ACTIONs answer success, the time cannot be read back).
const ECS70_FAILING_REQUEST: usize = 3;
/// CCS01: the request that fails when the device log is full (SET of the join timeout, as the
/// RTDS ERROR vector shows: `register_device` answers success, the join cannot be opened).
const CCS01_FAILING_REQUEST: usize = 1;
/// ZCL status: FAILURE (components not executed after a failure, with command id `FF`).
const ZCL_FAILURE: u8 = 0x01;

/// The result of executing an accepted command.
pub(crate) enum Execution {
    /// Executed; `content` is the response payload.
    Done {
        content: Vec<u8>,
        date_time: Option<[u8; 12]>,
        success: bool,
    },
    /// Not implemented here (`bad_format` false) or content not in the use case's format
    /// (`bad_format` true). `content` is the "not supported" answer where the payload type has
    /// one.
    NotSupported {
        content: Option<Vec<u8>>,
        bad_format: bool,
    },
}

pub(crate) fn done(content: Vec<u8>, success: bool) -> Option<Execution> {
    Some(Execution::Done {
        content,
        date_time: None,
        success,
    })
}

impl EmulatedDevice {
    /// [`done`] for a signed response, which carries the device's date-time at `now` (as the
    /// RTDS responses do).
    pub(crate) fn signed_done(
        &self,
        now: UtcDateTime,
    ) -> impl Fn(Vec<u8>, bool) -> Option<Execution> + use<> {
        let date_time = Some(self.device_time(now).to_cosem().0);
        move |content, success| {
            Some(Execution::Done {
                content,
                date_time,
                success,
            })
        }
    }
}

impl EmulatedDevice {
    /// The outcomes of a DLMS SET list, as a device writing it all or nothing answers: the first
    /// faulty SET ([`DeviceFault::DlmsObject`]) fails, the ones after it are not executed, the
    /// rest succeed; `None` when none is faulty (and the device may write).
    pub(crate) fn dlms_set_outcomes(
        &self,
        specs: &[gbcs::dlms::RequestSpec],
    ) -> (Option<usize>, Vec<ResponseSpec>) {
        let failed = specs.iter().position(|spec| {
            let gbcs::dlms::RequestSpec::Set(o) = spec else {
                return false;
            };
            self.state.has_fault(crate::state::DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
        });
        let results = (0..specs.len())
            .map(|i| {
                ResponseSpec::Set(match failed {
                    Some(f) if i == f => DLMS_FAILURE,
                    Some(f) if i > f => DLMS_NOT_EXECUTED,
                    _ => DLMS_SUCCESS,
                })
            })
            .collect();
        (failed, results)
    }
}

pub(crate) fn dlms_response(counter: u64, data: Vec<Data>, results: Vec<ResponseSpec>) -> Vec<u8> {
    AccessResponse {
        invoke_id: long_invoke_id(counter),
        date_time: Vec::new(),
        request_specs: None,
        data,
        results,
    }
    .encode()
}

fn result_like(spec: &RequestSpec, code: u8) -> ResponseSpec {
    match spec {
        RequestSpec::Get(_) | RequestSpec::GetWithSelection(..) => ResponseSpec::Get(code),
        RequestSpec::Set(_) | RequestSpec::SetWithSelection(..) => ResponseSpec::Set(code),
        RequestSpec::Action(_) => ResponseSpec::Action(code),
    }
}

/// Results for a DLMS request where request `failed` fails with `code`: earlier ones succeed,
/// later ones are not executed.
fn dlms_results(specs: &[RequestSpec], failed: usize, code: u8) -> Vec<ResponseSpec> {
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let c = match i.cmp(&failed) {
                std::cmp::Ordering::Less => DLMS_SUCCESS,
                std::cmp::Ordering::Equal => code,
                std::cmp::Ordering::Greater => DLMS_NOT_EXECUTED,
            };
            result_like(s, c)
        })
        .collect()
}

/// The "not supported" answer for an authentic command the device cannot execute: DLMS
/// `object-undefined` for the first request and `other-reason` for the rest; GBZ a Default
/// Response `UNSUP_CLUSTER_COMMAND` / `UNSUP_GENERAL_COMMAND` for the first component and
/// `FF FAILURE` for the rest. ASN.1 payloads have use-case specific responses only: none.
pub(crate) fn not_supported_content(apdu: &GeneralSigning) -> Option<Vec<u8>> {
    match Payload::decode(Cra::Command, &apdu.content) {
        Payload::AccessRequest(r) => Some(
            AccessResponse {
                invoke_id: r.invoke_id,
                date_time: Vec::new(),
                request_specs: None,
                data: vec![Data::Null; r.specs.len()],
                results: dlms_results(&r.specs, 0, DLMS_OBJECT_UNDEFINED),
            }
            .encode(),
        ),
        Payload::Gbz(GbzPayload::Components { components, .. }) if !components.is_empty() => {
            let n = components.len();
            let comps = components
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let (fc, seq, cmd) = match &c.body {
                        GbzBody::Plain { zcl, .. } => {
                            (zcl.frame_control, zcl.sequence, zcl.command)
                        }
                        GbzBody::Encrypted {
                            frame_control,
                            sequence,
                            command,
                            ..
                        } => (*frame_control, *sequence, *command),
                    };
                    let payload = if i == 0 {
                        let status = if fc & 0x03 == 0 {
                            ZCL_UNSUP_GENERAL_COMMAND
                        } else {
                            ZCL_UNSUP_CLUSTER_COMMAND
                        };
                        vec![cmd, status]
                    } else {
                        vec![0xFF, ZCL_FAILURE]
                    };
                    plain_component(c.cluster, seq, ZCL_DEFAULT_RESPONSE, payload, i + 1 == n)
                })
                .collect();
            gbz(comps)
        }
        _ => None,
    }
}

pub(crate) fn plain_component(
    cluster: u16,
    seq: u8,
    command: u8,
    payload: Vec<u8>,
    last: bool,
) -> GbzComponent {
    let frame_control = if command == ZSE_SUPPLY_STATUS_RESPONSE {
        FC_CLUSTER_TO_CLIENT
    } else {
        FC_GLOBAL_TO_CLIENT
    };
    GbzComponent {
        control: if last { CONTROL_LAST } else { 0 },
        cluster,
        body: GbzBody::Plain {
            from_date_time: None,
            zcl: ZclFrame {
                frame_control,
                manufacturer_code: None,
                sequence: seq,
                command,
                payload,
            },
        },
    }
}

pub(crate) fn gbz(components: Vec<GbzComponent>) -> Option<Vec<u8>> {
    GbzPayload::Components {
        profile: gbcs::gbz::GBZ_PROFILE,
        components,
    }
    .encode()
    .ok()
}

impl EmulatedDevice {
    /// Executes an accepted command: decodes it with its use case's decoder and acts on what it
    /// says.
    pub(crate) fn execute(&mut self, cmd: &Accepted<'_>, now: UtcDateTime) -> Execution {
        let apdu = cmd.apdu;
        let Some(uc) = cmd.use_case else {
            return Execution::NotSupported {
                content: not_supported_content(apdu),
                bad_format: false,
            };
        };
        let Ok(decoded) = (uc.spec().decode_command)(apdu) else {
            return Execution::NotSupported {
                content: not_supported_content(apdu),
                bad_format: true,
            };
        };
        // A single-band hub does not implement the DBCH use cases (crate::dbch).
        if matches!(
            decoded,
            DecodedCommand::Dbch01
                | DecodedCommand::Dbch02(_)
                | DecodedCommand::Dbch03
                | DecodedCommand::Dbch04(_)
                | DecodedCommand::Dbch05
        ) && !self.state.config.sub_ghz.dual_band
        {
            return Execution::NotSupported {
                content: not_supported_content(apdu),
                bad_format: false,
            };
        }
        let result = match decoded {
            // 2.1 Update Prepay Configuration (crate::prepay_config).
            DecodedCommand::Ecs08(c) => {
                self.ecs08(apdu, gbcs::usecases::ecs08::Variant::Ecs08, &c, now)
            }
            DecodedCommand::Ecs08a(c) => {
                self.ecs08(apdu, gbcs::usecases::ecs08::Variant::Ecs08a, &c, now)
            }
            DecodedCommand::Gcs05(c) => self.gcs05(apdu, &c, now),
            DecodedCommand::Ecs52(read) | DecodedCommand::Ecs45(read) => {
                self.dlms_read(apdu, &read)
            }
            DecodedCommand::Ecs17b(read) => self.ecs17b(cmd, &read, now),
            DecodedCommand::Ecs42(_) => self.switch_supply(apdu, SupplyState::Enabled, now),
            DecodedCommand::Ecs43(_) => self.switch_supply(apdu, SupplyState::Disabled, now),
            DecodedCommand::Ecs44(_) => self.switch_supply(apdu, SupplyState::Armed, now),
            DecodedCommand::Ecs47(c) => self.ecs47(apdu, c, now),
            DecodedCommand::Ecs47a(c) => self.ecs47a(apdu, c, now),
            DecodedCommand::Ecs47e(c) => self.ecs47e(apdu, c),
            DecodedCommand::Ecs38(limit) => self.ecs38(apdu, limit),
            // Family 6, power quality (crate::power_quality).
            DecodedCommand::Ecs29a(c) => self.ecs29(apdu, usecases::voltage::Variant::Ecs29a, &c),
            DecodedCommand::Ecs29b(c) => self.ecs29(apdu, usecases::voltage::Variant::Ecs29b, &c),
            DecodedCommand::Ecs29c(c) => self.ecs29(apdu, usecases::voltage::Variant::Ecs29c, &c),
            DecodedCommand::Ecs29d(c) => self.ecs29(apdu, usecases::voltage::Variant::Ecs29d, &c),
            DecodedCommand::Ecs29e => {
                self.ecs29_reset(apdu, &usecases::voltage::RESET_SINGLE_PHASE)
            }
            DecodedCommand::Ecs29f => self.ecs29_reset(apdu, &usecases::voltage::RESET_POLY_PHASE),
            DecodedCommand::Ecs34(t) => self.ecs34(apdu, t),
            DecodedCommand::Ecs26b(read)
            | DecodedCommand::Ecs26k(read)
            | DecodedCommand::Ecs26f(read) => self.get_list(apdu, &read, now),
            // 6.8, 6.2.3: the billing calendar (crate::config::gas).
            DecodedCommand::Ecs30(e) | DecodedCommand::Ecs30a(e) => {
                self.set_billing_calendar(apdu, e, now)
            }
            DecodedCommand::Ecs26d(_) | DecodedCommand::Ecs26l(_) => {
                self.read_billing_calendar(apdu)
            }
            DecodedCommand::Gcs25(p) | DecodedCommand::Gcs25a(p) => {
                self.set_gas_billing_period(p, now)
            }
            DecodedCommand::Gcs21d | DecodedCommand::Gcs21k => self.read_gas_billing_period(),
            // 6.6, 6.7, 6.2.8: the gas configuration (crate::config::gas).
            DecodedCommand::Gcs23(c) => self.set_gas_conversion(c),
            DecodedCommand::Gcs24(f) | DecodedCommand::Gcs24a(f) => self.set_gas_flow(f),
            DecodedCommand::Gcs21a(set) => self.read_gas_configuration(&set),
            // GETs in order, as the instantaneous reads (values: Self::aux_load_value).
            DecodedCommand::Ecs61a(read)
            | DecodedCommand::Ecs61d(read)
            | DecodedCommand::Ecs61e(read) => self.instantaneous_get(apdu, &read, now, false),
            DecodedCommand::Ecs62(c) => self.ecs62(apdu, c),
            DecodedCommand::Ecs61c(period) => self.ecs61c(apdu, &period, now),
            DecodedCommand::Gcs38(read) | DecodedCommand::Gcs33(read) => self.gas_read(&read, now),
            DecodedCommand::Gcs13a(read) => self.gcs13a(cmd, &read, now),
            DecodedCommand::Cs08 => self.cs08(),
            DecodedCommand::Gcs32(change) => {
                self.change_supply(apdu, &change, SupplyState::Disabled, now)
            }
            // Not future dated (the decoder holds the implementation date-time to 0).
            DecodedCommand::Gcs39(change) => {
                self.change_supply(apdu, &change, SupplyState::Armed, now)
            }
            DecodedCommand::Ecs70(interval) => self.ecs70(apdu, interval, now),
            DecodedCommand::Gcs28(interval) => self.gcs28(interval, now),
            DecodedCommand::Ccs01(add) => self.ccs01(apdu, add, now),
            DecodedCommand::Ccs02(device) => self.ccs02(apdu, device, now),
            // 8.7 Join Service, 8.8 Unjoin Service (crate::han_join).
            DecodedCommand::Cs03a1(c)
            | DecodedCommand::Cs03a2(c)
            | DecodedCommand::Cs03b(c)
            | DecodedCommand::Cs03c(c) => self.han_join(&c, now),
            DecodedCommand::Cs04ac(other) | DecodedCommand::Cs04b(other) => {
                self.han_unjoin(other, now)
            }
            // 8.9 Read Device Log (crate::han_logs).
            DecodedCommand::Cs07 => self.cs07(),
            DecodedCommand::Ccs05 | DecodedCommand::Ccs06 => self.chf_active_devices(apdu, now),
            DecodedCommand::Ccs07 => self.ccs07(apdu, now),
            // 8.12 Restore HAN Device Log (crate::han_logs).
            DecodedCommand::Ccs03(restore) => self.ccs03(apdu, restore, now),
            DecodedCommand::Gcs59(entries) => self.gcs59(entries),
            // 6.15.1 Update Security Credentials (KRP) (crate::krp).
            // 6.17, 6.15.2 (crate::device_credentials).
            DecodedCommand::Cs02c(usage) => self.cs02c(usage),
            DecodedCommand::Cs02d(cert) => self.cs02d(&cert),
            // 6.24.1, 6.24.2 Retrieve Device Security Credentials (crate::credential_details).
            DecodedCommand::Cs02a(c) | DecodedCommand::Cs02f(c) => {
                self.provide_credential_details(&c)
            }
            DecodedCommand::Cs02e(c) => self.provide_device_certificate(c.key_usage),
            DecodedCommand::Cs02b(u) => self.krp_update(apdu, &u, now),
            // firmware (11.x): crate::firmware.
            DecodedCommand::Cs06(c) => self.cs06(apdu, &c, now),
            // 1.7 Reset Tariff Block Counter Matrix, 2.5 Activate Emergency Credit
            // (crate::reads::payment).
            DecodedCommand::Ecs05 => self.ecs05(apdu.counter, now),
            // 6.4.1, 6.4.2 load limiting (crate::config::limits).
            DecodedCommand::Ecs28a(c) => self.ecs28a(apdu, &c, now),
            DecodedCommand::Ecs28b => self.ecs28b(apdu.counter, now),
            // 6.18.1, 6.18.2 maximum demand (crate::config::limits).
            DecodedCommand::Ecs37(p) => self.ecs37(apdu.counter, &p),
            DecodedCommand::Ecs57(r) => self.ecs57(apdu.counter, &r, now),
            // 6.26 daily block counter reset, 6.25 supply tamper state (crate::config::limits).
            DecodedCommand::Ecs48(daily) => self.ecs48(apdu.counter, daily, now),
            DecodedCommand::Ecs81(locked) => self.ecs81(apdu.counter, locked),
            // 6.14.1 auxiliary load switch descriptions (crate::config::limits).
            DecodedCommand::Ecs46a(d) => self.ecs46a(apdu.counter, &d),
            // 6.14.2 auxiliary load control scheduler (crate::config::limits).
            DecodedCommand::Ecs46c(s) => self.ecs46c(apdu, &s, now),
            DecodedCommand::Ecs46d(c) => self.ecs46d(apdu, &c, now),
            DecodedCommand::Ecs09 => self.ecs09(apdu.counter, now),
            DecodedCommand::Gcs06(_) => self.gcs06(now),
            // 1.6 Update Payment Mode (crate::payment_mode).
            DecodedCommand::Ecs02(c) => self.esme_payment_mode(apdu, Ok(&c), now),
            // Tariffs and prices (crate::tariff).
            DecodedCommand::Ecs01a(c) => {
                self.esme_tariff(apdu, crate::tariff::TariffCommand::PrimaryTariff(&c), now)
            }
            DecodedCommand::Ecs01c(c) => {
                self.esme_tariff(apdu, crate::tariff::TariffCommand::SecondaryTariff(&c), now)
            }
            DecodedCommand::Ecs01b(c) => {
                self.esme_tariff(apdu, crate::tariff::TariffCommand::PrimaryPrices(&c), now)
            }
            DecodedCommand::Ecs01d(c) => {
                self.esme_tariff(apdu, crate::tariff::TariffCommand::SecondaryPrices(&c), now)
            }
            DecodedCommand::Gcs01a(c) => self.gsme_tariff(
                apdu,
                crate::gas_tariff_update::GasTariffCommand::Tariff(&c),
                now,
            ),
            DecodedCommand::Gcs01b(c) => self.gsme_tariff(
                apdu,
                crate::gas_tariff_update::GasTariffCommand::Prices(&c),
                now,
            ),
            DecodedCommand::Ecs03(c) => self.esme_payment_mode(apdu, Err(&c), now),
            DecodedCommand::Gcs02(c) | DecodedCommand::Gcs03(c) => {
                self.gsme_payment_mode(apdu, &c, now)
            }
            // 2.3 Update Debt (crate::reads::payment).
            DecodedCommand::Ecs07(update) => self.ecs07(apdu.counter, &update, now),
            DecodedCommand::Gcs04(debts) => self.gcs04(&debts, now),
            // 1.5 Update Meter Balance (crate::prepay).
            DecodedCommand::Ecs04a(adjustment) => self.ecs04a(apdu.counter, adjustment, now),
            DecodedCommand::Ecs04b => self.ecs04b(apdu.counter, now),
            DecodedCommand::Gcs40(c) => self.gcs40(&c, now),
            // Instantaneous reads (crate::reads::instantaneous).
            DecodedCommand::Ecs17a(read)
            | DecodedCommand::Ecs18a(read)
            | DecodedCommand::Ecs18b(read) => self.instantaneous_get(apdu, &read, now, true),
            DecodedCommand::Ecs27(read)
            | DecodedCommand::Ecs82(read)
            | DecodedCommand::Ecs26c(read) => self.instantaneous_get(apdu, &read, now, false),
            DecodedCommand::Ecs17d(read)
            | DecodedCommand::Ecs17e(read)
            | DecodedCommand::Ecs19(read) => self.instantaneous_protected(cmd, &read, now),
            DecodedCommand::Gcs13b(read) | DecodedCommand::Gcs13c(read) => {
                self.instantaneous_gas_sealed(cmd, &read, now)
            }
            DecodedCommand::Gcs14(reads) => {
                self.instantaneous_gas_multi(cmd, &reads, now, &[0x0705], true)
            }
            DecodedCommand::Gcs60(reads) => {
                self.instantaneous_gas_multi(cmd, &reads, now, &[], false)
            }
            DecodedCommand::Gcs60a(reads) => {
                self.instantaneous_gas_multi(cmd, &reads, now, &[], true)
            }
            // Read services (4.8, 4.10, 4.11, 4.13, 14.1): crate::reads.
            DecodedCommand::Ecs22b(period) => self.ecs22b(cmd, period, now),
            DecodedCommand::Ecs22a(read)
            | DecodedCommand::Ecs22c(read)
            | DecodedCommand::Ecs23(read)
            | DecodedCommand::Ecs23b(read)
            | DecodedCommand::Ecs24(read)
            | DecodedCommand::Ecs24b(read)
            | DecodedCommand::Ecs26a(read) => self.get_list(apdu, &read, now),
            DecodedCommand::Gcs17(get) | DecodedCommand::Gcs18(get) => {
                self.get_sampled_data(cmd, &get, now)
            }
            DecodedCommand::Gcs31(start) => self.gcs31(&start, now),
            DecodedCommand::Gcs21f(set) => self.gbz_read_set(&set, 0x18, now),
            DecodedCommand::Gcs21b(set) => self.gbz_read_set(&set, 0x08, now),
            // 4.16 Read Active Power Import.
            DecodedCommand::Ecs17c(read) => self.ecs17c(apdu, &read, now),
            // Log reads (crate::reads::logs).
            ref log @ (DecodedCommand::Ecs20a(_)
            | DecodedCommand::Ecs20b(_)
            | DecodedCommand::Ecs20c(_)
            | DecodedCommand::Ecs20d(_)
            | DecodedCommand::Ecs21a(_)
            | DecodedCommand::Ecs21b(_)
            | DecodedCommand::Ecs21c(_)
            | DecodedCommand::Ecs66(_)
            | DecodedCommand::Gcs15b(_)
            | DecodedCommand::Gcs15c(_)
            | DecodedCommand::Gcs15d(_)
            | DecodedCommand::Gcs15e(_)
            | DecodedCommand::Gcs16a(_)
            | DecodedCommand::Gcs16b(_)
            | DecodedCommand::Gcs61(_)) => self
                .log_read(cmd, &self.restricted_read(cmd, log), now)
                .flatten(),
            // Supplier settings (crate::settings).
            DecodedCommand::Ecs16(contact) => self.ecs16(apdu, &contact),
            DecodedCommand::Gcs44(change) => self.gcs44(&change.contact),
            DecodedCommand::Ecs14 => self.ecs14(apdu),
            DecodedCommand::Gcs11(_) => self.gcs11(),
            // Customer identification number (crate::cin).
            DecodedCommand::Ecs50(cin) => self.ecs50(apdu, cin),
            DecodedCommand::Gcs36(update) => self.gcs36(update.cin),
            DecodedCommand::Ecs10(message) => self.ecs10(apdu, &message),
            DecodedCommand::Gcs07(display) => self.gcs07(&display.message),
            // Change of tenancy (crate::tenancy).
            DecodedCommand::Ecs12(at) => self.ecs12(apdu, at),
            DecodedCommand::Gcs09(change) => self.gcs09(change.restriction),
            // Clear Event Log (crate::event_logs).
            DecodedCommand::Cs11 => self.cs11(now),
            DecodedCommand::Ecs15a | DecodedCommand::Ecs15c => self.ecs15(apdu, now),
            // 2.2 Top Up Device (crate::top_up).
            DecodedCommand::Cs01a(t) => self.cs01a(apdu, &t.utrn, now),
            DecodedCommand::Cs01b(t) => self.cs01b(&t.utrn, now),
            // 6.22 / 6.2.10 alert behaviour (crate::alert_config).
            DecodedCommand::AlertBehaviour(change) => self.ecs25_write(apdu, &change),
            DecodedCommand::Ecs25r1(read) | DecodedCommand::Ecs25r2(read) => {
                self.ecs25_read(apdu, &read)
            }
            DecodedCommand::Gcs20(b) => self.gcs20(&b),
            DecodedCommand::Gcs20r => self.gcs20r(),
            // Dual-band hubs (crate::dbch).
            DecodedCommand::Dbch04(c) => self.dbch04(apdu, c, now),
            DecodedCommand::Dbch05 => self.dbch05(apdu, now),
            DecodedCommand::Dbch03 => self.dbch03(apdu),
            DecodedCommand::Dbch01 => self.dbch01(apdu),
            DecodedCommand::Dbch02(p) => self.dbch02(apdu, p),
            // Identity and MPxN (crate::identity).
            DecodedCommand::Ecs39a(m) => self.ecs39a(apdu, &m),
            DecodedCommand::Ecs39b(m) => self.ecs39b(apdu, &m),
            DecodedCommand::Ecs40(read) => self.identity_get(apdu, &read),
            DecodedCommand::Gcs41(u) => self.gcs41(&u),
            DecodedCommand::Gcs46(read) => self.gas_read(&read, now),
            DecodedCommand::Ecs26j(read) => self.identity_get(apdu, &read),
            DecodedCommand::Gcs21j(read) => self.gcs21j(&read),
            DecodedCommand::Ecs26e(read)
            | DecodedCommand::Ecs26i(read)
            | DecodedCommand::Ecs26m(read)
            | DecodedCommand::Ecs26n(read) => self.identity_get(apdu, &read),
            DecodedCommand::Gcs21e(reads) | DecodedCommand::Gcs21m(reads) => {
                self.instantaneous_gas_multi(cmd, &reads, now, &[], false)
            }
            // 6.13 Read Event or Security Log (crate::event_logs).
            ref log @ (DecodedCommand::Ecs35a(_)
            | DecodedCommand::Ecs35b(_)
            | DecodedCommand::Ecs35c(_)
            | DecodedCommand::Ecs35d(_)
            | DecodedCommand::Ecs35e(_)
            | DecodedCommand::Ecs35f(_)
            | DecodedCommand::Ecs35g(_)) => self.ecs35(apdu, &self.restricted_read(cmd, log)),
            ref log @ (DecodedCommand::Cs10a(_) | DecodedCommand::Cs10b(_)) => {
                self.cs10(&self.restricted_read(cmd, log))
            }
        };
        // Only a response too large for its encoding ends here (a firmware version over 254
        // bytes in a ZCL octet string): the device cannot answer in the use case's format.
        result.unwrap_or_else(|| Execution::NotSupported {
            content: not_supported_content(apdu),
            bad_format: false,
        })
    }

    /// The value of a DLMS attribute this device holds, or the data-access-result it reads
    /// with: `object-undefined` for one it does not hold, `hardware-fault` for a faulty one.
    fn dlms_attribute(&self, o: &CosemDescriptor) -> Result<Data, u8> {
        let fault = |f| {
            if self.state.has_fault(f) {
                Err(DLMS_FAILURE)
            } else {
                Ok(())
            }
        };
        if *o == ecs52::FIRMWARE_VERSION {
            fault(DeviceFault::FirmwareVersion)?;
            Ok(Data::OctetString(self.state.firmware_version.clone()))
        } else if *o == ecs45::CONTROL_STATE && self.identity.kind == crate::DeviceKind::Esme {
            fault(DeviceFault::SupplyStatus)?;
            Ok(Data::Enum(self.state.supply.dlms_control_state()))
        } else {
            Err(DLMS_OBJECT_UNDEFINED)
        }
    }

    /// ECS52 / ECS45: GET of the requested attributes; each answers its value, or null-data
    /// with `object-undefined` (not held) or `hardware-fault` (faulty).
    fn dlms_read(&self, apdu: &GeneralSigning, read: &DlmsRead) -> Option<Execution> {
        let (data, results): (Vec<Data>, Vec<ResponseSpec>) = read
            .objects
            .iter()
            .map(|o| match self.dlms_attribute(o) {
                Ok(d) => (d, ResponseSpec::Get(DLMS_SUCCESS)),
                Err(code) => (Data::Null, ResponseSpec::Get(code)),
            })
            .unzip();
        let success = results.iter().all(|r| r.result() == DLMS_SUCCESS);
        done(dlms_response(apdu.counter, data, results), success)
    }

    /// ECS42 / ECS43 / ECS44: runs the disconnect-control script; a faulty load switch answers
    /// `hardware-fault` and stays where it is. Arming (ECS44) leaves the supply off, whatever it
    /// was, until the consumer enables it at the meter ([`crate::DeviceState::press_supply_button`]).
    fn switch_supply(
        &mut self,
        apdu: &GeneralSigning,
        to: SupplyState,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::SupplySwitch);
        if works {
            self.set_supply(to, now);
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Action(code)],
            ),
            works,
        )
    }

    /// ECS47: SETs the switch's duration (activate, deactivate), then executes the auxiliary
    /// load script; the switch's override changes only if every request succeeds. A DLMS fault
    /// ([`DeviceFault::DlmsObject`]) on the duration object, or on the script table's execute
    /// method (`9/0.0.10.0.103.255/1`), fails that request with `hardware-fault` and leaves the
    /// rest not executed, as the RTDS ERROR vectors show (SET 1, ACTION 250; a reset's ACTION 1).
    fn ecs47(
        &mut self,
        apdu: &GeneralSigning,
        c: usecases::AuxLoadCommand,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let mut specs = Vec::with_capacity(2);
        if let Some(o) = c.duration_object() {
            specs.push(RequestSpec::Set(o));
        }
        specs.push(RequestSpec::Action(usecases::ecs47::EXECUTE_SCRIPT));
        let faulty = |o: &CosemDescriptor| {
            self.state.has_fault(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
        };
        let failed = specs.iter().position(|s| match s {
            RequestSpec::Set(o) | RequestSpec::Action(o) => faulty(o),
            _ => false,
        });
        let works =
            failed.is_none() && self.state.aux_loads.apply(c.index, c.action, now.to_unix());
        let device_now = self.device_time(now).to_unix();
        if works {
            // The later command wins over a boost in force (crate::boost).
            self.state.boost.release(c.index, device_now);
        }
        // The ALCS event log records the switching, done or not (its action is the low byte
        // of the script the command executes).
        let [_, action] = c.script().to_be_bytes();
        self.log_aux_switched(device_now, c.index, action, works);
        let results = match failed {
            Some(i) => dlms_results(&specs, i, DLMS_FAILURE),
            None => dlms_results(&specs, specs.len(), DLMS_SUCCESS),
        };
        done(
            dlms_response(apdu.counter, vec![Data::Null; specs.len()], results),
            works,
        )
    }

    /// ECS47a: SETs the controller's start and end, then executes the script; the commanded
    /// level is kept only if every request succeeds. A DLMS fault on the start or end object
    /// or the script table's execute method fails that request with `hardware-fault`, the rest
    /// not executed, as the RTDS ERROR vectors show.
    fn ecs47a(
        &mut self,
        apdu: &GeneralSigning,
        c: usecases::AuxControllerState,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let [start, end] = usecases::AuxControllerState::objects(c.index);
        let specs = [
            RequestSpec::Set(start),
            RequestSpec::Set(end),
            RequestSpec::Action(usecases::ecs47::EXECUTE_SCRIPT),
        ];
        let failed = specs.iter().position(|s| match s {
            RequestSpec::Set(o) | RequestSpec::Action(o) => {
                self.state.has_fault(DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                })
            }
            _ => false,
        });
        let level = crate::state::AuxCommandedLevel {
            start: c.start.to_unix(),
            end: c.end.to_unix(),
            level: c.level,
            input_from_controlled_load: c.input_from_controlled_load,
        };
        let works = failed.is_none() && self.state.aux_loads.command(c.index, level);
        if works {
            // The later command wins over a boost in force (crate::boost).
            let device_now = self.device_time(now).to_unix();
            self.state.boost.release(c.index, device_now);
        }
        let results = match failed {
            Some(i) => dlms_results(&specs, i, DLMS_FAILURE),
            None => dlms_results(&specs, specs.len(), DLMS_SUCCESS),
        };
        done(
            dlms_response(apdu.counter, vec![Data::Null; specs.len()], results),
            works,
        )
    }

    /// ECS47e: SETs the APC limit's start and end, then executes the limit script; the limit
    /// is kept only if every request succeeds. A DLMS fault on an object fails that request
    /// with `hardware-fault`, the rest not executed, as the RTDS ERROR vector (the end).
    fn ecs47e(
        &mut self,
        apdu: &GeneralSigning,
        c: usecases::AuxControllerState,
    ) -> Option<Execution> {
        let [start, end] = usecases::ecs47e::objects(c.index);
        let specs = [
            RequestSpec::Set(start),
            RequestSpec::Set(end),
            RequestSpec::Action(usecases::ecs47e::EXECUTE_LIMIT_SCRIPT),
        ];
        let failed = specs.iter().position(|s| match s {
            RequestSpec::Set(o) | RequestSpec::Action(o) => {
                self.state.has_fault(DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                })
            }
            _ => false,
        });
        let slot = usize::from(c.index)
            .checked_sub(1)
            .filter(|i| *i < usize::from(usecases::ecs47::SWITCHES));
        let works = failed.is_none() && slot.is_some();
        if let (true, Some(i)) = (works, slot)
            && let Some(l) = self.state.aux_controllers.apc_limits.get_mut(i)
        {
            *l = Some(crate::state::AuxCommandedLevel {
                start: c.start.to_unix(),
                end: c.end.to_unix(),
                level: c.level,
                input_from_controlled_load: c.input_from_controlled_load,
            });
        }
        let results = match failed {
            Some(i) => dlms_results(&specs, i, DLMS_FAILURE),
            None => dlms_results(&specs, specs.len(), DLMS_SUCCESS),
        };
        done(
            dlms_response(apdu.counter, vec![Data::Null; specs.len()], results),
            works,
        )
    }

    /// ECS38: SETs the randomised offset limit; a DLMS fault on the object
    /// ([`DeviceFault::DlmsObject`] `1/0.0.94.44.0.1/2`) answers `hardware-fault`, as the RTDS
    /// ERROR vector, and keeps the limit.
    fn ecs38(&mut self, apdu: &GeneralSigning, limit: u16) -> Option<Execution> {
        let o = usecases::ecs38::OBJECT;
        let works = !self.state.has_fault(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        });
        if works {
            self.state.aux_loads.randomised_offset_limit = Some(limit);
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Set(code)],
            ),
            works,
        )
    }

    /// ECS62: SETs the named controllers' boost function associations, in order; the change is
    /// kept only if every SET succeeds. A DLMS fault on an association object fails that SET
    /// with `hardware-fault` and leaves the rest not executed, as the RTDS ERROR vectors
    /// (controller 4 failing, 5 not executed).
    fn ecs62(&mut self, apdu: &GeneralSigning, c: usecases::BoostAssociation) -> Option<Execution> {
        let named: Vec<u8> = c.named().collect();
        let specs: Vec<RequestSpec> = named
            .iter()
            .map(|n| RequestSpec::Set(usecases::ecs62::association(*n)))
            .collect();
        let failed = named.iter().position(|n| {
            let o = usecases::ecs62::association(*n);
            self.state.has_fault(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
        });
        let works = failed.is_none();
        if works {
            for n in &named {
                if let Some(b) = usize::from(*n)
                    .checked_sub(1)
                    .and_then(|i| self.state.aux_controllers.boost.get_mut(i))
                {
                    *b = c.add;
                }
            }
        }
        let results = match failed {
            Some(i) => dlms_results(&specs, i, DLMS_FAILURE),
            None => dlms_results(&specs, specs.len(), DLMS_SUCCESS),
        };
        done(
            dlms_response(apdu.counter, vec![Data::Null; specs.len()], results),
            works,
        )
    }

    /// ECS61c: whether a boost is in force (`crate::boost`: started by the consumer's boost
    /// button), the boost function log's entries whose start lies in the period (start and end,
    /// seconds since 2000 on the device clock, oldest first), each controller's boost function
    /// association. GETs in order; a DLMS fault on an object fails it with `hardware-fault` and
    /// leaves the rest not executed, as the RTDS ERROR vector.
    fn ecs61c(
        &self,
        apdu: &GeneralSigning,
        period: &usecases::LogPeriod,
        now: UtcDateTime,
    ) -> Option<Execution> {
        use usecases::ecs61c;
        let device_now = self.device_time(now).to_unix();
        let secs_2000 = |t: i64| {
            UtcDateTime::from_unix(t)
                .and_then(|t| t.to_zigbee_utc())
                .unwrap_or(0)
        };
        let entries: Vec<usecases::LogEntry> = self
            .state
            .boost
            .entries_in(period)
            .into_iter()
            .map(|e| usecases::LogEntry {
                time: secs_2000(e.start),
                values: vec![secs_2000(e.end)],
            })
            .collect();
        let log = usecases::logs_common::buffer(ecs61c::LOG);
        let mut objects = vec![ecs61c::BOOST_ACTIVE, log];
        objects.extend((1..=usecases::ecs62::CONTROLLERS).map(usecases::ecs62::association));
        let value = |o: &CosemDescriptor| -> Data {
            if *o == ecs61c::BOOST_ACTIVE {
                let on = self.state.boost.in_force(device_now).is_some();
                Data::Boolean(if on { 0xFF } else { 0x00 })
            } else if *o == log {
                usecases::logs_common::entries_compact_array(2, &entries)
            } else {
                let on = (1..=usecases::ecs62::CONTROLLERS)
                    .find(|n| usecases::ecs62::association(*n) == *o)
                    .and_then(|n| {
                        self.state
                            .aux_controllers
                            .boost
                            .get(usize::from(n - 1))
                            .copied()
                    })
                    .unwrap_or(false);
                Data::Boolean(if on { 0xFF } else { 0x00 })
            }
        };
        let failed = objects.iter().position(|o| {
            self.state.has_fault(DeviceFault::DlmsObject {
                class: o.class_id,
                obis: o.instance,
                attribute: o.index,
            })
        });
        let specs: Vec<RequestSpec> = objects.iter().map(|o| RequestSpec::Get(*o)).collect();
        let data = objects
            .iter()
            .enumerate()
            .map(|(i, o)| {
                if failed.is_some_and(|f| i >= f) {
                    Data::Null
                } else {
                    value(o)
                }
            })
            .collect();
        let results = match failed {
            Some(i) => dlms_results(&specs, i, DLMS_FAILURE),
            None => dlms_results(&specs, specs.len(), DLMS_SUCCESS),
        };
        done(dlms_response(apdu.counter, data, results), failed.is_none())
    }

    /// ECS61a: an auxiliary load switch object's value at true time `t`: switch `n`'s output
    /// state (on while a boost controls it, `crate::boost`, else at level 100 by
    /// [`crate::AuxLoads::directed_level`], an ECS47 activation in force or an ECS47a level in
    /// its period, else by its calendar, `crate::aux_calendar`). The auxiliary load calendar
    /// (special days table and schedule) is the one 6.14.2 ECS46c or 6.14.3 ECS46d wrote, the
    /// HCALCS identities those 6.14.2 ECS46c wrote (empty arrays and eight zero bytes until then), the switch
    /// descriptions those 6.14.1 ECS46a wrote (empty until then).
    pub(crate) fn aux_load_value(&self, o: &CosemDescriptor, t: i64) -> Option<Data> {
        use usecases::ecs61a;
        // 6.14.2 ECS46c writes them (crate::config::limits).
        let stored = |b: &[u8]| match Data::decode(b) {
            Ok(d @ Data::Array(_)) => d,
            _ => Data::Array(Vec::new()),
        };
        if *o == ecs61a::SPECIAL_DAYS {
            return Some(stored(&self.state.config.limits.aux_special_days));
        }
        if *o == ecs61a::SCHEDULE {
            return Some(stored(&self.state.config.limits.aux_schedule));
        }
        (1..=usecases::ecs47::SWITCHES).find_map(|n| {
            if *o == ecs61a::description(n) {
                // 6.14.1 ECS46a writes them (crate::config::limits).
                let d = self
                    .state
                    .config
                    .limits
                    .aux_descriptions
                    .get(usize::from(n) - 1);
                Some(Data::VisibleString(
                    d.map(|s| s.as_bytes().to_vec()).unwrap_or_default(),
                ))
            } else if *o == ecs61a::hcalcs_id(n) {
                let l = &self.state.config.limits;
                let id = l.aux_hcalcs_ids.get(usize::from(n) - 1).copied();
                Some(Data::OctetString(id.unwrap_or_default().to_vec()))
            } else if *o == usecases::ecs61e::operational_state(n) {
                let device_t = t.saturating_add(self.state.clock_offset_secs);
                let l = &self.state.aux_loads;
                let calendar = self.aux_calendar_levels(n, device_t);
                let input = match l.commanded_in_force(n, device_t) {
                    Some(c) if c.input_from_controlled_load => c.level,
                    _ => calendar.input.unwrap_or(0),
                };
                // A boost in force switches the controller fully on (crate::boost).
                let output = if self.state.boost.controls(n, device_t) {
                    100
                } else {
                    l.directed_level(n, t, device_t)
                        .or(calendar.output)
                        .unwrap_or(0)
                };
                let limit = self.state.aux_controllers.apc_limit(n, device_t);
                Some(Data::Utf8String(usecases::ecs61e::operational_state_json(
                    limit.map_or(output, |m| output.min(m)),
                    input,
                )))
            } else if *o == ecs61a::output_state(n) {
                let device_t = t.saturating_add(self.state.clock_offset_secs);
                let on = self.state.boost.controls(n, device_t)
                    || self
                        .state
                        .aux_loads
                        .directed_level(n, t, device_t)
                        .or_else(|| self.aux_calendar_levels(n, device_t).output)
                        == Some(100);
                Some(Data::Boolean(if on { 0xFF } else { 0x00 }))
            } else {
                None
            }
        })
    }

    /// Controller `n`'s levels by the auxiliary load calendar ECS46c / ECS46d wrote, at
    /// `device_t` (device clock).
    fn aux_calendar_levels(&self, n: u8, device_t: i64) -> crate::aux_calendar::CalendarLevels {
        let l = &self.state.config.limits;
        crate::aux_calendar::levels(&l.aux_special_days, &l.aux_schedule, n, device_t)
    }

    /// Encrypts `plain` to the requester (see [`EmulatedDevice::payload_key`]).
    pub(crate) fn encrypt_for(&self, cmd: &Accepted<'_>, plain: &[u8]) -> Option<Vec<u8>> {
        let key = self.payload_key(cmd)?;
        encrypt_payload(&key, self.identity.eui, 0, plain).ok()
    }

    /// The value of a protected DLMS object: the import registers (active, reactive) with their
    /// scalers and units.
    fn protected_value(&self, o: &CosemDescriptor, now: UtcDateTime) -> Option<Data> {
        if *o != ecs17b::IMPORT_REGISTERS || self.state.has_fault(DeviceFault::ImportRegisters) {
            return None;
        }
        let t = now.to_unix();
        let m = &self.state.metering;
        // DLMS double-long-unsigned registers roll over at 2^32.
        let roll = |v: u64| u32::try_from(v & 0xFFFF_FFFF).unwrap_or(0);
        Some(Data::Structure(vec![
            Data::DoubleLongUnsigned(roll(m.active_import_wh(t))),
            Data::Structure(vec![Data::Integer(0), Data::Enum(30)]),
            Data::DoubleLongUnsigned(roll(m.reactive_import_varh(t))),
            Data::Structure(vec![Data::Integer(0), Data::Enum(32)]),
        ]))
    }

    /// ECS17b: the requested protected objects, encrypted to the requester.
    fn ecs17b(
        &self,
        cmd: &Accepted<'_>,
        read: &ProtectedRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let apdu = cmd.apdu;
        let date_time = Some(self.device_time(now).to_cosem().0);
        let values: Option<Vec<Data>> = read
            .objects
            .iter()
            .map(|o| self.protected_value(o, now))
            .collect();
        let block = values.and_then(|v| self.encrypt_for(cmd, &Data::Structure(v).encode()));
        let Some(block) = block else {
            return Some(Execution::Done {
                content: dlms_response(
                    apdu.counter,
                    vec![Data::Null],
                    vec![ResponseSpec::Action(DLMS_FAILURE)],
                ),
                date_time,
                success: false,
            });
        };
        let params =
            usecases::protection_parameters(apdu.counter, self.identity.eui, apdu.originator);
        let data = Data::Structure(vec![Data::Array(vec![params]), Data::OctetString(block)]);
        Some(Execution::Done {
            content: dlms_response(
                apdu.counter,
                vec![data],
                vec![ResponseSpec::Action(DLMS_SUCCESS)],
            ),
            date_time,
            success: true,
        })
    }

    /// The value of a Metering-cluster attribute of a gas device, or the status it reads with:
    /// UNSUPPORTED_ATTRIBUTE for one it does not hold, HARDWARE_FAILURE for a faulty one.
    pub(crate) fn gas_attribute(&self, id: u16, now: UtcDateTime) -> Result<ZclValue, u8> {
        let faulty = self.state.has_fault(DeviceFault::MeteringAttribute(id))
            || match id {
                0x0000 => self.state.has_fault(DeviceFault::ImportRegisters),
                0x0014 => self.state.has_fault(DeviceFault::SupplyStatus),
                0x0206 => self.state.has_fault(DeviceFault::FirmwareVersion),
                _ => false,
            };
        if faulty {
            return Err(ZCL_HARDWARE_FAILURE);
        }
        Ok(match id {
            0x0000 => ZclValue::U48(self.state.metering.gas_import_litres(now.to_unix())),
            0x0014 => ZclValue::Enum8(self.state.supply.zse_supply_status()),
            0x0205 => ZclValue::U16(self.state.battery_days),
            0x0206 => ZclValue::OctetString(self.state.firmware_version.clone()),
            // SiteID: the MPRN (crate::identity).
            0x0307 => ZclValue::OctetString(self.state.config.site.identity.import_mpxn.clone()),
            // Supply depletion and tamper states (6.2.4): none emulated.
            0x0607 | 0x0608 => ZclValue::Enum8(0),
            // Unit of measure: m³; multiplier 1; divisor 1000 (the summation counts litres).
            0x0300 => ZclValue::Enum8(0x01),
            0x0301 => ZclValue::U24(1),
            0x0302 => ZclValue::U24(1000),
            _ => return Err(zcl::UNSUPPORTED_ATTRIBUTE),
        })
    }

    /// Read Attributes Response records for the requested attributes, in request order.
    fn read_records(&self, read: &ZclRead, now: UtcDateTime) -> Vec<u8> {
        read.attributes
            .iter()
            .flat_map(|&id| zcl::attribute_record(id, self.gas_attribute(id, now)))
            .collect()
    }

    /// GCS38 / GCS33: a plaintext Read Attributes Response.
    fn gas_read(&self, read: &ZclRead, now: UtcDateTime) -> Option<Execution> {
        let records = self.read_records(read, now);
        let success = usecases::read_attribute_records(&records).is_ok_and(|r| r.is_ok());
        let comp = plain_component(read.cluster, 0, ZCL_READ_ATTRIBUTES_RESPONSE, records, true);
        done(gbz(vec![comp])?, success)
    }

    /// GCS13a: the Read Attributes Response encrypted to the requester.
    fn gcs13a(&self, cmd: &Accepted<'_>, read: &ZclRead, now: UtcDateTime) -> Option<Execution> {
        let records = self.read_records(read, now);
        let mut dt = self.device_time(now).to_cosem().0;
        // Clock status: valid (the RTDS GCS13a responses carry a defined status octet).
        if let Some(status) = dt.last_mut() {
            *status = 0x00;
        }
        let (component, success) = match self.encrypt_for(cmd, &records) {
            Some(protected) => (
                GbzComponent {
                    control: CONTROL_LAST | CONTROL_ENCRYPTED,
                    cluster: read.cluster,
                    body: GbzBody::Encrypted {
                        additional_header_control: 0,
                        additional_frame_counter: 0,
                        frame_control: FC_GLOBAL_TO_CLIENT_NO_DEFAULT,
                        manufacturer_code: None,
                        sequence: 0,
                        command: ZCL_READ_ATTRIBUTES_RESPONSE,
                        protected,
                    },
                },
                usecases::read_attribute_records(&records).is_ok_and(|r| r.is_ok()),
            ),
            None => (
                plain_component(
                    read.cluster,
                    0,
                    ZCL_DEFAULT_RESPONSE,
                    vec![0x00, ZCL_HARDWARE_FAILURE],
                    true,
                ),
                false,
            ),
        };
        Some(Execution::Done {
            content: gbz(vec![component])?,
            date_time: Some(dt),
            success,
        })
    }

    /// CS08: the firmware version and result 0; with a faulty firmware store, a zero version
    /// (four bytes, as RTDS) and result 1.
    fn cs08(&self) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::FirmwareVersion);
        let (version, result) = if works {
            (self.state.firmware_version.clone(), 0)
        } else {
            (vec![0; 4], CS08_RESULT_FAILURE)
        };
        let seq = Tlv::constructed(
            TAG_SEQUENCE,
            vec![
                Tlv::primitive(TAG_OCTET_STRING, version),
                Tlv::primitive(TAG_INTEGER, vec![result]),
            ],
        );
        done(seq.encode(), works)
    }

    /// GCS32 / GCS39: ZSE Change Supply "off" (valve closed) or "armed" (valve closed until the
    /// consumer opens it at the meter); the Supply Status Response echoes the decoded provider
    /// id, issuer event id and implementation date-time. An implementation date-time ahead of
    /// the device clock (GCS32 only; GCS39's is 0) is held (`crate::future`): the valve closes
    /// then and the device raises 8F66 (8F67 if the valve fails then); the answer now is the
    /// same. A faulty valve answers a ZCL Default Response HARDWARE_FAILURE to an immediate
    /// Change Supply and stays where it is.
    fn change_supply(
        &mut self,
        apdu: &GeneralSigning,
        change: &ChangeSupply,
        to: SupplyState,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let held = self.hold_change_supply(apdu, change, now);
        if !held && self.state.has_fault(DeviceFault::SupplySwitch) {
            let comp = plain_component(
                CLUSTER_METERING,
                0,
                ZCL_DEFAULT_RESPONSE,
                vec![gcs32::CHANGE_SUPPLY, ZCL_HARDWARE_FAILURE],
                true,
            );
            return done(gbz(vec![comp])?, false);
        }
        if !held {
            self.set_supply(to, now);
        }
        let mut payload = Vec::with_capacity(13);
        payload.extend_from_slice(&change.provider_id.to_le_bytes());
        payload.extend_from_slice(&change.issuer_event_id.to_le_bytes());
        payload.extend_from_slice(&change.implementation_date_time.to_le_bytes());
        payload.push(self.state.supply.zse_supply_status());
        let comp = plain_component(
            CLUSTER_METERING,
            0,
            gcs32::SUPPLY_STATUS_RESPONSE,
            payload,
            true,
        );
        done(gbz(vec![comp])?, true)
    }

    /// Sets the clock if true time `now` lies in the validity interval; returns success.
    fn set_clock(&mut self, start: UtcDateTime, end: UtcDateTime, now: UtcDateTime) -> bool {
        let t = now.to_unix();
        if t < start.to_unix() || t > end.to_unix() {
            return false;
        }
        let from_offset = self.state.clock_offset_secs;
        self.state.clock_offset_secs = 0;
        self.state.commissioned = true;
        self.log(
            now,
            EventKind::ClockSet {
                from_offset,
                to_offset: 0,
            },
        );
        true
    }

    /// ECS70: the decoded clock validity interval; on success the ESME's clock is exact and the
    /// device commissioned. Outside the interval the clock is left alone and the answer is the
    /// RTDS ERROR layout: SET and ACTIONs succeed, the GET of the time fails (`hardware-fault`),
    /// the GET of the status is not executed.
    fn ecs70(
        &mut self,
        apdu: &GeneralSigning,
        interval: ClockValidity,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let specs = usecases::ecs70::SPECS;
        if self.set_clock(interval.start, interval.end, now) {
            let data = vec![
                Data::Null,
                Data::Null,
                Data::Null,
                self.device_time(now).to_cosem().to_octet_string(),
                Data::Unsigned(0),
            ];
            done(
                dlms_response(apdu.counter, data, dlms_results(&specs, specs.len(), 0)),
                true,
            )
        } else {
            let data = vec![Data::Null; specs.len()];
            done(
                dlms_response(
                    apdu.counter,
                    data,
                    dlms_results(&specs, ECS70_FAILING_REQUEST, DLMS_FAILURE),
                ),
                false,
            )
        }
    }

    /// GCS28: as ECS70 for the GSME; answers the device time and a result code.
    fn gcs28(&mut self, interval: ClockValidity, now: UtcDateTime) -> Option<Execution> {
        let success = self.set_clock(interval.start, interval.end, now);
        let device_time = self.device_time(now).to_generalized_time().to_tlv()?;
        let result = if success {
            0
        } else {
            usecases::gcs28::RESULT_OUTSIDE_VALIDITY
        };
        let seq = Tlv::constructed(
            TAG_SEQUENCE,
            vec![device_time, Tlv::primitive(TAG_INTEGER, vec![result])],
        );
        done(seq.encode(), success)
    }

    /// CCS01: add (or update) the decoded device in the CHF device log. When the log is full the
    /// log is left alone and the answer is the RTDS ERROR layout: `register_device` succeeds,
    /// the SET of the join timeout fails (`hardware-fault`), enabling joining is not executed.
    fn ccs01(
        &mut self,
        apdu: &GeneralSigning,
        add: DeviceLogAddition,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let specs = usecases::ccs01::SPECS;
        let device = add.device_id;
        let entry = DeviceLogEntry {
            device,
            install_code: add.install_code,
            join_time_period: add.join_time_period,
            key_type: add.key_type,
            entry_flags: add.entry_flags,
        };
        // 8.9/8.12: when it was added, and no longer historic.
        let at = self.device_time(now).to_unix();
        let log = &mut self.state.device_log;
        let success = if let Some(existing) = log.iter_mut().find(|e| e.device == device) {
            self.state.han_logs.record_added(&entry, at);
            *existing = entry;
            true
        } else if log.len() < DEVICE_LOG_CAPACITY {
            self.state.han_logs.record_added(&entry, at);
            log.push(entry);
            true
        } else {
            false
        };
        let results = if success {
            self.log(now, EventKind::DeviceLogAdded { device });
            dlms_results(&specs, specs.len(), 0)
        } else {
            dlms_results(&specs, CCS01_FAILING_REQUEST, DLMS_FAILURE)
        };
        done(
            dlms_response(apdu.counter, vec![Data::Null; specs.len()], results),
            success,
        )
    }

    /// CCS02: remove the decoded device from the CHF device log; failure if it is not there.
    fn ccs02(
        &mut self,
        apdu: &GeneralSigning,
        device: eui::Eui64,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let removed: Vec<DeviceLogEntry> = self
            .state
            .device_log
            .iter()
            .filter(|e| e.device == device)
            .cloned()
            .collect();
        self.state.device_log.retain(|e| e.device != device);
        let success = !removed.is_empty();
        // 8.9/8.12: into the CHF Historic Device Log.
        for e in &removed {
            self.state.han_logs.record_removed(e);
        }
        let code = if success {
            self.log(now, EventKind::DeviceLogRemoved { device });
            DLMS_SUCCESS
        } else {
            DLMS_FAILURE
        };
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Action(code)],
            ),
            success,
        )
    }
}
