//! Restrict access for change of tenancy (DUIS 3.2): ECS12 on an ESME, GCS09 on a GPF (the
//! GPF holds the gas consumption logs it serves to other parties; the RTDS GCS09 vector goes to
//! it). The command sets a restriction instant ([`crate::DeviceState::tenancy_restriction`]);
//! the rule it enforces is [`visible_period`].
//!
//! Answers as the RTDS vectors: ECS12 its `Set` result, GCS09 a ZCL Default Response to Publish
//! Change of Tenancy. Failures (injected, [`DeviceFault`]), as the RTDS ERROR vector (ECS12;
//! RTDS has no GCS09 ERROR vector, so GCS09 fails as the other Device Management commands):
//!
//! | use case | fault | answer |
//! |---|---|---|
//! | ECS12 | `DlmsObject` on the restriction date-time (`1/0.0.94.44.3.2/2`) | `Set` hardware-fault (1) |
//! | GCS09 | `ZclCommand` on `0x0708` / `0x00` | Default Response HARDWARE_FAILURE (`C0`) |
//!
//! A failed command leaves the restriction as it was.

use gbcs::usecases::logs_common::LogPeriod;
use gbcs::usecases::{DecodedCommand, ecs12, gcs09};
use gbcs::{GeneralSigning, UtcDateTime};

use crate::device::{Accepted, EmulatedDevice};
use crate::exec::Execution;
use crate::settings::CLUSTER_DEVICE_MANAGEMENT;

/// The part of `period` a log read may answer with, given the device's change of tenancy
/// restriction (`restriction`, unix seconds) and whether the read is on behalf of a party other
/// than the device's supplier and network operator (`for_other_party`).
///
/// The rule rests on GBCS's "Restrict Access for Change of Tenancy" (GBCS use cases ECS12 and
/// GCS09, DUIS 3.2): after it, the device does not give consumption data from before the
/// restriction instant to anyone but the parties whose trust anchors it holds as supplier and
/// network operator. Other parties reach a meter's logs only through the ACB on behalf of an
/// Other User (an unknown remote party: the command's certificate other-information names the
/// party, ARCHITECTURE.md "unknown remote party"); for them the period starts no earlier than the
/// restriction, so entries before it are not answered (a period wholly before it holds nothing:
/// the answer GBCS gives for an empty range). The supplier's and network operator's own reads
/// see the whole log.
pub fn visible_period(
    restriction: Option<i64>,
    for_other_party: bool,
    period: &LogPeriod,
) -> LogPeriod {
    let from = restriction
        .filter(|_| for_other_party)
        .and_then(UtcDateTime::from_unix);
    match from {
        Some(from) if from > period.start => LogPeriod {
            start: from,
            end: period.end,
        },
        _ => *period,
    }
}

/// The period a log read asks for, to narrow.
fn period_mut(d: &mut DecodedCommand) -> Option<&mut LogPeriod> {
    match d {
        DecodedCommand::Ecs20b(r)
        | DecodedCommand::Ecs20c(r)
        | DecodedCommand::Ecs21a(r)
        | DecodedCommand::Ecs21b(r)
        | DecodedCommand::Ecs66(r) => Some(&mut r.period),
        DecodedCommand::Ecs20a(r)
        | DecodedCommand::Ecs20d(r)
        | DecodedCommand::Ecs21c(r)
        | DecodedCommand::Ecs35a(r)
        | DecodedCommand::Ecs35b(r)
        | DecodedCommand::Ecs35c(r)
        | DecodedCommand::Ecs35d(r)
        | DecodedCommand::Ecs35e(r)
        | DecodedCommand::Ecs35f(r)
        | DecodedCommand::Ecs35g(r) => Some(&mut r.period),
        DecodedCommand::Gcs16a(r)
        | DecodedCommand::Gcs15c(r)
        | DecodedCommand::Gcs15b(r)
        | DecodedCommand::Gcs16b(r) => Some(&mut r.period),
        DecodedCommand::Gcs15d(p)
        | DecodedCommand::Gcs15e(p)
        | DecodedCommand::Gcs61(p)
        | DecodedCommand::Cs10a(p)
        | DecodedCommand::Cs10b(p) => Some(p),
        _ => None,
    }
}

impl EmulatedDevice {
    /// The log read `decoded` as this device answers it to `cmd`'s requester: its period
    /// narrowed by [`visible_period`].
    pub(crate) fn restricted_read(
        &self,
        cmd: &Accepted<'_>,
        decoded: &DecodedCommand,
    ) -> DecodedCommand {
        let mut d = decoded.clone();
        if let Some(p) = period_mut(&mut d) {
            *p = visible_period(self.state.tenancy_restriction, cmd.urp.is_some(), p);
        }
        d
    }

    /// ECS12: the restriction from `at` on.
    pub(crate) fn ecs12(&mut self, apdu: &GeneralSigning, at: UtcDateTime) -> Option<Execution> {
        self.dlms_writes(apdu, &[ecs12::RESTRICTION_DATE_TIME], |s, _| {
            s.tenancy_restriction = Some(at.to_unix());
        })
    }

    /// GCS09: the restriction from `at` on.
    pub(crate) fn gcs09(&mut self, at: UtcDateTime) -> Option<Execution> {
        self.zse_setting(
            CLUSTER_DEVICE_MANAGEMENT,
            gcs09::PUBLISH_CHANGE_OF_TENANCY,
            |s| {
                s.tenancy_restriction = Some(at.to_unix());
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(day: u8) -> UtcDateTime {
        UtcDateTime::new(2026, 3, day, 0, 0, 0).unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn only_other_parties_lose_what_precedes_the_restriction() {
        let p = LogPeriod {
            start: t(1),
            end: t(20),
        };
        let r = Some(t(10).to_unix());
        assert_eq!(visible_period(None, true, &p), p);
        assert_eq!(visible_period(r, false, &p), p);
        let v = visible_period(r, true, &p);
        assert_eq!((v.start, v.end), (t(10), t(20)));
        assert!(!v.contains(t(9)) && v.contains(t(10)));
        // A period wholly before the restriction holds nothing.
        let before = LogPeriod {
            start: t(1),
            end: t(5),
        };
        let v = visible_period(r, true, &before);
        assert!(!v.contains(t(1)) && !v.contains(t(5)) && !v.contains(t(10)));
        // A period after it is untouched.
        let after = LogPeriod {
            start: t(15),
            end: t(20),
        };
        assert_eq!(visible_period(r, true, &after), after);
    }
}
