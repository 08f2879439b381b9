//! Who may receive which certificate (SEC L3, the eligibility table of the SEC Stage 3
//! consultation §3, para 80):
//!
//! | certificate | eligible subscriber |
//! | --- | --- |
//! | organisation | SEC Parties (the DCC or DCC Users, not SECCo); RDPs too |
//! | OCA, DCA | the DCC only |
//! | device, any status | gas supplier: GSME and Type 1 devices; electricity supplier: ESME and Type 1 devices; DCC: CHF and GPF |
//! | smart meter only | any SEC Party while the meter is neither Commissioned nor Installed Not Commissioned |
//!
//! Only Authorised Subscribers (entry step done) may ask at all. "The gas supplier" of a
//! device is the party registered as Gas Supplier, on the day of the request, for the MPRN the
//! device serves (a GSME's own MPRN; a Type 1 device's premises' MPRN); "the electricity
//! supplier" likewise the Import Supplier for the MPAN. A device at no supply point yet (not
//! installed), or at one with no supplier of that fuel registered, has no registered supplier:
//! then any SEC Party holding that fuel's supplier User Role (Gas Supplier, Import Supplier) is
//! its supplier. Type 1 devices are PPMID and HCALCS; IHDs and CADs (Type 2) hold
//! no SMKI certificates. An organisation certificate names its subscriber's own EUI-64 (the
//! DCC may also certify the EUIs of its roles).

use duis::UserRole;
use eui::Eui64;

use crate::subscribers::{PartyKind, Subscriber};
use dcc_model::{DeviceStatus, DeviceType};

/// The kind of certificate asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    /// An organisation certificate for the party `eui`.
    Organisation { eui: Eui64 },
    /// An OCA certificate.
    Oca,
    /// A DCA certificate.
    Dca,
    /// A device certificate for the device `eui`; facts `None` when the device is not in the
    /// Smart Metering Inventory.
    Device(Eui64, Option<DeviceFacts>),
}

/// What the inventory and registration data say about a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFacts {
    pub eui: Eui64,
    pub device_type: DeviceType,
    pub status: DeviceStatus,
    /// Whether the device serves a known supply point (installed at premises with one).
    pub at_supply_point: bool,
    /// Parties registered today as Gas Supplier for its MPRN.
    pub gas_suppliers: Vec<Eui64>,
    /// Parties registered today as Import Supplier for its MPAN.
    pub electricity_suppliers: Vec<Eui64>,
}

/// The applicant: its subscriber record (if admitted) and its DCC User Roles (if a DCC User).
#[derive(Debug, Clone)]
pub struct Applicant<'a> {
    pub eui: Eui64,
    pub subscriber: Option<&'a Subscriber>,
    pub user_roles: &'a [UserRole],
}

/// Why a request is refused: one variant per rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("rule L3 authorised-subscriber: {0} has not completed the SMKI entry step")]
    NotAuthorisedSubscriber(Eui64),
    #[error(
        "rule L3 organisation: organisation certificates are for SEC Parties (not SECCo) and RDPs; {0} is {1}"
    )]
    OrganisationNotSecParty(Eui64, PartyKind),
    #[error(
        "rule L3 organisation-own-id: {subscriber} may request organisation certificates for its own EUI only, not {requested}"
    )]
    OrganisationNotOwnId { subscriber: Eui64, requested: Eui64 },
    #[error("rule L3 ca-certificates: OCA and DCA certificates are issued to the DCC only")]
    CaCertificateNotDcc,
    #[error("rule L3 device-party: device certificates are for SEC Parties; {0} is {1}")]
    DeviceNotSecParty(Eui64, PartyKind),
    #[error("rule L3 device-inventory: device {0} is not in the Smart Metering Inventory")]
    DeviceNotInInventory(Eui64),
    #[error("rule L3 device-type: {0} devices (Type 2) hold no SMKI certificates")]
    NoCertificatesForType(DeviceType),
    #[error("rule L3 device-hub: certificates for a {0} are issued to the DCC only")]
    HubOnlyDcc(DeviceType),
    #[error(
        "rule L3 device-gas-supplier: the GSME {eui} is {status}; only its gas supplier may request its certificates"
    )]
    GasMeterNotGasSupplier { eui: Eui64, status: DeviceStatus },
    #[error(
        "rule L3 device-electricity-supplier: the ESME {eui} is {status}; only its electricity supplier may request its certificates"
    )]
    ElectricityMeterNotElectricitySupplier { eui: Eui64, status: DeviceStatus },
    #[error(
        "rule L3 device-type1-supplier: certificates for the {device_type} {eui} are issued to its gas or electricity supplier only"
    )]
    Type1NotSupplier { eui: Eui64, device_type: DeviceType },
}

/// Decides whether `who` may receive the certificate `what`.
pub fn check(who: &Applicant<'_>, what: &Requested) -> Result<(), Refusal> {
    let Some(sub) = who.subscriber else {
        return Err(Refusal::NotAuthorisedSubscriber(who.eui));
    };
    match what {
        Requested::Organisation { eui } => match sub.kind {
            PartyKind::Secco => Err(Refusal::OrganisationNotSecParty(sub.eui, sub.kind)),
            PartyKind::Dcc => Ok(()),
            PartyKind::SecParty | PartyKind::Rdp if *eui == sub.eui => Ok(()),
            PartyKind::SecParty | PartyKind::Rdp => Err(Refusal::OrganisationNotOwnId {
                subscriber: sub.eui,
                requested: *eui,
            }),
        },
        Requested::Oca | Requested::Dca => {
            if sub.kind == PartyKind::Dcc {
                Ok(())
            } else {
                Err(Refusal::CaCertificateNotDcc)
            }
        }
        Requested::Device(eui, facts) => {
            if matches!(sub.kind, PartyKind::Rdp | PartyKind::Secco) {
                return Err(Refusal::DeviceNotSecParty(sub.eui, sub.kind));
            }
            let Some(d) = facts else {
                return Err(Refusal::DeviceNotInInventory(*eui));
            };
            device(sub, who.user_roles, d)
        }
    }
}

fn is_gas_supplier(sub: &Subscriber, roles: &[UserRole], d: &DeviceFacts) -> bool {
    if d.at_supply_point && !d.gas_suppliers.is_empty() {
        d.gas_suppliers.contains(&sub.eui)
    } else {
        sub.kind == PartyKind::SecParty && roles.contains(&UserRole::GasSupplier)
    }
}

fn is_electricity_supplier(sub: &Subscriber, roles: &[UserRole], d: &DeviceFacts) -> bool {
    if d.at_supply_point && !d.electricity_suppliers.is_empty() {
        d.electricity_suppliers.contains(&sub.eui)
    } else {
        sub.kind == PartyKind::SecParty && roles.contains(&UserRole::ImportSupplier)
    }
}

fn meter_open_to_any_party(status: DeviceStatus) -> bool {
    !matches!(
        status,
        DeviceStatus::Commissioned | DeviceStatus::InstalledNotCommissioned
    )
}

fn device(sub: &Subscriber, roles: &[UserRole], d: &DeviceFacts) -> Result<(), Refusal> {
    match d.device_type {
        DeviceType::Chf | DeviceType::Gpf => {
            if sub.kind == PartyKind::Dcc {
                Ok(())
            } else {
                Err(Refusal::HubOnlyDcc(d.device_type))
            }
        }
        DeviceType::Gsme => {
            if is_gas_supplier(sub, roles, d) || meter_open_to_any_party(d.status) {
                Ok(())
            } else {
                Err(Refusal::GasMeterNotGasSupplier {
                    eui: d.eui,
                    status: d.status,
                })
            }
        }
        DeviceType::Esme => {
            if is_electricity_supplier(sub, roles, d) || meter_open_to_any_party(d.status) {
                Ok(())
            } else {
                Err(Refusal::ElectricityMeterNotElectricitySupplier {
                    eui: d.eui,
                    status: d.status,
                })
            }
        }
        DeviceType::Ppmid | DeviceType::Hcalcs => {
            if is_gas_supplier(sub, roles, d) || is_electricity_supplier(sub, roles, d) {
                Ok(())
            } else {
                Err(Refusal::Type1NotSupplier {
                    eui: d.eui,
                    device_type: d.device_type,
                })
            }
        }
        DeviceType::Ihd | DeviceType::Cad => Err(Refusal::NoCertificatesForType(d.device_type)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAS: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 1]);
    const ELEC: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 2]);
    const OTHER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 3]);
    const DCC: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0, 2]);
    const RDP: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 4]);
    const SECCO: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0, 5]);
    const DEV: Eui64 = Eui64([0, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0]);

    fn sub(eui: Eui64, kind: PartyKind) -> Subscriber {
        Subscriber {
            eui,
            kind,
            name: "x".into(),
            admitted_at: 0,
            admitted_by: "op".into(),
            evidence: "RA-1".into(),
        }
    }

    fn facts(t: DeviceType, status: DeviceStatus) -> DeviceFacts {
        DeviceFacts {
            eui: DEV,
            device_type: t,
            status,
            at_supply_point: true,
            gas_suppliers: vec![GAS],
            electricity_suppliers: vec![ELEC],
        }
    }

    fn ask(
        eui: Eui64,
        kind: Option<PartyKind>,
        roles: &[UserRole],
        what: &Requested,
    ) -> Result<(), Refusal> {
        let s = kind.map(|k| sub(eui, k));
        check(
            &Applicant {
                eui,
                subscriber: s.as_ref(),
                user_roles: roles,
            },
            what,
        )
    }

    use DeviceStatus::{Commissioned as C, InstalledNotCommissioned as Inc, Pending, Whitelisted};
    use PartyKind::{Dcc, Rdp, SecParty, Secco};

    fn dev(t: DeviceType, s: DeviceStatus) -> Requested {
        Requested::Device(DEV, Some(facts(t, s)))
    }

    #[test]
    fn row_only_authorised_subscribers() {
        let e = ask(OTHER, None, &[], &Requested::Organisation { eui: OTHER });
        assert_eq!(e, Err(Refusal::NotAuthorisedSubscriber(OTHER)));
        assert!(e.unwrap_err().to_string().contains("authorised-subscriber"));
        assert!(ask(GAS, None, &[], &dev(DeviceType::Gsme, C)).is_err());
    }

    #[test]
    fn row_organisation_certificates() {
        let org = |eui| Requested::Organisation { eui };
        assert_eq!(ask(OTHER, Some(SecParty), &[], &org(OTHER)), Ok(()));
        assert_eq!(ask(RDP, Some(Rdp), &[], &org(RDP)), Ok(()));
        assert_eq!(ask(DCC, Some(Dcc), &[], &org(DCC)), Ok(()));
        assert_eq!(
            ask(DCC, Some(Dcc), &[], &org(OTHER)),
            Ok(()),
            "DCC certifies its role EUIs"
        );
        let e = ask(SECCO, Some(Secco), &[], &org(SECCO)).unwrap_err();
        assert_eq!(e, Refusal::OrganisationNotSecParty(SECCO, Secco));
        assert!(e.to_string().contains("rule L3 organisation"));
        let e = ask(OTHER, Some(SecParty), &[], &org(GAS)).unwrap_err();
        assert!(matches!(e, Refusal::OrganisationNotOwnId { .. }));
        assert!(e.to_string().contains("organisation-own-id"));
    }

    #[test]
    fn row_oca_and_dca_certificates() {
        for what in [Requested::Oca, Requested::Dca] {
            assert_eq!(ask(DCC, Some(Dcc), &[], &what), Ok(()));
            for (eui, kind) in [(OTHER, SecParty), (RDP, Rdp), (SECCO, Secco)] {
                let e = ask(eui, Some(kind), &[], &what).unwrap_err();
                assert_eq!(e, Refusal::CaCertificateNotDcc);
                assert!(e.to_string().contains("ca-certificates"));
            }
        }
    }

    #[test]
    fn row_gas_supplier_gsme_and_type1_any_status() {
        for s in [
            Pending,
            Whitelisted,
            Inc,
            C,
            DeviceStatus::Decommissioned,
            DeviceStatus::Suspended,
        ] {
            for t in [DeviceType::Gsme, DeviceType::Ppmid, DeviceType::Hcalcs] {
                assert_eq!(ask(GAS, Some(SecParty), &[], &dev(t, s)), Ok(()), "{t} {s}");
            }
        }
        // The gas supplier is not thereby eligible for the ESME once it is commissioned.
        let e = ask(GAS, Some(SecParty), &[], &dev(DeviceType::Esme, C)).unwrap_err();
        assert!(matches!(
            e,
            Refusal::ElectricityMeterNotElectricitySupplier { .. }
        ));
        assert!(e.to_string().contains("device-electricity-supplier"));
    }

    #[test]
    fn row_electricity_supplier_esme_and_type1_any_status() {
        for s in [Pending, Inc, C, DeviceStatus::Withdrawn] {
            for t in [DeviceType::Esme, DeviceType::Ppmid, DeviceType::Hcalcs] {
                assert_eq!(
                    ask(ELEC, Some(SecParty), &[], &dev(t, s)),
                    Ok(()),
                    "{t} {s}"
                );
            }
        }
        let e = ask(ELEC, Some(SecParty), &[], &dev(DeviceType::Gsme, Inc)).unwrap_err();
        assert!(matches!(e, Refusal::GasMeterNotGasSupplier { .. }));
        assert!(e.to_string().contains("device-gas-supplier"));
    }

    #[test]
    fn row_type1_refused_to_non_suppliers() {
        for t in [DeviceType::Ppmid, DeviceType::Hcalcs] {
            // Type 1 devices are not smart meters: no "any SEC Party" exception even when pending.
            let e = ask(OTHER, Some(SecParty), &[], &dev(t, Pending)).unwrap_err();
            assert!(matches!(e, Refusal::Type1NotSupplier { .. }));
            assert!(e.to_string().contains("device-type1-supplier"));
        }
    }

    #[test]
    fn row_dcc_chf_and_gpf() {
        for t in [DeviceType::Chf, DeviceType::Gpf] {
            for s in [Pending, C] {
                assert_eq!(ask(DCC, Some(Dcc), &[], &dev(t, s)), Ok(()));
                let e = ask(GAS, Some(SecParty), &[UserRole::GasSupplier], &dev(t, s)).unwrap_err();
                assert_eq!(e, Refusal::HubOnlyDcc(t));
                assert!(e.to_string().contains("device-hub"));
            }
        }
    }

    #[test]
    fn row_smart_meters_any_sec_party_unless_commissioned_or_inc() {
        for t in [DeviceType::Esme, DeviceType::Gsme] {
            for s in [
                Pending,
                Whitelisted,
                DeviceStatus::Decommissioned,
                DeviceStatus::Withdrawn,
                DeviceStatus::Suspended,
                DeviceStatus::Recovery,
                DeviceStatus::Recovered,
            ] {
                assert_eq!(
                    ask(OTHER, Some(SecParty), &[], &dev(t, s)),
                    Ok(()),
                    "{t} {s}"
                );
                assert_eq!(
                    ask(DCC, Some(Dcc), &[], &dev(t, s)),
                    Ok(()),
                    "DCC is a SEC Party"
                );
            }
            for s in [C, Inc] {
                assert!(
                    ask(OTHER, Some(SecParty), &[], &dev(t, s)).is_err(),
                    "{t} {s}"
                );
            }
        }
    }

    #[test]
    fn row_device_certs_not_for_rdp_or_secco() {
        for (eui, k) in [(RDP, Rdp), (SECCO, Secco)] {
            let e = ask(eui, Some(k), &[], &dev(DeviceType::Esme, Pending)).unwrap_err();
            assert_eq!(e, Refusal::DeviceNotSecParty(eui, k));
            assert!(e.to_string().contains("device-party"));
        }
    }

    #[test]
    fn device_not_in_inventory_and_type2() {
        let e = ask(GAS, Some(SecParty), &[], &Requested::Device(DEV, None)).unwrap_err();
        assert_eq!(e, Refusal::DeviceNotInInventory(DEV));
        assert!(e.to_string().contains("device-inventory"));
        for t in [DeviceType::Ihd, DeviceType::Cad] {
            let e = ask(GAS, Some(SecParty), &[], &dev(t, Pending)).unwrap_err();
            assert_eq!(e, Refusal::NoCertificatesForType(t));
            assert!(e.to_string().contains("device-type"));
        }
    }

    #[test]
    fn device_at_no_supply_point_goes_by_user_role() {
        let mut f = facts(DeviceType::Ppmid, Pending);
        f.at_supply_point = false;
        f.gas_suppliers.clear();
        f.electricity_suppliers.clear();
        let what = Requested::Device(DEV, Some(f));
        assert_eq!(
            ask(OTHER, Some(SecParty), &[UserRole::GasSupplier], &what),
            Ok(())
        );
        assert_eq!(
            ask(OTHER, Some(SecParty), &[UserRole::ImportSupplier], &what),
            Ok(())
        );
        assert!(
            ask(
                OTHER,
                Some(SecParty),
                &[UserRole::ElectricityDistributor],
                &what
            )
            .is_err()
        );
    }
}
