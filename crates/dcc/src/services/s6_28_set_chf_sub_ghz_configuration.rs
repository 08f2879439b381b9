//! 6.28 Set CHF Sub GHz Configuration: DBCH04 on a dual-band Communications Hub Function, which
//! the DCC's Access Control Broker originates on the user's behalf. Only a current DBCH
//! Configuration Table may be applied ([`crate::dbch_tables`]): a DCC business rule against its
//! registered data, checked at service acceptance ([`DeviceService::accept`], before the
//! gateway plans): a body whose configuration is not one of the current version's tables (an
//! older version's, or one from nowhere, such as the DUIS template's and the RTDS vectors', whose
//! 915 MHz channels are not masked) is refused with `E062801` and nothing is sent. The GBCS
//! transform (`plan`) builds DBCH04 from whatever schema-valid table the request carries. A single-band hub answers DBCH04 as unsupported (`devices::dbch`).

use duis::Srv;
use duis::bodies::SetChfSubGhzConfiguration as Body;
use gbcs::MessageCode;
use gbcs::usecases::{self as uc, SubGhzConfiguration};

use super::{DeviceRequest, DeviceService, Plan, Service, ServiceKind};
use crate::dbch_tables;
use crate::error::{DccError, InternalError, ServiceError};
use crate::model::DeviceType;
use crate::render;

pub struct SetChfSubGhzConfiguration;

impl Service for SetChfSubGhzConfiguration {
    fn srv(&self) -> Srv {
        Srv::V6_28
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::Device(self)
    }
}

/// The GBCS configuration a 6.28 body names.
pub fn configuration(b: &Body) -> SubGhzConfiguration {
    SubGhzConfiguration {
        lower_band_0_26: b.lower_band_0_26,
        lower_band_27_34: b.lower_band_27_34,
        lower_band_35_61: b.lower_band_35_61,
        upper_band_0_26: b.upper_band_0_26,
        normal_limited_duty_cycle: b.normal_limited_duty_cycle,
        limited_critical_duty_cycle: b.limited_critical_duty_cycle,
        max_channel_changes_per_week: b.max_channel_changes_per_week,
        gsme_curfew: b.gsme_curfew,
        channel_quieter_threshold: b.channel_quieter_threshold,
        channel_noisier_threshold: b.channel_noisier_threshold,
        non_gsme_poor_comms_percentage: b.non_gsme_poor_comms_percentage,
        non_gsme_poor_comms_periods: b.non_gsme_poor_comms_periods,
        local_ch_noise_period: b.local_ch_noise_period,
        local_ch_failure_percentage: b.local_ch_failure_percentage,
        local_ch_retry_percentage: b.local_ch_retry_percentage,
    }
}

impl DeviceService for SetChfSubGhzConfiguration {
    fn device_types(&self) -> &'static [DeviceType] {
        &[DeviceType::Chf]
    }

    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        if r.device.device_type != DeviceType::Chf {
            return Err(r.wrong_type());
        }
        let config = configuration(&body);
        r.try_use_case_command(MessageCode::DBCH04, |h| {
            uc::dbch04_set_sub_ghz_configuration(h, &config)
        })
    }

    /// Only a current DBCH Configuration Table may be applied (module documentation).
    fn accept(&self, r: &DeviceRequest<'_>) -> Result<(), DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        let tables = dbch_tables::compiled()
            .map_err(|e| InternalError::Render(format!("DBCH configuration tables: {e}")))?;
        if tables.current_region_of(&configuration(&body)).is_none() {
            return Err(ServiceError::NotCurrentDbchTable(format!(
                "SetCHFSubGHzConfiguration is not a current DBCH Configuration Table (version {}): \
                 the DCC applies only the current version's tables",
                tables.current().version
            ))
            .into());
        }
        Ok(())
    }
}

/// The `SetCHFSubGHzConfiguration` body naming `c` (the DCC's own 6.28 requests, tests).
pub fn body_xml(c: &SubGhzConfiguration) -> String {
    fn channels(name: &str, first: u8, mask: u32) -> String {
        let mut s = format!("<sr:{name}>");
        for n in 0..27u8 {
            if mask & (1 << n) != 0 {
                s.push_str(&format!("<sr:Channel{}/>", first + n));
            }
        }
        s.push_str(&format!("</sr:{name}>"));
        s
    }
    let d1 = |v: u16| format!("{}.{}", v / 100, (v % 100) / 10);
    let d2 = |v: u16| format!("{}.{:02}", v / 100, v % 100);
    format!(
        "<sr:SetCHFSubGHzConfiguration>{}{}{}{}\
<sr:NormalLimitedDutyCycleThreshold>{}</sr:NormalLimitedDutyCycleThreshold>\
<sr:LimitedCriticalDutyCycleThreshold>{}</sr:LimitedCriticalDutyCycleThreshold>\
<sr:MaximumSubGHzChannelChangesPerWeek>{}</sr:MaximumSubGHzChannelChangesPerWeek>\
<sr:GSMECurfew>{}</sr:GSMECurfew>\
<sr:ChannelQuieterThreshold>{}</sr:ChannelQuieterThreshold>\
<sr:ChannelNoisierThreshold>{}</sr:ChannelNoisierThreshold>\
<sr:NonGSMEPoorCommsPercentageThreshold>{}</sr:NonGSMEPoorCommsPercentageThreshold>\
<sr:NonGSMEPoorCommsMeasurementPeriods>{}</sr:NonGSMEPoorCommsMeasurementPeriods>\
<sr:LocalCHNoiseMeasurementPeriod>{}</sr:LocalCHNoiseMeasurementPeriod>\
<sr:LocalCHFailurePercentage>{}</sr:LocalCHFailurePercentage>\
<sr:LocalCHRetryPercentage>{}</sr:LocalCHRetryPercentage>\
</sr:SetCHFSubGHzConfiguration>",
        channels("LowerBandSubGHzChannels0To26", 0, c.lower_band_0_26),
        channels("LowerBandSubGHzChannels27To34", 27, c.lower_band_27_34),
        channels("LowerBandSubGHzChannels35To61", 35, c.lower_band_35_61),
        channels("UpperBandSubGHzChannels0To26", 0, c.upper_band_0_26),
        d1(c.normal_limited_duty_cycle),
        d1(c.limited_critical_duty_cycle),
        c.max_channel_changes_per_week,
        c.gsme_curfew,
        c.channel_quieter_threshold,
        c.channel_noisier_threshold,
        d2(c.non_gsme_poor_comms_percentage),
        c.non_gsme_poor_comms_periods,
        c.local_ch_noise_period,
        d2(c.local_ch_failure_percentage),
        d2(c.local_ch_retry_percentage),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::testing::*;
    use duis::{CspRegion, UserRole};

    fn current(r: CspRegion) -> SubGhzConfiguration {
        *dbch_tables::compiled()
            .unwrap()
            .current()
            .for_region(r)
            .unwrap()
    }

    #[test]
    fn a_current_table_is_sent_as_dbch04_by_the_acb() {
        let t = Harness::new();
        for r in dbch_tables::REGIONS {
            let c = current(r);
            for role in [UserRole::ImportSupplier, UserRole::GasSupplier] {
                let plan = t
                    .plan(
                        &SetChfSubGhzConfiguration,
                        Srv::V6_28,
                        &body_xml(&c),
                        DeviceType::Chf,
                        role,
                    )
                    .unwrap();
                assert_command(&plan, MessageCode::DBCH04, true, &t, DeviceType::Chf);
                let Plan::Command { command, .. } = &plan else {
                    unreachable!()
                };
                assert_eq!(
                    uc::decode_command(command).unwrap(),
                    uc::DecodedCommand::Dbch04(c)
                );
            }
        }
    }

    #[test]
    fn a_table_not_current_or_not_from_the_data_is_refused() {
        let t = Harness::new();
        let tables = dbch_tables::compiled().unwrap();
        let old = *tables.versions[0].for_region(CspRegion::North).unwrap();
        let unmasked = SubGhzConfiguration {
            upper_band_0_26: 0b110,
            ..current(CspRegion::North)
        };
        let changed = SubGhzConfiguration {
            gsme_curfew: 99,
            ..current(CspRegion::South)
        };
        for c in [old, unmasked, changed] {
            let e = t
                .accept_and_plan(
                    &SetChfSubGhzConfiguration,
                    Srv::V6_28,
                    &body_xml(&c),
                    DeviceType::Chf,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert!(
                matches!(e, DccError::Service(ServiceError::NotCurrentDbchTable(_))),
                "{c:?}: {e}"
            );
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E062801), "{e}");
            assert!(
                e.to_string()
                    .contains("not a current DBCH Configuration Table")
            );
            // The GBCS transform alone builds DBCH04 from the table the request carries.
            let p = t
                .plan(
                    &SetChfSubGhzConfiguration,
                    Srv::V6_28,
                    &body_xml(&c),
                    DeviceType::Chf,
                    UserRole::ImportSupplier,
                )
                .unwrap();
            let Plan::Command { command, .. } = &p else {
                panic!("{p:?}")
            };
            assert_eq!(
                uc::decode_command(command).unwrap(),
                uc::DecodedCommand::Dbch04(c)
            );
        }
        // A current table passes acceptance.
        assert!(
            t.accept_and_plan(
                &SetChfSubGhzConfiguration,
                Srv::V6_28,
                &body_xml(&current(CspRegion::North)),
                DeviceType::Chf,
                UserRole::ImportSupplier,
            )
            .is_ok()
        );
    }

    #[test]
    fn other_devices_get_e11() {
        let t = Harness::new();
        let body = body_xml(&current(CspRegion::Central));
        for dt in [DeviceType::Esme, DeviceType::Gsme, DeviceType::Gpf] {
            let e = t
                .plan(
                    &SetChfSubGhzConfiguration,
                    Srv::V6_28,
                    &body,
                    dt,
                    UserRole::ImportSupplier,
                )
                .unwrap_err();
            assert_eq!(e.outcome().code, Some(duis::ResponseCode::E11), "{dt}: {e}");
        }
    }
}
