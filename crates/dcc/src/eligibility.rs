//! Who may do what to which device: the service matrix and registration data (the SMI status
//! rules are `crate::smi`'s).
//! Pure functions over data the caller has loaded.

use duis::{CommandVariant, Endpoint, ServiceVariant, UserRole};
use time::Date;

use crate::error::AuthzError;
use crate::model::{Device, RegistrationRole, User};
use crate::registration::RegisteredParties;

/// The user's roles that the service matrix lets send this service reference variant.
pub fn eligible_roles(user: &User, variant: &ServiceVariant) -> Result<Vec<UserRole>, AuthzError> {
    if user.suspended {
        return Err(AuthzError::UserSuspended(user.eui.to_string()));
    }
    let roles: Vec<UserRole> = user
        .roles
        .iter()
        .copied()
        .filter(|r| variant.roles.contains(r))
        .collect();
    if roles.is_empty() {
        return Err(AuthzError::RoleNotEligible {
            user: user.eui.to_string(),
            srv: variant.id,
        });
    }
    Ok(roles)
}

/// The endpoint and command variant must fit the kind of request.
pub fn check_command_variant(
    variant: &ServiceVariant,
    cv: CommandVariant,
    endpoint: Endpoint,
) -> Result<(), AuthzError> {
    let srv = variant.id;
    if cv.endpoint() != endpoint {
        return Err(AuthzError::WrongEndpoint {
            srv,
            endpoint: endpoint.path().to_string(),
        });
    }
    if variant.allows_command_variant(cv) {
        Ok(())
    } else {
        Err(AuthzError::CommandVariant { cv: cv as u8, srv })
    }
}

/// Checks that one of `roles` is registered for the device on `day` (the parties
/// [`crate::registration::registered_parties`] found); returns the role that is.
///
/// Roles with no registration (Other User, Registered Supplier Agent) pass this check: the
/// service matrix alone governs them.
pub fn check_registration(
    user: &User,
    roles: &[UserRole],
    device: &Device,
    parties: &RegisteredParties,
    day: Date,
) -> Result<UserRole, AuthzError> {
    for &role in roles {
        match RegistrationRole::for_user_role(role) {
            None => return Ok(role),
            Some(reg_role) if parties.holds(user.eui, reg_role) => return Ok(role),
            Some(_) => {}
        }
    }
    Err(AuthzError::NotRegistered {
        user: user.eui.to_string(),
        device: device.id.to_string(),
        date: day.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeviceStatus, DeviceType, Premises, Registration};
    use crate::registration::registered_parties;
    use eui::Eui64;
    use time::macros::date;

    fn check_registration(
        user: &User,
        roles: &[UserRole],
        device: &Device,
        premises: Option<&Premises>,
        registrations: &[Registration],
        day: Date,
    ) -> Result<UserRole, AuthzError> {
        let parties = registered_parties(device, premises, registrations, day);
        super::check_registration(user, roles, device, &parties, day)
    }

    fn user(roles: &[UserRole]) -> User {
        User {
            eui: Eui64::from_u64(1),
            name: "u".into(),
            roles: roles.to_vec(),
            response_url: None,
            suspended: false,
        }
    }

    fn premises() -> Premises {
        Premises {
            uprn: "1".into(),
            postcode: "M1 1AA".into(),
            address_identifier: "1".into(),
            region: crate::model::CspRegion::Central,
            mpan: Some("MPAN".into()),
            mprn: Some("MPRN".into()),
        }
    }

    fn device(t: DeviceType, status: DeviceStatus) -> Device {
        Device {
            id: Eui64::from_u64(2),
            status,
            ..crate::services::testing::device(t)
        }
    }

    fn reg(mpxn: &str, role: RegistrationRole) -> Registration {
        Registration {
            mpxn: mpxn.into(),
            role,
            party: Eui64::from_u64(1),
            from: date!(2020 - 01 - 01),
            to: Some(date!(2030 - 01 - 01)),
        }
    }

    #[test]
    fn matrix_decides_roles() {
        let v = duis::service_variant("8.3").unwrap();
        let gt = user(&[UserRole::GasTransporter]);
        assert!(matches!(
            eligible_roles(&gt, v),
            Err(AuthzError::RoleNotEligible { .. })
        ));
        let s = user(&[UserRole::ImportSupplier, UserRole::GasTransporter]);
        assert_eq!(
            eligible_roles(&s, v).unwrap(),
            vec![UserRole::ImportSupplier]
        );
        let mut sus = s.clone();
        sus.suspended = true;
        assert!(matches!(
            eligible_roles(&sus, v),
            Err(AuthzError::UserSuspended(_))
        ));
    }

    #[test]
    fn registration_by_fuel_and_date() {
        let u = user(&[UserRole::ImportSupplier, UserRole::GasSupplier]);
        let regs = vec![reg("MPRN", RegistrationRole::GasSupplier)];
        let p = premises();
        let gsme = device(DeviceType::Gsme, DeviceStatus::Commissioned);
        let esme = device(DeviceType::Esme, DeviceStatus::Commissioned);
        let chf = device(DeviceType::Chf, DeviceStatus::Commissioned);
        let day = date!(2026 - 11 - 24);
        assert_eq!(
            check_registration(&u, &u.roles, &gsme, Some(&p), &regs, day).unwrap(),
            UserRole::GasSupplier
        );
        assert_eq!(
            check_registration(&u, &u.roles, &chf, Some(&p), &regs, day).unwrap(),
            UserRole::GasSupplier
        );
        assert!(check_registration(&u, &u.roles, &esme, Some(&p), &regs, day).is_err());
        // Out of the registration window.
        assert!(
            check_registration(&u, &u.roles, &gsme, Some(&p), &regs, date!(2031 - 01 - 01))
                .is_err()
        );
        // Someone else's registration.
        let mut other = regs.clone();
        other[0].party = Eui64::from_u64(9);
        assert!(check_registration(&u, &u.roles, &gsme, Some(&p), &other, day).is_err());
        // Other User needs no registration.
        let ou = user(&[UserRole::OtherUser]);
        assert_eq!(
            check_registration(&ou, &ou.roles, &esme, Some(&p), &[], day).unwrap(),
            UserRole::OtherUser
        );
    }
}
