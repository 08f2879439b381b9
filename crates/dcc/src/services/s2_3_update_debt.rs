//! 2.3 Update Debt (critical): ECS07 on an ESME, GCS04 on a GSME; pre-commands the supplier
//! signs. The body (`sr:UpdateDebt`) carries the adjustments to the three debt registers, the
//! debt recovery per payment and the two time-based debts' recovery: `ElecDebtRecovery1`/`2`
//! (rate, price scale, period) for an ESME, `GasDebtRecovery1`/`2` (rate, period) for a GSME;
//! the other form for a device is refused, as are out-of-range values.
//!
//! ECS07 maps the registers onto the Charge objects' `update_total_amount_remaining`
//! adjustments and the recoveries onto their passive unit charges and periods; GCS04 onto three
//! ZSE Change Debt commands (incremental amount types, as the RTDS vectors carry: 1, 3, 5),
//! their issuer event id the DCC's time in ZigBee UTC.

use duis::Srv;
use duis::bodies::UpdateDebt as Body;
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, ChangeDebt, EsmeDebtUpdate};

use super::zse_issuer_event_id;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;
use duis::bodies::prepayment::DebtRecoveryRatePeriod;

pub struct UpdateDebt;

impl Service for UpdateDebt {
    fn srv(&self) -> Srv {
        Srv::V2_3
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

fn invalid(what: &str) -> DccError {
    render::body_error(duis::bodies::BodyError::Unexpected {
        parent: "UpdateDebt",
        found: what.to_owned(),
    })
}

/// The ECS07 parameters of an electricity body.
fn esme(b: &Body) -> Result<EsmeDebtUpdate, DccError> {
    if !b.electricity {
        return Err(invalid("GasDebtRecovery1"));
    }
    let mut rates = [0i16; 2];
    let mut scales = [0i8; 2];
    for ((rate, scale), r) in rates.iter_mut().zip(&mut scales).zip(&b.recovery) {
        *rate = i16::try_from(r.rate).map_err(|_| invalid("DebtRecoveryRate"))?;
        *scale = r
            .price_scale
            .ok_or_else(|| invalid("DebtRecoveryRatePriceScale"))?;
    }
    Ok(EsmeDebtUpdate {
        time_debt_rates: rates,
        time_debt_price_scales: scales,
        time_debt_periods: b.recovery.map(|r| r.period.seconds()),
        debt_recovery_per_payment: b.debt_recovery_per_payment,
        payment_debt_adjustment: b.payment_debt_register,
        time_debt_adjustments: b.time_debt_registers,
    })
}

/// ZSE Debt Recovery Frequency of a period.
const fn frequency(p: DebtRecoveryRatePeriod) -> u8 {
    match p {
        DebtRecoveryRatePeriod::Hourly => 0,
        DebtRecoveryRatePeriod::Daily => 1,
    }
}

/// The three GCS04 Change Debt commands of a gas body.
fn gsme(b: &Body, issuer_event_id: u32) -> Result<[ChangeDebt; 3], DccError> {
    if b.electricity {
        return Err(invalid("ElecDebtRecovery1"));
    }
    let incremental = |amount: i32| u32::from_le_bytes(amount.to_le_bytes());
    let [r1, r2] = b.recovery;
    let rate = |r: i32| u32::try_from(r).map_err(|_| invalid("DebtRecoveryRate"));
    let time = |i: u8, amount: i32, r: duis::bodies::prepayment::DebtRecovery| {
        Ok::<_, DccError>(ChangeDebt {
            issuer_event_id,
            label: Vec::new(),
            amount: incremental(amount),
            recovery_method: 0,
            amount_type: 2 * i + 1,
            start_time: 0,
            collection_time: 0,
            frequency: frequency(r.period),
            recovery_amount: rate(r.rate)?,
            balance_percentage: 0,
        })
    };
    let [t1, t2] = b.time_debt_registers;
    Ok([
        time(0, t1, r1)?,
        time(1, t2, r2)?,
        ChangeDebt {
            issuer_event_id,
            label: Vec::new(),
            amount: incremental(b.payment_debt_register),
            recovery_method: 1,
            amount_type: 5,
            start_time: 0,
            collection_time: 0,
            frequency: 1,
            recovery_amount: 0,
            balance_percentage: b.debt_recovery_per_payment,
        },
    ])
}

impl DeviceService for UpdateDebt {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme, DeviceType::Gsme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        match r.device.device_type {
            DeviceType::Esme => {
                let u = esme(&body)?;
                r.use_case_command(MessageCode::ECS07, |h| uc::ecs07_update_debt(h, &u))
            }
            DeviceType::Gsme => {
                let debts = gsme(&body, zse_issuer_event_id(r.now)?)?;
                r.try_use_case_command(MessageCode::GCS04, |h| uc::gcs04_update_debt(h, &debts))
            }
            _ => Err(r.wrong_type()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;

    fn body_of(body: &str) -> duis::xml::Element {
        request(Srv::V2_3, body, DeviceType::Esme, 1).body
    }

    const ELEC: &str = "<sr:UpdateDebt><sr:TimeDebtRegister1>30000</sr:TimeDebtRegister1>\
        <sr:TimeDebtRegister2>15000</sr:TimeDebtRegister2>\
        <sr:PaymentDebtRegister>50000</sr:PaymentDebtRegister>\
        <sr:DebtRecoveryPerPayment>1000</sr:DebtRecoveryPerPayment>\
        <sr:ElecDebtRecovery1><sr:DebtRecoveryRate>3</sr:DebtRecoveryRate>\
        <sr:DebtRecoveryRatePriceScale>-1</sr:DebtRecoveryRatePriceScale>\
        <sr:DebtRecoveryRatePeriod>DAILY</sr:DebtRecoveryRatePeriod></sr:ElecDebtRecovery1>\
        <sr:ElecDebtRecovery2><sr:DebtRecoveryRate>15</sr:DebtRecoveryRate>\
        <sr:DebtRecoveryRatePriceScale>-1</sr:DebtRecoveryRatePriceScale>\
        <sr:DebtRecoveryRatePeriod>DAILY</sr:DebtRecoveryRatePeriod></sr:ElecDebtRecovery2>\
        </sr:UpdateDebt>";

    const GAS: &str = "<sr:UpdateDebt><sr:TimeDebtRegister1>1000000</sr:TimeDebtRegister1>\
        <sr:TimeDebtRegister2>500000</sr:TimeDebtRegister2>\
        <sr:PaymentDebtRegister>1000000</sr:PaymentDebtRegister>\
        <sr:DebtRecoveryPerPayment>100</sr:DebtRecoveryPerPayment>\
        <sr:GasDebtRecovery1><sr:DebtRecoveryRate>50000</sr:DebtRecoveryRate>\
        <sr:DebtRecoveryRatePeriod>DAILY</sr:DebtRecoveryRatePeriod></sr:GasDebtRecovery1>\
        <sr:GasDebtRecovery2><sr:DebtRecoveryRate>50000</sr:DebtRecoveryRate>\
        <sr:DebtRecoveryRatePeriod>HOURLY</sr:DebtRecoveryRatePeriod></sr:GasDebtRecovery2>\
        </sr:UpdateDebt>";

    #[test]
    fn precommand_per_device_type() {
        let t = Harness::new();
        for (dt, role, code, body) in [
            (
                DeviceType::Esme,
                UserRole::ImportSupplier,
                MessageCode::ECS07,
                ELEC,
            ),
            (
                DeviceType::Gsme,
                UserRole::GasSupplier,
                MessageCode::GCS04,
                GAS,
            ),
        ] {
            let plan = t.plan(&UpdateDebt, Srv::V2_3, body, dt, role).unwrap();
            assert_precommand(&plan, code, &t, dt);
        }
    }

    #[test]
    fn the_bodies_map_onto_the_rtds_parameters() {
        let b = Body::parse(&body_of(ELEC)).unwrap();
        assert_eq!(
            esme(&b).unwrap(),
            EsmeDebtUpdate {
                time_debt_rates: [3, 15],
                time_debt_price_scales: [-1, -1],
                time_debt_periods: [86_400, 86_400],
                debt_recovery_per_payment: 1000,
                payment_debt_adjustment: 50_000,
                time_debt_adjustments: [30_000, 15_000],
            }
        );
        let g = Body::parse(&body_of(GAS)).unwrap();
        let d = gsme(&g, 0x1C37_4A80).unwrap();
        assert_eq!(
            [d[0].amount_type, d[1].amount_type, d[2].amount_type],
            [1, 3, 5]
        );
        assert_eq!([d[0].frequency, d[1].frequency], [1, 0]);
        assert_eq!(d[2].balance_percentage, 100);
        assert_eq!(d[1].amount, 500_000);
        // The other form for the device type is refused.
        assert!(esme(&g).is_err());
        assert!(gsme(&b, 0).is_err());
        // A negative gas recovery rate cannot be carried.
        let neg = GAS.replacen(">50000<", ">-1<", 1);
        assert!(gsme(&Body::parse(&body_of(&neg)).unwrap(), 0).is_err());
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
                .plan(&UpdateDebt, Srv::V2_3, ELEC, dt, UserRole::ImportSupplier)
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }

    #[test]
    fn bad_bodies_and_the_wrong_form_are_refused() {
        let t = Harness::new();
        for (body, dt, role) in [
            (GAS, DeviceType::Esme, UserRole::ImportSupplier),
            (ELEC, DeviceType::Gsme, UserRole::GasSupplier),
            (
                &*ELEC.replace(">1000<", ">10001<"),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            ),
            (
                &*ELEC.replace(">3<", ">40000<"),
                DeviceType::Esme,
                UserRole::ImportSupplier,
            ),
            (
                "<sr:ActivateEmergencyCredit/>",
                DeviceType::Esme,
                UserRole::ImportSupplier,
            ),
        ] {
            let e = t.plan(&UpdateDebt, Srv::V2_3, body, dt, role).unwrap_err();
            assert!(matches!(e, DccError::Schema(_)), "{body}: {e}");
        }
    }
}
