//! The service catalogue's entries: one module per DUIS service reference variant (family) the
//! DCC implements.
//!
//! Each module owns, for its service: parsing the request body (typed, with the `duis::bodies`
//! parsers), any eligibility beyond the service matrix (the device types it serves; a device of
//! another type is refused with E11), and its [`Plan`] — what the request becomes. Who may send
//! it, whether it is critical, on demand or non-device come from the service matrix
//! ([`duis::Srv::info`]) alone; the GBCS use case helper (`gbcs::usecases`) owns the GBCS side
//! (which commands are pre-commands).
//!
//! The gateway ([`crate::gateway`]) is the generic driver: authenticate, counter, user, matrix,
//! registration and SMI status, then [`crate::catalogue::service`] and its plan, then record.
//!
//! Naming: `s<service reference variant with dots as underscores>_<service name>.rs`.

use duis::{Request, ResponseCode, Srv, UserRole};
use gbcs::MessageCode;
use gbcs::frame::GeneralSigning;
use gbcs::usecases::{CommandHeader, RemotePartyRole, UseCaseSpec};
use time::OffsetDateTime;

use crate::catalogue::DccCrypto;
use crate::error::{AuthzError, DccError, InternalError, SchemaError};
use crate::gateway::Dialect;
use crate::model::{Device, DeviceType, User};
use crate::render;
use crate::store::Tx;

pub mod s11_2_read_firmware_version;
// 11.3 Activate Firmware (firmware, issue 17).
pub mod s11_3_activate_firmware;
pub mod s12_1_request_wan_matrix;
pub mod s12_2_device_prenotification;
// Supplier settings (3.x).
pub mod s3_1_display_message;
pub mod s3_2_restrict_access_for_change_of_tenancy;
pub mod s3_3_clear_event_log;
pub mod s3_4_update_supplier_name;
pub mod s3_5_disable_privacy_pin;
// 6.22 Configure Alert Behaviour, 6.2.10 Read Event and Alert Behaviours.
pub mod s4_1_1_read_import_registers;
pub mod s6_13_read_event_or_security_log;
pub mod s6_22_configure_alert_behaviour;
pub mod s6_2_10_read_event_and_alert_behaviours;
// DCC schedules (and 4.16, their first schedulable read).
pub mod s4_16_read_active_power_import;
pub mod s5_1_create_schedule;
pub mod s5_2_read_schedule;
pub mod s5_3_delete_schedule;
// Families 1 and 2 (tariffs, prices, prepayment and payment mode).
pub mod s1_1_1_update_import_tariff_primary;
pub mod s1_1_2_update_import_tariff_secondary;
pub mod s1_2_1_update_price_primary;
pub mod s1_2_2_update_price_secondary;
pub mod s1_5_update_meter_balance;
pub mod s1_6_update_payment_mode;
pub mod s1_7_reset_tariff_block_counter_matrix;
pub mod s2_1_update_prepay_configuration;
pub mod s2_2_top_up_device;
pub mod s2_3_update_debt;
pub mod s2_5_activate_emergency_credit;
pub mod s6_11_synchronise_clock;
// Family 6 limits (6.4).
pub mod s6_14_1_update_alc_descriptions;
pub mod s6_14_2_update_alc_scheduler;
pub mod s6_14_3_update_aux_controller_scheduler;
pub mod s6_18_1_set_maximum_demand_configurable_time_period;
pub mod s6_18_2_reset_maximum_demand_registers;
pub mod s6_25_set_supply_tamper_state;
pub mod s6_26_update_daily_block_counter_reset;
pub mod s6_2_2_read_randomisation;
pub mod s6_4_1_update_load_limiting_general_settings;
pub mod s6_4_2_update_load_limiting_counter_reset;
// 6.15.1 Update Security Credentials (KRP).
pub mod s6_15_1_update_security_credentials_krp;
// 6.17 Issue Security Credentials, 6.15.2 Update Security Credentials (Device).
pub mod s6_15_2_update_security_credentials_device;
pub mod s6_17_issue_security_credentials;
pub mod s6_21_request_handover;
pub mod s6_23_update_security_credentials_cos;
// 6.24.1, 6.24.2 Retrieve Device Security Credentials (KRP, Device).
pub mod s6_24_1_retrieve_device_security_credentials_krp;
pub mod s6_24_2_retrieve_device_security_credentials_device;
pub mod s7_10_remove_auxiliary_load_from_boost_button;
pub mod s7_11_read_boost_button_details;
pub mod s7_12_set_randomised_offset_limit;
// Family 6, power quality.
pub mod s6_12_update_device_configuration_instantaneous_power_threshold;
pub mod s6_27_update_device_configuration_rms_voltage_counter_reset;
pub mod s6_2_1_read_device_configuration_voltage;
pub mod s6_2_5_read_device_configuration_instantaneous_power_thresholds;
pub mod s6_5_update_device_configuration_voltage;
// 6.8, 6.2.3: the billing calendar.
pub mod s6_2_3_read_billing_calendar;
pub mod s6_2_8_read_device_configuration_gas;
pub mod s6_6_update_device_configuration_gas_conversion;
pub mod s6_7_update_device_configuration_gas_flow;
pub mod s6_8_update_billing_calendar;
pub mod s7_13_set_auxiliary_controller_state;
pub mod s7_14_read_auxiliary_controller_configuration_data;
pub mod s7_15_read_auxiliary_controller_operational_data;
pub mod s7_16_limit_apc_level;
pub mod s7_1_enable_supply;
pub mod s7_2_disable_supply;
pub mod s7_3_arm_supply;
pub mod s7_4_read_supply_status;
pub mod s7_5_activate_auxiliary_load;
pub mod s7_6_deactivate_auxiliary_load;
pub mod s7_7_read_auxiliary_load_switch_data;
pub mod s7_8_reset_auxiliary_load;
pub mod s7_9_add_auxiliary_load_to_boost_button;
pub mod s8_11_update_han_device_log;
// 8.7 Join Service, 8.8 Unjoin Service.
pub mod han_join;
pub mod s8_13_return_local_command_response;
pub mod s8_7_1_join_service_critical;
pub mod s8_7_2_join_service_non_critical;
pub mod s8_8_1_unjoin_service_critical;
pub mod s8_8_2_unjoin_service_non_critical;
// 8.9 Read Device Log.
pub mod s8_9_read_device_log;
// Dual-band Communications Hubs (6.28–6.32).
pub mod s6_28_set_chf_sub_ghz_configuration;
pub mod s6_29_request_chf_sub_ghz_channel_scan;
pub mod s6_30_read_chf_sub_ghz_configuration;
pub mod s6_31_read_chf_sub_ghz_channel;
pub mod s6_32_read_chf_sub_ghz_channel_log;
pub mod s8_1_1_commission_device;
pub mod s8_2_read_inventory;
pub mod s8_4_update_inventory;
// The SMI status machine's services (8.3, 8.14.1-8.14.4).
pub mod s8_14_communications_hub_status_update;
pub mod s8_3_decommission_device;
pub mod s9_1_request_customer_identification_number;
// Read services (4.8 profiles, 4.10 network data, 4.11 tariff, 4.13 prepayment, 14.1).
pub mod read_log;
pub mod s14_1_record_network_data_gas;
pub mod s4_10_read_network_data;
pub mod s4_11_1_read_tariff_primary_element;
pub mod s4_11_2_read_tariff_secondary_element;
pub mod s4_13_read_prepayment_configuration;
pub mod s4_8_1_read_active_import_profile_data;
pub mod s4_8_2_read_reactive_import_profile_data;
pub mod s4_8_3_read_export_profile_data;

// Instantaneous reads.
pub mod s4_12_1_read_max_demand_import;
pub mod s4_12_2_read_max_demand_export;
pub mod s4_15_read_load_limit_data;
pub mod s4_18_read_meter_balance;
pub mod s4_1_2_read_tou_matrices;
pub mod s4_1_3_read_tou_block_matrices;
pub mod s4_1_4_read_block_counters;
pub mod s4_2_read_export_registers;
pub mod s4_3_read_prepay_values;
// Log reads (4.4.2-4.4.5, 4.6.1, 4.6.2, 4.14, 4.17).
pub mod logs_common;
pub mod s4_14_read_prepayment_daily_read_log;
pub mod s4_17_retrieve_daily_consumption_log;
pub mod s4_4_2_retrieve_billing_data_log_triggered;
pub mod s4_4_3_retrieve_billing_data_log_calendar;
pub mod s4_4_4_retrieve_billing_data_log_debt_payments;
pub mod s4_4_5_retrieve_billing_data_log_prepayment_credits;
pub mod s4_6_1_retrieve_import_daily_read_log;
pub mod s4_6_2_retrieve_export_daily_read_log;
// Identity and MPxN (6.20.1, 6.20.2, 6.2.7).
pub mod s6_20_1_set_import_mpxn;
pub mod s6_20_2_set_export_mpan;
pub mod s6_2_4_read_identity;
pub mod s6_2_7_read_mpxn;
pub mod s6_2_9_read_payment_mode;

pub use s8_2_read_inventory::{InventoryEntry, MAX_INVENTORY_DEVICES};
pub use s12_1_request_wan_matrix::WanCoverage;
// 8.7 Join Service, 8.8 Unjoin Service.
pub use han_join::HanPeer;

/// What a service request becomes.
///
/// Two more outcomes have their place here once the DCC implements them (a later issue): a
/// **schedule** (5.1 Create Schedule: the DCC stores a DCC-scheduled request and runs it on its
/// own timetable) and a **future-dated hold** (a request with an `ExecutionDateTime` whose
/// matrix row says the DSP holds it: the DCC keeps the planned command and sends it at that
/// time). Each will be a variant built by the services that can produce it; the driver then
/// stores it instead of queueing a command. The future-dated hold is [`Plan::Held`], made from
/// every device service's command by the core ([`crate::dispatch::hold`]).
#[derive(Debug)]
pub enum Plan {
    /// Answered by the DCC itself, now: the response code and the unsigned DUIS response.
    Answer {
        code: ResponseCode,
        document: String,
    },
    /// A command to protect (ACB MAC) and queue for the device; acknowledged with I99.
    Command {
        /// The GBCS use case (message code) the command carries.
        use_case: MessageCode,
        command: GeneralSigning,
        /// Whether the DCC (its Access Control Broker) originates it on the user's behalf.
        dcc_originated: bool,
    },
    /// A critical request's pre-command, returned to the user to sign (CV 4).
    PreCommand(GeneralSigning),
    /// A DSP future-dated command (the matrix's "Future Dated Response Pattern" is DSP and the
    /// request carries an `ExecutionDateTime`): protected and queued like [`Plan::Command`],
    /// but held by the DCC until `execute_at`, acknowledged with I99 now; the device's answer
    /// reaches the user after `execute_at`. Made from a `Command` by
    /// [`crate::dispatch::hold::apply`] for every device service, never by a service itself.
    Held {
        execute_at: OffsetDateTime,
        use_case: MessageCode,
        command: GeneralSigning,
        dcc_originated: bool,
    },
}

/// A catalogue entry.
pub trait Service: Sync {
    /// The service reference variant it implements.
    fn srv(&self) -> Srv;
    /// Whether it is answered from the DCC's data or sent to a device (must agree with the
    /// matrix's non-device flag; the catalogue's tests check that it does).
    fn kind(&self) -> ServiceKind<'_>;
}

/// How a service is planned.
pub enum ServiceKind<'a> {
    Device(&'a dyn DeviceService),
    NonDevice(&'a dyn NonDeviceService),
}

/// A service sent to a device as GBCS.
pub trait DeviceService: Service {
    /// The device types it serves; the driver refuses any other with E11.
    fn device_types(&self) -> &'static [DeviceType];
    /// The plan for a request (CV 1 or 4; signed pre-commands are checked by the driver).
    fn plan(&self, r: &mut DeviceRequest<'_>) -> Result<Plan, DccError>;
    /// Service acceptance: the DCC's business rules against its own registered data (beyond the
    /// DUIS schema and the transform `plan` does), checked by the gateway before it plans a
    /// user's request (CV 1 or 4). The GBCS transform itself (`plan`, which the conformance
    /// runner exercises) builds whatever a schema-valid request carries. None by default.
    fn accept(&self, _r: &DeviceRequest<'_>) -> Result<(), DccError> {
        Ok(())
    }
    /// The other device a request names (8.7 Join, 8.8 Unjoin: `OtherDeviceID`), which the
    /// gateway looks up in its stores before planning ([`DeviceRequest::han_peer`]). None by
    /// default.
    fn han_peer_id(&self, _request: &Request) -> Result<Option<eui::Eui64>, DccError> {
        Ok(None)
    }
}

/// A service the DCC answers from its own data.
pub trait NonDeviceService: Service {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError>;
}

/// Hands out the Access Control Broker's next GBCS counter, for commands it originates on a
/// user's behalf (asked only when a plan needs one).
pub type DccCounter<'a> = dyn FnMut() -> Result<u64, DccError> + 'a;

/// What a device service plans from: pure data, no storage.
pub struct DeviceRequest<'a> {
    pub request: &'a Request,
    pub device: &'a Device,
    /// The role the requester acts in for this device (the one registration data allowed).
    pub acting_role: UserRole,
    pub dcc: &'a DccCrypto,
    pub dcc_counter: &'a mut DccCounter<'a>,
    pub now: OffsetDateTime,
    /// 8.7 Join, 8.8 Unjoin: the other device as the DCC's stores know it (looked up by the
    /// gateway for services whose [`DeviceService::han_peer_id`] names one); `None` otherwise.
    pub han_peer: Option<HanPeer>,
}

/// Who originates the GBCS command for a user's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Originator {
    /// The user, a trust anchor of the device (its supplier or network operator).
    User,
    /// The DCC's Access Control Broker, on the user's behalf (the other-information carries the
    /// user and their request counter).
    AcbOnBehalf,
}

/// The remote-party role a device of type `t` holds a trust anchor for, for users acting in
/// `role`: smart meters hold their supplier's and their network operator's; the Communications
/// Hub Function holds only DCC roles (ACB, WAN provider); HAN devices are reached through the
/// ACB. Export suppliers, Other Users and Registered Supplier Agents are never device trust
/// anchors.
pub fn anchor_role(t: DeviceType, role: UserRole) -> Option<RemotePartyRole> {
    match (t, role) {
        (DeviceType::Esme, UserRole::ImportSupplier)
        | (DeviceType::Gsme | DeviceType::Gpf, UserRole::GasSupplier) => {
            Some(RemotePartyRole::Supplier)
        }
        (DeviceType::Esme, UserRole::ElectricityDistributor)
        | (DeviceType::Gsme | DeviceType::Gpf, UserRole::GasTransporter) => {
            Some(RemotePartyRole::NetworkOperator)
        }
        // The HCALCS holds its (import) supplier's anchor: 8.7.1 / 8.8.1 (CS03A2, CS04AC) are
        // signed by the supplier (RTDS `8.7.1_CS03A2Critical`).
        (DeviceType::Hcalcs, UserRole::ImportSupplier) => Some(RemotePartyRole::Supplier),
        // The ESME holds the load controller's anchor (CS02g puts it there) for ECS47e.
        (DeviceType::Esme, UserRole::LoadController) => Some(RemotePartyRole::LoadController),
        _ => None,
    }
}

/// Whether users acting in `role` are a trust anchor of a device of type `t`.
pub fn is_trust_anchor(t: DeviceType, role: UserRole) -> bool {
    anchor_role(t, role).is_some()
}

/// Who originates use case `use_case` for a user acting in `role` on a device of type `t`, as
/// GBCS says: the ACB for the use cases only it sends (CS08, CCS01, CCS02); the user if they
/// are a trust anchor of the device in a role the use case allows; else the ACB on their behalf
/// if the use case allows the ACB; else nobody (`None`).
pub fn originator(t: DeviceType, role: UserRole, use_case: &UseCaseSpec) -> Option<Originator> {
    if use_case.dcc_originated {
        return Some(Originator::AcbOnBehalf);
    }
    if anchor_role(t, role).is_some_and(|r| use_case.allows(r)) {
        return Some(Originator::User);
    }
    use_case
        .allows(RemotePartyRole::AccessControlBroker)
        .then_some(Originator::AcbOnBehalf)
}

impl DeviceRequest<'_> {
    /// The service reference variant.
    pub fn srv(&self) -> Srv {
        self.request.header.service_reference_variant
    }

    /// The header of a command of use case `code` for this request, and whether the ACB
    /// originates it (see [`originator`]); takes an ACB counter when it does.
    pub fn header_for(&mut self, code: MessageCode) -> Result<(CommandHeader, bool), DccError> {
        let spec = use_case(code)?;
        let rid = self.request.header.request_id;
        match originator(self.device.device_type, self.acting_role, spec) {
            Some(Originator::User) => Ok((
                CommandHeader::new(rid.originator, self.device.id, rid.counter),
                false,
            )),
            Some(Originator::AcbOnBehalf) => {
                let counter = (self.dcc_counter)()?;
                Ok((
                    CommandHeader::on_behalf_of(
                        self.dcc.acb,
                        self.device.id,
                        counter,
                        rid.originator,
                        rid.counter,
                    ),
                    true,
                ))
            }
            None => Err(AuthzError::NotTrustAnchor {
                srv: self.srv(),
                role: self.acting_role.as_code().to_string(),
                device_type: self.device.device_type.to_string(),
            }
            .into()),
        }
    }

    /// Plans the command of use case `code` that `build` makes from its header (see
    /// [`Self::header_for`] and [`Self::command`]).
    pub fn use_case_command(
        &mut self,
        code: MessageCode,
        build: impl FnOnce(&CommandHeader) -> GeneralSigning,
    ) -> Result<Plan, DccError> {
        let (h, by_acb) = self.header_for(code)?;
        self.command(build(&h), by_acb)
    }

    /// As [`Self::use_case_command`] for a builder that can fail to encode (an internal error).
    pub fn try_use_case_command<E: std::fmt::Display>(
        &mut self,
        code: MessageCode,
        build: impl FnOnce(&CommandHeader) -> Result<GeneralSigning, E>,
    ) -> Result<Plan, DccError> {
        let (h, by_acb) = self.header_for(code)?;
        let command = build(&h).map_err(build_err)?;
        self.command(command, by_acb)
    }

    /// Plans a command the DCC's Access Control Broker originates for itself: its header the
    /// ACB's with a DCC counter and no one on whose behalf (the two-byte other-information), MAC'd
    /// and signed by no one (6.24.1: CS02a / CS02f in their MAC'd form, as the RTDS
    /// `CS02aMAC` / `CS02fMAC` vectors).
    pub fn acb_command<E: std::fmt::Display>(
        &mut self,
        build: impl FnOnce(&CommandHeader) -> Result<GeneralSigning, E>,
    ) -> Result<Plan, DccError> {
        let counter = (self.dcc_counter)()?;
        let h = CommandHeader::new(self.dcc.acb, self.device.id, counter);
        let command = build(&h).map_err(build_err)?;
        self.command(command, true)
    }

    /// Plans a command the DCC's transitional change-of-supplier party originates and signs
    /// (CS02bSupplierByTransCoS, 6.23): its header the transitional CoS party's, with a DCC
    /// counter; refused E12 when the DCC holds no transitional CoS key.
    pub fn trans_cos_command<E: std::fmt::Display>(
        &mut self,
        build: impl FnOnce(&CommandHeader) -> Result<GeneralSigning, E>,
    ) -> Result<Plan, DccError> {
        let dcc: &DccCrypto = self.dcc;
        let Some((eui, key)) = &dcc.trans_cos else {
            return Err(crate::error::ServiceError::NotImplemented(
                "6.23: this DCC holds no transitional CoS signing key (a world made before 6.23, \
                 or a ZAZ1 world)"
                    .into(),
            )
            .into());
        };
        self.dcc_signed_command(*eui, key, build)
    }

    /// Plans a command the DCC originates as `eui` (a cell it holds) and signs with `key`: its
    /// header `eui`'s with a DCC counter (6.21 handover: the ACB as the DCC-controlled device's
    /// supplier or network operator; 6.23: the transitional CoS party).
    pub fn dcc_signed_command<E: std::fmt::Display>(
        &mut self,
        eui: eui::Eui64,
        key: &gbcs::crypto::SigningKey,
        build: impl FnOnce(&CommandHeader) -> Result<GeneralSigning, E>,
    ) -> Result<Plan, DccError> {
        let counter = (self.dcc_counter)()?;
        let h = CommandHeader::new(eui, self.device.id, counter);
        let command = build(&h).map_err(build_err)?.sign(key).map_err(build_err)?;
        Ok(Plan::Command {
            use_case: command.message_code(),
            command,
            dcc_originated: true,
        })
    }

    /// Plans the command of use case `code` for an unknown remote party (URP): a request whose
    /// body carries `KAPublicSecurityCredentials`, the requester's key-agreement certificate
    /// (DER), asks the device to encrypt its sensitive answer to that certificate's key. The one
    /// rule for every service whose body may carry it:
    ///
    /// * the certificate must be a key-agreement certificate
    ///   ([`gbcs::credentials::unknown_remote_party_certificate`]: one DER SEQUENCE, keyUsage
    ///   keyAgreement, a P-256 key) whose subject entity id (x500UniqueIdentifier) is the
    ///   requester's EUI from the RequestID; otherwise the body is invalid (refused, nothing
    ///   changes);
    /// * the ACB originates the command on the requester's behalf, whoever the requester is (a
    ///   supplier too), with a counter of its own, the requester and its request counter in the
    ///   other-information followed by the certificate
    ///   ([`gbcs::usecases::for_unknown_remote_party`]); a use case the ACB may not send is
    ///   refused as for a user who is no trust anchor.
    pub fn unknown_remote_party_command(
        &mut self,
        code: MessageCode,
        certificate: &[u8],
        build: impl FnOnce(&CommandHeader) -> Result<GeneralSigning, gbcs::BuildError>,
    ) -> Result<Plan, DccError> {
        let rid = self.request.header.request_id;
        let invalid = |why: String| -> DccError {
            SchemaError::Invalid(format!("KAPublicSecurityCredentials: {why}")).into()
        };
        let facts = gbcs::credentials::unknown_remote_party_certificate(certificate)
            .map_err(|e| invalid(format!("not a key-agreement certificate ({e})")))?;
        if facts.subject_eui != rid.originator {
            return Err(invalid(format!(
                "the certificate is {}'s, not the requester's ({})",
                facts.subject_eui, rid.originator
            )));
        }
        if !use_case(code)?.allows(RemotePartyRole::AccessControlBroker) {
            return Err(AuthzError::NotTrustAnchor {
                srv: self.srv(),
                role: self.acting_role.as_code().to_string(),
                device_type: self.device.device_type.to_string(),
            }
            .into());
        }
        let counter = (self.dcc_counter)()?;
        let h = CommandHeader::on_behalf_of(
            self.dcc.acb,
            self.device.id,
            counter,
            rid.originator,
            rid.counter,
        );
        let command = gbcs::usecases::for_unknown_remote_party(&h, certificate.to_vec(), build)
            .map_err(build_err)?;
        self.command(command, true)
    }

    /// A user-originated or routed command as the matrix says: a critical service's command is a
    /// pre-command for the user to sign; any other is sent as it is. The GBCS use case builder
    /// must agree (a critical use case's command has no signature field yet): a disagreement
    /// between the matrix and `gbcs::usecases` is the DCC's fault, refused rather than sent.
    /// A command the ACB originates is signed by it where the use case says the DCC signs.
    pub fn command(&self, command: GeneralSigning, dcc_originated: bool) -> Result<Plan, DccError> {
        let command = if dcc_originated && use_case(command.message_code())?.dcc_signs {
            command.sign(&self.dcc.acb_ds).map_err(build_err)?
        } else {
            command
        };
        let critical = self.srv().info().critical && !dcc_originated;
        if critical != command.is_precommand() {
            return Err(InternalError::Render(format!(
                "service {} is {}critical in the service matrix but GBCS use case {:?} is {}",
                self.srv(),
                if critical { "" } else { "not " },
                command.message_code(),
                if command.is_precommand() {
                    "a pre-command"
                } else {
                    "a command"
                }
            ))
            .into());
        }
        Ok(if critical {
            Plan::PreCommand(command)
        } else {
            Plan::Command {
                use_case: command.message_code(),
                command,
                dcc_originated,
            }
        })
    }

    /// The refusal for a device type the service does not serve (E11).
    pub fn wrong_type(&self) -> DccError {
        wrong_type(self.srv(), self.device.device_type)
    }
}

/// E11: `srv` does not apply to a device of type `t`.
pub fn wrong_type(srv: Srv, t: DeviceType) -> DccError {
    AuthzError::DeviceType {
        srv,
        device_type: t.to_string(),
    }
    .into()
}

/// The GBCS catalogue's entry for a use case the DCC builds.
fn use_case(code: MessageCode) -> Result<&'static UseCaseSpec, DccError> {
    gbcs::usecases::by_message_code(code).ok_or_else(|| {
        InternalError::Render(format!(
            "GBCS use case {code:?} is not in the gbcs catalogue"
        ))
        .into()
    })
}

/// The Issuer Event ID of a ZSE command the DCC builds for a GSME or GPF (GCS32, GCS39, GCS02,
/// GCS03, GCS04, GCS07, GCS09, GCS11, GCS44, GCS60…): the one place the DCC decides it. The rule
/// is the GBCS use cases' ([`gbcs::usecases::issuer_event_id`], the rule that reproduces the RTDS
/// vectors): the DCC's UTC time when it builds the command, in ZigBee UTC seconds since 2000.
pub fn zse_issuer_event_id(now: OffsetDateTime) -> Result<u32, DccError> {
    gbcs::UtcDateTime::from_unix(now.unix_timestamp())
        .and_then(gbcs::usecases::issuer_event_id)
        .ok_or_else(|| build_err(format!("no ZigBee issuer event id for the DCC time {now}")))
}

/// A GBCS command builder's failure: the DCC could not encode what it accepted.
pub(crate) fn build_err(e: impl std::fmt::Display) -> DccError {
    InternalError::Render(format!("GBCS command: {e}")).into()
}

/// What a non-device service plans from: the transaction, the request and who sent it.
pub struct NonDeviceRequest<'a> {
    pub tx: &'a mut dyn Tx,
    pub request: &'a Request,
    pub user: &'a User,
    /// The user's roles the matrix lets send this service.
    pub roles: &'a [UserRole],
    pub now: OffsetDateTime,
    pub dialect: Dialect,
    /// The DCC's GBCS credentials (5.1 Create Schedule plans a trial run of what it schedules).
    pub dcc: &'a DccCrypto,
}

impl NonDeviceRequest<'_> {
    /// An answer carrying only `code`.
    pub fn acknowledge(&self, code: ResponseCode) -> Result<Plan, DccError> {
        Ok(Plan::Answer {
            code,
            document: render::header_only(self.request, code, self.now)?,
        })
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn the_matrix_and_the_gbcs_use_case_must_agree_on_criticality() {
        let t = Harness::new();
        let user = CommandHeader::new(SUPPLIER, device_id(DeviceType::Esme), 77);
        let esme = device(DeviceType::Esme);
        let plan = |srv: Srv, body: &str, g: GeneralSigning| {
            let req = request(srv, body, DeviceType::Esme, 77);
            let mut counter = || Ok(ACB_COUNTER);
            let r = DeviceRequest {
                request: &req,
                device: &esme,
                acting_role: UserRole::ImportSupplier,
                dcc: &t.dcc,
                dcc_counter: &mut counter,
                now: OffsetDateTime::UNIX_EPOCH,
                han_peer: None,
            };
            r.command(g, false)
        };
        // 7.4 is not critical; ECS43 is.
        let e = plan(
            Srv::V7_4,
            "<sr:ReadSupplyStatus/>",
            gbcs::usecases::ecs43_disable_supply(&user),
        )
        .unwrap_err();
        assert!(matches!(e, DccError::Internal(_)), "{e}");
        // 7.2 is critical; ECS45 is not.
        let e = plan(
            Srv::V7_2,
            "<sr:DisableSupply/>",
            gbcs::usecases::ecs45_read_supply_status(&user),
        )
        .unwrap_err();
        assert!(matches!(e, DccError::Internal(_)), "{e}");
        assert!(matches!(
            plan(
                Srv::V7_2,
                "<sr:DisableSupply/>",
                gbcs::usecases::ecs43_disable_supply(&user)
            ),
            Ok(Plan::PreCommand(_))
        ));
    }

    #[test]
    fn originators_follow_the_devices_trust_anchors_and_the_use_case() {
        use DeviceType as D;
        use UserRole as R;
        use gbcs::usecases::{ccs01, cs08, ecs45, ecs52, ecs70, gcs13a};
        let o = |t, r, s| originator(t, r, s);
        assert_eq!(
            o(D::Esme, R::ImportSupplier, &ecs52::SPEC),
            Some(Originator::User)
        );
        assert_eq!(
            o(D::Esme, R::ElectricityDistributor, &ecs45::SPEC),
            Some(Originator::User)
        );
        assert_eq!(
            o(D::Gpf, R::GasTransporter, &gcs13a::SPEC),
            Some(Originator::User)
        );
        assert_eq!(
            o(D::Esme, R::ImportSupplier, &ecs70::SPEC),
            Some(Originator::User)
        );
        for (t, r) in [
            (D::Esme, R::ExportSupplier),
            (D::Esme, R::GasSupplier),
            (D::Esme, R::OtherUser),
            (D::Esme, R::RegisteredSupplierAgent),
            (D::Chf, R::ImportSupplier),
            (D::Chf, R::OtherUser),
        ] {
            assert_eq!(
                o(t, r, &ecs52::SPEC),
                Some(Originator::AcbOnBehalf),
                "{t} {r:?}"
            );
        }
        // Use cases only the ACB sends, whoever asks.
        assert_eq!(
            o(D::Ppmid, R::ImportSupplier, &cs08::SPEC),
            Some(Originator::AcbOnBehalf)
        );
        assert_eq!(
            o(D::Chf, R::GasSupplier, &ccs01::SPEC),
            Some(Originator::AcbOnBehalf)
        );
        // Use cases the ACB may not send for anyone: only a trust anchor reaches the device.
        assert_eq!(o(D::Gsme, R::OtherUser, &gcs13a::SPEC), None);
        assert_eq!(o(D::Esme, R::ExportSupplier, &ecs70::SPEC), None);
    }
}
