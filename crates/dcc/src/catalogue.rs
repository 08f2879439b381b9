//! The service catalogue: which DUIS service reference variants the DCC implements, and the
//! service module that plans each ([`crate::services`]).
//!
//! ```text
//! Srv (duis matrix row: roles, critical, non-device, …)
//!   → catalogue::service(srv): &'static dyn Service   (crates/dcc/src/services/s*.rs)
//!     → Service::plan(...) → Plan::{Answer, Command, PreCommand}
//!       → gbcs::usecases::<use case>(CommandHeader, …)  (for device services)
//! ```
//!
//! A variant with no entry is answered as today: E12 ([`ServiceError::NotImplemented`]).
//!
//! This module also holds the pure entry points the conformance runner uses:
//! [`plan_device_request`] (a device request to its GBCS command or pre-command), [`protect`]
//! (the ACB MAC) and [`check_signed_precommand`].

use duis::{Request, Srv, UserRole};
use eui::Eui64;
use gbcs::crypto::{KaPrivateKey, PublicKey, SigningKey};
use gbcs::frame::GeneralSigning;
use time::OffsetDateTime;

use crate::error::{DccError, InternalError, ServiceError};
use crate::model::Device;
use crate::services::{
    self, DeviceRequest, DeviceService, NonDeviceService, Plan, Service, ServiceKind,
    s4_1_1_read_import_registers, s7_1_enable_supply, s7_2_disable_supply, s7_3_arm_supply,
    s7_4_read_supply_status, s7_5_activate_auxiliary_load, s7_6_deactivate_auxiliary_load,
    s7_7_read_auxiliary_load_switch_data, s7_8_reset_auxiliary_load,
    s7_9_add_auxiliary_load_to_boost_button, s7_10_remove_auxiliary_load_from_boost_button,
    s7_11_read_boost_button_details, s7_12_set_randomised_offset_limit,
    s7_13_set_auxiliary_controller_state, s7_14_read_auxiliary_controller_configuration_data,
    s7_15_read_auxiliary_controller_operational_data, s7_16_limit_apc_level,
    s8_1_1_commission_device, s8_2_read_inventory, s8_4_update_inventory,
    s8_11_update_han_device_log, s11_2_read_firmware_version, s12_1_request_wan_matrix,
    s12_2_device_prenotification,
};
// Instantaneous reads.
use crate::services::{
    s4_1_2_read_tou_matrices, s4_1_3_read_tou_block_matrices, s4_1_4_read_block_counters,
    s4_2_read_export_registers, s4_3_read_prepay_values, s4_12_1_read_max_demand_import,
    s4_12_2_read_max_demand_export, s4_15_read_load_limit_data, s4_18_read_meter_balance,
};
// DCC schedules.
use crate::services::{
    s4_16_read_active_power_import, s5_1_create_schedule, s5_2_read_schedule, s5_3_delete_schedule,
};
// Log reads.
use crate::services::{
    s4_4_2_retrieve_billing_data_log_triggered, s4_4_3_retrieve_billing_data_log_calendar,
    s4_4_4_retrieve_billing_data_log_debt_payments,
    s4_4_5_retrieve_billing_data_log_prepayment_credits, s4_6_1_retrieve_import_daily_read_log,
    s4_6_2_retrieve_export_daily_read_log, s4_14_read_prepayment_daily_read_log,
    s4_17_retrieve_daily_consumption_log,
};
use crate::store::PendingPreCommand;

/// The DCC's own GBCS credentials: the Access Control Broker's key-agreement key (for the MAC on
/// every WAN command) and digital-signing key (for commands the DCC originates and signs).
pub struct DccCrypto {
    pub acb: Eui64,
    pub acb_ka: KaPrivateKey,
    pub acb_ds: SigningKey,
    /// The DCC's transitional change-of-supplier party (its EUI and signing key), which signs
    /// CS02bSupplierByTransCoS (6.23); `None` when the DCC holds none (6.23 is then refused).
    pub trans_cos: Option<(Eui64, SigningKey)>,
}

/// Every service the DCC implements, one entry per service reference variant.
static CATALOGUE: &[&dyn Service] = &[
    &s4_1_1_read_import_registers::ReadImportRegisters,
    // Instantaneous reads.
    &s4_1_2_read_tou_matrices::ReadTouMatrices,
    &s4_1_3_read_tou_block_matrices::ReadTouBlockMatrices,
    &s4_1_4_read_block_counters::ReadBlockCounters,
    &s4_2_read_export_registers::ReadExportRegisters,
    &s4_3_read_prepay_values::ReadPrepayValues,
    &s4_12_1_read_max_demand_import::ReadMaxDemandImport,
    &s4_12_2_read_max_demand_export::ReadMaxDemandExport,
    &s4_15_read_load_limit_data::ReadLoadLimitData,
    &s4_18_read_meter_balance::ReadMeterBalance,
    // Families 1 and 2 (prepayment and payment mode).
    &services::s1_1_1_update_import_tariff_primary::UpdateImportTariffPrimaryService,
    &services::s1_1_2_update_import_tariff_secondary::UpdateImportTariffSecondaryService,
    &services::s1_2_1_update_price_primary::UpdatePricePrimaryService,
    &services::s1_2_2_update_price_secondary::UpdatePriceSecondaryService,
    &services::s1_5_update_meter_balance::UpdateMeterBalance,
    &services::s1_7_reset_tariff_block_counter_matrix::ResetTariffBlockCounterMatrix,
    &services::s1_6_update_payment_mode::UpdatePaymentModeService,
    &services::s2_1_update_prepay_configuration::UpdatePrepayConfiguration,
    &services::s2_2_top_up_device::TopUpDevice,
    &services::s2_3_update_debt::UpdateDebt,
    &services::s2_5_activate_emergency_credit::ActivateEmergencyCredit,
    &services::s6_4_1_update_load_limiting_general_settings::UpdateLoadLimitingGeneralSettings,
    &services::s6_4_2_update_load_limiting_counter_reset::UpdateLoadLimitingCounterReset,
    &services::s6_18_1_set_maximum_demand_configurable_time_period::SetMaximumDemandConfigurableTimePeriod,
    &services::s6_18_2_reset_maximum_demand_registers::ResetMaximumDemandRegisters,
    &services::s6_25_set_supply_tamper_state::SetSupplyTamperState,
    &services::s6_26_update_daily_block_counter_reset::UpdateDailyBlockCounterReset,
    &services::s6_2_2_read_randomisation::ReadRandomisation,
    &services::s6_14_1_update_alc_descriptions::UpdateAlcDescriptions,
    // 6.15.1 Update Security Credentials (KRP).
    &services::s6_15_1_update_security_credentials_krp::UpdateSecurityCredentialsKrpService,
    &services::s6_15_2_update_security_credentials_device::UpdateSecurityCredentialsDeviceService,
    &services::s6_17_issue_security_credentials::IssueSecurityCredentialsService,
    &services::s6_21_request_handover::RequestHandoverService,
    &services::s6_23_update_security_credentials_cos::UpdateSecurityCredentialsCosService,
    // 6.24.1, 6.24.2 Retrieve Device Security Credentials (KRP, Device).
    &services::s6_24_1_retrieve_device_security_credentials_krp::RetrieveDeviceSecurityCredentialsKrpService,
    &services::s6_24_2_retrieve_device_security_credentials_device::RetrieveDeviceSecurityCredentialsDeviceService,
    &services::s6_14_2_update_alc_scheduler::UpdateAlcScheduler,
    &services::s6_14_3_update_aux_controller_scheduler::UpdateAuxControllerScheduler,
    &s7_1_enable_supply::EnableSupply,
    &s7_2_disable_supply::DisableSupply,
    &s7_3_arm_supply::ArmSupply,
    &s7_4_read_supply_status::ReadSupplyStatus,
    &s7_5_activate_auxiliary_load::ActivateAuxiliaryLoad,
    &s7_6_deactivate_auxiliary_load::DeactivateAuxiliaryLoad,
    &s7_7_read_auxiliary_load_switch_data::ReadAuxiliaryLoadSwitchData,
    &s7_8_reset_auxiliary_load::ResetAuxiliaryLoad,
    &s7_9_add_auxiliary_load_to_boost_button::AddAuxiliaryLoadToBoostButton,
    &s7_10_remove_auxiliary_load_from_boost_button::RemoveAuxiliaryLoadFromBoostButton,
    &s7_11_read_boost_button_details::ReadBoostButtonDetails,
    &s7_12_set_randomised_offset_limit::SetRandomisedOffsetLimitService,
    // 6.8, 6.2.3: the billing calendar.
    &services::s6_8_update_billing_calendar::UpdateBillingCalendarService,
    &services::s6_2_3_read_billing_calendar::ReadBillingCalendar,
    // 6.6, 6.7, 6.2.8: the gas configuration.
    &services::s6_6_update_device_configuration_gas_conversion::UpdateGasConversion,
    &services::s6_7_update_device_configuration_gas_flow::UpdateGasFlowService,
    &services::s6_2_8_read_device_configuration_gas::ReadDeviceConfigurationGas,
    &s7_13_set_auxiliary_controller_state::SetAuxiliaryControllerStateService,
    &s7_14_read_auxiliary_controller_configuration_data::ReadAuxiliaryControllerConfigurationData,
    &s7_15_read_auxiliary_controller_operational_data::ReadAuxiliaryControllerOperationalData,
    &s7_16_limit_apc_level::LimitApcLevelService,
    &s8_1_1_commission_device::CommissionDevice,
    &services::s6_11_synchronise_clock::SynchroniseClockService,
    &services::s8_13_return_local_command_response::ReturnLocalCommandResponse,
    &services::s9_1_request_customer_identification_number::RequestCustomerIdentificationNumber,
    &s8_2_read_inventory::ReadInventory,
    &s8_4_update_inventory::UpdateInventory,
    &s8_11_update_han_device_log::UpdateHanDeviceLog,
    // 8.7 Join Service, 8.8 Unjoin Service.
    &services::s8_7_1_join_service_critical::JoinServiceCritical,
    &services::s8_7_2_join_service_non_critical::JoinServiceNonCritical,
    &services::s8_8_1_unjoin_service_critical::UnjoinServiceCritical,
    &services::s8_8_2_unjoin_service_non_critical::UnjoinServiceNonCritical,
    // 8.9 Read Device Log.
    &services::s8_9_read_device_log::ReadDeviceLog,
    // Dual-band Communications Hubs (6.28–6.32).
    &services::s6_28_set_chf_sub_ghz_configuration::SetChfSubGhzConfiguration,
    &services::s6_29_request_chf_sub_ghz_channel_scan::RequestChfSubGhzChannelScan,
    &services::s6_30_read_chf_sub_ghz_configuration::ReadChfSubGhzConfiguration,
    &services::s6_31_read_chf_sub_ghz_channel::ReadChfSubGhzChannel,
    &services::s6_32_read_chf_sub_ghz_channel_log::ReadChfSubGhzChannelLog,
    &s11_2_read_firmware_version::ReadFirmwareVersion,
    // 11.3 Activate Firmware (firmware, issue 17).
    &crate::services::s11_3_activate_firmware::ActivateFirmwareService,
    &s12_1_request_wan_matrix::RequestWanMatrix,
    &s12_2_device_prenotification::DevicePrenotification,
    // The SMI status machine's services (8.3, 8.14.x).
    &services::s8_3_decommission_device::DecommissionDevice,
    &services::s8_14_communications_hub_status_update::CommsHubStatusUpdate(Srv::V8_14_1),
    &services::s8_14_communications_hub_status_update::CommsHubStatusUpdate(Srv::V8_14_2),
    &services::s8_14_communications_hub_status_update::CommsHubStatusUpdate(Srv::V8_14_3),
    &services::s8_14_communications_hub_status_update::CommsHubStatusUpdate(Srv::V8_14_4),
    // Read services (4.8, 4.10, 4.11, 4.13, 14.1).
    &services::s4_8_1_read_active_import_profile_data::ReadActiveImportProfileData,
    &services::s4_8_2_read_reactive_import_profile_data::ReadReactiveImportProfileData,
    &services::s4_8_3_read_export_profile_data::ReadExportProfileData,
    &services::s4_10_read_network_data::ReadNetworkData,
    &services::s4_11_1_read_tariff_primary_element::ReadTariffPrimaryElement,
    &services::s4_11_2_read_tariff_secondary_element::ReadTariffSecondaryElement,
    &services::s4_13_read_prepayment_configuration::ReadPrepaymentConfiguration,
    &services::s14_1_record_network_data_gas::RecordNetworkDataGas,
    // DCC schedules (and 4.16, their first schedulable read).
    &s4_16_read_active_power_import::ReadActivePowerImport,
    &s5_1_create_schedule::CreateSchedule,
    &s5_2_read_schedule::ReadSchedule,
    &s5_3_delete_schedule::DeleteSchedule,
    // Log reads.
    &s4_4_2_retrieve_billing_data_log_triggered::RetrieveBillingDataLogTriggered,
    &s4_4_3_retrieve_billing_data_log_calendar::RetrieveBillingDataLogCalendar,
    &s4_4_4_retrieve_billing_data_log_debt_payments::RetrieveBillingDataLogDebtPayments,
    &s4_4_5_retrieve_billing_data_log_prepayment_credits::RetrieveBillingDataLogPrepaymentCredits,
    &s4_6_1_retrieve_import_daily_read_log::RetrieveImportDailyReadLog,
    &s4_6_2_retrieve_export_daily_read_log::RetrieveExportDailyReadLog,
    &s4_14_read_prepayment_daily_read_log::ReadPrepaymentDailyReadLog,
    &s4_17_retrieve_daily_consumption_log::RetrieveDailyConsumptionLog,
    // Supplier settings (3.x).
    &services::s3_1_display_message::DisplayMessage,
    &services::s3_2_restrict_access_for_change_of_tenancy::RestrictAccessForChangeOfTenancy,
    &services::s3_3_clear_event_log::ClearEventLog,
    &services::s3_4_update_supplier_name::UpdateSupplierName,
    &services::s3_5_disable_privacy_pin::DisablePrivacyPin,
    // Alert behaviour (6.22, 6.2.10).
    &services::s6_22_configure_alert_behaviour::ConfigureAlertBehaviourService,
    &services::s6_2_10_read_event_and_alert_behaviours::ReadEventAndAlertBehaviours,
    // Family 6, power quality.
    &services::s6_5_update_device_configuration_voltage::UpdateDeviceConfigurationVoltageService,
    &services::s6_27_update_device_configuration_rms_voltage_counter_reset::UpdateDeviceConfigurationRmsVoltageCounterReset,
    &services::s6_2_1_read_device_configuration_voltage::ReadDeviceConfigurationVoltage,
    &services::s6_12_update_device_configuration_instantaneous_power_threshold::UpdateDeviceConfigurationInstantaneousPowerThreshold,
    &services::s6_2_5_read_device_configuration_instantaneous_power_thresholds::ReadDeviceConfigurationInstantaneousPowerThresholds,
    // Identity and MPxN (6.20.1, 6.20.2, 6.2.7).
    &services::s6_20_1_set_import_mpxn::SetImportMpxn,
    &services::s6_20_2_set_export_mpan::SetExportMpan,
    &services::s6_2_4_read_identity::ReadIdentity,
    &services::s6_2_7_read_mpxn::ReadMpxn,
    &services::s6_2_9_read_payment_mode::ReadPaymentMode,
    &services::s6_13_read_event_or_security_log::ReadEventOrSecurityLog,
];

/// The service implementing `srv`, if the DCC implements it.
pub fn service(srv: Srv) -> Option<&'static dyn Service> {
    CATALOGUE.iter().copied().find(|s| s.srv() == srv)
}

/// The service implementing `srv`, or the refusal for one the DCC does not implement (E12).
pub fn require(srv: Srv) -> Result<&'static dyn Service, DccError> {
    service(srv).ok_or_else(|| ServiceError::NotImplemented(srv.to_string()).into())
}

/// The device service implementing `srv` (E12 if none; an internal error if the catalogue's
/// entry disagrees with the matrix, which the catalogue's tests rule out).
pub fn device_service(srv: Srv) -> Result<&'static dyn DeviceService, DccError> {
    match require(srv)?.kind() {
        ServiceKind::Device(s) => Ok(s),
        ServiceKind::NonDevice(_) => Err(kind_mismatch(srv)),
    }
}

/// The non-device service implementing `srv` (as [`device_service`]).
pub fn non_device_service(srv: Srv) -> Result<&'static dyn NonDeviceService, DccError> {
    match require(srv)?.kind() {
        ServiceKind::NonDevice(s) => Ok(s),
        ServiceKind::Device(_) => Err(kind_mismatch(srv)),
    }
}

fn kind_mismatch(srv: Srv) -> DccError {
    InternalError::Render(format!(
        "the catalogue's {srv} and the service matrix disagree on whether it is a device service"
    ))
    .into()
}

/// The variants the DCC implements.
pub fn implemented() -> impl Iterator<Item = Srv> {
    CATALOGUE.iter().map(|s| s.srv())
}

/// Plans a device request with `service`: the device types it serves first (E11 for any
/// other), then its own plan.
pub fn plan_device(
    service: &dyn DeviceService,
    r: &mut DeviceRequest<'_>,
) -> Result<Plan, DccError> {
    if !service.device_types().contains(&r.device.device_type) {
        return Err(r.wrong_type());
    }
    let plan = service.plan(r)?;
    // DSP future dating is the core's decision, the same for every service.
    crate::dispatch::hold::apply(r.srv(), &r.request.body, plan, r.now)
}

/// What a device request becomes (the conformance runner's view of a [`Plan`]).
#[derive(Debug)]
pub enum Transformed {
    /// A command ready to protect and send (non-critical, or DCC-originated).
    Command(GeneralSigning),
    /// A critical request's pre-command: goes back to the user to sign (CV 4).
    PreCommand(GeneralSigning),
}

/// The role a request is planned for when the caller does not say: the first role the matrix
/// allows that is a trust anchor of the device (the supplier, for the RTDS vectors), else the
/// first the matrix allows.
pub fn default_role(srv: Srv, device: &Device) -> Result<UserRole, DccError> {
    let roles = srv.info().roles;
    roles
        .iter()
        .copied()
        .find(|r| services::is_trust_anchor(device.device_type, *r))
        .or_else(|| roles.first().copied())
        .ok_or_else(|| {
            ServiceError::NotImplemented(format!("{srv} (no user role may send it)")).into()
        })
}

/// Plans a device request for a user acting in `role`, purely: `dcc_counter` is the ACB's
/// counter should the DCC originate the command on the user's behalf.
pub fn plan_device_request_as(
    req: &Request,
    device: &Device,
    role: UserRole,
    dcc: &DccCrypto,
    dcc_counter: u64,
    now: OffsetDateTime,
) -> Result<Transformed, DccError> {
    plan_device_request_with_peer(req, device, role, dcc, dcc_counter, now, None)
}

/// As [`plan_device_request_as`], with the other device of an 8.7 Join or 8.8 Unjoin request
/// as the DCC's stores would know it ([`services::HanPeer`]).
pub fn plan_device_request_with_peer(
    req: &Request,
    device: &Device,
    role: UserRole,
    dcc: &DccCrypto,
    dcc_counter: u64,
    now: OffsetDateTime,
    han_peer: Option<services::HanPeer>,
) -> Result<Transformed, DccError> {
    let srv = req.header.service_reference_variant;
    let service = device_service(srv)?;
    let mut counter = || Ok(dcc_counter);
    let mut r = DeviceRequest {
        request: req,
        device,
        acting_role: role,
        dcc,
        dcc_counter: &mut counter,
        now,
        han_peer,
    };
    match plan_device(service, &mut r)? {
        Plan::Command { command, .. } | Plan::Held { command, .. } => {
            Ok(Transformed::Command(command))
        }
        Plan::PreCommand(g) => Ok(Transformed::PreCommand(g)),
        Plan::Answer { .. } => Err(InternalError::Render(format!(
            "service {srv} answered a device request without a command"
        ))
        .into()),
    }
}

/// Plans a device request as its RequestID's originator would send it when acting in the
/// matrix's first trust-anchor role for the device (see [`default_role`]).
pub fn plan_device_request(
    req: &Request,
    device: &Device,
    dcc: &DccCrypto,
    dcc_counter: u64,
    now: OffsetDateTime,
) -> Result<Transformed, DccError> {
    let role = default_role(req.header.service_reference_variant, device)?;
    plan_device_request_as(req, device, role, dcc, dcc_counter, now)
}

/// Protects a command for the WAN: the ACB's MAC over it, keyed for the recipient device.
pub fn protect(
    cmd: GeneralSigning,
    dcc: &DccCrypto,
    device_ka: &PublicKey,
) -> Result<Vec<u8>, DccError> {
    gbcs::crypto::wrap_command(cmd, &dcc.acb_ka, device_ka)
        .map(|c| c.encode())
        .map_err(|e| InternalError::Signing(format!("ACB MAC: {e}")).into())
}

/// Why a signed pre-command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedPreCommandError {
    #[error("not a GBCS general-signing APDU: {0}")]
    Malformed(String),
    #[error("it is not the pre-command the DCC returned for this request")]
    NotCorrelated,
    #[error("it carries no signature")]
    Unsigned,
    #[error("its signature does not verify with any of the user's digital-signing certificates")]
    BadSignature,
}

/// Checks a signed pre-command against the pre-command the DCC returned (same bytes, apart from
/// the signature) and the user's signature over it; returns the signed command.
pub fn check_signed_precommand(
    signed: &[u8],
    precommand: &[u8],
    user_ds: &PublicKey,
) -> Result<GeneralSigning, SignedPreCommandError> {
    let s = GeneralSigning::decode(signed)
        .map_err(|e| SignedPreCommandError::Malformed(e.to_string()))?;
    let p = GeneralSigning::decode(precommand)
        .map_err(|e| SignedPreCommandError::Malformed(e.to_string()))?;
    if s.signed_bytes() != p.signed_bytes() {
        return Err(SignedPreCommandError::NotCorrelated);
    }
    if !matches!(s.signature, gbcs::frame::SignatureField::Signed(_)) {
        return Err(SignedPreCommandError::Unsigned);
    }
    s.verify_signature(user_ds)
        .map_err(|_| SignedPreCommandError::BadSignature)?;
    Ok(s)
}

/// Plans a signed pre-command (CV 5): it must answer the pending pre-command of the same
/// RequestID, for the same device and service, carry the same bytes, and verify with one of
/// `user_keys` (SEC1 digital-signing keys: ZAZ1 users sign XML with one and GBCS with another).
pub fn plan_signed_precommand(
    req: &Request,
    device: &Device,
    pending: Option<&PendingPreCommand>,
    user_keys: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<Plan, DccError> {
    let rid = req.header.request_id;
    let srv = req.header.service_reference_variant;
    let refuse = |why: String| -> DccError { ServiceError::SignedPreCommand(why).into() };
    let pending = match pending {
        Some(p) if !p.used => p,
        Some(_) => {
            return Err(refuse(format!(
                "the pre-command of RequestID counter {} was already signed and sent",
                rid.counter
            )));
        }
        None => {
            // Pre-commands are kept per RequestID, target included (`gateway::check_counter`).
            return Err(refuse(format!("no pre-command awaits RequestID {rid}")));
        }
    };
    if pending.target != device.id || pending.srv != srv {
        return Err(refuse(format!(
            "the pending pre-command of RequestID counter {} is for service {} to device {}, \
             not service {srv} to device {}",
            rid.counter, pending.srv, pending.target, device.id
        )));
    }
    let body =
        duis::bodies::SignedPreCommand::parse(&req.body).map_err(crate::render::body_error)?;
    let mut outcome = Err(SignedPreCommandError::BadSignature);
    for key in user_keys {
        let Ok(user_ds) = PublicKey::from_sec1(key) else {
            continue;
        };
        outcome = check_signed_precommand(&body.gbcs_payload, &pending.precommand, &user_ds);
        if !matches!(outcome, Err(SignedPreCommandError::BadSignature)) {
            break;
        }
    }
    let command = outcome.map_err(|e| refuse(e.to_string()))?;
    let plan = Plan::Command {
        use_case: command.message_code(),
        command,
        dcc_originated: false,
    };
    // The signed pre-command's own ExecutionDateTime decides a DSP hold.
    crate::dispatch::hold::apply(srv, &req.body, plan, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_variant_and_kind_agrees_with_the_matrix() {
        let mut seen: Vec<Srv> = implemented().collect();
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), n, "a variant is in the catalogue twice");
        assert!(n >= 11, "the catalogue only grows");
        for s in CATALOGUE {
            let non_device = matches!(s.kind(), ServiceKind::NonDevice(_));
            assert_eq!(non_device, s.srv().info().non_device, "{}", s.srv());
        }
    }

    #[test]
    fn unimplemented_variants_are_e12() {
        // Whichever variant the catalogue lacks.
        let Some(&srv) = Srv::ALL.iter().find(|s| service(**s).is_none()) else {
            return;
        };
        let e = require(srv).err().unwrap();
        assert_eq!(e.outcome().code, Some(duis::ResponseCode::E12));
        assert!(e.to_string().contains(&srv.to_string()), "{e}");
    }
}
