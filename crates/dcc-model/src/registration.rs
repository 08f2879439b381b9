//! "Who is registered for this device on this date", worked out once.
//!
//! Registration data (SEC Section E) is held per supply point: an MPAN has an import supplier,
//! possibly an export supplier, and an electricity distributor; an MPRN has a gas supplier and a
//! gas transporter. A device is governed by the supply points that match its fuel
//! ([`supply_points`]): an ESME or HCALCS by its MPAN, a GSME or GPF by its MPRN (the one the
//! inventory records for it, else its premises'), and the devices that serve the whole premises
//! (CHF, PPMID, IHD, CAD) by both of the premises'.
//!
//! [`registered_parties`] is a pure function of the data (used by the DCC core and the SMKI
//! service alike); `dcc::registration::load` fetches that data inside a store transaction. Every decision that depends on registration (may this user address the
//! device, which supplier gets a device alert, which network operator gets AD1, who may have a
//! device certificate issued) should ask this module rather than work it out again.

use eui::Eui64;
use time::Date;

use crate::{Device, Fuel, Premises, Registration, RegistrationRole, fuel};

/// The parties registered for a device on one date. A role the device's fuel does not use, a
/// supply point the premises does not have, or a role nobody holds on that date is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegisteredParties {
    pub import_supplier: Option<Eui64>,
    pub export_supplier: Option<Eui64>,
    pub gas_supplier: Option<Eui64>,
    pub electricity_distributor: Option<Eui64>,
    pub gas_transporter: Option<Eui64>,
}

impl RegisteredParties {
    /// The party holding `role`.
    pub fn party(&self, role: RegistrationRole) -> Option<Eui64> {
        match role {
            RegistrationRole::ImportSupplier => self.import_supplier,
            RegistrationRole::ExportSupplier => self.export_supplier,
            RegistrationRole::GasSupplier => self.gas_supplier,
            RegistrationRole::ElectricityDistributor => self.electricity_distributor,
            RegistrationRole::GasTransporter => self.gas_transporter,
        }
    }

    /// Whether `party` holds `role`.
    pub fn holds(&self, party: Eui64, role: RegistrationRole) -> bool {
        self.party(role) == Some(party)
    }

    /// Every role `party` holds, in the order of [`RegistrationRole`].
    pub fn roles_of(&self, party: Eui64) -> Vec<RegistrationRole> {
        ALL_ROLES
            .into_iter()
            .filter(|r| self.holds(party, *r))
            .collect()
    }

    fn slot(&mut self, role: RegistrationRole) -> &mut Option<Eui64> {
        match role {
            RegistrationRole::ImportSupplier => &mut self.import_supplier,
            RegistrationRole::ExportSupplier => &mut self.export_supplier,
            RegistrationRole::GasSupplier => &mut self.gas_supplier,
            RegistrationRole::ElectricityDistributor => &mut self.electricity_distributor,
            RegistrationRole::GasTransporter => &mut self.gas_transporter,
        }
    }
}

const ALL_ROLES: [RegistrationRole; 5] = [
    RegistrationRole::ImportSupplier,
    RegistrationRole::ExportSupplier,
    RegistrationRole::GasSupplier,
    RegistrationRole::ElectricityDistributor,
    RegistrationRole::GasTransporter,
];

/// The supply points that govern a device: for a meter (or another device of one fuel), the
/// MPAN or MPRN the inventory records for it (8.4 sets it), else its premises' supply point of
/// that fuel; for the devices that serve the whole premises (CHF, PPMID, IHD, CAD), both of the
/// premises' supply points.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupplyPoints {
    pub mpan: Option<String>,
    pub mprn: Option<String>,
}

impl SupplyPoints {
    /// The supply point that registration for `role` is held against.
    pub fn for_role(&self, role: RegistrationRole) -> Option<&str> {
        match role.fuel() {
            Fuel::Electricity => self.mpan.as_deref(),
            Fuel::Gas => self.mprn.as_deref(),
            Fuel::Either => None,
        }
    }

    /// Whether the device is at a supply point at all.
    pub fn any(&self) -> bool {
        self.mpan.is_some() || self.mprn.is_some()
    }
}

/// The supply points governing `device` (at `premises`, if it is installed at one).
pub fn supply_points(device: &Device, premises: Option<&Premises>) -> SupplyPoints {
    let own = device.mpxn.clone();
    let (p_mpan, p_mprn) = premises.map_or((None, None), |p| (p.mpan.clone(), p.mprn.clone()));
    match fuel(device.device_type) {
        Fuel::Electricity => SupplyPoints {
            mpan: own.or(p_mpan),
            mprn: None,
        },
        Fuel::Gas => SupplyPoints {
            mpan: None,
            mprn: own.or(p_mprn),
        },
        Fuel::Either => SupplyPoints {
            mpan: p_mpan,
            mprn: p_mprn,
        },
    }
}

/// The parties registered for `device` (at `premises`) on `date`, from `registrations` (any
/// registrations; those of other supply points are ignored). Where two registrations for the
/// same role overlap (a data error upstream), the one that started last is taken: it is the
/// most recent instruction.
pub fn registered_parties(
    device: &Device,
    premises: Option<&Premises>,
    registrations: &[Registration],
    date: Date,
) -> RegisteredParties {
    let points = supply_points(device, premises);
    let mut out = RegisteredParties::default();
    for role in ALL_ROLES {
        let Some(mpxn) = points.for_role(role) else {
            continue;
        };
        *out.slot(role) = registrations
            .iter()
            .filter(|r| r.mpxn == mpxn && r.role == role && r.in_force_on(date))
            .max_by_key(|r| r.from)
            .map(|r| r.party);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CspRegion, DeviceStatus, DeviceType};
    use time::macros::date;

    fn premises() -> Premises {
        Premises {
            uprn: "1".into(),
            postcode: "M1 1AA".into(),
            address_identifier: "1".into(),
            region: CspRegion::Central,
            mpan: Some("MPAN".into()),
            mprn: Some("MPRN".into()),
        }
    }

    fn device(t: DeviceType) -> Device {
        Device {
            id: Eui64::from_u64(2),
            device_type: t,
            status: DeviceStatus::Commissioned,
            manufacturer: "m".into(),
            model: "m".into(),
            firmware_version: None,
            smets_chts_version: None,
            esme_variant: None,
            uprn: Some("1".into()),
            chf: None,
            mpxn: None,
            date_commissioned: None,
            gbcs_version: None,
        }
    }

    fn reg(
        mpxn: &str,
        role: RegistrationRole,
        party: u64,
        from: Date,
        to: Option<Date>,
    ) -> Registration {
        Registration {
            mpxn: mpxn.into(),
            role,
            party: Eui64::from_u64(party),
            from,
            to,
        }
    }

    fn regs() -> Vec<Registration> {
        use RegistrationRole::*;
        let start = date!(2020 - 01 - 01);
        vec![
            reg(
                "MPAN",
                ImportSupplier,
                1,
                start,
                Some(date!(2026 - 06 - 30)),
            ),
            reg("MPAN", ImportSupplier, 11, date!(2026 - 07 - 01), None),
            reg("MPAN", ExportSupplier, 2, start, None),
            reg("MPAN", ElectricityDistributor, 4, start, None),
            reg("MPRN", GasSupplier, 3, start, None),
            reg("MPRN", GasTransporter, 5, start, None),
            reg("OTHER", GasSupplier, 9, start, None),
        ]
    }

    #[test]
    fn parties_follow_the_device_fuel() {
        let p = premises();
        let day = date!(2026 - 01 - 01);
        let e = registered_parties(&device(DeviceType::Esme), Some(&p), &regs(), day);
        assert_eq!(
            e,
            RegisteredParties {
                import_supplier: Some(Eui64::from_u64(1)),
                export_supplier: Some(Eui64::from_u64(2)),
                gas_supplier: None,
                electricity_distributor: Some(Eui64::from_u64(4)),
                gas_transporter: None,
            }
        );
        let g = registered_parties(&device(DeviceType::Gpf), Some(&p), &regs(), day);
        assert_eq!(g.gas_supplier, Some(Eui64::from_u64(3)));
        assert_eq!(g.gas_transporter, Some(Eui64::from_u64(5)));
        assert_eq!(g.import_supplier, None);
        let chf = registered_parties(&device(DeviceType::Chf), Some(&p), &regs(), day);
        assert_eq!(chf.import_supplier, Some(Eui64::from_u64(1)));
        assert_eq!(chf.gas_supplier, Some(Eui64::from_u64(3)));
        assert_eq!(
            chf.roles_of(Eui64::from_u64(3)),
            vec![RegistrationRole::GasSupplier]
        );
    }

    #[test]
    fn parties_change_with_the_date() {
        let p = premises();
        let esme = device(DeviceType::Esme);
        let before = registered_parties(&esme, Some(&p), &regs(), date!(2026 - 06 - 30));
        let after = registered_parties(&esme, Some(&p), &regs(), date!(2026 - 07 - 01));
        assert_eq!(before.import_supplier, Some(Eui64::from_u64(1)));
        assert_eq!(after.import_supplier, Some(Eui64::from_u64(11)));
        let early = registered_parties(&esme, Some(&p), &regs(), date!(2019 - 12 - 31));
        assert_eq!(early, RegisteredParties::default());
    }

    #[test]
    fn no_premises_or_supply_point_means_no_parties() {
        let esme = device(DeviceType::Esme);
        let day = date!(2026 - 01 - 01);
        assert_eq!(
            registered_parties(&esme, None, &regs(), day),
            RegisteredParties::default()
        );
        let mut gas_only = premises();
        gas_only.mpan = None;
        assert_eq!(
            registered_parties(&esme, Some(&gas_only), &regs(), day),
            RegisteredParties::default()
        );
    }

    #[test]
    fn a_meters_own_supply_point_governs_it() {
        let day = date!(2026 - 01 - 01);
        let registrations = vec![
            reg("MPAN", RegistrationRole::ImportSupplier, 1, day, None),
            reg("MPAN-2", RegistrationRole::ImportSupplier, 9, day, None),
            reg("MPRN", RegistrationRole::GasSupplier, 3, day, None),
        ];
        let mut esme = device(DeviceType::Esme);
        esme.mpxn = Some("MPAN-2".into());
        let p = premises();
        let got = registered_parties(&esme, Some(&p), &registrations, day);
        assert_eq!(got.import_supplier, Some(Eui64::from_u64(9)));
        assert_eq!(got.gas_supplier, None);
        // Without premises the meter's own MPAN still governs it.
        let got = registered_parties(&esme, None, &registrations, day);
        assert_eq!(got.import_supplier, Some(Eui64::from_u64(9)));
        // A hub serves the premises: both of the premises' supply points, never a meter's own.
        let mut chf = device(DeviceType::Chf);
        chf.mpxn = Some("MPAN-2".into());
        let got = registered_parties(&chf, Some(&p), &registrations, day);
        assert_eq!(got.import_supplier, Some(Eui64::from_u64(1)));
        assert_eq!(got.gas_supplier, Some(Eui64::from_u64(3)));
        assert_eq!(
            supply_points(&chf, None),
            SupplyPoints::default(),
            "a hub at no premises is at no supply point"
        );
    }
}
