//! Execution of the implemented use cases and the payloads of their responses.
//!
//! Every command's content is checked to be exactly what the use case's builder in
//! `gbcs::usecases` produces for the command's header and parameters (parse the parameters,
//! rebuild, compare bytes), so only well-formed commands execute. Response layouts follow the
//! RTDS 4.5.0 RESPONSE vectors of each use case; failures follow the ERROR vectors (DLMS: the
//! failing request gets `hardware-fault` (1), the following ones `other-reason` (250); GBZ: a ZCL
//! Default Response).

use gbcs::asn1::{TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, Tlv, TlvValue};
use gbcs::axdr::Data;
use gbcs::crypto::{KdfContext, KdfMode, encrypt_payload};
use gbcs::dlms::{AccessRequest, AccessResponse, RequestSpec, ResponseSpec, long_invoke_id};
use gbcs::gbz::{CONTROL_ENCRYPTED, CONTROL_LAST, GbzBody, GbzComponent, GbzPayload, ZclFrame};
use gbcs::usecases::{self, CLUSTER_METERING, CommandHeader, DeviceLogAddition, OnBehalfOf};
use gbcs::{Cra, GeneralSigning, OtherInfoExt, Payload, UtcDateTime};

use crate::device::{Accepted, EmulatedDevice};
use crate::kind::UseCase;
use crate::state::{DEVICE_LOG_CAPACITY, DeviceLogEntry, EventKind, SupplyState};
use crate::zcl::{self, ZclValue};

/// DLMS data-access-result / action-result: success.
const DLMS_SUCCESS: u8 = 0;
/// DLMS result: hardware-fault (what the RTDS error responses carry for the failing request).
const DLMS_FAILURE: u8 = 1;
/// DLMS result: object-undefined (request for an object the device does not implement).
const DLMS_OBJECT_UNDEFINED: u8 = 4;
/// DLMS result: other-reason (requests not executed after a failure).
const DLMS_NOT_EXECUTED: u8 = 250;

/// GCS28 result: the device's time is outside the validity interval (RTDS GCS28 ERROR vector).
const GCS28_OUTSIDE_VALIDITY: u8 = 2;

/// ZCL command: Read Attributes Response.
const ZCL_READ_ATTRIBUTES_RESPONSE: u8 = 0x01;
/// ZCL command: Default Response.
const ZCL_DEFAULT_RESPONSE: u8 = 0x0B;
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
const ZCL_HARDWARE_FAILURE: u8 = 0xC0;
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

fn done(content: Vec<u8>, success: bool) -> Option<Execution> {
    Some(Execution::Done {
        content,
        date_time: None,
        success,
    })
}

/// The builder header that reproduces `apdu`.
fn header(apdu: &GeneralSigning) -> CommandHeader {
    let on_behalf_of = match apdu.other_info.ext {
        OtherInfoExt::RemotePartyCounter {
            remote_party,
            remote_party_counter,
        } => Some(OnBehalfOf {
            remote_party,
            remote_party_counter,
        }),
        _ => None,
    };
    CommandHeader {
        originator: apdu.originator,
        recipient: apdu.recipient,
        counter: apdu.counter,
        on_behalf_of,
    }
}

fn dlms_response(counter: u64, data: Vec<Data>, results: Vec<ResponseSpec>) -> Vec<u8> {
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

fn plain_component(
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

fn gbz(components: Vec<GbzComponent>) -> Option<Vec<u8>> {
    GbzPayload::Components {
        profile: gbcs::gbz::GBZ_PROFILE,
        components,
    }
    .encode()
    .ok()
}

/// The single plaintext ZCL frame of a one-component GBZ command.
fn single_zcl(content: &[u8]) -> Option<ZclFrame> {
    match GbzPayload::decode(content).ok()? {
        GbzPayload::Components { mut components, .. } if components.len() == 1 => {
            match components.pop()?.body {
                GbzBody::Plain {
                    from_date_time: None,
                    zcl,
                } => Some(zcl),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A COSEM date-time octet string as GBCS commands write it, as a UTC instant.
pub(crate) fn cosem_to_utc(b: &[u8]) -> Option<UtcDateTime> {
    let b: &[u8; 12] = b.try_into().ok()?;
    let [
        yh,
        yl,
        month,
        day,
        _wd,
        hour,
        minute,
        second,
        _hund,
        _dh,
        _dl,
        _st,
    ] = *b;
    UtcDateTime::new(
        u16::from_be_bytes([yh, yl]),
        month,
        day,
        hour,
        minute,
        second,
    )
}

/// A GeneralizedTime `YYYYMMDDHHMMSSZ` as a UTC instant.
pub(crate) fn generalized_time_to_utc(b: &[u8]) -> Option<UtcDateTime> {
    let (digits, z) = b.split_at_checked(14)?;
    if z != b"Z" || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u16> {
        digits.get(r)?.iter().try_fold(0u16, |acc, d| {
            acc.checked_mul(10)?.checked_add(u16::from(d - b'0'))
        })
    };
    let byte = |r| num(r).and_then(|v| u8::try_from(v).ok());
    UtcDateTime::new(
        num(0..4)?,
        byte(4..6)?,
        byte(6..8)?,
        byte(8..10)?,
        byte(10..12)?,
        byte(12..14)?,
    )
}

fn primitive(t: &Tlv, tag: u8) -> Option<&[u8]> {
    match (&t.value, t.tag.as_slice()) {
        (TlvValue::Primitive(v), [x]) if *x == tag => Some(v),
        _ => None,
    }
}

impl EmulatedDevice {
    /// Executes an accepted command.
    pub(crate) fn execute(&mut self, cmd: &Accepted<'_>, now: UtcDateTime) -> Execution {
        let Some(uc) = cmd.use_case else {
            return Execution::NotSupported {
                content: not_supported_content(cmd.apdu),
                bad_format: false,
            };
        };
        let apdu = cmd.apdu;
        let h = header(apdu);
        let matches =
            |built: Option<GeneralSigning>| built.is_some_and(|b| b.content == apdu.content);
        let result = match uc {
            UseCase::Ecs52 => matches(Some(usecases::ecs52_read_firmware_version(&h)))
                .then(|| self.ecs52(apdu))
                .flatten(),
            UseCase::Ecs45 => matches(Some(usecases::ecs45_read_supply_status(&h)))
                .then(|| self.ecs45(apdu))
                .flatten(),
            UseCase::Ecs17b => matches(Some(usecases::ecs17b_read_import_energy_registers(&h)))
                .then(|| self.ecs17b(cmd, now))
                .flatten(),
            UseCase::Ecs42 => matches(Some(usecases::ecs42_enable_supply(&h)))
                .then(|| self.switch_supply(apdu, SupplyState::Enabled, now))
                .flatten(),
            UseCase::Ecs43 => matches(Some(usecases::ecs43_disable_supply(&h)))
                .then(|| self.switch_supply(apdu, SupplyState::Disabled, now))
                .flatten(),
            UseCase::Gcs38 => matches(usecases::gcs38_read_firmware_version(&h).ok())
                .then(|| self.gas_read(apdu, now))
                .flatten(),
            UseCase::Gcs33 => matches(usecases::gcs33_read_supply_status(&h).ok())
                .then(|| self.gas_read(apdu, now))
                .flatten(),
            UseCase::Gcs13a => matches(usecases::gcs13a_read_import_register(&h).ok())
                .then(|| self.gcs13a(cmd, now))
                .flatten(),
            UseCase::Cs08 => matches(Some(usecases::cs08_read_firmware_version(&h)))
                .then(|| self.cs08())
                .flatten(),
            UseCase::Gcs32 => self.gcs32(apdu, &h, now),
            UseCase::Ecs70 => self.ecs70(apdu, &h, now),
            UseCase::Gcs28 => self.gcs28(apdu, &h, now),
            UseCase::Ccs01 => self.ccs01(apdu, &h, now),
            UseCase::Ccs02 => self.ccs02(apdu, &h, now),
        };
        result.unwrap_or_else(|| Execution::NotSupported {
            content: not_supported_content(apdu),
            bad_format: true,
        })
    }

    fn ecs52(&self, apdu: &GeneralSigning) -> Option<Execution> {
        let fw = Data::OctetString(self.state.firmware_version.clone());
        done(
            dlms_response(
                apdu.counter,
                vec![fw],
                vec![ResponseSpec::Get(DLMS_SUCCESS)],
            ),
            true,
        )
    }

    fn ecs45(&self, apdu: &GeneralSigning) -> Option<Execution> {
        let state = Data::Enum(self.state.supply.dlms_control_state());
        done(
            dlms_response(
                apdu.counter,
                vec![state],
                vec![ResponseSpec::Get(DLMS_SUCCESS)],
            ),
            true,
        )
    }

    fn switch_supply(
        &mut self,
        apdu: &GeneralSigning,
        to: SupplyState,
        now: UtcDateTime,
    ) -> Option<Execution> {
        self.set_supply(to, now);
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Action(DLMS_SUCCESS)],
            ),
            true,
        )
    }

    /// Encrypts a sensitive payload to the requesting party (KDF mode 04 with this device's KA
    /// private key × the requester's KA public key; IV = this device's title ‖ 0).
    fn encrypt_for(&self, cmd: &Accepted<'_>, plain: &[u8]) -> Option<Vec<u8>> {
        let ctx = KdfContext {
            originator: self.identity.eui,
            mode: KdfMode::PayloadEncryption,
            counter: cmd.apdu.counter,
            recipient: cmd.apdu.originator,
        };
        let key = self.ka.derive(cmd.originator.ka_public.key(), &ctx).ok()?;
        encrypt_payload(&key, self.identity.eui, 0, plain).ok()
    }

    fn ecs17b(&self, cmd: &Accepted<'_>, now: UtcDateTime) -> Option<Execution> {
        let apdu = cmd.apdu;
        let t = now.to_unix();
        let m = &self.state.metering;
        // DLMS double-long-unsigned registers roll over at 2^32.
        let roll = |v: u64| u32::try_from(v & 0xFFFF_FFFF).unwrap_or(0);
        let plain = Data::Structure(vec![Data::Structure(vec![
            Data::DoubleLongUnsigned(roll(m.active_import_wh(t))),
            Data::Structure(vec![Data::Integer(0), Data::Enum(30)]),
            Data::DoubleLongUnsigned(roll(m.reactive_import_varh(t))),
            Data::Structure(vec![Data::Integer(0), Data::Enum(32)]),
        ])])
        .encode();
        let date_time = Some(self.device_time(now).to_cosem().0);
        let Some(block) = self.encrypt_for(cmd, &plain) else {
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

    /// The value of a Metering-cluster attribute of a gas device.
    fn gas_attribute(&self, id: u16, now: UtcDateTime) -> Option<ZclValue> {
        Some(match id {
            0x0000 => ZclValue::U48(self.state.metering.gas_import_litres(now.to_unix())),
            0x0014 => ZclValue::Enum8(self.state.supply.zse_supply_status()),
            0x0205 => ZclValue::U16(self.state.battery_days),
            0x0206 => ZclValue::OctetString(self.state.firmware_version.clone()),
            // Unit of measure: m³; multiplier 1; divisor 1000 (the summation counts litres).
            0x0300 => ZclValue::Enum8(0x01),
            0x0301 => ZclValue::U24(1),
            0x0302 => ZclValue::U24(1000),
            _ => return None,
        })
    }

    fn read_records(&self, zcl: &ZclFrame, now: UtcDateTime) -> Option<Vec<u8>> {
        let ids = zcl.read_attribute_ids()?;
        Some(
            ids.iter()
                .flat_map(|&id| zcl::attribute_record(id, self.gas_attribute(id, now)))
                .collect(),
        )
    }

    /// GCS38 / GCS33: a plaintext Read Attributes Response.
    fn gas_read(&self, apdu: &GeneralSigning, now: UtcDateTime) -> Option<Execution> {
        let zcl = single_zcl(&apdu.content)?;
        let records = self.read_records(&zcl, now)?;
        let comp = plain_component(
            CLUSTER_METERING,
            zcl.sequence,
            ZCL_READ_ATTRIBUTES_RESPONSE,
            records,
            true,
        );
        done(gbz(vec![comp])?, true)
    }

    /// GCS13a: the Read Attributes Response encrypted to the requester.
    fn gcs13a(&self, cmd: &Accepted<'_>, now: UtcDateTime) -> Option<Execution> {
        let zcl = single_zcl(&cmd.apdu.content)?;
        let records = self.read_records(&zcl, now)?;
        let mut dt = self.device_time(now).to_cosem().0;
        // Clock status: valid (the RTDS GCS13a responses carry a defined status octet).
        if let Some(status) = dt.last_mut() {
            *status = 0x00;
        }
        let (component, success) = match self.encrypt_for(cmd, &records) {
            Some(protected) => (
                GbzComponent {
                    control: CONTROL_LAST | CONTROL_ENCRYPTED,
                    cluster: CLUSTER_METERING,
                    body: GbzBody::Encrypted {
                        additional_header_control: 0,
                        additional_frame_counter: 0,
                        frame_control: FC_GLOBAL_TO_CLIENT_NO_DEFAULT,
                        manufacturer_code: None,
                        sequence: zcl.sequence,
                        command: ZCL_READ_ATTRIBUTES_RESPONSE,
                        protected,
                    },
                },
                true,
            ),
            None => (
                plain_component(
                    CLUSTER_METERING,
                    zcl.sequence,
                    ZCL_DEFAULT_RESPONSE,
                    vec![zcl.command, ZCL_HARDWARE_FAILURE],
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

    fn cs08(&self) -> Option<Execution> {
        let seq = Tlv::constructed(
            TAG_SEQUENCE,
            vec![
                Tlv::primitive(TAG_OCTET_STRING, self.state.firmware_version.clone()),
                Tlv::primitive(TAG_INTEGER, vec![0]),
            ],
        );
        done(seq.encode(), true)
    }

    /// GCS32: ZSE Change Supply "off" → valve closed; Supply Status Response.
    fn gcs32(
        &mut self,
        apdu: &GeneralSigning,
        h: &CommandHeader,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let zcl = single_zcl(&apdu.content)?;
        let p = &zcl.payload;
        let issuer_event_id = u32::from_le_bytes(p.get(4..8)?.try_into().ok()?);
        let built = usecases::gcs32_disable_supply(h, issuer_event_id).ok()?;
        if built.content != apdu.content {
            return None;
        }
        self.set_supply(SupplyState::Disabled, now);
        // Provider id, issuer event id and implementation date-time echo the command.
        let mut payload = Vec::with_capacity(13);
        payload.extend_from_slice(p.get(0..8)?);
        payload.extend_from_slice(p.get(12..16)?);
        payload.push(self.state.supply.zse_supply_status());
        let comp = plain_component(
            CLUSTER_METERING,
            zcl.sequence,
            ZSE_SUPPLY_STATUS_RESPONSE,
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

    /// ECS70: clock validity interval from the command; on success the ESME's clock is exact and
    /// the device commissioned.
    fn ecs70(
        &mut self,
        apdu: &GeneralSigning,
        h: &CommandHeader,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let req = AccessRequest::decode(&apdu.content).ok()?;
        let Some(Data::Structure(interval)) = req.data.get(1) else {
            return None;
        };
        let time = |i: usize| match interval.get(i) {
            Some(Data::OctetString(b)) => cosem_to_utc(b),
            _ => None,
        };
        let (start, end) = (time(1)?, time(2)?);
        let tolerance = u32::try_from(end.to_unix().checked_sub(start.to_unix())?).ok()?;
        let built = usecases::ecs70_set_clock(h, start, tolerance).ok()?;
        if built.content != apdu.content {
            return None;
        }
        if self.set_clock(start, end, now) {
            let data = vec![
                Data::Null,
                Data::Null,
                Data::Null,
                self.device_time(now).to_cosem().to_octet_string(),
                Data::Unsigned(0),
            ];
            done(
                dlms_response(
                    apdu.counter,
                    data,
                    dlms_results(&req.specs, req.specs.len(), 0),
                ),
                true,
            )
        } else {
            let data = vec![Data::Null; req.specs.len()];
            done(
                dlms_response(
                    apdu.counter,
                    data,
                    dlms_results(&req.specs, 2, DLMS_FAILURE),
                ),
                false,
            )
        }
    }

    /// GCS28: as ECS70 for the GSME; answers the device time and a result code.
    fn gcs28(
        &mut self,
        apdu: &GeneralSigning,
        h: &CommandHeader,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let tlv = Tlv::decode(&apdu.content).ok()?;
        let TlvValue::Constructed(times) = &tlv.value else {
            return None;
        };
        let time = |i: usize| {
            times
                .get(i)
                .and_then(|t| primitive(t, gbcs::asn1::TAG_GENERALIZED_TIME))
                .and_then(generalized_time_to_utc)
        };
        let (start, end) = (time(0)?, time(1)?);
        let tolerance = u32::try_from(end.to_unix().checked_sub(start.to_unix())?).ok()?;
        let built = usecases::gcs28_set_clock(h, start, tolerance).ok()?;
        if built.content != apdu.content {
            return None;
        }
        let success = self.set_clock(start, end, now);
        let device_time = self.device_time(now).to_generalized_time().to_tlv()?;
        let result = if success { 0 } else { GCS28_OUTSIDE_VALIDITY };
        let seq = Tlv::constructed(
            TAG_SEQUENCE,
            vec![device_time, Tlv::primitive(TAG_INTEGER, vec![result])],
        );
        done(seq.encode(), success)
    }

    /// CCS01: add (or update) a device in the CHF device log.
    fn ccs01(
        &mut self,
        apdu: &GeneralSigning,
        h: &CommandHeader,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let req = AccessRequest::decode(&apdu.content).ok()?;
        let (Some(Data::Structure(entry)), Some(Data::LongUnsigned(join_time_period))) =
            (req.data.first(), req.data.get(1))
        else {
            return None;
        };
        let [
            Data::OctetString(id),
            Data::Enum(key_type),
            Data::OctetString(install_code),
            Data::Enum(entry_flags),
        ] = entry.as_slice()
        else {
            return None;
        };
        let device = eui::Eui64::from_slice(id)?;
        let add = DeviceLogAddition {
            device_id: device,
            install_code: install_code.clone(),
            join_time_period: *join_time_period,
            key_type: *key_type,
            entry_flags: *entry_flags,
        };
        if usecases::ccs01_add_device_to_chf_device_log(h, &add).content != apdu.content {
            return None;
        }
        let entry = DeviceLogEntry {
            device,
            install_code: add.install_code,
            join_time_period: add.join_time_period,
            key_type: add.key_type,
            entry_flags: add.entry_flags,
        };
        let log = &mut self.state.device_log;
        let success = if let Some(existing) = log.iter_mut().find(|e| e.device == device) {
            *existing = entry;
            true
        } else if log.len() < DEVICE_LOG_CAPACITY {
            log.push(entry);
            true
        } else {
            false
        };
        let results = if success {
            self.log(now, EventKind::DeviceLogAdded { device });
            dlms_results(&req.specs, req.specs.len(), 0)
        } else {
            dlms_results(&req.specs, 0, DLMS_FAILURE)
        };
        done(
            dlms_response(apdu.counter, vec![Data::Null; req.specs.len()], results),
            success,
        )
    }

    /// CCS02: remove a device from the CHF device log; failure if it is not there.
    fn ccs02(
        &mut self,
        apdu: &GeneralSigning,
        h: &CommandHeader,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let req = AccessRequest::decode(&apdu.content).ok()?;
        let Some(Data::OctetString(id)) = req.data.first() else {
            return None;
        };
        let device = eui::Eui64::from_slice(id)?;
        if usecases::ccs02_remove_device_from_chf_device_log(h, device).content != apdu.content {
            return None;
        }
        let before = self.state.device_log.len();
        self.state.device_log.retain(|e| e.device != device);
        let success = self.state.device_log.len() != before;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn time_parsers() {
        let t = UtcDateTime::new(2014, 12, 31, 23, 59, 10).unwrap();
        assert_eq!(cosem_to_utc(&t.to_cosem().0), Some(t));
        assert_eq!(generalized_time_to_utc(b"20141231235910Z"), Some(t));
        assert_eq!(generalized_time_to_utc(b"20141231235910"), None);
        assert_eq!(generalized_time_to_utc(b"20141331235910Z"), None);
        assert_eq!(generalized_time_to_utc(b"2014+231235910Z"), None);
        assert_eq!(cosem_to_utc(&[0; 11]), None);
    }

    proptest! {
        #[test]
        fn time_parsers_never_panic(b in proptest::collection::vec(any::<u8>(), 0..20)) {
            let _ = cosem_to_utc(&b);
            let _ = generalized_time_to_utc(&b);
        }

        #[test]
        fn generalized_time_round_trip(secs in 0i64..253_402_300_799) {
            let t = UtcDateTime::from_unix(secs).unwrap();
            let tlv = t.to_generalized_time().to_tlv().unwrap();
            let TlvValue::Primitive(v) = tlv.value else { panic!() };
            prop_assert_eq!(generalized_time_to_utc(&v), Some(t));
            prop_assert_eq!(cosem_to_utc(&t.to_cosem().0), Some(t));
        }
    }
}
