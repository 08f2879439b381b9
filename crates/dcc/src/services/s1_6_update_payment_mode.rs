//! 1.6 Update Payment Mode (critical, device-future-dated): ECS02 (credit) or ECS03
//! (prepayment) on an ESME, GCS02 or GCS03 on a GSME; pre-commands the supplier signs. The
//! DUIS-to-GBCS rules (activation forms, the GSME's configuration bits, the ESME's credit/charge
//! entries) are `gbcs::usecases::payment_mode`'s; this module maps the body onto them:
//!
//! * no `ExecutionDateTime`: immediate;
//! * `ExecutionDateTime` 3000-12-31T00:00:00Z: cancel the pending change (every RTDS 1.6
//!   CANCELLATION template carries this instant and its vectors the cancel forms, `FFFFFFFF`
//!   and the all-`FF` COSEM date-time);
//! * any other instant: the device holds the change until then; it must be after the DCC's
//!   time (else E12, nothing changed), and for a GSME ZigBee time must carry it;
//! * the ESME's twin element entries for an inventory variant B ESME.

use duis::bodies::{PaymentMode, UpdatePaymentMode};
use duis::{EsmeVariant, Srv};
use gbcs::usecases::{self as uc, Activation, credit_charge_entries};
use gbcs::{MessageCode, UtcDateTime};
use time::OffsetDateTime;

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, ServiceError};
use crate::model::DeviceType;
use crate::render;

pub struct UpdatePaymentModeService;

/// The `ExecutionDateTime` that cancels a pending future-dated change.
pub const CANCEL_INSTANT: (u16, u8, u8) = (3000, 12, 31);

fn refuse(srv: Srv, why: String) -> DccError {
    ServiceError::ExecutionDateTime { srv, why }.into()
}

/// The activation of a request received at `now` (module documentation).
pub fn activation(body: &UpdatePaymentMode, now: OffsetDateTime) -> Result<Activation, DccError> {
    device_activation(Srv::V1_6, body.execution_date_time.as_deref(), now)
}

/// The activation an optional `ExecutionDateTime` of a device-future-dated request of `srv`
/// received at `now` asks for (module documentation; E12 for a time the DCC cannot act on).
pub fn device_activation(
    srv: Srv,
    execution_date_time: Option<&str>,
    now: OffsetDateTime,
) -> Result<Activation, DccError> {
    let Some(text) = execution_date_time else {
        return Ok(Activation::Now);
    };
    let at = duis::parse_xs_datetime_utc(text)
        .ok_or_else(|| refuse(srv, format!("{text:?} is not an xs:dateTime")))?;
    let t = UtcDateTime::from_unix(at.unix_timestamp())
        .ok_or_else(|| refuse(srv, format!("{text:?} is out of range")))?;
    let (y, m, d) = CANCEL_INSTANT;
    if UtcDateTime::new(y, m, d, 0, 0, 0) == Some(t) {
        return Ok(Activation::Cancel);
    }
    if at <= now {
        return Err(refuse(
            srv,
            format!("{at} is not after the time the DCC received the request ({now})"),
        ));
    }
    Ok(Activation::At(t))
}

impl Service for UpdatePaymentModeService {
    fn srv(&self) -> Srv {
        Srv::V1_6
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

impl DeviceService for UpdatePaymentModeService {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = UpdatePaymentMode::parse(&r.request.body).map_err(render::body_error)?;
        let dt = r.device.device_type;
        if !matches!(dt, DeviceType::Esme | DeviceType::Gsme) {
            return Err(r.wrong_type());
        }
        let act = activation(&body, r.now)?;
        match dt {
            DeviceType::Esme => {
                let twin = r.device.esme_variant == Some(EsmeVariant::B);
                match body.mode {
                    PaymentMode::Credit => {
                        let entries = credit_charge_entries(false, twin, false, false);
                        r.use_case_command(MessageCode::ECS02, |h| {
                            uc::ecs02_update_payment_mode_credit(h, &entries, act)
                        })
                    }
                    PaymentMode::Prepayment {
                        suspend_debt_disabled,
                        suspend_debt_emergency,
                        disablement_threshold,
                    } => {
                        let entries = credit_charge_entries(
                            true,
                            twin,
                            suspend_debt_disabled,
                            suspend_debt_emergency,
                        );
                        r.use_case_command(MessageCode::ECS03, |h| {
                            uc::ecs03_update_payment_mode_prepayment(
                                h,
                                disablement_threshold,
                                &entries,
                                act,
                            )
                        })
                    }
                }
            }
            _ => {
                if act.to_zigbee().is_none() {
                    return Err(refuse(
                        Srv::V1_6,
                        format!("{act:?} cannot be carried as a ZigBee time"),
                    ));
                }
                let event = super::zse_issuer_event_id(r.now)?;
                match body.mode {
                    PaymentMode::Credit => r.try_use_case_command(MessageCode::GCS02, |h| {
                        uc::gcs02_update_payment_mode_credit(h, event, act)
                    }),
                    PaymentMode::Prepayment {
                        suspend_debt_disabled,
                        suspend_debt_emergency,
                        disablement_threshold,
                    } => r.try_use_case_command(MessageCode::GCS03, |h| {
                        // The ZSE cut-off value is the threshold's 32 bits (xs:int).
                        let cut_off = u32::from_le_bytes(disablement_threshold.to_le_bytes());
                        uc::gcs03_update_payment_mode_prepayment(
                            h,
                            event,
                            act,
                            suspend_debt_disabled,
                            suspend_debt_emergency,
                            cut_off,
                        )
                    }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::{DecodedCommand, decode_command};

    const CREDIT: &str = "<sr:UpdatePaymentMode><sr:Credit/></sr:UpdatePaymentMode>";

    fn prepayment(at: &str, disabled: bool, emergency: bool, threshold: &str) -> String {
        format!(
            "<sr:UpdatePaymentMode>{at}<sr:Prepayment><sr:SuspendDebtDisabled>{disabled}</sr:SuspendDebtDisabled><sr:SuspendDebtEmergency>{emergency}</sr:SuspendDebtEmergency><sr:DisablementThreshold>{threshold}</sr:DisablementThreshold></sr:Prepayment></sr:UpdatePaymentMode>"
        )
    }

    fn exec(t: &str) -> String {
        format!("<sr:ExecutionDateTime>{t}</sr:ExecutionDateTime>")
    }

    fn role(dt: DeviceType) -> UserRole {
        if dt == DeviceType::Esme {
            UserRole::ImportSupplier
        } else {
            UserRole::GasSupplier
        }
    }

    fn decoded(plan: &Plan) -> DecodedCommand {
        let Plan::PreCommand(c) = plan else {
            panic!("not a pre-command: {plan:?}")
        };
        decode_command(c).unwrap()
    }

    #[test]
    fn precommand_per_device_type_and_mode() {
        let t = Harness::new();
        let pre = prepayment("", true, false, "556677");
        for (dt, body, code) in [
            (DeviceType::Esme, CREDIT.to_owned(), MessageCode::ECS02),
            (DeviceType::Esme, pre.clone(), MessageCode::ECS03),
            (DeviceType::Gsme, CREDIT.to_owned(), MessageCode::GCS02),
            (DeviceType::Gsme, pre.clone(), MessageCode::GCS03),
        ] {
            let plan = t
                .plan(&UpdatePaymentModeService, Srv::V1_6, &body, dt, role(dt))
                .unwrap();
            assert_precommand(&plan, code, &t, dt);
        }
        let plan = t
            .plan(
                &UpdatePaymentModeService,
                Srv::V1_6,
                &pre,
                DeviceType::Esme,
                role(DeviceType::Esme),
            )
            .unwrap();
        let DecodedCommand::Ecs03(c) = decoded(&plan) else {
            panic!()
        };
        assert_eq!(c.disablement_threshold, 556_677);
        assert_eq!(c.activation, Activation::Now);
        assert_eq!(c.entries, credit_charge_entries(true, false, true, false));
        // SuspendDebtEmergency false: no charge from credit 19.10.2.
        assert!(c.entries.iter().all(|e| e.credit != 2));
        let plan = t
            .plan(
                &UpdatePaymentModeService,
                Srv::V1_6,
                &pre,
                DeviceType::Gsme,
                role(DeviceType::Gsme),
            )
            .unwrap();
        let DecodedCommand::Gcs03(c) = decoded(&plan) else {
            panic!()
        };
        assert!(c.suspend_debt_disabled() && !c.suspend_debt_emergency());
        assert_eq!(c.cut_off, 556_677);
    }

    #[test]
    fn future_dated_and_cancelled() {
        let t = Harness::new();
        let at = Activation::At(UtcDateTime::new(2030, 1, 15, 9, 0, 0).unwrap());
        for (when, act) in [
            ("2030-01-15T09:00:00.00Z", at),
            ("3000-12-31T00:00:00.00Z", Activation::Cancel),
        ] {
            let body = format!(
                "<sr:UpdatePaymentMode>{}<sr:Credit/></sr:UpdatePaymentMode>",
                exec(when)
            );
            for dt in [DeviceType::Esme, DeviceType::Gsme] {
                let plan = t
                    .plan(&UpdatePaymentModeService, Srv::V1_6, &body, dt, role(dt))
                    .unwrap();
                match decoded(&plan) {
                    DecodedCommand::Ecs02(c) => assert_eq!(c.activation, act),
                    DecodedCommand::Gcs02(c) => assert_eq!(c.activation, act),
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn past_and_unrepresentable_times_are_refused() {
        let t = Harness::new();
        for (when, dt) in [
            ("2020-01-01T00:00:00Z", DeviceType::Esme),
            ("2020-01-01T00:00:00Z", DeviceType::Gsme),
            ("2200-01-01T00:00:00Z", DeviceType::Gsme),
        ] {
            let body = prepayment(&exec(when), false, false, "0");
            let e = t
                .plan(&UpdatePaymentModeService, Srv::V1_6, &body, dt, role(dt))
                .unwrap_err();
            assert_eq!(
                e.outcome().code,
                Some(duis::ResponseCode::E12),
                "{when} {dt}: {e}"
            );
        }
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        for dt in [
            DeviceType::Gpf,
            DeviceType::Chf,
            DeviceType::Ppmid,
            DeviceType::Hcalcs,
        ] {
            let e = t
                .plan(
                    &UpdatePaymentModeService,
                    Srv::V1_6,
                    CREDIT,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        let t = Harness::new();
        for body in [
            "<sr:UpdatePaymentMode/>".to_owned(),
            "<sr:UpdatePaymentMode><sr:Credit/><sr:Credit/></sr:UpdatePaymentMode>".to_owned(),
            prepayment("", true, false, "2147483648"),
            prepayment("", true, false, "1.5"),
            "<sr:ActivateEmergencyCredit/>".to_owned(),
        ] {
            let e = t
                .plan(
                    &UpdatePaymentModeService,
                    Srv::V1_6,
                    &body,
                    DeviceType::Esme,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
