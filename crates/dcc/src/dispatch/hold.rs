//! DSP future dating: a device request whose service reference variant the DCC future dates
//! (the service matrix's "Future Dated Response Pattern" is `DSP`) and that carries an
//! `ExecutionDateTime` is held by the DCC and sent at that time.
//!
//! The decision is the core's, in one place, for every device service: [`apply`] runs after the
//! service's own plan (`catalogue::plan_device`, and `catalogue::plan_signed_precommand` for a
//! critical request's signed pre-command, whose `SignedPreCommand` body carries the time) and
//! turns its [`Plan::Command`] into a [`Plan::Held`]. The gateway queues a held plan like any
//! command, through [`crate::store::WanQueue::hold_wan`]: the WAN job is due at the execution
//! time, durably (the queue is the store's; a restart finds it there, and it is sent exactly
//! once like any other job), and the user is acknowledged now with `I99`, as for any device
//! request; the device's response follows at the execution time through the usual path.
//!
//! Per-device order: a held job takes no part in its device's order until its time
//! ([`crate::store::WanQueue::due_wan_jobs`]): a read future dated by a week does not block the
//! meter's immediate commands for a week. Once due it goes before any command queued after it
//! that has not been sent yet. A held command carries the counter the user gave it when the DCC
//! accepted it (GBCS binds a user's command to its RequestID counter), so a device that has
//! since executed a later command of the same originator refuses it as a replay, and the user
//! is told `E21` as for any command the device does not answer: users future date before they
//! send later commands to the same device, or accept that.
//!
//! Refused, with nothing changed (`E12`, [`ServiceError::ExecutionDateTime`]): an execution time
//! not after the request's arrival, one that cannot be represented, or any `ExecutionDateTime`
//! for a variant whose pattern is `No`. No upper limit is applied: the reference corpus gives
//! none for DSP future dating. Variants whose pattern is `Device` (and `DSP & Device`, 6.23)
//! are their services' to carry to the device; they pass through unchanged.

use duis::{Element, FutureDatedPattern, Srv};
use time::OffsetDateTime;

use crate::error::{DccError, ServiceError};
use crate::services::Plan;

/// The request body's `ExecutionDateTime` (the first element of every body type extending
/// `sr:FutureDatedAbstractType`, and of `SignedPreCommand`), as a UTC instant; `None` when the
/// request is not future dated.
pub fn execution_date_time(srv: Srv, body: &Element) -> Result<Option<OffsetDateTime>, DccError> {
    let Some(e) = body
        .children
        .first()
        .filter(|c| c.name == "ExecutionDateTime")
    else {
        return Ok(None);
    };
    let text = e.trimmed_text();
    duis::parse_xs_datetime_utc(text)
        .map(Some)
        .ok_or_else(|| refuse(srv, format!("{text:?} is not an xs:dateTime")))
}

fn refuse(srv: Srv, why: String) -> DccError {
    ServiceError::ExecutionDateTime { srv, why }.into()
}

/// What the DCC does with a device request's plan given its `ExecutionDateTime` at `now` (see
/// the module documentation): a DSP future-dated command becomes [`Plan::Held`]; a pre-command
/// (CV 4) of a DSP variant is returned as it is once the time is checked (the hold is made when
/// the signed pre-command comes back with its own `ExecutionDateTime`); anything else is
/// returned unchanged, or refused.
pub fn apply(srv: Srv, body: &Element, plan: Plan, now: OffsetDateTime) -> Result<Plan, DccError> {
    let Some(at) = execution_date_time(srv, body)? else {
        return Ok(plan);
    };
    match srv.info().future_dated {
        FutureDatedPattern::None => Err(refuse(
            srv,
            "the service matrix does not let this variant be future dated".into(),
        )),
        FutureDatedPattern::Device | FutureDatedPattern::DspAndDevice => Ok(plan),
        FutureDatedPattern::Dsp => {
            if at <= now {
                return Err(refuse(
                    srv,
                    format!("{at} is not after the time the DCC received the request ({now})"),
                ));
            }
            Ok(match plan {
                Plan::Command {
                    use_case,
                    command,
                    dcc_originated,
                } => Plan::Held {
                    execute_at: at,
                    use_case,
                    command,
                    dcc_originated,
                },
                other => other,
            })
        }
    }
}

/// When the held job of a plan is due and when the DCC gives up on it (unix milliseconds): the
/// execution time, and the device response timeout after it.
pub fn due_and_deadline(execute_at: OffsetDateTime, timeout_ms: i64) -> (i64, i64) {
    let due = crate::gateway::unix_ms(execute_at);
    (due, due.saturating_add(timeout_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::MessageCode;

    use crate::model::DeviceType;
    use crate::services::s4_1_1_read_import_registers::ReadImportRegisters;

    fn body(xml: &str) -> Element {
        let wrapped = format!(
            "<sr:Body xmlns:sr=\"http://www.dccinterface.co.uk/ServiceUserGateway\">{xml}</sr:Body>"
        );
        let root =
            duis::xml::parse_element(wrapped.as_bytes(), &duis::ParseLimits::default()).unwrap();
        root.children.into_iter().next().unwrap()
    }

    fn t(s: &str) -> OffsetDateTime {
        duis::parse_xs_datetime_utc(s).unwrap()
    }

    /// The service's plan for a 4.1.1 with no execution time (a plain command).
    fn read_plan(h: &Harness, _xml: &str) -> Plan {
        h.plan(
            &ReadImportRegisters,
            Srv::V4_1_1,
            "<sr:ReadInstantaneousImportRegisters/>",
            DeviceType::Esme,
            UserRole::ImportSupplier,
        )
        .unwrap()
    }

    const FUTURE: &str = "<sr:ReadInstantaneousImportRegisters><sr:ExecutionDateTime>2030-01-15T09:00:00.00Z</sr:ExecutionDateTime></sr:ReadInstantaneousImportRegisters>";

    #[test]
    fn a_dsp_future_dated_command_is_held_until_its_time() {
        let h = Harness::new();
        let now = t("2030-01-15T08:00:00Z");
        let plan = read_plan(&h, FUTURE);
        let held = apply(Srv::V4_1_1, &body(FUTURE), plan, now).unwrap();
        let Plan::Held {
            execute_at,
            use_case,
            dcc_originated,
            ..
        } = held
        else {
            panic!("not held: {held:?}");
        };
        assert_eq!(execute_at, t("2030-01-15T09:00:00Z"));
        assert_eq!(use_case, MessageCode::ECS17B);
        assert!(!dcc_originated);
        assert_eq!(
            due_and_deadline(execute_at, 30_000),
            (
                crate::gateway::unix_ms(execute_at),
                crate::gateway::unix_ms(execute_at) + 30_000
            )
        );
    }

    #[test]
    fn without_an_execution_time_the_plan_is_unchanged() {
        let h = Harness::new();
        let xml = "<sr:ReadInstantaneousImportRegisters/>";
        let plan = apply(
            Srv::V4_1_1,
            &body(xml),
            read_plan(&h, xml),
            t("2030-01-15T08:00:00Z"),
        )
        .unwrap();
        assert!(matches!(plan, Plan::Command { .. }), "{plan:?}");
    }

    #[test]
    fn past_and_present_execution_times_are_e12() {
        let h = Harness::new();
        for now in [
            "2030-01-15T09:00:00Z",
            "2030-01-15T09:00:00.001Z",
            "2031-01-01T00:00:00Z",
        ] {
            let e = apply(Srv::V4_1_1, &body(FUTURE), read_plan(&h, FUTURE), t(now)).unwrap_err();
            assert_eq!(
                e.outcome().code,
                Some(duis::ResponseCode::E12),
                "{now}: {e}"
            );
            assert!(e.to_string().contains("not after"), "{e}");
        }
    }

    #[test]
    fn variants_that_cannot_be_future_dated_are_e12_and_device_ones_pass() {
        let h = Harness::new();
        let now = t("2030-01-15T08:00:00Z");
        // 7.2 Disable Supply: pattern No.
        assert_eq!(Srv::V7_2.info().future_dated, FutureDatedPattern::None);
        let e = apply(Srv::V7_2, &body(FUTURE), read_plan(&h, FUTURE), now).unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E12), "{e}");
        assert!(e.to_string().contains("not let"), "{e}");
        // 1.1.1: pattern Device, the service's own business: unchanged, even in the past.
        assert_eq!(Srv::V1_1_1.info().future_dated, FutureDatedPattern::Device);
        let plan = apply(
            Srv::V1_1_1,
            &body(FUTURE),
            read_plan(&h, FUTURE),
            t("2031-01-01T00:00:00Z"),
        )
        .unwrap();
        assert!(matches!(plan, Plan::Command { .. }), "{plan:?}");
    }

    #[test]
    fn the_catalogue_plans_a_future_dated_read_as_held_and_a_past_one_is_refused() {
        // `Harness::plan` goes through `catalogue::plan_device` at its fixed time (2026).
        let h = Harness::new();
        let plan = h
            .plan(
                &ReadImportRegisters,
                Srv::V4_1_1,
                FUTURE,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap();
        assert!(matches!(plan, Plan::Held { .. }), "{plan:?}");
        let past = FUTURE.replace("2030", "2015");
        let e = h
            .plan(
                &ReadImportRegisters,
                Srv::V4_1_1,
                &past,
                DeviceType::Esme,
                UserRole::ImportSupplier,
            )
            .unwrap_err();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E12), "{e}");
    }

    #[test]
    fn a_time_zone_is_converted_to_utc() {
        let xml = "<sr:ReadInstantaneousImportRegisters><sr:ExecutionDateTime>2030-01-15T10:00:00+01:00</sr:ExecutionDateTime></sr:ReadInstantaneousImportRegisters>";
        assert_eq!(
            execution_date_time(Srv::V4_1_1, &body(xml)).unwrap(),
            Some(t("2030-01-15T09:00:00Z"))
        );
    }
}
