//! Alerts to users (the routing decisions are the core's; the WAN only carries the alerts): a device's GBCS alert becomes a DUIS `DeviceAlertMessage` for the party it is
//! addressed to (or, for alerts addressed to the DCC's Access Control Broker, for the device's
//! registered supplier); a hub's loss of power becomes the DCC alert AD1 for the electricity
//! distributor and the import supplier registered for the premises.

use eui::Eui64;
use gbcs::frame::{Frame, GeneralSigning, OtherInfoExt};
use time::OffsetDateTime;

use super::{Dispatcher, HubReport, OutboxQueued};
use crate::error::{DccError, InternalError};
use crate::gateway::unix_ms;
use crate::model::RegistrationRole;
use crate::registration;
use crate::store::Tx;

fn internal(e: impl std::fmt::Display) -> DccError {
    InternalError::Render(format!("alert: {e}")).into()
}

/// The GBCS general-signing APDU inside a frame (MAC'd or signed).
fn apdu(frame: &[u8]) -> Result<GeneralSigning, DccError> {
    match Frame::decode(frame).map_err(internal)? {
        Frame::Ciphered(c) => Ok(c.apdu),
        Frame::Signing(s) => Ok(s),
    }
}

/// The alert code of a GBCS alert frame (every payload form: DLMS data-notification, GBZ and
/// ASN.1; [`gbcs::alerts::decode_alert`]).
pub fn alert_code(frame: &[u8]) -> Result<u16, DccError> {
    gbcs::alerts::decode_alert(frame)
        .map(|a| a.alert_code.0)
        .map_err(internal)
}

/// The DUIS request a future-dated outcome alert reports on, from the command the DCC sent: the
/// user's RequestID (for a command the DCC originated on a user's behalf, the supplementary
/// remote party and its counter), and the instruction's position in the command.
pub struct FutureDatedOrigin {
    pub request_id: duis::RequestId,
    pub srv: duis::Srv,
    pub position: gbcs::alerts::InstructionPosition,
}

impl FutureDatedOrigin {
    /// Finds the request from the command the DCC sent (`command`, as it went on the WAN or as
    /// the pre-command the user signed) and the service it served.
    pub fn from_command(
        outcome: &gbcs::alerts::FutureDatedOutcome,
        command: &[u8],
        srv: duis::Srv,
    ) -> Result<Self, DccError> {
        let apdu = apdu(command)?;
        let position = outcome.instruction_position(&apdu).map_err(internal)?;
        let (originator, counter) = match apdu.other_info.ext {
            OtherInfoExt::RemotePartyCounter {
                remote_party,
                remote_party_counter,
            } => (remote_party, remote_party_counter),
            _ => (apdu.originator, apdu.counter),
        };
        Ok(Self {
            request_id: duis::RequestId {
                originator,
                target: apdu.recipient,
                counter,
            },
            srv,
            position,
        })
    }
}

/// The DUIS `FutureDatedDeviceAlertMessage` (a `ResponseMessage` to the future-dated request;
/// unsigned) for a device's `8F66`/`8F67` outcome alert.
pub fn future_dated_document(
    origin: &FutureDatedOrigin,
    outcome: &gbcs::alerts::FutureDatedOutcome,
    frame: &[u8],
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let code = duis::alert::FutureDatedAlertCode::from_code(outcome.result.alert_code().0)
        .ok_or_else(|| internal("not a future-dated outcome code"))?;
    let header =
        duis::ResponseHeader::new(origin.request_id, duis::ResponseCode::I0, date_time(now)?)
            .with_response_id();
    duis::alert::future_dated_device_alert(
        &header,
        origin.srv.info(),
        &duis::alert::FutureDatedDeviceAlert {
            code,
            gbcs_payload: frame.to_vec(),
            instruction_number: origin.position.number,
            total_command_instructions: origin.position.total,
        },
    )
    .map_err(internal)
}

fn date_time(t: OffsetDateTime) -> Result<duis::ResponseDateTime, DccError> {
    duis::ResponseDateTime::from_datetime(t).map_err(internal)
}

/// A DUIS device alert (unsigned).
pub fn device_alert_document(
    device: Eui64,
    recipient: Eui64,
    counter: u64,
    code: u16,
    frame: &[u8],
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let header = duis::alert::AlertHeader::device(device, recipient, counter, date_time(now)?);
    duis::alert::device_alert(
        &header,
        &duis::alert::DeviceAlert::new(code, frame.to_vec()),
    )
    .map_err(internal)
}

/// A DUIS DCC alert AD1 (power outage at a hub; unsigned), from the DCC to `recipient`.
pub fn power_outage_document(
    dcc: Eui64,
    recipient: Eui64,
    counter: u64,
    chf: Eui64,
    since: OffsetDateTime,
    mpxn: &str,
    now: OffsetDateTime,
) -> Result<String, DccError> {
    let header = duis::alert::AlertHeader::dcc(dcc, recipient, counter, date_time(now)?);
    let alert = duis::alert::DccAlert::power_outage(duis::alert::PowerOutageEvent {
        comms_hub_device_id: chf,
        start_date_time: date_time(since)?,
        mpxn: mpxn.to_string(),
    });
    duis::alert::dcc_alert(&header, &alert).map_err(internal)
}

/// Who is told of what.
impl Dispatcher {
    /// A future-dated command's outcome goes to the user whose request it was, as the
    /// `FutureDatedDeviceAlertMessage` response to that request. `false` when the DCC sent no
    /// such command (the caller then delivers the alert as an ordinary device alert).
    fn route_future_dated(
        &self,
        tx: &mut dyn Tx,
        outcome: &gbcs::alerts::FutureDatedOutcome,
        frame: &[u8],
        now: OffsetDateTime,
        created: &mut Vec<OutboxQueued>,
    ) -> Result<bool, DccError> {
        let c = &outcome.command;
        let Some(job) = tx.sent_command(c.originator, c.target, c.counter)? else {
            return Ok(false);
        };
        let Some(srv) = job.kind.srv() else {
            return Ok(false);
        };
        let origin = FutureDatedOrigin::from_command(outcome, &job.command, srv)?;
        let doc = future_dated_document(&origin, outcome, frame, now)?;
        let rid = origin.request_id;
        self.push(
            tx,
            rid.originator,
            "response",
            format!(
                "{}:{}:{}:{}",
                rid.originator, rid.target, rid.counter, origin.position.number
            ),
            &doc,
            unix_ms(now),
            created,
        )?;
        Ok(true)
    }

    /// The parties registered today in `roles` for the device ([`crate::registration`]), and
    /// the MPAN governing it (for AD1).
    fn registered(
        tx: &mut dyn Tx,
        device: Eui64,
        roles: &[RegistrationRole],
        now: OffsetDateTime,
    ) -> Result<(Vec<Eui64>, Option<String>), DccError> {
        let Some(d) = tx.device(device)? else {
            return Ok((Vec::new(), None));
        };
        let (parties, points) = registration::load_with_points(tx, &d, now.date())?;
        let mut out = Vec::new();
        for p in roles.iter().filter_map(|r| parties.party(*r)) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        let mpan = points.mpan;
        Ok((out, mpan))
    }

    /// Turns a device alert or a hub report into signed DUIS alerts in the outbox: a device's
    /// alert for the party it is addressed to (or, when addressed to the DCC's Access Control
    /// Broker, the device's registered supplier); a hub's loss of power as DCC alert AD1 for the
    /// electricity distributor and the import supplier registered for the premises.
    pub fn route(
        &self,
        tx: &mut dyn Tx,
        report: &HubReport,
        now: OffsetDateTime,
    ) -> Result<(), DccError> {
        self.route_into(tx, report, now, &mut Vec::new())
    }

    /// [`Dispatcher::route`], adding the outbox items it creates to `created`.
    pub fn route_into(
        &self,
        tx: &mut dyn Tx,
        report: &HubReport,
        now: OffsetDateTime,
        created: &mut Vec<OutboxQueued>,
    ) -> Result<(), DccError> {
        match report {
            HubReport::DeviceAlert { device, frame } => {
                let decoded = gbcs::alerts::decode_alert(frame).map_err(internal)?;
                if let Some(outcome) = &decoded.future_dated
                    && self.route_future_dated(tx, outcome, frame, now, created)?
                {
                    return Ok(());
                }
                let code = decoded.alert_code.0;
                let recipients = if tx.user(decoded.recipient)?.is_some() {
                    vec![decoded.recipient]
                } else {
                    // Addressed to the DCC (its ACB): the supplier responsible for the device.
                    Self::registered(
                        tx,
                        *device,
                        &[
                            RegistrationRole::ImportSupplier,
                            RegistrationRole::GasSupplier,
                        ],
                        now,
                    )?
                    .0
                };
                for r in recipients {
                    let doc = device_alert_document(*device, r, decoded.counter, code, frame, now)?;
                    self.push(
                        tx,
                        r,
                        "alert",
                        format!("{device}:{code:04X}:{}", decoded.counter),
                        &doc,
                        unix_ms(now),
                        created,
                    )?;
                }
                Ok(())
            }
            HubReport::PowerOutage { chf, since } => {
                let (parties, mpan) = Self::registered(
                    tx,
                    *chf,
                    &[
                        RegistrationRole::ElectricityDistributor,
                        RegistrationRole::ImportSupplier,
                    ],
                    now,
                )?;
                let mpan = mpan.unwrap_or_default();
                // The DCC numbers its own alerts with its ACB counter.
                let counter = tx.next_dcc_counter(self.dcc)?;
                for r in parties {
                    let doc =
                        power_outage_document(self.dcc, r, counter, *chf, *since, &mpan, now)?;
                    self.push(
                        tx,
                        r,
                        "dcc-alert",
                        format!("AD1:{chf}:{counter}"),
                        &doc,
                        unix_ms(now),
                        created,
                    )?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn power_outage_alert_is_schema_valid() {
        let doc = power_outage_document(
            Eui64::from_u64(0x90B3_D51F_3000_0002),
            Eui64::from_u64(0x90B3_D51F_3002_0000),
            1,
            Eui64::from_u64(0x00DB_1234_5678_90A2),
            datetime!(2026-11-24 06:00:00.123 UTC),
            "1900000000018",
            datetime!(2026-11-24 06:00:01 UTC),
        )
        .unwrap();
        duis_schema::validate_response(doc.as_bytes()).unwrap();
        assert!(doc.contains("<sr:DCCAlertCode>AD1</sr:DCCAlertCode>"));
    }

    #[test]
    fn device_alert_is_schema_valid() {
        let doc = device_alert_document(
            Eui64::from_u64(0x00DB_1234_5678_90A0),
            Eui64::from_u64(0x90B3_D51F_3001_0000),
            7,
            0x8F3D,
            &[0xDF, 0x09, 0x03],
            datetime!(2026-11-24 06:00:01 UTC),
        )
        .unwrap();
        duis_schema::validate_response(doc.as_bytes()).unwrap();
        assert!(doc.contains("<sr:AlertCode>8F3D</sr:AlertCode>"));
    }
}
