//! The service catalogue on the GBCS side: one module per use case the DCC transforms and the
//! emulated devices execute.
//!
//! Each module owns its message code, the device types that implement it, the remote-party roles
//! allowed to originate it, whether it is critical, whether the DCC (ACB) originates it on a
//! user's behalf and whether the DCC signs it, the command builder, the command decoder (payload
//! → typed parameters) and the response decoder (device answer → [`ResponseOutcome`]). The
//! registry [`ALL`] lists their [`UseCaseSpec`]s; [`by_message_code`] and [`supported_on`] look
//! them up; [`decode_command`] is the single entry point for "what does this command ask";
//! [`classify_response`] says whether any response payload reports success or failure.
//!
//! Builders return the General-Signing APDU:
//!
//! * for **critical** use cases (those whose [`UseCaseSpec`] says so; `tests/catalogue.rs`
//!   lists them) the **pre-command**: no
//!   signature field. The user signs [`GeneralSigning::signed_bytes`]; the DCC then calls
//!   [`GeneralSigning::with_signature`] and [`crate::crypto::wrap_command`].
//! * for the others the unsigned **command** (signature field `00`), ready for
//!   [`crate::crypto::wrap_command`]. None of the DCC-originated use cases here is signed by the
//!   DCC (RTDS: CS08, CCS01, CCS02 carry a `00` signature field; see [`UseCaseSpec::dcc_signs`]).
//!
//! None of these use cases raises a use-case specific alert in the RTDS vectors (their failures
//! come back in the response), so there are no alert decoders here.

mod common;

pub mod ccs01;
pub mod ccs02;
// 6.15.1 Update Security Credentials (KRP).
pub mod cs02a;
pub mod cs02b;
pub mod cs02c;
pub mod cs02d;
pub mod cs02e;
pub mod cs08;
// 8.7 Join Service, 8.8 Unjoin Service (GBCS 13.7).
pub mod cs03a1;
pub mod cs03a2;
pub mod cs03b;
pub mod cs03c;
pub mod cs04ac;
pub mod cs04b;
pub mod ecs17b;
pub mod ecs38;
pub mod ecs42;
pub mod han_join;
// 1.7 Reset Tariff Block Counter Matrix, 2.5 Activate Emergency Credit.
pub mod ecs05;
pub mod ecs09;
pub mod ecs26c;
pub mod ecs28a;
pub mod ecs28b;
pub mod ecs37;
pub mod ecs46a;
pub mod ecs46c;
pub mod ecs46d;
pub mod ecs48;
pub mod ecs57;
pub mod ecs81;
// 1.6 Update Payment Mode.
pub mod ecs01a;
pub mod ecs01b;
pub mod ecs01c;
pub mod ecs01d;
pub mod ecs02;
pub mod ecs03;
pub mod ecs43;
pub mod ecs44;
pub mod ecs45;
pub mod ecs47;
pub mod ecs47a;
pub mod ecs47e;
pub mod ecs61a;
pub mod ecs61c;
pub mod ecs61d;
pub mod ecs61e;
pub mod ecs62;
pub mod gas_tariff;
pub mod gcs01a;
pub mod gcs01b;
pub mod gcs02;
pub mod gcs03;
pub mod gcs06;
pub mod payment_mode;
pub mod tariff;
// 2.3 Update Debt.
pub mod ecs07;
pub mod gcs04;
// 2.1 Update Prepay Configuration.
pub mod ecs08;
pub mod ecs08a;
pub mod gcs05;
// 1.5 Update Meter Balance.
pub mod ecs04;
pub mod gcs40;
// DCC schedules helper: 4.16 Read Active Power Import.
pub mod ecs17c;
pub mod ecs52;
pub mod ecs70;
pub mod gcs13a;
pub mod gcs28;
pub mod gcs32;
pub mod gcs33;
pub mod gcs38;
pub mod gcs39;
// Read services (4.8 profiles, 4.10 network data, 4.11 tariff, 4.13 prepayment, 14.1).
pub mod ecs22a;
pub mod ecs22b;
pub mod ecs22c;
pub mod ecs23;
pub mod ecs23b;
pub mod ecs24;
pub mod ecs24b;
pub mod ecs26a;
// 6.8, 6.2.3: the ESME billing calendar.
pub mod billing_calendar;
pub mod ecs26d;
pub mod ecs26l;
pub mod ecs30;
pub mod ecs30a;
pub mod gas_billing_calendar;
pub mod gas_configuration;
pub mod gcs17;
pub mod gcs18;
pub mod gcs21a;
pub mod gcs21b;
pub mod gcs21d;
pub mod gcs21f;
pub mod gcs21k;
pub mod gcs23;
pub mod gcs24;
pub mod gcs24a;
pub mod gcs25;
pub mod gcs25a;
pub mod gcs31;
pub mod reads_common;

// Instantaneous reads (4.1.2-4.1.4, 4.2, 4.3, 4.12.x, 4.15, 4.18).
pub mod ecs17a;
pub mod ecs17d;
pub mod ecs17e;
pub mod ecs18a;
pub mod ecs18b;
pub mod ecs19;
pub mod ecs27;
pub mod ecs82;
pub mod gcs13b;
pub mod gcs13c;
pub mod gcs14;
pub mod gcs60;
pub mod gcs60a;
pub mod reads_inst_common;
// Log reads (billing data, daily read, daily consumption logs).
pub mod ecs20a;
pub mod ecs20b;
pub mod ecs20c;
pub mod ecs20d;
pub mod ecs21a;
pub mod ecs21b;
pub mod ecs21c;
pub mod ecs66;
pub mod gcs15b;
pub mod gcs15c;
pub mod gcs15d;
pub mod gcs15e;
pub mod gcs16a;
pub mod gcs16b;
pub mod gcs61;
// Supplier settings (DUIS 3.x).
pub mod cs01a;
pub mod cs01b;
pub mod cs11;
pub mod ecs10;
pub mod ecs12;
pub mod ecs14;
pub mod ecs15a;
pub mod ecs15c;
pub mod ecs16;
pub mod ecs50;
pub mod gcs07;
pub mod gcs09;
pub mod gcs11;
pub mod gcs36;
pub mod gcs44;
// Identity and MPxN (DUIS 6.20, 6.2.7).
pub mod ecs39a;
pub mod ecs39b;
pub mod ecs40;
pub mod gcs41;
pub mod gcs46;
// Payment mode read (DUIS 6.2.9).
pub mod ecs26j;
pub mod gcs21j;
// Identity read (DUIS 6.2.4).
pub mod ecs26e;
pub mod ecs26i;
pub mod ecs26m;
pub mod ecs26n;
pub mod gcs21e;
pub mod gcs21m;
pub mod logs_common;
mod settings_common;
// 6.22 Configure Alert Behaviour, 6.2.10 Read Event and Alert Behaviours.
pub mod alert_behaviour_common;
pub mod ecs25a;
pub mod ecs25a1;
pub mod ecs25a2;
pub mod ecs25a3;
pub mod ecs25b;
pub mod ecs25b3;
pub mod ecs25r1;
pub mod ecs25r2;
pub mod gcs20;
pub mod gcs20r;
// Dual-band Communications Hubs (DUIS 6.28–6.32).
pub mod dbch01;
pub mod dbch02;
pub mod dbch03;
pub mod dbch04;
pub mod dbch05;
// Family 6, power quality (6.5, 6.27, 6.2.1, 6.12, 6.2.5).
pub mod ecs26b;
pub mod ecs26f;
pub mod ecs26k;
pub mod ecs29a;
pub mod ecs29b;
pub mod ecs29c;
pub mod ecs29d;
pub mod ecs29e;
pub mod ecs29f;
pub mod ecs34;
pub mod voltage;
pub use ecs26b::ecs26b_read_voltage_configuration;
pub use ecs26f::ecs26f_read_power_thresholds;
pub use ecs26k::ecs26k_read_voltage_configuration;
pub use ecs29a::ecs29a_set_voltage_configuration;
pub use ecs29b::ecs29b_set_voltage_configuration;
pub use ecs29c::ecs29c_set_voltage_configuration;
pub use ecs29d::ecs29d_set_voltage_configuration;
pub use ecs29e::ecs29e_reset_rms_voltage_counters;
pub use ecs29f::ecs29f_reset_rms_voltage_counters;
pub use ecs34::ecs34_set_power_thresholds;
pub use voltage::{Limit, PhaseVoltage, PowerThresholds, RmsVoltageSettings, VoltageConfig};
// 6.13 Read Event or Security Log.
pub mod cs10a;
pub mod cs10b;
pub mod ecs35a;
pub mod ecs35b;
pub mod ecs35c;
pub mod ecs35d;
pub mod ecs35e;
pub mod ecs35f;
pub mod ecs35g;
pub mod event_logs_common;
// 11.3 Activate Firmware (firmware, issue 17).
pub mod cs06;
pub use cs06::{ActivateFirmware, ActivationResult, cs06_activate_firmware};
// 8.9 Read Device Log.
pub mod ccs05;
pub mod ccs06;
pub mod ccs07;
pub mod cs07;
pub mod han_logs;
// 8.12 Restore HAN Device Log.
pub mod ccs03;
pub mod gcs59;

use serde::{Deserialize, Serialize};

use crate::codes::{Cra, MessageCode};
use crate::dlms::AccessResponse;
use crate::error::DecodeError;
use crate::frame::GeneralSigning;
use crate::gbz::{GbzBody, GbzPayload};
use crate::payload::Payload;

pub use ccs01::{DeviceLogAddition, ccs01_add_device_to_chf_device_log};
pub use ccs02::ccs02_remove_device_from_chf_device_log;
// 8.9 Read Device Log.
pub use ccs05::ccs05_read_chf_device_log;
pub use ccs06::ccs06_read_chf_device_log;
pub use ccs07::ccs07_read_chf_device_logs;
pub use common::{
    AttributeRecord, CLUSTER_METERING, ClockValidity, CommandHeader, DlmsRead, OBIS_CLOCK,
    OBIS_DATA_PROTECTION, OBIS_DISCONNECT_CONTROL, OBIS_DISCONNECT_SCRIPTS, OBIS_FIRMWARE,
    OBIS_IMPORT_REGISTERS, OBIS_ZIGBEE_NETWORK_CONTROL, OnBehalfOf, ZCL_DEFAULT_RESPONSE,
    ZCL_READ_ATTRIBUTES_RESPONSE, ZclRead, for_unknown_remote_party, read_attribute_records,
};
pub use cs02a::cs02a_provide_security_credential_details;
pub use cs02b::{KrpCredentials, KrpParty, KrpUpdate, cs02b_update_security_credentials};
pub use cs02c::{DeviceCsr, cs02c_issue_security_credentials};
pub use cs02d::cs02d_update_device_certificate;
pub use cs02e::cs02e_provide_device_certificate;
pub use cs07::cs07_read_device_join_details;
// 8.12 Restore HAN Device Log.
pub use ccs03::{RestorePan, ccs03_restore_chf_device_log};
pub use gcs59::gcs59_restore_gpf_device_log;
pub use han_logs::{ActiveDevice, ChfDeviceLogs, HanLogEntry, PanBackup, PanBackupEntry};
// Log reads.
pub use cs08::cs08_read_firmware_version;
// 8.7 Join Service, 8.8 Unjoin Service.
pub use cs03a1::cs03a1_join_meter;
pub use cs03a2::cs03a2_join_non_meter;
pub use cs03b::cs03b_join_type2;
pub use cs03c::cs03c_join_method_c;
pub use cs04ac::cs04ac_unjoin;
pub use cs04b::cs04b_unjoin;
pub use ecs17b::ecs17b_read_import_energy_registers;
pub use han_join::{JoinCommand, JoinDeviceType, JoinMethod};
// Log reads.
pub use alert_behaviour_common::{
    AlertBehaviourChange, AlertFilter, EventConfiguration, FilterBits, GasAlertBehaviour,
};
pub use ecs01a::{PrimaryTariff, ecs01a_update_import_tariff_primary};
pub use ecs01b::{PrimaryPrices, ecs01b_update_price_primary};
pub use ecs01c::{SecondaryTariff, ecs01c_update_import_tariff_secondary};
pub use ecs01d::{SecondaryPrices, ecs01d_update_price_secondary};
pub use ecs02::{CreditModeSwitch, ecs02_update_payment_mode_credit};
pub use ecs03::{PrepaymentModeSwitch, ecs03_update_payment_mode_prepayment};
pub use ecs04::{ecs04a_adjust_meter_balance, ecs04b_reset_meter_balance};
pub use ecs05::ecs05_reset_tariff_block_counter_matrix;
// 6.4 load limiting (crate::usecases::ecs28a, ecs28b).
pub use ecs28a::{LoadLimitSettings, ecs28a_update_load_limiting_settings};
pub use ecs28b::ecs28b_reset_load_limit_counter;
// 6.18 maximum demand (crate::usecases::ecs37, ecs57).
pub use ecs07::{EsmeDebtUpdate, ecs07_update_debt};
pub use ecs08::{EsmePrepayConfig, NonDisablementEntry, ecs08_update_prepay_configuration};
pub use ecs08a::ecs08a_update_prepay_configuration;
pub use ecs09::ecs09_activate_emergency_credit;
pub use ecs20a::ecs20a_read_debt_payments_log;
pub use ecs20b::ecs20b_read_billing_data_log_triggered;
pub use ecs20c::ecs20c_read_billing_data_log_calendar;
pub use ecs20d::ecs20d_read_prepayment_credits_log;
pub use ecs21a::ecs21a_read_daily_read_log;
pub use ecs21b::ecs21b_read_prepayment_daily_read_log;
pub use ecs21c::ecs21c_read_export_daily_read_log;
pub use ecs25a::ecs25a_set_alert_behaviour;
pub use ecs25a1::ecs25a1_set_alert_behaviour;
pub use ecs25a2::ecs25a2_set_alert_behaviour;
pub use ecs25a3::ecs25a3_set_alert_behaviour;
pub use ecs25b::ecs25b_set_alert_behaviour;
pub use ecs25b3::ecs25b3_set_alert_behaviour;
pub use ecs25r1::ecs25r1_read_alert_behaviours;
pub use ecs25r2::ecs25r2_read_alert_behaviours;
pub use ecs37::{MaxDemandPeriod, ecs37_set_max_demand_period};
pub use ecs38::ecs38_set_randomised_offset_limit;
pub use ecs42::{ScriptExecution, ecs42_enable_supply};
pub use ecs43::ecs43_disable_supply;
pub use ecs44::ecs44_arm_supply;
pub use ecs45::ecs45_read_supply_status;
pub use ecs47::{AuxLoadAction, AuxLoadCommand, ecs47_auxiliary_load};
pub use ecs47a::{AuxControllerState, ecs47a_set_auxiliary_controller_state};
pub use ecs47e::ecs47e_limit_apc_level;
pub use ecs57::{MaxDemandResets, ecs57_reset_max_demand};
// 6.26 daily block counter reset, 6.25 supply tamper state.
pub use ecs48::ecs48_set_daily_block_counter_reset;
pub use ecs61a::ecs61a_read_auxiliary_load_switch_data;
pub use ecs61c::ecs61c_read_boost_function_data;
pub use ecs61d::ecs61d_read_auxiliary_controller_configuration;
pub use ecs61e::ecs61e_read_auxiliary_controller_operational;
pub use ecs62::{BoostAssociation, ecs62_set_boost_association};
pub use ecs81::ecs81_set_supply_tamper_state;
// 6.2.2 read randomisation.
pub use ecs26c::ecs26c_read_randomisation;
// 6.14.1 auxiliary load switch descriptions.
pub use ecs46a::{AuxDescriptions, ecs46a_update_aux_descriptions};
// 6.14.2 auxiliary load control scheduler.
pub use ecs46c::{AuxScheduler, ecs46c_update_aux_scheduler};
// 6.14.3 auxiliary controller calendar.
pub use ecs46d::{AuxCalendar, ControllerAction, ecs46d_set_aux_calendar};
pub use gcs01a::{GasTariffUpdate, gcs01a_update_import_tariff};
pub use gcs01b::{GasPriceUpdate, gcs01b_update_price};
pub use gcs02::gcs02_update_payment_mode_credit;
pub use gcs03::gcs03_update_payment_mode_prepayment;
pub use gcs04::{ChangeDebt, gcs04_update_debt};
pub use gcs05::{GasPrepayConfig, gcs05_update_prepay_configuration};
pub use gcs06::{SelectEmergencyCredit, gcs06_activate_emergency_credit};
pub use gcs20::gcs20_set_alert_behaviour;
pub use gcs20r::gcs20r_read_alert_behaviours;
pub use gcs40::{BalanceAdjustment, CreditAdjustment, gcs40_update_meter_balance};
pub use payment_mode::{
    Activation, ChangePaymentMode, ChangePaymentModeResponse, CreditChargeEntry,
    credit_charge_entries,
};
// 4.16 Read Active Power Import.
pub use ecs17c::{ActivePowerImport, ecs17c_read_active_power_import};
pub use ecs52::ecs52_read_firmware_version;
pub use ecs66::ecs66_read_daily_consumption_log;
pub use ecs70::ecs70_set_clock;
pub use gcs13a::gcs13a_read_import_register;
pub use gcs15b::gcs15b_read_billing_data_log_triggered;
pub use gcs15c::gcs15c_read_billing_data_log_calendar;
pub use gcs15d::gcs15d_read_debt_payments_log;
pub use gcs15e::gcs15e_read_prepayment_credits_log;
pub use gcs16a::gcs16a_read_daily_read_log;
pub use gcs16b::gcs16b_read_prepayment_daily_read_log;
pub use gcs28::gcs28_set_clock;
pub use gcs32::{ChangeSupply, SupplyStatusResponse, gcs32_disable_supply, issuer_event_id};
// future dating: a GCS32 with an implementation date-time
pub use gcs32::gcs32_disable_supply_at;
pub use gcs33::gcs33_read_supply_status;
pub use gcs38::gcs38_read_firmware_version;
pub use gcs39::gcs39_arm_supply;
// Read services (4.8, 4.10, 4.11, 4.13, 14.1).
pub use ecs22a::ecs22a_read_export_profile_data;
pub use ecs22b::ecs22b_read_active_import_profile_data;
pub use ecs22c::ecs22c_read_reactive_import_profile_data;
pub use ecs23::ecs23_read_network_data;
pub use ecs23b::ecs23b_read_network_data;
pub use ecs24::ecs24_read_tariff_primary;
pub use ecs24b::ecs24b_read_tariff_secondary;
pub use ecs26a::ecs26a_read_prepayment_configuration;
pub use ecs26d::ecs26d_read_billing_calendar;
pub use ecs26l::ecs26l_read_billing_calendar;
pub use ecs30::ecs30_set_billing_calendar;
pub use ecs30a::ecs30a_set_billing_calendar;
pub use gcs17::gcs17_read_profile_data;
pub use gcs18::gcs18_read_network_data;
pub use gcs21a::gcs21a_read_gas_configuration;
pub use gcs21b::gcs21b_read_prepayment_configuration;
pub use gcs21d::gcs21d_read_billing_calendar;
pub use gcs21f::gcs21f_read_tariff;
pub use gcs21k::gcs21k_read_billing_calendar;
pub use gcs23::gcs23_update_gas_conversion;
pub use gcs24::gcs24_update_gas_flow;
pub use gcs24a::gcs24a_update_gas_flow;
pub use gcs25::gcs25_set_billing_calendar;
pub use gcs25a::gcs25a_set_billing_calendar;
pub use gcs31::gcs31_start_network_data_sampling;
pub use reads_common::{
    GbzRead, GbzReadSet, GetListRead, GetSampledData, Item, ReadPeriod, SampledData, StartSampling,
};

// Instantaneous reads.
pub use cs10a::cs10a_read_event_log;
pub use cs10b::cs10b_read_security_log;
pub use ecs17a::ecs17a_read_export_energy_registers;
pub use ecs17d::ecs17d_read_tou_registers;
pub use ecs17e::ecs17e_read_tou_block_registers;
pub use ecs18a::ecs18a_read_export_max_demand;
pub use ecs18b::ecs18b_read_import_max_demand;
pub use ecs19::ecs19_read_prepayment_registers;
pub use ecs27::ecs27_read_load_limit_data;
pub use ecs35a::ecs35a_read_event_log;
pub use ecs35b::ecs35b_read_security_log;
pub use ecs35c::ecs35c_read_chf_event_log;
pub use ecs35d::ecs35d_read_chf_security_log;
pub use ecs35e::ecs35e_read_power_event_log;
pub use ecs35f::ecs35f_read_alcs_event_log;
pub use ecs35g::ecs35g_read_auxiliary_controller_event_log;
pub use ecs82::ecs82_read_meter_balance;
pub use event_logs_common::{AlcsEventLogEntry, EventLogEntry, PowerEventLogEntry};
pub use gcs13b::gcs13b_read_block_counters;
pub use gcs13c::gcs13c_read_tou_registers;
pub use gcs14::gcs14_read_prepayment_registers;
pub use gcs60::gcs60_read_meter_balance;
pub use gcs60a::gcs60a_read_meter_balance;
pub use gcs61::gcs61_read_daily_consumption_log;
pub use logs_common::{
    GbzLogPart, LogEntry, LogPeriod, ProtectedRangeRead, RangeRead, SnapshotRead, SnapshotRequest,
};
pub use reads_inst_common::{ClusterRead, ClusterReadValue, ProtectedRead, protection_parameters};

// Supplier settings (DUIS 3.x).
pub use cs01a::{TopUp, cs01a_apply_prepayment_top_up};
pub use cs01b::{TopUpResponse, cs01b_apply_prepayment_top_up};
pub use cs11::cs11_clear_event_log;
pub use ecs10::{SupplierMessage, ecs10_display_message};
pub use ecs12::ecs12_restrict_access;
pub use ecs14::ecs14_disable_privacy_pin;
pub use ecs15a::ecs15a_clear_event_log;
pub use ecs15c::ecs15c_clear_event_log;
pub use ecs16::{SupplierContact, ecs16_update_supplier_name};
pub use ecs50::{Cin, ecs50_send_cin};
pub use gcs07::{MessageDisplay, gcs07_display_message};
pub use gcs09::{TenancyChange, gcs09_restrict_access};
pub use gcs11::{PasswordCleared, gcs11_disable_privacy_pin};
pub use gcs36::{CinUpdate, gcs36_send_cin};
pub use gcs44::{SupplierChange, gcs44_update_supplier_name};
// Dual-band Communications Hubs (DUIS 6.28–6.32).
pub use dbch01::{SubGhzChannel, dbch01_read_sub_ghz_channel};
pub use dbch02::{ChannelLogEntry, ChannelLogPeriod, dbch02_read_sub_ghz_channel_log};
pub use dbch03::dbch03_read_sub_ghz_configuration;
pub use dbch04::{ChannelPage, SubGhzConfiguration, dbch04_set_sub_ghz_configuration};
pub use dbch05::dbch05_request_sub_ghz_channel_scan;
pub use ecs26e::ecs26e_read_identity;
pub use ecs26i::ecs26i_read_identity;
pub use ecs26j::ecs26j_read_payment_mode;
pub use ecs26m::ecs26m_read_identity;
pub use ecs26n::ecs26n_read_identity;
pub use ecs39a::{ImportMpans, ecs39a_set_import_mpan};
pub use ecs39b::ecs39b_set_export_mpan;
pub use ecs40::ecs40_read_mpan;
pub use gcs21e::gcs21e_read_identity;
pub use gcs21j::gcs21j_read_payment_mode;
pub use gcs21m::gcs21m_read_identity;
pub use gcs41::{SiteIdUpdate, gcs41_set_mprn};
pub use gcs46::gcs46_read_mprn;

/// The role a remote party holds on a device (GBCS "Remote Party Role").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RemotePartyRole {
    /// Recovery (DCC): replaces credentials after a compromise.
    Recovery,
    /// The registered supplier (import supplier / gas supplier).
    Supplier,
    /// The registered network operator (electricity distributor / gas transporter).
    NetworkOperator,
    /// The DCC access control broker: MACs every command and originates commands on behalf of
    /// users that are not device trust anchors.
    AccessControlBroker,
    /// The DCC WAN provider.
    WanProvider,
    /// The DCC transitional change-of-supplier party.
    TransitionalCos,
    /// A load controller: limits an auxiliary proportional controller's level (ECS47e).
    LoadController,
    /// The SMKI Organisation root: the trust anchor the certification path of a replacement
    /// certificate (CS02b / CS02g) must chain to. It originates no command. Declared last, so
    /// that the variant indices of the other roles (and so stored device state) are unchanged.
    Root,
}

/// The GBCS device types a use case can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceType {
    /// Electricity Smart Metering Equipment.
    Esme,
    /// Gas Smart Metering Equipment.
    Gsme,
    /// Communications Hub Function.
    Chf,
    /// Gas Proxy Function.
    Gpf,
    /// Prepayment Interface Device.
    Ppmid,
    /// HAN Connected Auxiliary Load Control Switch.
    Hcalcs,
    /// In-Home Display (type 2: takes no GBCS commands).
    Ihd,
}

/// How a use case's payloads are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadKind {
    /// DLMS COSEM Access-Request / Access-Response.
    Dlms,
    /// GBZ (ZigBee ZCL) components.
    Gbz,
    /// ASN.1 DER (GBCS module).
    Asn1,
}

/// Everything the catalogue knows about one GBCS use case.
#[derive(Debug)]
pub struct UseCaseSpec {
    /// Its GBCS name (`"ECS52"`).
    pub name: &'static str,
    /// Its message code.
    pub message_code: MessageCode,
    /// The device types that implement it.
    pub device_types: &'static [DeviceType],
    /// The remote-party roles allowed to originate it. Users that are not device trust anchors
    /// reach the device through the ACB, which originates on their behalf.
    pub originators: &'static [RemotePartyRole],
    /// Whether the command must carry the originator's signature (pre-command first).
    pub critical: bool,
    /// Whether the DCC (ACB) originates it on the user's behalf (18-byte other-information with
    /// the user as supplementary remote party, DCC-chosen counter).
    pub dcc_originated: bool,
    /// Whether the DCC signs the command it originates (with the originating role's DS key).
    pub dcc_signs: bool,
    /// The payload encoding.
    pub payload: PayloadKind,
    /// Decodes a command of this use case.
    pub decode_command: fn(&GeneralSigning) -> Result<DecodedCommand, CommandDecodeError>,
    /// Decodes a response payload of this use case.
    pub decode_response: fn(&[u8]) -> Result<ResponseOutcome, ResponseDecodeError>,
}

impl UseCaseSpec {
    /// Whether a device of type `t` implements it.
    pub fn supported_on(&self, t: DeviceType) -> bool {
        self.device_types.contains(&t)
    }

    /// Whether `role` may originate it.
    pub fn allows(&self, role: RemotePartyRole) -> bool {
        self.originators.contains(&role)
    }
}

/// Every catalogued use case.
pub static ALL: &[&UseCaseSpec] = &[
    &ecs52::SPEC,
    &gcs38::SPEC,
    &cs08::SPEC,
    // 8.7 Join Service, 8.8 Unjoin Service.
    &cs03a1::SPEC,
    &cs03a2::SPEC,
    &cs03b::SPEC,
    &cs03c::SPEC,
    &cs04ac::SPEC,
    &cs04b::SPEC,
    &ecs45::SPEC,
    &gcs33::SPEC,
    &ecs17b::SPEC,
    &gcs13a::SPEC,
    &ecs42::SPEC,
    &ecs43::SPEC,
    &gcs32::SPEC,
    &ecs44::SPEC,
    &gcs39::SPEC,
    &ecs47::SPEC,
    &ecs61a::SPEC,
    &ecs47a::SPEC,
    &ecs38::SPEC,
    // 7.9, 7.10, 7.11, 7.14, 7.15: boost button and auxiliary controller data.
    &ecs62::SPEC,
    &ecs61c::SPEC,
    &ecs61d::SPEC,
    &ecs61e::SPEC,
    &ecs47e::SPEC,
    &ecs70::SPEC,
    &gcs28::SPEC,
    &ccs01::SPEC,
    &ccs02::SPEC,
    // 6.15.1 Update Security Credentials (KRP).
    &cs02b::SPEC_SUPPLIER,
    &cs02b::SPEC_NETWORK_OPERATOR,
    &cs02b::SPEC_LOAD_CONTROLLER,
    &cs02b::SPEC_TRANS_COS,
    // 6.17 Issue Security Credentials, 6.15.2 Update Security Credentials (Device).
    &cs02c::SPEC,
    &cs02d::SPEC,
    // 6.24.1, 6.24.2 Retrieve Device Security Credentials (KRP, Device).
    &cs02a::SPEC_CS02A,
    &cs02a::SPEC_CS02F,
    &cs02e::SPEC,
    // 1.7 Reset Tariff Block Counter Matrix, 2.5 Activate Emergency Credit.
    &ecs05::SPEC,
    // 6.4.1, 6.4.2 load limiting.
    &ecs28a::SPEC,
    &ecs28b::SPEC,
    // 6.18.1, 6.18.2 maximum demand.
    &ecs37::SPEC,
    &ecs57::SPEC,
    // 6.26, 6.25.
    &ecs48::SPEC,
    &ecs81::SPEC,
    &ecs26c::SPEC,
    &ecs46a::SPEC,
    &ecs46c::SPEC,
    &ecs46d::SPEC,
    &ecs09::SPEC,
    &gcs06::SPEC,
    // 1.6 Update Payment Mode.
    &ecs02::SPEC,
    &ecs03::SPEC,
    &gcs02::SPEC,
    &gcs03::SPEC,
    // 2.3 Update Debt.
    &ecs07::SPEC,
    &gcs04::SPEC,
    // 2.1 Update Prepay Configuration.
    &ecs08::SPEC,
    &ecs08a::SPEC,
    &gcs05::SPEC,
    // 1.1 Update Import Tariff, 1.2 Update Price.
    &ecs01a::SPEC,
    &ecs01c::SPEC,
    &ecs01b::SPEC,
    &ecs01d::SPEC,
    &gcs01a::SPEC,
    &gcs01b::SPEC,
    // 1.5 Update Meter Balance.
    &ecs04::SPEC_A,
    &ecs04::SPEC_B,
    &gcs40::SPEC_A,
    &gcs40::SPEC_B,
    &gcs40::SPEC_C,
    &gcs40::SPEC_D,
    // Instantaneous reads.
    &ecs17a::SPEC,
    &ecs17d::SPEC,
    &ecs17e::SPEC,
    &ecs18a::SPEC,
    &ecs18b::SPEC,
    &ecs19::SPEC,
    &ecs27::SPEC,
    &ecs82::SPEC,
    &gcs13b::SPEC,
    &gcs13c::SPEC,
    &gcs14::SPEC,
    &gcs60::SPEC,
    &gcs60a::SPEC,
    // Read services (4.8, 4.10, 4.11, 4.13, 14.1).
    &ecs22a::SPEC,
    &ecs22b::SPEC,
    &ecs22c::SPEC,
    &ecs23::SPEC,
    &ecs23b::SPEC,
    &ecs24::SPEC,
    &ecs24b::SPEC,
    &ecs26a::SPEC,
    // 6.8, 6.2.3: the ESME billing calendar.
    &ecs30::SPEC,
    &ecs30a::SPEC,
    &ecs26d::SPEC,
    &ecs26l::SPEC,
    &gcs25::SPEC,
    &gcs25a::SPEC,
    &gcs21d::SPEC,
    &gcs21k::SPEC,
    // 6.6, 6.7, 6.2.8: the GSME gas configuration.
    &gcs23::SPEC,
    &gcs24::SPEC,
    &gcs24a::SPEC,
    &gcs21a::SPEC,
    &gcs17::SPEC,
    &gcs18::SPEC,
    &gcs21b::SPEC,
    &gcs21f::SPEC,
    &gcs31::SPEC,
    // 4.16 Read Active Power Import.
    &ecs17c::SPEC,
    // Log reads.
    &ecs20a::SPEC,
    &ecs20b::SPEC,
    &ecs20c::SPEC,
    &ecs20d::SPEC,
    &ecs21a::SPEC,
    &ecs21b::SPEC,
    &ecs21c::SPEC,
    &ecs66::SPEC,
    &gcs15b::SPEC,
    &gcs15c::SPEC,
    &gcs15d::SPEC,
    &gcs15e::SPEC,
    &gcs16a::SPEC,
    &gcs16b::SPEC,
    &gcs61::SPEC,
    // Supplier settings (DUIS 3.x).
    &ecs16::SPEC,
    &gcs44::SPEC,
    &ecs25a::SPEC,
    &ecs25a1::SPEC,
    &ecs25a2::SPEC,
    &ecs25a3::SPEC,
    &ecs25b::SPEC,
    &ecs25b3::SPEC,
    &ecs25r1::SPEC,
    &ecs25r2::SPEC,
    &gcs20::SPEC,
    &gcs20r::SPEC,
    &ecs35a::SPEC,
    &ecs35b::SPEC,
    &ecs35c::SPEC,
    &ecs35d::SPEC,
    &ecs35e::SPEC,
    &ecs35f::SPEC,
    &ecs35g::SPEC,
    &cs10a::SPEC,
    &cs10b::SPEC,
    // 11.3 Activate Firmware.
    &cs06::SPEC,
    &ecs14::SPEC,
    &gcs11::SPEC,
    // Customer identification number (DUIS 9.1).
    &ecs50::SPEC,
    &gcs36::SPEC,
    &ecs10::SPEC,
    &gcs07::SPEC,
    &ecs12::SPEC,
    &gcs09::SPEC,
    &cs11::SPEC,
    &ecs15a::SPEC,
    &ecs15c::SPEC,
    // 2.2 Top Up Device.
    &cs01a::SPEC,
    &cs01b::SPEC,
    // Dual-band Communications Hubs (DUIS 6.28–6.32).
    &dbch01::SPEC,
    &dbch02::SPEC,
    &dbch03::SPEC,
    &dbch04::SPEC,
    &dbch05::SPEC,
    // Family 6, power quality (6.5, 6.27, 6.2.1, 6.12, 6.2.5).
    &ecs29a::SPEC,
    &ecs29b::SPEC,
    &ecs29c::SPEC,
    &ecs29d::SPEC,
    &ecs29e::SPEC,
    &ecs29f::SPEC,
    &ecs26b::SPEC,
    &ecs26k::SPEC,
    &ecs34::SPEC,
    &ecs26f::SPEC,
    // Identity and MPxN (DUIS 6.20, 6.2.7).
    &ecs39a::SPEC,
    &ecs39b::SPEC,
    &ecs40::SPEC,
    &gcs41::SPEC,
    &gcs46::SPEC,
    // Payment mode read (DUIS 6.2.9).
    &ecs26j::SPEC,
    &gcs21j::SPEC,
    // Identity read (DUIS 6.2.4).
    &ecs26e::SPEC,
    &ecs26i::SPEC,
    &ecs26m::SPEC,
    &ecs26n::SPEC,
    &gcs21e::SPEC,
    &gcs21m::SPEC,
    // 8.9 Read Device Log.
    &cs07::SPEC,
    &ccs05::SPEC,
    &ccs06::SPEC,
    &ccs07::SPEC,
    // 8.12 Restore HAN Device Log.
    &ccs03::SPEC,
    &gcs59::SPEC,
];

/// The use case a message code stands for, if catalogued.
pub fn by_message_code(code: MessageCode) -> Option<&'static UseCaseSpec> {
    ALL.iter().copied().find(|s| s.message_code == code)
}

/// The use case, if catalogued and implemented by device type `t`.
pub fn supported_on(code: MessageCode, t: DeviceType) -> Option<&'static UseCaseSpec> {
    by_message_code(code).filter(|s| s.supported_on(t))
}

/// Why a command does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandDecodeError {
    /// The message code is not in the catalogue.
    #[error("message code {0:?} is not a catalogued use case")]
    UnknownUseCase(MessageCode),
    /// The APDU is not a command.
    #[error("not a command (CRA {0:?})")]
    NotACommand(Cra),
    /// The payload does not decode in the use case's encoding.
    #[error("payload does not decode: {0}")]
    Payload(#[from] DecodeError),
    /// The payload decodes but is not what the use case sends.
    #[error("not a {use_case} command: {reason}")]
    Format {
        /// The use case.
        use_case: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

/// What a command asks for, one variant per catalogued use case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DecodedCommand {
    /// ECS52 read ESME/CHF firmware version.
    Ecs52(DlmsRead),
    /// GCS38 read GSME firmware version.
    Gcs38(ZclRead),
    /// CS08 read PPMID/HCALCS firmware version (no parameters).
    Cs08,
    /// ECS45 read ESME supply status.
    Ecs45(DlmsRead),
    /// GCS33 read GSME supply status.
    Gcs33(ZclRead),
    /// ECS17b read ESME import energy registers (protected read).
    Ecs17b(ProtectedRead),
    /// GCS13a read GSME consumption register.
    Gcs13a(ZclRead),
    /// ECS42 enable supply (close the load switch).
    Ecs42(ScriptExecution),
    /// ECS43 disable supply (open the load switch).
    Ecs43(ScriptExecution),
    /// GCS32 disable gas supply (close the valve).
    Gcs32(ChangeSupply),
    /// ECS44 arm supply (arm the load switch).
    Ecs44(ScriptExecution),
    /// GCS39 arm gas supply (arm the valve).
    Gcs39(ChangeSupply),
    /// ECS47 activate, deactivate or reset an auxiliary load switch.
    Ecs47(AuxLoadCommand),
    /// ECS61a read auxiliary load switch data.
    Ecs61a(DlmsRead),
    /// ECS47a set an auxiliary controller's state.
    Ecs47a(AuxControllerState),
    /// ECS38 set the randomised offset limit (seconds).
    Ecs38(u16),
    /// ECS62 add auxiliary controllers to, or remove them from, the boost function.
    Ecs62(BoostAssociation),
    /// ECS61c read the boost function data (the boost log over the period).
    Ecs61c(LogPeriod),
    /// ECS61d read the auxiliary controller configuration data.
    Ecs61d(DlmsRead),
    /// ECS61e read the auxiliary controller operational data.
    Ecs61e(DlmsRead),
    /// ECS47e limit an auxiliary proportional controller's level (the load controller's).
    Ecs47e(AuxControllerState),
    /// ECS70 set ESME clock.
    Ecs70(ClockValidity),
    /// GCS28 set GSME clock.
    Gcs28(ClockValidity),
    /// CCS01 add a device to the CHF device log.
    Ccs01(DeviceLogAddition),
    /// CCS02 remove a device from the CHF device log.
    Ccs02(eui::Eui64),
    // 8.7 Join Service, 8.8 Unjoin Service.
    /// CS03A1: the join asked.
    Cs03a1(JoinCommand),
    /// CS03A2: the join asked.
    Cs03a2(JoinCommand),
    /// CS03B: the join asked.
    Cs03b(JoinCommand),
    /// CS03C: the join asked (with the other device's KA certificate).
    Cs03c(JoinCommand),
    /// CS04AC: the device to unjoin.
    Cs04ac(eui::Eui64),
    /// CS04B: the device to unjoin.
    Cs04b(eui::Eui64),
    /// CS02b/CS02g update security credentials by a known remote party (DUIS 6.15.1).
    Cs02b(Box<KrpUpdate>),
    /// CS02c issue security credentials: generate a key pair of this key usage
    /// ([`crate::credentials::KEY_USAGE_DS`], [`crate::credentials::KEY_USAGE_KA`]) and answer
    /// its certificate signing request (DUIS 6.17).
    Cs02c(u8),
    /// CS02d place this Device certificate (DER) on the device (DUIS 6.15.2).
    Cs02d(Vec<u8>),
    /// CS02a provide security credential details (DUIS 6.24.1, the ACB's MAC'd form).
    Cs02a(crate::credentials::CredentialDetailsRequest),
    /// CS02f provide security credential details, an ESME's (DUIS 6.24.1).
    Cs02f(crate::credentials::CredentialDetailsRequest),
    /// CS02e provide a device certificate (DUIS 6.24.2).
    Cs02e(crate::credentials::DeviceCertificateRequest),
    /// ECS05 reset the tariff block counter matrix (no parameters).
    Ecs05,
    /// ECS28a update the load limiting general settings.
    Ecs28a(LoadLimitSettings),
    /// ECS28b reset the load limit counter (no parameters).
    Ecs28b,
    /// ECS37 set the maximum demand configurable time period.
    Ecs37(MaxDemandPeriod),
    /// ECS57 reset maximum demand registers.
    Ecs57(MaxDemandResets),
    /// ECS48 daily reset of the tariff block counter matrix on (true) or off.
    Ecs48(bool),
    /// ECS81 supply tamper state: locked (true) or unchanged.
    Ecs81(bool),
    /// ECS26c read the randomisation configuration.
    Ecs26c(DlmsRead),
    /// ECS46a update the auxiliary load switch descriptions.
    Ecs46a(AuxDescriptions),
    /// ECS46c update the auxiliary load control scheduler.
    Ecs46c(AuxScheduler),
    /// ECS46d set the auxiliary controller calendar.
    Ecs46d(AuxCalendar),
    /// ECS09 activate emergency credit (no parameters).
    Ecs09,
    /// GCS06 activate emergency credit on the GSME.
    Gcs06(SelectEmergencyCredit),
    /// ECS02 switch the ESME to credit mode.
    Ecs02(CreditModeSwitch),
    /// ECS03 switch the ESME to prepayment mode.
    Ecs03(PrepaymentModeSwitch),
    /// GCS02 switch the GSME to credit mode.
    Gcs02(ChangePaymentMode),
    /// GCS03 switch the GSME to prepayment mode.
    Gcs03(ChangePaymentMode),
    /// ECS07 update the ESME's debt.
    Ecs07(EsmeDebtUpdate),
    /// GCS04 update the GSME's debt: time-based debts 1 and 2, payment-based debt.
    Gcs04(Box<[ChangeDebt; gcs04::DEBTS]>),
    /// ECS08 update the ESME's prepayment configuration (maximum meter balance attribute 2).
    Ecs08(Box<EsmePrepayConfig>),
    /// ECS08a update the ESME's prepayment configuration (maximum meter balance attribute 4).
    Ecs08a(Box<EsmePrepayConfig>),
    /// GCS05 update the GSME's prepayment configuration.
    Gcs05(Box<GasPrepayConfig>),
    /// ECS01a update the ESME's import tariff, primary element.
    Ecs01a(Box<PrimaryTariff>),
    /// ECS01c update the ESME's import tariff, secondary element.
    Ecs01c(Box<SecondaryTariff>),
    /// ECS01b update the ESME's prices, primary element.
    Ecs01b(PrimaryPrices),
    /// ECS01d update the ESME's prices, secondary element.
    Ecs01d(SecondaryPrices),
    /// ECS04a adjust the ESME's meter balance by the (signed) amount.
    Ecs04a(i32),
    /// ECS04b reset the ESME's meter balance.
    Ecs04b,
    /// GCS40a–d adjust or reset one of the GSME's meter balances.
    Gcs40(CreditAdjustment),
    /// GCS01a update the GSME's import tariff, primary element.
    Gcs01a(Box<GasTariffUpdate>),
    /// GCS01b update the GSME's prices, primary element.
    Gcs01b(GasPriceUpdate),
    // Instantaneous reads.
    /// ECS17a read ESME export energy registers.
    Ecs17a(DlmsRead),
    /// ECS17d read ESME TOU register matrix (protected read).
    Ecs17d(ProtectedRead),
    /// ECS17e read ESME TOU-with-blocks register matrix (protected read).
    Ecs17e(ProtectedRead),
    /// ECS18a read export maximum demand registers.
    Ecs18a(DlmsRead),
    /// ECS18b read import maximum demand registers.
    Ecs18b(DlmsRead),
    /// ECS19 read ESME prepayment registers (protected read).
    Ecs19(ProtectedRead),
    /// ECS27 read ESME load limit data.
    Ecs27(DlmsRead),
    /// ECS82 read ESME meter balance.
    Ecs82(DlmsRead),
    /// GCS13b read GSME block counters.
    Gcs13b(ZclRead),
    /// GCS13c read GSME TOU registers.
    Gcs13c(ZclRead),
    /// GCS14 read GSME prepayment registers (price and prepayment components).
    Gcs14(Vec<ZclRead>),
    /// GCS60 read GSME meter balance (metering and prepayment components).
    Gcs60(Vec<ZclRead>),
    /// GCS60a read GSME meter balance, GPF variant.
    Gcs60a(Vec<ZclRead>),
    // Read services (4.8, 4.10, 4.11, 4.13, 14.1).
    /// ECS22a read ESME export profile data.
    Ecs22a(GetListRead),
    /// ECS22b read ESME active import profile data (protected): the period.
    Ecs22b(ReadPeriod),
    /// ECS22c read ESME reactive import profile data.
    Ecs22c(GetListRead),
    /// ECS23 read ESME network data.
    Ecs23(GetListRead),
    /// ECS23b read polyphase ESME network data.
    Ecs23b(GetListRead),
    /// ECS24 read ESME tariff (primary element).
    Ecs24(GetListRead),
    /// ECS24b read ESME tariff (secondary element).
    Ecs24b(GetListRead),
    /// ECS26a read ESME prepayment configuration.
    Ecs26a(GetListRead),
    /// ECS30 set the ESME billing calendar (one entry).
    Ecs30(Vec<billing_calendar::ExecutionTime>),
    /// ECS30a set the ESME billing calendar (all periodicities).
    Ecs30a(Vec<billing_calendar::ExecutionTime>),
    /// ECS26d read the ESME billing calendar.
    Ecs26d(DlmsRead),
    /// ECS26l read the ESME billing calendar (all periodicities).
    Ecs26l(DlmsRead),
    /// GCS25 set the GSME billing calendar.
    Gcs25(gas_billing_calendar::GasBillingPeriod),
    /// GCS25a set the GSME billing calendar (all periodicities).
    Gcs25a(gas_billing_calendar::GasBillingPeriod),
    /// GCS21d read the GSME billing calendar.
    Gcs21d,
    /// GCS21k read the GSME billing calendar (all periodicities).
    Gcs21k,
    /// GCS23 update the GSME gas conversion.
    Gcs23(gas_configuration::GasConversion),
    /// GCS24 update the GSME gas flow configuration.
    Gcs24(gas_configuration::GasFlow),
    /// GCS24a update the GSME gas flow configuration (decimal threshold).
    Gcs24a(gas_configuration::GasFlow),
    /// GCS21a read the GSME gas configuration.
    Gcs21a(GbzReadSet),
    /// GCS17 read GSME profile data.
    Gcs17(GetSampledData),
    /// GCS18 read GSME network data.
    Gcs18(GetSampledData),
    /// GCS21b read GSME prepayment configuration.
    Gcs21b(GbzReadSet),
    /// GCS21f read GSME tariff.
    Gcs21f(GbzReadSet),
    /// GCS31 start recording gas network data.
    Gcs31(StartSampling),
    /// ECS17c read ESME active power import.
    Ecs17c(DlmsRead),
    // Log reads.
    /// ECS20a read ESME debt payments log.
    Ecs20a(RangeRead),
    /// ECS20b read ESME change of mode / tariff triggered billing data log.
    Ecs20b(ProtectedRangeRead),
    /// ECS20c read ESME billing calendar triggered billing data log.
    Ecs20c(ProtectedRangeRead),
    /// ECS20d read ESME prepayment credits log.
    Ecs20d(RangeRead),
    /// ECS21a read electricity daily read log.
    Ecs21a(ProtectedRangeRead),
    /// ECS21b read electricity prepayment daily read log.
    Ecs21b(ProtectedRangeRead),
    /// ECS21c read electricity export daily read log.
    Ecs21c(RangeRead),
    /// ECS66 read ESME daily consumption log.
    Ecs66(ProtectedRangeRead),
    /// GCS15b read GSME change of mode / tariff triggered billing data log.
    Gcs15b(SnapshotRead),
    /// GCS15c read GSME billing calendar triggered billing data log.
    Gcs15c(SnapshotRead),
    /// GCS15d read GSME debt payments log (the period).
    Gcs15d(LogPeriod),
    /// GCS15e read GSME prepayment credits log (the period).
    Gcs15e(LogPeriod),
    /// GCS16a read GSME daily read log.
    Gcs16a(SnapshotRead),
    /// GCS16b read GSME prepayment daily read log.
    Gcs16b(SnapshotRead),
    /// GCS61 read gas daily consumption log (the period the samples cover).
    Gcs61(LogPeriod),
    // Supplier settings (DUIS 3.x).
    /// ECS16 update the supplier name and telephone number (ESME).
    Ecs16(SupplierContact),
    /// GCS44 update the supplier name and contact details (GSME).
    Gcs44(SupplierChange),
    // Identity and MPxN (DUIS 6.20, 6.2.7).
    /// ECS39a set the import MPAN(s) (ESME).
    Ecs39a(ImportMpans),
    /// ECS39b set the export MPAN (ESME): 13 digits.
    Ecs39b(Vec<u8>),
    /// ECS40 read the MPANs (ESME).
    Ecs40(DlmsRead),
    /// GCS41 set the MPRN (GSME).
    Gcs41(SiteIdUpdate),
    /// GCS46 read the MPRN (GSME).
    Gcs46(ZclRead),
    /// ECS26j read the payment mode (ESME).
    Ecs26j(DlmsRead),
    /// GCS21j read the payment mode (GSME).
    Gcs21j(ZclRead),
    /// ECS26e read the identity (ESME, before GBCS 4.0).
    Ecs26e(DlmsRead),
    /// ECS26i read the identity (CHF, before GBCS 4.0).
    Ecs26i(DlmsRead),
    /// ECS26m read the identity (ESME).
    Ecs26m(DlmsRead),
    /// ECS26n read the identity (CHF).
    Ecs26n(DlmsRead),
    /// GCS21e read the identity (GSME, before GBCS 4.0).
    Gcs21e(Vec<ZclRead>),
    /// GCS21m read the identity (GSME).
    Gcs21m(Vec<ZclRead>),
    /// ECS14 disable privacy PIN protection (ESME).
    Ecs14,
    /// GCS11 disable privacy PIN protection (GSME).
    Gcs11(PasswordCleared),
    /// ECS10 display a supplier message (ESME).
    Ecs10(SupplierMessage),
    /// GCS07 display a supplier message (GSME).
    Gcs07(MessageDisplay),
    /// ECS12 restrict access for change of tenancy (ESME): the restriction instant.
    Ecs12(crate::datetime::UtcDateTime),
    /// GCS09 restrict access for change of tenancy (GPF).
    Gcs09(TenancyChange),
    /// CS11 clear the general event log (GSME).
    Cs11,
    /// ECS15a clear the ESME event log.
    Ecs15a,
    /// ECS15c clear the ALCS / HCALCS event log (ESME).
    Ecs15c,
    /// CS01a apply a prepayment top-up to an ESME: the UTRN.
    Cs01a(TopUp),
    /// CS01b apply a prepayment top-up to a GSME: the UTRN.
    Cs01b(TopUp),
    /// ECS50 send a customer identification number to an ESME.
    Ecs50(Cin),
    /// GCS36 send a customer identification number to a GSME.
    Gcs36(CinUpdate),
    /// ECS25a, ECS25a1, ECS25a2, ECS25a3, ECS25b, ECS25b3 set ESME alert / event behaviours
    /// (the filter says which use case).
    AlertBehaviour(AlertBehaviourChange),
    /// ECS25r1 read the supplier's ESME alert / event behaviours.
    Ecs25r1(DlmsRead),
    /// ECS25r2 read the network operator's ESME alert / event behaviours.
    Ecs25r2(DlmsRead),
    /// GCS20 set GSME alert / event behaviours.
    Gcs20(GasAlertBehaviour),
    /// GCS20r read GSME alert / event behaviours.
    Gcs20r,
    // Dual-band Communications Hubs (DUIS 6.28–6.32).
    /// DBCH01 read the CHF's operating sub-GHz channel.
    Dbch01,
    /// DBCH02 read the CHF's sub-GHz channel log over the period.
    Dbch02(ChannelLogPeriod),
    /// DBCH03 read the CHF's sub-GHz configuration.
    Dbch03,
    /// DBCH04 set the CHF's sub-GHz configuration.
    Dbch04(SubGhzConfiguration),
    /// DBCH05 request a CHF sub-GHz channel scan.
    Dbch05,
    // Family 6, power quality.
    /// ECS29a set the voltage configuration (single phase), counters reset.
    Ecs29a(Box<VoltageConfig>),
    /// ECS29b set the voltage configuration (polyphase), counters reset.
    Ecs29b(Box<VoltageConfig>),
    /// ECS29c set the voltage configuration (single phase), counters kept.
    Ecs29c(Box<VoltageConfig>),
    /// ECS29d set the voltage configuration (polyphase), counters kept.
    Ecs29d(Box<VoltageConfig>),
    /// ECS29e reset the RMS voltage counters (single phase).
    Ecs29e,
    /// ECS29f reset the RMS voltage counters (polyphase).
    Ecs29f,
    /// ECS26b read the voltage configuration (single phase).
    Ecs26b(GetListRead),
    /// ECS26k read the voltage configuration (polyphase).
    Ecs26k(GetListRead),
    /// ECS34 set the instantaneous power thresholds.
    Ecs34(PowerThresholds),
    /// ECS26f read the instantaneous power thresholds.
    Ecs26f(GetListRead),
    /// ECS35a read the ESME event log.
    Ecs35a(RangeRead),
    /// ECS35b read the ESME security log.
    Ecs35b(RangeRead),
    /// ECS35c read the CHF event log.
    Ecs35c(RangeRead),
    /// ECS35d read the CHF security log.
    Ecs35d(RangeRead),
    /// ECS35e read the ESME power event log.
    Ecs35e(RangeRead),
    /// ECS35f read the ESME ALCS event log.
    Ecs35f(RangeRead),
    /// ECS35g read the ESME auxiliary controller event log.
    Ecs35g(RangeRead),
    /// CS10a read a ZigBee device's event log: the period.
    Cs10a(LogPeriod),
    /// CS10b read a ZigBee device's security log: the period.
    Cs10b(LogPeriod),
    /// CS06 activate firmware: the image's hash and when.
    Cs06(cs06::ActivateFirmware),
    // 8.9 Read Device Log.
    /// CS07 read device join details (no parameters).
    Cs07,
    /// CCS04/CCS05 read the CHF device log (no parameters).
    Ccs05,
    /// CCS06 read the CHF device log and check HAN communications (no parameters).
    Ccs06,
    /// CCS07 read the CHF device logs with security details (no parameters).
    Ccs07,
    // 8.12 Restore HAN Device Log.
    /// CCS03 restore the CHF device log: the network and its devices.
    Ccs03(ccs03::RestorePan),
    /// GCS59 restore the GPF device log: its entries.
    Gcs59(Vec<han_logs::HanLogEntry>),
}

impl DecodedCommand {
    /// The use case.
    pub fn spec(&self) -> &'static UseCaseSpec {
        match self {
            DecodedCommand::Ecs52(_) => &ecs52::SPEC,
            DecodedCommand::Gcs38(_) => &gcs38::SPEC,
            DecodedCommand::Cs08 => &cs08::SPEC,
            DecodedCommand::Ecs45(_) => &ecs45::SPEC,
            DecodedCommand::Gcs33(_) => &gcs33::SPEC,
            DecodedCommand::Ecs17b(_) => &ecs17b::SPEC,
            DecodedCommand::Gcs13a(_) => &gcs13a::SPEC,
            DecodedCommand::Ecs42(_) => &ecs42::SPEC,
            DecodedCommand::Ecs43(_) => &ecs43::SPEC,
            DecodedCommand::Gcs32(_) => &gcs32::SPEC,
            DecodedCommand::Ecs44(_) => &ecs44::SPEC,
            DecodedCommand::Gcs39(_) => &gcs39::SPEC,
            DecodedCommand::Ecs47(_) => &ecs47::SPEC,
            DecodedCommand::Ecs61a(_) => &ecs61a::SPEC,
            DecodedCommand::Ecs47a(_) => &ecs47a::SPEC,
            DecodedCommand::Ecs38(_) => &ecs38::SPEC,
            DecodedCommand::Ecs62(_) => &ecs62::SPEC,
            DecodedCommand::Ecs61c(_) => &ecs61c::SPEC,
            DecodedCommand::Ecs61d(_) => &ecs61d::SPEC,
            DecodedCommand::Ecs61e(_) => &ecs61e::SPEC,
            DecodedCommand::Ecs47e(_) => &ecs47e::SPEC,
            DecodedCommand::Ecs70(_) => &ecs70::SPEC,
            DecodedCommand::Gcs28(_) => &gcs28::SPEC,
            DecodedCommand::Ccs01(_) => &ccs01::SPEC,
            DecodedCommand::Ccs02(_) => &ccs02::SPEC,
            // 8.7 Join Service, 8.8 Unjoin Service.
            DecodedCommand::Cs03a1(_) => &cs03a1::SPEC,
            DecodedCommand::Cs03a2(_) => &cs03a2::SPEC,
            DecodedCommand::Cs03b(_) => &cs03b::SPEC,
            DecodedCommand::Cs03c(_) => &cs03c::SPEC,
            DecodedCommand::Cs04ac(_) => &cs04ac::SPEC,
            DecodedCommand::Cs04b(_) => &cs04b::SPEC,
            DecodedCommand::Cs02b(c) => c.party.spec(),
            DecodedCommand::Cs02c(_) => &cs02c::SPEC,
            DecodedCommand::Cs02d(_) => &cs02d::SPEC,
            DecodedCommand::Cs02a(_) => &cs02a::SPEC_CS02A,
            DecodedCommand::Cs02f(_) => &cs02a::SPEC_CS02F,
            DecodedCommand::Cs02e(_) => &cs02e::SPEC,
            DecodedCommand::Ecs05 => &ecs05::SPEC,
            DecodedCommand::Ecs28a(_) => &ecs28a::SPEC,
            DecodedCommand::Ecs28b => &ecs28b::SPEC,
            DecodedCommand::Ecs37(_) => &ecs37::SPEC,
            DecodedCommand::Ecs57(_) => &ecs57::SPEC,
            DecodedCommand::Ecs48(_) => &ecs48::SPEC,
            DecodedCommand::Ecs81(_) => &ecs81::SPEC,
            DecodedCommand::Ecs26c(_) => &ecs26c::SPEC,
            DecodedCommand::Ecs46a(_) => &ecs46a::SPEC,
            DecodedCommand::Ecs46c(_) => &ecs46c::SPEC,
            DecodedCommand::Ecs46d(_) => &ecs46d::SPEC,
            DecodedCommand::Ecs09 => &ecs09::SPEC,
            DecodedCommand::Gcs06(_) => &gcs06::SPEC,
            DecodedCommand::Ecs02(_) => &ecs02::SPEC,
            DecodedCommand::Ecs03(_) => &ecs03::SPEC,
            DecodedCommand::Gcs02(_) => &gcs02::SPEC,
            DecodedCommand::Gcs03(_) => &gcs03::SPEC,
            DecodedCommand::Ecs07(_) => &ecs07::SPEC,
            DecodedCommand::Gcs04(_) => &gcs04::SPEC,
            DecodedCommand::Ecs08(_) => &ecs08::SPEC,
            DecodedCommand::Ecs08a(_) => &ecs08a::SPEC,
            DecodedCommand::Gcs05(_) => &gcs05::SPEC,
            DecodedCommand::Ecs01a(_) => &ecs01a::SPEC,
            DecodedCommand::Ecs01c(_) => &ecs01c::SPEC,
            DecodedCommand::Ecs01b(_) => &ecs01b::SPEC,
            DecodedCommand::Ecs01d(_) => &ecs01d::SPEC,
            DecodedCommand::Ecs04a(_) => &ecs04::SPEC_A,
            DecodedCommand::Ecs04b => &ecs04::SPEC_B,
            DecodedCommand::Gcs40(c) => c.adjustment.spec(),
            DecodedCommand::Gcs01a(_) => &gcs01a::SPEC,
            DecodedCommand::Gcs01b(_) => &gcs01b::SPEC,
            // Instantaneous reads.
            DecodedCommand::Ecs17a(_) => &ecs17a::SPEC,
            DecodedCommand::Ecs17d(_) => &ecs17d::SPEC,
            DecodedCommand::Ecs17e(_) => &ecs17e::SPEC,
            DecodedCommand::Ecs18a(_) => &ecs18a::SPEC,
            DecodedCommand::Ecs18b(_) => &ecs18b::SPEC,
            DecodedCommand::Ecs19(_) => &ecs19::SPEC,
            DecodedCommand::Ecs27(_) => &ecs27::SPEC,
            DecodedCommand::Ecs82(_) => &ecs82::SPEC,
            DecodedCommand::Gcs13b(_) => &gcs13b::SPEC,
            DecodedCommand::Gcs13c(_) => &gcs13c::SPEC,
            DecodedCommand::Gcs14(_) => &gcs14::SPEC,
            DecodedCommand::Gcs60(_) => &gcs60::SPEC,
            DecodedCommand::Gcs60a(_) => &gcs60a::SPEC,
            // Read services (4.8, 4.10, 4.11, 4.13, 14.1).
            DecodedCommand::Ecs22a(_) => &ecs22a::SPEC,
            DecodedCommand::Ecs22b(_) => &ecs22b::SPEC,
            DecodedCommand::Ecs22c(_) => &ecs22c::SPEC,
            DecodedCommand::Ecs23(_) => &ecs23::SPEC,
            DecodedCommand::Ecs23b(_) => &ecs23b::SPEC,
            DecodedCommand::Ecs24(_) => &ecs24::SPEC,
            DecodedCommand::Ecs24b(_) => &ecs24b::SPEC,
            DecodedCommand::Ecs26a(_) => &ecs26a::SPEC,
            DecodedCommand::Ecs30(_) => &ecs30::SPEC,
            DecodedCommand::Ecs30a(_) => &ecs30a::SPEC,
            DecodedCommand::Ecs26d(_) => &ecs26d::SPEC,
            DecodedCommand::Ecs26l(_) => &ecs26l::SPEC,
            DecodedCommand::Gcs25(_) => &gcs25::SPEC,
            DecodedCommand::Gcs25a(_) => &gcs25a::SPEC,
            DecodedCommand::Gcs21d => &gcs21d::SPEC,
            DecodedCommand::Gcs21k => &gcs21k::SPEC,
            DecodedCommand::Gcs17(_) => &gcs17::SPEC,
            DecodedCommand::Gcs18(_) => &gcs18::SPEC,
            DecodedCommand::Gcs21b(_) => &gcs21b::SPEC,
            DecodedCommand::Gcs23(_) => &gcs23::SPEC,
            DecodedCommand::Gcs24(_) => &gcs24::SPEC,
            DecodedCommand::Gcs24a(_) => &gcs24a::SPEC,
            DecodedCommand::Gcs21a(_) => &gcs21a::SPEC,
            DecodedCommand::Gcs21f(_) => &gcs21f::SPEC,
            DecodedCommand::Gcs31(_) => &gcs31::SPEC,
            DecodedCommand::Ecs17c(_) => &ecs17c::SPEC,
            // Log reads.
            DecodedCommand::Ecs20a(_) => &ecs20a::SPEC,
            DecodedCommand::Ecs20b(_) => &ecs20b::SPEC,
            DecodedCommand::Ecs20c(_) => &ecs20c::SPEC,
            DecodedCommand::Ecs20d(_) => &ecs20d::SPEC,
            DecodedCommand::Ecs21a(_) => &ecs21a::SPEC,
            DecodedCommand::Ecs21b(_) => &ecs21b::SPEC,
            DecodedCommand::Ecs21c(_) => &ecs21c::SPEC,
            DecodedCommand::Ecs66(_) => &ecs66::SPEC,
            DecodedCommand::Gcs15b(_) => &gcs15b::SPEC,
            DecodedCommand::Gcs15c(_) => &gcs15c::SPEC,
            DecodedCommand::Gcs15d(_) => &gcs15d::SPEC,
            DecodedCommand::Gcs15e(_) => &gcs15e::SPEC,
            DecodedCommand::Gcs16a(_) => &gcs16a::SPEC,
            DecodedCommand::Gcs16b(_) => &gcs16b::SPEC,
            DecodedCommand::Gcs61(_) => &gcs61::SPEC,
            DecodedCommand::Ecs16(_) => &ecs16::SPEC,
            DecodedCommand::Gcs44(_) => &gcs44::SPEC,
            DecodedCommand::Ecs39a(_) => &ecs39a::SPEC,
            DecodedCommand::Ecs39b(_) => &ecs39b::SPEC,
            DecodedCommand::Ecs40(_) => &ecs40::SPEC,
            DecodedCommand::Gcs41(_) => &gcs41::SPEC,
            DecodedCommand::Gcs46(_) => &gcs46::SPEC,
            DecodedCommand::Ecs26j(_) => &ecs26j::SPEC,
            DecodedCommand::Gcs21j(_) => &gcs21j::SPEC,
            DecodedCommand::Ecs26e(_) => &ecs26e::SPEC,
            DecodedCommand::Ecs26i(_) => &ecs26i::SPEC,
            DecodedCommand::Ecs26m(_) => &ecs26m::SPEC,
            DecodedCommand::Ecs26n(_) => &ecs26n::SPEC,
            DecodedCommand::Gcs21e(_) => &gcs21e::SPEC,
            DecodedCommand::Gcs21m(_) => &gcs21m::SPEC,
            DecodedCommand::Ecs14 => &ecs14::SPEC,
            DecodedCommand::Gcs11(_) => &gcs11::SPEC,
            DecodedCommand::Ecs50(_) => &ecs50::SPEC,
            DecodedCommand::Gcs36(_) => &gcs36::SPEC,
            DecodedCommand::Ecs10(_) => &ecs10::SPEC,
            DecodedCommand::Gcs07(_) => &gcs07::SPEC,
            DecodedCommand::Ecs12(_) => &ecs12::SPEC,
            DecodedCommand::Gcs09(_) => &gcs09::SPEC,
            DecodedCommand::Cs11 => &cs11::SPEC,
            DecodedCommand::Ecs15a => &ecs15a::SPEC,
            DecodedCommand::Ecs15c => &ecs15c::SPEC,
            DecodedCommand::Cs01a(_) => &cs01a::SPEC,
            DecodedCommand::Cs01b(_) => &cs01b::SPEC,
            DecodedCommand::AlertBehaviour(c) => match c.filter {
                AlertFilter::SupplierWan => &ecs25a::SPEC,
                AlertFilter::SupplierHan => &ecs25a1::SPEC,
                AlertFilter::SupplierAudible => &ecs25a2::SPEC,
                AlertFilter::SupplierLogging => &ecs25a3::SPEC,
                AlertFilter::NetworkWan => &ecs25b::SPEC,
                AlertFilter::NetworkLogging => &ecs25b3::SPEC,
            },
            DecodedCommand::Ecs25r1(_) => &ecs25r1::SPEC,
            DecodedCommand::Ecs25r2(_) => &ecs25r2::SPEC,
            DecodedCommand::Gcs20(_) => &gcs20::SPEC,
            DecodedCommand::Gcs20r => &gcs20r::SPEC,
            DecodedCommand::Dbch01 => &dbch01::SPEC,
            DecodedCommand::Dbch02(_) => &dbch02::SPEC,
            DecodedCommand::Dbch03 => &dbch03::SPEC,
            DecodedCommand::Dbch04(_) => &dbch04::SPEC,
            DecodedCommand::Dbch05 => &dbch05::SPEC,
            DecodedCommand::Ecs29a(_) => &ecs29a::SPEC,
            DecodedCommand::Ecs29b(_) => &ecs29b::SPEC,
            DecodedCommand::Ecs29c(_) => &ecs29c::SPEC,
            DecodedCommand::Ecs29d(_) => &ecs29d::SPEC,
            DecodedCommand::Ecs29e => &ecs29e::SPEC,
            DecodedCommand::Ecs29f => &ecs29f::SPEC,
            DecodedCommand::Ecs26b(_) => &ecs26b::SPEC,
            DecodedCommand::Ecs26k(_) => &ecs26k::SPEC,
            DecodedCommand::Ecs34(_) => &ecs34::SPEC,
            DecodedCommand::Ecs26f(_) => &ecs26f::SPEC,
            DecodedCommand::Ecs35a(_) => &ecs35a::SPEC,
            DecodedCommand::Ecs35b(_) => &ecs35b::SPEC,
            DecodedCommand::Ecs35c(_) => &ecs35c::SPEC,
            DecodedCommand::Ecs35d(_) => &ecs35d::SPEC,
            DecodedCommand::Ecs35e(_) => &ecs35e::SPEC,
            DecodedCommand::Ecs35f(_) => &ecs35f::SPEC,
            DecodedCommand::Ecs35g(_) => &ecs35g::SPEC,
            DecodedCommand::Cs10a(_) => &cs10a::SPEC,
            DecodedCommand::Cs10b(_) => &cs10b::SPEC,
            DecodedCommand::Cs06(_) => &cs06::SPEC,
            // 8.9 Read Device Log.
            DecodedCommand::Cs07 => &cs07::SPEC,
            DecodedCommand::Ccs05 => &ccs05::SPEC,
            DecodedCommand::Ccs06 => &ccs06::SPEC,
            DecodedCommand::Ccs07 => &ccs07::SPEC,
            // 8.12 Restore HAN Device Log.
            DecodedCommand::Ccs03(_) => &ccs03::SPEC,
            DecodedCommand::Gcs59(_) => &gcs59::SPEC,
        }
    }
}

/// Decodes a command (or pre-command) of a catalogued use case: the message code picks the use
/// case, whose decoder checks that the payload is exactly in its format (bound to the command's
/// counter and titles where GBCS binds it) and returns the typed parameters.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    if apdu.cra != Cra::Command {
        return Err(CommandDecodeError::NotACommand(apdu.cra));
    }
    let code = apdu.message_code();
    let spec = by_message_code(code).ok_or(CommandDecodeError::UnknownUseCase(code))?;
    (spec.decode_command)(apdu)
}

/// Why a response payload does not decode as the use case's response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseDecodeError {
    /// The message code is not in the catalogue.
    #[error("message code {0:?} is not a catalogued use case")]
    UnknownUseCase(MessageCode),
    /// The payload does not decode.
    #[error("payload does not decode: {0}")]
    Payload(#[from] DecodeError),
    /// The payload decodes but is not a response of the use case.
    #[error("not the use case's response: {0}")]
    Format(&'static str),
}

/// How a device reports that a command failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// A DLMS data-access-result / action-result other than success (0), for request `index`
    /// (the first one that is not success): 1 hardware-fault, 3 read-write-denied, 4
    /// object-undefined (use case not supported), 250 other-reason (not executed)…
    Dlms {
        /// Which request (0-based).
        index: usize,
        /// The result code.
        result: u8,
    },
    /// A ZCL Default Response with a non-success status: `0x81` UNSUP_CLUSTER_COMMAND, `0x82`
    /// UNSUP_GENERAL_COMMAND (use case not supported), `0xC0` HARDWARE_FAILURE…
    ZclDefaultResponse {
        /// The command it answers.
        command: u8,
        /// The ZCL status.
        status: u8,
    },
    /// A Read Attributes Response record with a non-success status.
    ZclAttribute {
        /// The attribute.
        attribute: u16,
        /// The ZCL status (`0x86` UNSUPPORTED_ATTRIBUTE, `0xC0` HARDWARE_FAILURE…).
        status: u8,
    },
    /// A use-case specific result other than success (ASN.1 GCS28: 2 = outside the validity
    /// interval; CS08: non-zero; CS11: the Cleared Events Logs bitmap without the general event
    /// log's bit, `0x00` in the RTDS ERROR vector).
    Result {
        /// The result code.
        code: u8,
    },
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseValue {
    /// Done, no data (supply switching, device log changes).
    Done,
    /// A firmware version (ECS52, GCS38, CS08).
    FirmwareVersion(Vec<u8>),
    /// The DLMS disconnect-control state (ECS45: 0 disconnected, 1 connected, 2 ready for
    /// reconnection).
    ControlState(u8),
    /// Plaintext ZCL attribute values (GCS33).
    Attributes(Vec<AttributeRecord>),
    /// An encrypted block only the requester can open (ECS17b, GCS13a): the outcome is inside
    /// it and the DCC passes it through unread.
    Protected(Vec<u8>),
    /// The clock was set; the device time it reports.
    ClockSet {
        /// The device time after setting.
        device_time: crate::datetime::UtcDateTime,
    },
    /// A ZSE Supply Status Response (GCS32).
    SupplyStatus(SupplyStatusResponse),
    // Instantaneous reads.
    /// The values of a multi-object DLMS GET (a GET list), in request order (ECS17a, ECS18a,
    /// ECS18b, ECS27, ECS82; profile buffers, network data, tariff, prepayment configuration).
    DlmsValues(Vec<crate::axdr::Data>),
    /// Each component's answer to a multi-component GBZ read (GCS14, GCS60, GCS60a).
    ClusterReads(Vec<ClusterRead>),
    // Read services (4.8, 4.10, 4.11, 4.13, 14.1).
    /// A plaintext ZSE Get Sampled Data Response.
    SampledData(SampledData),
    /// The sample id a ZSE Start Sampling Response gives (GCS31).
    SampleId(u16),
    /// Each alert code's ZSE event configuration byte, as a GSME reports them (GCS20r).
    EventConfigurations(Vec<(u16, u8)>),
    /// The plaintext components of a GBZ read set's answer (GCS21f, GCS21b).
    Components(Vec<crate::gbz::GbzComponent>),
    /// The active power import (ECS17c).
    ActivePowerImport(ecs17c::ActivePowerImport),
    /// Log entries in the clear (ECS20a, ECS20d, ECS21c), empty when none is in the period.
    LogEntries(Vec<LogEntry>),
    /// The entries of an event or security log read (ECS35a, ECS35b, ECS35c, ECS35d).
    EventLogEntries(Vec<EventLogEntry>),
    /// The entries of a power event log read (ECS35e).
    PowerEventLogEntries(Vec<PowerEventLogEntry>),
    /// The entries of an ALCS / auxiliary controller event log read (ECS35f, ECS35g).
    AlcsEventLogEntries(Vec<AlcsEventLogEntry>),
    /// A GBZ log response (GCS15b–e, GCS16a–b, GCS61): per component, a protected block, a
    /// plaintext response, or NOT_FOUND (no entry in the period).
    GbzLog(Vec<GbzLogPart>),
    /// A ZSE Change Payment Mode Response (GCS02, GCS03).
    PaymentModeChanged(ChangePaymentModeResponse),
    /// A ZSE Consumer Top Up Response that accepted the UTRN (CS01b).
    TopUp(TopUpResponse),
    /// A dual-band CHF's sub-GHz configuration (DBCH03).
    SubGhzConfiguration(SubGhzConfiguration),
    /// A dual-band CHF's operating sub-GHz channel (DBCH01).
    SubGhzChannel(SubGhzChannel),
    /// A dual-band CHF's sub-GHz channel log entries in the period (DBCH02).
    SubGhzChannelLog(Vec<ChannelLogEntry>),
    /// The ESME billing calendar's entries (ECS26d, ECS26l).
    BillingCalendar(Vec<billing_calendar::ExecutionTime>),
    /// The GSME billing period (GCS21d, GCS21k).
    GasBillingPeriod(gas_billing_calendar::GasBillingPeriod),
    /// Every trust anchor replacement done (CS02b, CS02g): the device's execution outcome.
    CredentialsReplaced(Box<crate::credentials::ExecutionOutcome>),
    /// The certificate signing request for the key pair the device generated (CS02c).
    CertificateSigningRequest(Box<cs02c::DeviceCsr>),
    /// Every party's credential details (CS02a, CS02f).
    CredentialDetails(Box<crate::credentials::CredentialDetailsResponse>),
    /// The device's certificate, DER (CS02e).
    DeviceCertificate(Vec<u8>),
    // 8.9 Read Device Log.
    /// A device's device log: the devices it has joined and their types (CS07).
    HanJoinDetails(Vec<han_logs::HanLogEntry>),
    /// The CHF's active devices (CCS04/CCS05, CCS06).
    ActiveDevices(Vec<han_logs::ActiveDevice>),
    /// The CHF's current and historic device logs with security details (CCS07).
    ChfDeviceLogs(Box<han_logs::ChfDeviceLogs>),
    // 8.12 Restore HAN Device Log.
    /// Every entry restored to the GPF device log (GCS59).
    DeviceLogRestored(Vec<han_logs::HanLogEntry>),
}

/// What a device answered to a command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseOutcome {
    /// The command succeeded.
    Success(ResponseValue),
    /// The command failed, as the device reports it.
    Failure(Failure),
}

impl ResponseOutcome {
    /// Whether it is a failure.
    pub fn is_failure(&self) -> bool {
        matches!(self, ResponseOutcome::Failure(_))
    }
}

/// Decodes the response payload of a catalogued use case.
pub fn decode_response(
    code: MessageCode,
    content: &[u8],
) -> Result<ResponseOutcome, ResponseDecodeError> {
    let spec = by_message_code(code).ok_or(ResponseDecodeError::UnknownUseCase(code))?;
    (spec.decode_response)(content)
}

/// Success or failure of any response payload, as far as the DCC can tell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseClass {
    /// The device reports success.
    Success,
    /// The device reports failure.
    Failure(Failure),
    /// The payload is not one whose outcome the DCC can read (an ASN.1 response of a use case
    /// outside the catalogue, or bytes no codec accepts).
    Unknown,
}

impl ResponseClass {
    /// Whether the device reports failure.
    pub fn is_failure(&self) -> bool {
        matches!(self, ResponseClass::Failure(_))
    }
}

/// Classifies a device's response payload (`content` of a CRA 2 APDU with message code `code`)
/// as success or failure: the DCC answers the user with a failure response code instead of I0
/// when this says [`ResponseClass::Failure`].
///
/// Catalogued use cases use their response decoder. Anything else is judged generically: a
/// DLMS Access-Response fails if any result is not success; a GBZ response fails if a component
/// is a ZCL Default Response with a non-success status or a Read Attributes Response record has
/// a non-success status (encrypted components count as success: only the requester can open
/// them); other payloads are [`ResponseClass::Unknown`]. The "not supported" answers of the
/// emulated devices (DLMS object-undefined, ZCL UNSUP_*) are failures under both.
pub fn classify_response(code: MessageCode, content: &[u8]) -> ResponseClass {
    if let Some(spec) = by_message_code(code)
        && let Ok(outcome) = (spec.decode_response)(content)
    {
        return match outcome {
            ResponseOutcome::Success(_) => ResponseClass::Success,
            ResponseOutcome::Failure(f) => ResponseClass::Failure(f),
        };
    }
    match Payload::decode(Cra::Response, content) {
        Payload::AccessResponse(r) => classify_dlms(&r),
        Payload::Gbz(g) => classify_gbz(&g),
        Payload::Asn1(_) | Payload::Raw(_) | Payload::AccessRequest(_) => ResponseClass::Unknown,
        Payload::DataNotification(_) => ResponseClass::Unknown,
    }
}

fn classify_dlms(r: &AccessResponse) -> ResponseClass {
    match r.results.iter().enumerate().find(|(_, s)| s.result() != 0) {
        Some((index, s)) => ResponseClass::Failure(Failure::Dlms {
            index,
            result: s.result(),
        }),
        None => ResponseClass::Success,
    }
}

fn classify_gbz(g: &GbzPayload) -> ResponseClass {
    let GbzPayload::Components { components, .. } = g else {
        return ResponseClass::Unknown;
    };
    for c in components {
        let GbzBody::Plain { zcl, .. } = &c.body else {
            continue;
        };
        if zcl.frame_control & 0x03 != 0 {
            continue;
        }
        match (zcl.command, &zcl.payload[..]) {
            (ZCL_DEFAULT_RESPONSE, [command, status]) if *status != 0 => {
                return ResponseClass::Failure(Failure::ZclDefaultResponse {
                    command: *command,
                    status: *status,
                });
            }
            (ZCL_READ_ATTRIBUTES_RESPONSE, p) => match read_attribute_records(p) {
                Ok(Err(f)) => return ResponseClass::Failure(f),
                Ok(Ok(_)) => {}
                Err(_) => return ResponseClass::Unknown,
            },
            _ => {}
        }
    }
    ResponseClass::Success
}
