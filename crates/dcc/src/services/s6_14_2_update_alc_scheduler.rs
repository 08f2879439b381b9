//! 6.14.2 Update Device Configuration (Auxiliary Load Control Scheduler) (critical,
//! device-future-dated): ECS46c on an ESME, a pre-command the import supplier signs. The body
//! (`sr:UpdateDeviceConfigurationALCScheduler`) carries an optional `ExecutionDateTime`
//! (immediate, a future instant, or the 3000-12-31 cancellation:
//! `s1_6_update_payment_mode::device_activation`), the connection schedule (1–48 entries: the
//! schedule's entries, numbered from 1, each enabled, running script `0-0:10.0.103.255` with
//! selector switch × 256 + 1 (activate) or 2 (deactivate), its UTC switch time, no validity
//! window, a 7-bit days-of-week mask (Monday first) and a special days mask of as many bits as
//! the table has days (or its highest index named), start and end dates), the special days
//! table (entries of index, date, day id = index) and each named switch's type (ALCS: an
//! all-zero identity; HCALCS: its EUI-64). A value outside its type is a schema-invalid body;
//! any device type but the ESME is E11.

use duis::Srv;
use duis::bodies::{AlcScheduler as Body, DayOfMonth, TariffDate};
use gbcs::axdr::Data;
use gbcs::usecases::{self as uc, AuxScheduler};

use super::s1_6_update_payment_mode::device_activation;
use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::error::DccError;
use crate::model::DeviceType;
use crate::render;

pub struct UpdateAlcScheduler;

impl Service for UpdateAlcScheduler {
    fn srv(&self) -> Srv {
        Srv::V6_14_2
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The script table the schedule's entries run (auxiliary load control).
const SCRIPT: [u8; 6] = [0, 0, 10, 0, 103, 0xFF];

fn cosem_date(d: &TariffDate) -> Data {
    let day = match d.day_of_month {
        DayOfMonth::Day(x) => x,
        DayOfMonth::Last => 0xFE,
        DayOfMonth::SecondLast => 0xFD,
        DayOfMonth::Any => 0xFF,
    };
    Data::OctetString(uc::tariff::cosem_date(d.year, d.month, day, d.day_of_week).to_vec())
}

/// A bit string of `bits` bits with bit `n − 1` (first the most significant) set for each `n`.
fn mask(bits: usize, set: &[u8]) -> Data {
    let mut bytes = vec![0u8; bits.div_ceil(8)];
    for n in set {
        let i = usize::from(*n).saturating_sub(1);
        if let Some(b) = bytes.get_mut(i / 8) {
            *b |= 0x80 >> (i % 8);
        }
    }
    Data::BitString { bits, bytes }
}

/// One calendar entry as a DUIS body names it (6.14.2, 6.14.3): its script selector, special
/// days and days of week, switch time, start and end dates.
pub struct CalendarEntry<'a> {
    pub selector: u16,
    pub special_days: &'a [u8],
    pub days_of_week: &'a [u8],
    pub switch_time: [u8; 4],
    pub start_date: &'a TariffDate,
    pub end_date: &'a TariffDate,
}

/// The auxiliary load calendar's special days table and schedule (COSEM) of a body's entries
/// and special days: entries numbered from 1, each enabled, running [`SCRIPT`] with its
/// selector, no validity window, a 7-bit days-of-week mask and a special days mask of as many
/// bits as the table has days (or its highest identifier named).
pub fn calendar(
    entries: &[CalendarEntry<'_>],
    days: &[(u8, TariffDate)],
) -> (Vec<Data>, Vec<Data>) {
    let special_bits = entries
        .iter()
        .flat_map(|e| e.special_days.iter().copied())
        .chain(days.iter().map(|(i, _)| *i))
        .max()
        .map_or(0, usize::from)
        .max(days.len());
    let schedule = entries
        .iter()
        .zip(1u16..)
        .map(|(e, i)| {
            Data::Structure(vec![
                Data::LongUnsigned(i),
                Data::Boolean(0xFF),
                Data::OctetString(SCRIPT.to_vec()),
                Data::LongUnsigned(e.selector),
                Data::OctetString(e.switch_time.to_vec()),
                Data::LongUnsigned(0xFFFF),
                mask(7, e.days_of_week),
                mask(special_bits, e.special_days),
                cosem_date(e.start_date),
                cosem_date(e.end_date),
            ])
        })
        .collect();
    let special_days = days
        .iter()
        .map(|(i, d)| {
            Data::Structure(vec![
                Data::LongUnsigned(u16::from(*i)),
                cosem_date(d),
                Data::Unsigned(*i),
            ])
        })
        .collect();
    (special_days, schedule)
}

/// The scheduler of a parsed body.
pub fn scheduler(body: &Body, activation: uc::payment_mode::Activation) -> AuxScheduler {
    let entries: Vec<CalendarEntry<'_>> = body
        .schedule
        .iter()
        .map(|e| CalendarEntry {
            selector: u16::from(e.switch) << 8 | if e.activate { 1 } else { 2 },
            special_days: &e.special_days,
            days_of_week: &e.days_of_week,
            switch_time: e.switch_time,
            start_date: &e.start_date,
            end_date: &e.end_date,
        })
        .collect();
    let (special_days, schedule) = calendar(&entries, &body.special_days);
    AuxScheduler {
        activation,
        switches: body
            .switches
            .iter()
            .map(|(n, id)| (*n, id.map_or([0; 8], |e| e.0)))
            .collect(),
        special_days,
        schedule,
    }
}

impl DeviceService for UpdateAlcScheduler {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Esme]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Esme {
            return Err(r.wrong_type());
        }
        let activation =
            device_activation(Srv::V6_14_2, body.execution_date_time.as_deref(), r.now)?;
        let s = scheduler(&body, activation);
        r.try_use_case_command(uc::ecs46c::MESSAGE_CODE, |h| {
            uc::ecs46c_update_aux_scheduler(h, &s)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::UserRole;
    use gbcs::usecases::DecodedCommand;

    fn plan(body: &str, dt: DeviceType) -> Result<Plan, DccError> {
        Harness::new().plan(
            &UpdateAlcScheduler,
            Srv::V6_14_2,
            body,
            dt,
            UserRole::ImportSupplier,
        )
    }

    #[test]
    fn the_templates_plan_the_rtds_scheduler_and_refusals() {
        let t = Harness::new();
        for (template, vector) in [
            (
                "ECS46c_6.14.2_IMMEDIATE_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
                "ECS46c_6.14.2_IMMEDIATE_SOME_OPTIONALS_SUCCESS",
            ),
            (
                "ECS46c_6.14.2_CANCELLATION_ALL_OPTIONALS_SUCCESS_REQUEST_DUIS.XML",
                "ECS46c_6.14.2_CANCELLATION_ALL_OPTIONALS_SUCCESS",
            ),
        ] {
            let body = template_body(template);
            let p = plan(&body, DeviceType::Esme).unwrap();
            assert_precommand(&p, uc::ecs46c::MESSAGE_CODE, &t, DeviceType::Esme);
            let Plan::PreCommand(g) = &p else { panic!() };
            let DecodedCommand::Ecs46c(d) = uc::decode_command(g).unwrap() else {
                panic!()
            };
            let DecodedCommand::Ecs46c(r) = rtds_precommand("6.14.2_ECS46c", vector) else {
                panic!()
            };
            assert_eq!(d, r, "{template}");
            let e = plan(&body, DeviceType::Gsme).unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{e}");
        }
        let body = template_body("ECS46c_6.14.2_IMMEDIATE_SOME_OPTIONALS_SUCCESS_REQUEST_DUIS.XML");
        let bad = body.replace("<sr:SwitchTime>06:00:00.00Z", "<sr:SwitchTime>25:00:00.00Z");
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
        let bad = body.replace(
            "ActivateDeactivateSwitch index=\"2\"",
            "ActivateDeactivateSwitch index=\"6\"",
        );
        assert!(matches!(
            plan(&bad, DeviceType::Esme).unwrap_err(),
            DccError::Schema(_)
        ));
    }
}
