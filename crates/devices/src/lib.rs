//! Emulated GB smart-metering devices for opendcc.
//!
//! An [`EmulatedDevice`] (CHF, GPF, ESME, GSME, PPMID, HCALCS or IHD) holds its own key material,
//! its trust anchors and a persistent [`DeviceState`], and answers GBCS commands as a real device
//! would: it decodes the message, checks that it is the recipient, verifies the ACB MAC, checks
//! that the originator is a trust anchor in a role allowed for the use case, verifies the
//! originator's signature on critical commands, checks the anti-replay counter, executes, and
//! answers with a response shaped like the RTDS 4.5.0 vectors (MAC'd or signed). Refusals raise
//! GBCS alerts (see [`alerts`] for the codes used).
//!
//! Implemented use cases: ECS52, GCS38, CS08 (firmware version), ECS45, GCS33 (supply status),
//! ECS17b, GCS13a (import registers, encrypted to the requester), ECS42, ECS43, GCS32 (supply
//! enable/disable), ECS70, GCS28 (set clock, commissioning), CCS01, CCS02 (CHF device log), CS02b
//! authorised by the Recovery key (trust anchor replacement, see `recovery.rs`). Which kind
//! implements which use case, who may originate it and whether it is critical come from the
//! `gbcs` catalogue ([`gbcs::usecases::ALL`]); each command is decoded with its use case's
//! decoder and executed as decoded. Other authentic commands, and payloads that do not decode,
//! get a "not supported" answer (DLMS object-undefined, ZCL Default Response UNSUP_*), which
//! [`gbcs::classify_response`] reads as a failure; ASN.1 commands have no such answer and get
//! none, with a `0x8F1E` alert. Hardware faults injected through [`DeviceState::faults`] make the
//! commands that need the faulty part fail as the RTDS ERROR vectors show.
//!
//! Pure: no I/O, no clock (every call takes the true time `now`), no randomness except the ECDSA
//! nonce drawn inside aws-lc-rs.
//!
//! ```
//! use aws_lc_rs::{rand::SystemRandom, signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING}};
//! use devices::{DeviceIdentity, DeviceKind, DeviceState, EmulatedDevice, Outcome};
//! use devices::{RemotePartyRole, TrustAnchor, TrustAnchors};
//! use gbcs::{crypto::KdfContext, usecases, Eui64, Frame, KaPrivateKey, SigningKey, UtcDateTime};
//!
//! let pkcs8 = || EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
//!     .unwrap().as_ref().to_vec();
//! // The supplier and the ACB, with their own keys.
//! let (supplier_ka, supplier_ds) = (KaPrivateKey::from_der(&pkcs8())?, SigningKey::from_der(&pkcs8())?);
//! let acb_ka = KaPrivateKey::from_der(&pkcs8())?;
//! let supplier = Eui64::from_u64(0x90b3_d51f_3001_0000);
//! let anchors = TrustAnchors::new()
//!     .with(RemotePartyRole::Supplier, TrustAnchor {
//!         eui: supplier,
//!         ds_public: supplier_ds.public_key()?.into(),
//!         ka_public: supplier_ka.public_key()?.into(),
//!     })
//!     .with(RemotePartyRole::AccessControlBroker, TrustAnchor {
//!         eui: Eui64::from_u64(0x90b3_d51f_3000_0002),
//!         ds_public: SigningKey::from_der(&pkcs8())?.public_key()?.into(),
//!         ka_public: acb_ka.public_key()?.into(),
//!     });
//! // An ESME installed now.
//! let now = UtcDateTime::new(2025, 1, 1, 12, 0, 0).unwrap();
//! let esme = Eui64::from_u64(0x00db_1234_5678_90a0);
//! let identity = DeviceIdentity {
//!     eui: esme, kind: DeviceKind::Esme, ds_private_pkcs8: pkcs8(), ka_private_pkcs8: pkcs8(),
//! };
//! let mut device = EmulatedDevice::new(identity, DeviceState::new(DeviceKind::Esme, now, anchors))?;
//!
//! // The DCC builds ECS52 for the supplier and MACs it as the ACB.
//! let command = usecases::ecs52_read_firmware_version(&usecases::CommandHeader::new(supplier, esme, 1));
//! let wan = gbcs::wrap_command(command, &acb_ka, device.ka_public_key()?.key())?.encode();
//! let reply = device.handle(&wan, now);
//! assert!(matches!(reply.outcome, Outcome::Executed { success: true, .. }));
//!
//! // The supplier checks the response MAC.
//! let Ok(Frame::Ciphered(response)) = Frame::decode(&reply.response.unwrap()) else { panic!() };
//! let key = supplier_ka.derive(device.ka_public_key()?.key(), &KdfContext::for_mac(&response.apdu))?;
//! response.verify_mac(&key)?;
//! assert_eq!(response.apdu.counter, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]
#![warn(missing_docs)]

mod alert_config;
pub mod alerts;
mod anchors;
pub mod aux_calendar;
pub mod boost;
mod cin;
pub mod config;
pub mod credential_details;
mod dbch;
mod device;
mod device_credentials;
mod error;
pub mod event_logs;
mod exec;
// 8.7 Join Service, 8.8 Unjoin Service.
pub mod han_join;
// 8.9 Read Device Log.
pub mod han_logs;
mod identity;
// future dating: held device instructions and the device tick
pub mod future;
// firmware (11.x)
pub mod firmware;
pub mod gas_tariff_update;
mod kind;
mod krp;
pub mod load_limit;
pub mod metering;
// Device behaviour of the read services.
pub mod payment_mode;
pub mod power_quality;
pub mod prepay;
pub mod prepay_config;
pub mod reads;
mod recovery;
mod settings;
mod state;
pub mod stored;
pub mod tariff;
pub mod tenancy;
pub mod top_up;
mod zcl;

pub use anchors::{PublicKeyBytes, RemotePartyRole, TrustAnchor, TrustAnchors};
pub use device::{DeviceIdentity, DeviceKeys, EmulatedDevice, Outcome, PowerOutageNotice, Reply};
pub use error::DeviceError;
pub use kind::{DeviceKind, UseCase};
pub use metering::{Channel, Metering};
pub use recovery::{STATUS_CERTIFICATION_PATH, anchor_holds};
pub use state::{
    AuxCommandedLevel, AuxControllers, AuxLoads, AuxOverride, DEVICE_LOG_CAPACITY, DeviceFault,
    DeviceLogEntry, DeviceState, EVENT_LOG_CAPACITY, Event, EventKind, EventLog, LogKind, Refusal,
    SupplierDisplay, SupplierSettings, SupplyState,
};

#[cfg(test)]
mod tests {
    #[test]
    fn devices_can_move_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<crate::EmulatedDevice>();
        send_sync::<crate::Reply>();
    }
}
