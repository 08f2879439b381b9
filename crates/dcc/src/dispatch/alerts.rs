//! Alerts to users (the routing decisions are the core's; the WAN only carries the alerts): a device's GBCS alert becomes a DUIS `DeviceAlertMessage` for the party it is
//! addressed to (or, for alerts addressed to the DCC's Access Control Broker, for the device's
//! registered supplier); a hub's loss of power becomes the DCC alert AD1 for the electricity
//! distributor and the import supplier registered for the premises.

use eui::Eui64;
use gbcs::frame::{Frame, GeneralSigning};
use time::OffsetDateTime;

use super::{Dispatcher, HubReport};
use crate::error::{DccError, InternalError};
use crate::gateway::unix_ms;
use crate::model::{Fuel, RegistrationRole, fuel};
use crate::store::Tx;

fn internal(e: impl std::fmt::Display) -> DccError {
    InternalError::Render(format!("alert: {e}")).into()
}

/// The GBCS general-signing APDU inside an alert frame (MAC'd or signed).
fn apdu(frame: &[u8]) -> Result<GeneralSigning, DccError> {
    match Frame::decode(frame).map_err(internal)? {
        Frame::Ciphered(c) => Ok(c.apdu),
        Frame::Signing(s) => Ok(s),
    }
}

/// The alert code in a GBCS alert's payload, if it has one GBCS defines a place for.
pub fn alert_code(frame: &[u8]) -> Result<u16, DccError> {
    let a = apdu(frame)?;
    // DLMS data-notification alerts (0F …) and GBZ alerts carry the code in their payload.
    match gbcs::Payload::decode(a.cra, &a.content) {
        gbcs::Payload::DataNotification(n) => n.alert_code().map(|c| c.0),
        gbcs::Payload::Gbz(gbcs::gbz::GbzPayload::Alert { alert_code, .. }) => Some(alert_code.0),
        _ => None,
    }
    .ok_or_else(|| internal("no alert code in the payload"))
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
    /// Users registered today in `roles` for the supply points of the device's premises.
    fn registered(
        tx: &mut dyn Tx,
        device: Eui64,
        roles: &[RegistrationRole],
        now: OffsetDateTime,
    ) -> Result<(Vec<Eui64>, Option<String>), DccError> {
        let Some(d) = tx.device(device)? else {
            return Ok((Vec::new(), None));
        };
        let Some(p) = d
            .uprn
            .as_deref()
            .map(|u| tx.premises(u))
            .transpose()?
            .flatten()
        else {
            return Ok((Vec::new(), None));
        };
        let mut out = Vec::new();
        for mpxn in [p.mpan.as_deref(), p.mprn.as_deref()].into_iter().flatten() {
            for r in tx.registrations(mpxn)? {
                let fits = match fuel(d.device_type) {
                    Fuel::Either => true,
                    f => f == r.role.fuel(),
                };
                if fits
                    && roles.contains(&r.role)
                    && r.in_force_on(now.date())
                    && !out.contains(&r.party)
                {
                    out.push(r.party);
                }
            }
        }
        Ok((out, p.mpan.clone()))
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
        match report {
            HubReport::DeviceAlert { device, frame } => {
                let a = apdu(frame)?;
                let code = alert_code(frame)?;
                let recipients = if tx.user(a.recipient)?.is_some() {
                    vec![a.recipient]
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
                    let doc = device_alert_document(*device, r, a.counter, code, frame, now)?;
                    self.push(
                        tx,
                        r,
                        "alert",
                        format!("{device}:{code:04X}:{}", a.counter),
                        &doc,
                        unix_ms(now),
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
                let counter = tx
                    .last_counter(self.dcc)?
                    .map_or(1, |c| c.saturating_add(1));
                tx.set_last_counter(self.dcc, counter)?;
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
