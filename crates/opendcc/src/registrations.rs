//! Registration data other than a world's default: `opendcc demo --registration MPXN:ROLE:EUI`
//! (repeatable) and `registrations = ["MPXN:ROLE:EUI", …]` in `opendcc serve`'s configuration.
//!
//! Each change names a party for one MPAN or MPRN and one registration role, replacing the
//! world's default party for that pair (or adding the pair, as an export supplier, where the
//! world registers none). It is read only when a world is created, like `--premises`: the world
//! records the changes it was made with (`world.json`), and a resumed world given other changes
//! is refused. The devices' trust anchors stay the world's default parties: a party registered
//! this way is, to the devices, an unknown remote party until its anchors are replaced — as
//! for the gaining supplier after a change of supplier, before the device's anchors are updated.
//!
//! A change is refused, before anything is created, when its MPxN is not one of the world's
//! (named) premises', its role is not of that MPxN's fuel, its EUI is not a user of the world,
//! or the user's SMKI role (a supplier's for IS, ES, GS; a network operator's for ED, GT) or
//! its DUIS roles cannot hold the registration.

use std::fmt;
use std::str::FromStr;

use dcc::model::{Fuel, Premises, Registration, RegistrationRole};
use duis::UserRole;
use eui::Eui64;
use smki::RemotePartyRole;

/// The registration roles by their DUIS codes, in the order the help text lists them.
const ROLES: [RegistrationRole; 5] = [
    RegistrationRole::ImportSupplier,
    RegistrationRole::ExportSupplier,
    RegistrationRole::GasSupplier,
    RegistrationRole::ElectricityDistributor,
    RegistrationRole::GasTransporter,
];

/// An example for error messages.
const EXAMPLE: &str = "1000999888:GS:90-B3-D5-1F-30-03-00-00";

fn role_code(role: RegistrationRole) -> &'static str {
    role.user_role().as_code()
}

/// One change to a world's registration data: `party` holds `role` for `mpxn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationChange {
    pub mpxn: String,
    pub role: RegistrationRole,
    pub party: Eui64,
}

impl FromStr for RegistrationChange {
    type Err = String;

    /// `MPXN:ROLE:EUI`, ROLE one of IS, ES, GS, ED, GT, EUI in the dashed DUIS form or sixteen
    /// hex digits.
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(':').collect();
        let [mpxn, role, party] = parts[..] else {
            return Err(format!(
                "{s:?} is not MPXN:ROLE:EUI (as in {EXAMPLE}): {} field(s) separated by ':'",
                parts.len()
            ));
        };
        if mpxn.is_empty() || !mpxn.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{s:?}: the MPxN {mpxn:?} is not an MPAN or MPRN (digits only)"
            ));
        }
        let role = ROLES
            .into_iter()
            .find(|r| role_code(*r) == role)
            .ok_or_else(|| {
                format!(
                    "{s:?}: unknown registration role {role:?}: one of {}",
                    ROLES.map(role_code).join(", ")
                )
            })?;
        let party: Eui64 = party
            .parse()
            .map_err(|e| format!("{s:?}: the party {party:?} is not an EUI-64 ({e})"))?;
        Ok(Self {
            mpxn: mpxn.to_string(),
            role,
            party,
        })
    }
}

impl fmt::Display for RegistrationChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.mpxn, role_code(self.role), self.party)
    }
}

/// Refuses a list that names the same MPxN and role twice.
pub fn check_distinct(changes: &[RegistrationChange]) -> Result<(), String> {
    for (i, c) in changes.iter().enumerate() {
        if let Some(other) = changes[..i]
            .iter()
            .find(|o| o.mpxn == c.mpxn && o.role == c.role)
        {
            return Err(format!(
                "registrations {other} and {c} both name the {} of {}: give one party per MPxN and role",
                c.role.as_str(),
                c.mpxn
            ));
        }
    }
    Ok(())
}

/// A user of the world being made, as far as registration data is concerned.
#[derive(Debug, Clone)]
pub struct WorldUser<'a> {
    pub name: &'a str,
    pub eui: Eui64,
    pub smki_role: RemotePartyRole,
    pub roles: &'a [UserRole],
}

/// The SMKI remote party role an organisation holding `role` certifies its keys in.
fn smki_role_for(role: RegistrationRole) -> RemotePartyRole {
    match role {
        RegistrationRole::ImportSupplier
        | RegistrationRole::ExportSupplier
        | RegistrationRole::GasSupplier => RemotePartyRole::Supplier,
        RegistrationRole::ElectricityDistributor | RegistrationRole::GasTransporter => {
            RemotePartyRole::NetworkOperator
        }
    }
}

/// Checks `changes` against the world's premises and users, and applies them to `registrations`
/// (the world's defaults): each replaces the party of its MPxN and role, or is added where there
/// is none. Nothing is changed if any change is refused.
pub fn apply(
    registrations: &mut Vec<Registration>,
    changes: &[RegistrationChange],
    premises: &[Premises],
    users: &[WorldUser<'_>],
    since: time::Date,
) -> Result<(), String> {
    check_distinct(changes)?;
    for c in changes {
        check(c, premises, users)?;
    }
    for c in changes {
        match registrations
            .iter_mut()
            .find(|r| r.mpxn == c.mpxn && r.role == c.role)
        {
            Some(r) => r.party = c.party,
            None => registrations.push(Registration {
                mpxn: c.mpxn.clone(),
                role: c.role,
                party: c.party,
                from: since,
                to: None,
            }),
        }
    }
    Ok(())
}

/// Why `c` cannot be applied to a world of `premises` and `users`, if it cannot.
pub fn check(
    c: &RegistrationChange,
    premises: &[Premises],
    users: &[WorldUser<'_>],
) -> Result<(), String> {
    let fuel = if premises.iter().any(|p| p.mpan.as_deref() == Some(&c.mpxn)) {
        Fuel::Electricity
    } else if premises.iter().any(|p| p.mprn.as_deref() == Some(&c.mpxn)) {
        Fuel::Gas
    } else {
        let list = |pick: fn(&Premises) -> Option<&String>| {
            premises
                .iter()
                .filter_map(pick)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "registration {c}: MPxN {} is not in the world (MPANs: {}; MPRNs: {})",
            c.mpxn,
            list(|p| p.mpan.as_ref()),
            list(|p| p.mprn.as_ref())
        ));
    };
    if c.role.fuel() != fuel {
        let (what, roles) = if fuel == Fuel::Gas {
            ("an MPRN", "GS or GT")
        } else {
            ("an MPAN", "IS, ES or ED")
        };
        return Err(format!(
            "registration {c}: {} is {what}: its registration roles are {roles}",
            c.mpxn
        ));
    }
    let Some(user) = users.iter().find(|u| u.eui == c.party) else {
        return Err(format!(
            "registration {c}: {} is not a user of the world (users: {})",
            c.party,
            users
                .iter()
                .map(|u| format!("{} {}", u.name, u.eui))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let needed = smki_role_for(c.role);
    if user.smki_role != needed {
        return Err(format!(
            "registration {c}: user {} ({}) holds {} SMKI certificates; the {} of an MPxN is a {needed}",
            user.name,
            user.eui,
            user.smki_role,
            c.role.as_str(),
        ));
    }
    let acting = c.role.user_role();
    if !user.roles.contains(&acting) {
        return Err(format!(
            "registration {c}: user {} ({}) does not act as {} (its roles: {})",
            user.name,
            user.eui,
            acting.as_code(),
            if user.roles.is_empty() {
                "none".to_string()
            } else {
                user.roles
                    .iter()
                    .map(|r| r.as_code())
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        ));
    }
    Ok(())
}

/// The changes as `world.json` records them (canonical text, sorted).
pub fn recorded(changes: &[RegistrationChange]) -> Vec<String> {
    let mut v: Vec<String> = changes.iter().map(ToString::to_string).collect();
    v.sort();
    v
}

/// Refuses `changes` for a world made earlier unless they are the ones it was made with
/// (`marker`: its `world.json`). No changes asked: nothing to check.
pub fn check_resumed(
    dir: &std::path::Path,
    marker: &serde_json::Value,
    changes: &[RegistrationChange],
) -> Result<(), String> {
    if changes.is_empty() {
        return Ok(());
    }
    let made_with: Vec<String> = marker
        .get("registrations")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let asked = recorded(changes);
    if made_with != asked {
        let show = |v: &[String]| {
            if v.is_empty() {
                "its default registration data".to_string()
            } else {
                v.join(", ")
            }
        };
        return Err(format!(
            "{} holds a world made with {}, not {} (registration data is read only when a \
             world is created: use a new --data directory)",
            dir.display(),
            show(&made_with),
            show(&asked)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUPPLIER2: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x03, 0x00, 0x00]);
    const SUPPLIER1: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00]);
    const OPERATOR: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x02, 0x00, 0x00]);
    const OTHER: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x06, 0x00, 0x00]);
    const SUPPLIER_ROLES: &[UserRole] = &[
        UserRole::ImportSupplier,
        UserRole::ExportSupplier,
        UserRole::GasSupplier,
    ];

    fn change(s: &str) -> RegistrationChange {
        s.parse().unwrap()
    }

    fn err(s: &str) -> String {
        s.parse::<RegistrationChange>().unwrap_err()
    }

    fn premises() -> Vec<Premises> {
        vec![Premises {
            uprn: "1".into(),
            postcode: "M22 0RR".into(),
            address_identifier: "Threapwood Road".into(),
            region: dcc::model::CspRegion::Central,
            mpan: Some("1312345678111".into()),
            mprn: Some("1000999888".into()),
        }]
    }

    fn users() -> Vec<WorldUser<'static>> {
        vec![
            WorldUser {
                name: "supplier",
                eui: SUPPLIER1,
                smki_role: RemotePartyRole::Supplier,
                roles: SUPPLIER_ROLES,
            },
            WorldUser {
                name: "supplier2",
                eui: SUPPLIER2,
                smki_role: RemotePartyRole::Supplier,
                roles: &[UserRole::ImportSupplier, UserRole::GasSupplier],
            },
            WorldUser {
                name: "network-operator",
                eui: OPERATOR,
                smki_role: RemotePartyRole::NetworkOperator,
                roles: &[UserRole::ElectricityDistributor, UserRole::GasTransporter],
            },
            WorldUser {
                name: "other-user",
                eui: OTHER,
                smki_role: RemotePartyRole::OtherUser,
                roles: &[UserRole::OtherUser],
            },
        ]
    }

    fn defaults() -> Vec<Registration> {
        let since = time::macros::date!(2020 - 01 - 01);
        [
            ("1312345678111", RegistrationRole::ImportSupplier, SUPPLIER1),
            ("1000999888", RegistrationRole::GasSupplier, SUPPLIER1),
            ("1000999888", RegistrationRole::GasTransporter, OPERATOR),
        ]
        .into_iter()
        .map(|(m, role, party)| Registration {
            mpxn: m.into(),
            role,
            party,
            from: since,
            to: None,
        })
        .collect()
    }

    fn apply_to_defaults(changes: &[&str]) -> Result<Vec<Registration>, String> {
        let changes: Vec<RegistrationChange> = changes.iter().map(|s| change(s)).collect();
        let mut regs = defaults();
        let before = regs.clone();
        let r = apply(
            &mut regs,
            &changes,
            &premises(),
            &users(),
            time::macros::date!(2020 - 01 - 01),
        );
        if r.is_err() {
            assert_eq!(regs, before, "a refused change changes nothing");
        }
        r.map(|()| regs)
    }

    #[test]
    fn parses_and_prints() {
        let c = change("1000999888:GS:90-b3-d5-1f-30-03-00-00");
        assert_eq!(
            c,
            RegistrationChange {
                mpxn: "1000999888".into(),
                role: RegistrationRole::GasSupplier,
                party: SUPPLIER2,
            }
        );
        assert_eq!(c.to_string(), "1000999888:GS:90-B3-D5-1F-30-03-00-00");
        assert_eq!(change("1312345678111:ED:90B3D51F30020000").party, OPERATOR);
        for (code, role) in [
            ("IS", RegistrationRole::ImportSupplier),
            ("ES", RegistrationRole::ExportSupplier),
            ("GS", RegistrationRole::GasSupplier),
            ("ED", RegistrationRole::ElectricityDistributor),
            ("GT", RegistrationRole::GasTransporter),
        ] {
            assert_eq!(change(&format!("1:{code}:{SUPPLIER1}")).role, role);
        }
    }

    #[test]
    fn malformed_changes_are_refused_precisely() {
        assert!(err("1000999888:GS").contains("is not MPXN:ROLE:EUI"));
        assert!(err("1000999888:GS:90-B3-D5-1F-30-03-00-00:x").contains("4 field(s)"));
        assert!(err("").contains("1 field(s)"));
        assert!(err(":GS:90-B3-D5-1F-30-03-00-00").contains("not an MPAN or MPRN"));
        assert!(err("10009A9888:GS:90-B3-D5-1F-30-03-00-00").contains("not an MPAN or MPRN"));
        let e = err("1000999888:OU:90-B3-D5-1F-30-03-00-00");
        assert!(
            e.contains("unknown registration role \"OU\": one of IS, ES, GS, ED, GT"),
            "{e}"
        );
        assert!(err("1000999888:gs:90-B3-D5-1F-30-03-00-00").contains("unknown registration role"));
        assert!(err("1000999888:GS:90-B3-D5-1F-30-03-00").contains("is not an EUI-64"));
    }

    #[test]
    fn a_change_replaces_the_default_party() {
        let regs = apply_to_defaults(&["1000999888:GS:90-B3-D5-1F-30-03-00-00"]).unwrap();
        let gs: Vec<&Registration> = regs
            .iter()
            .filter(|r| r.mpxn == "1000999888" && r.role == RegistrationRole::GasSupplier)
            .collect();
        assert_eq!(gs.len(), 1);
        assert_eq!(gs[0].party, SUPPLIER2);
        // The others are as they were.
        assert_eq!(regs.len(), defaults().len());
        assert_eq!(regs[0], defaults()[0]);
        assert_eq!(regs[2], defaults()[2]);
    }

    #[test]
    fn a_role_with_no_default_party_is_added() {
        let regs = apply_to_defaults(&["1312345678111:ES:90-B3-D5-1F-30-01-00-00"]).unwrap();
        assert_eq!(regs.len(), defaults().len() + 1);
        let es = regs.last().unwrap();
        assert_eq!(
            (es.mpxn.as_str(), es.role, es.party),
            ("1312345678111", RegistrationRole::ExportSupplier, SUPPLIER1)
        );
    }

    #[test]
    fn every_refusal_is_precise_and_changes_nothing() {
        let e = apply_to_defaults(&["1999999999:GS:90-B3-D5-1F-30-03-00-00"]).unwrap_err();
        assert!(
            e.contains(
                "MPxN 1999999999 is not in the world (MPANs: 1312345678111; MPRNs: 1000999888)"
            ),
            "{e}"
        );
        let e = apply_to_defaults(&["1312345678111:GS:90-B3-D5-1F-30-03-00-00"]).unwrap_err();
        assert!(
            e.contains("1312345678111 is an MPAN: its registration roles are IS, ES or ED"),
            "{e}"
        );
        let e = apply_to_defaults(&["1000999888:ED:90-B3-D5-1F-30-02-00-00"]).unwrap_err();
        assert!(
            e.contains("1000999888 is an MPRN: its registration roles are GS or GT"),
            "{e}"
        );
        let e = apply_to_defaults(&["1000999888:GS:90-B3-D5-1F-30-09-00-00"]).unwrap_err();
        assert!(
            e.contains("90-B3-D5-1F-30-09-00-00 is not a user of the world (users: supplier 90-B3-D5-1F-30-01-00-00,"),
            "{e}"
        );
        let e = apply_to_defaults(&["1000999888:GT:90-B3-D5-1F-30-03-00-00"]).unwrap_err();
        assert!(
            e.contains("user supplier2 (90-B3-D5-1F-30-03-00-00) holds supplier SMKI certificates; the GasTransporter of an MPxN is a networkOperator"),
            "{e}"
        );
        let e = apply_to_defaults(&["1000999888:GS:90-B3-D5-1F-30-02-00-00"]).unwrap_err();
        assert!(e.contains("holds networkOperator SMKI certificates"), "{e}");
        let e = apply_to_defaults(&["1000999888:GS:90-B3-D5-1F-30-06-00-00"]).unwrap_err();
        assert!(
            e.contains(
                "user other-user (90-B3-D5-1F-30-06-00-00) holds otherUser SMKI certificates"
            ),
            "{e}"
        );
        // A supplier that does not act as an export supplier cannot be registered as one.
        let e = apply_to_defaults(&["1312345678111:ES:90-B3-D5-1F-30-03-00-00"]).unwrap_err();
        assert!(
            e.contains(
                "user supplier2 (90-B3-D5-1F-30-03-00-00) does not act as ES (its roles: IS GS)"
            ),
            "{e}"
        );
        // Twice the same MPxN and role; and a good change with a bad one changes nothing.
        let e = apply_to_defaults(&[
            "1000999888:GS:90-B3-D5-1F-30-03-00-00",
            "1000999888:GS:90-B3-D5-1F-30-01-00-00",
        ])
        .unwrap_err();
        assert!(e.contains("both name the GasSupplier of 1000999888"), "{e}");
        assert!(
            apply_to_defaults(&[
                "1000999888:GS:90-B3-D5-1F-30-03-00-00",
                "1000999888:GT:90-B3-D5-1F-30-03-00-00",
            ])
            .is_err()
        );
    }

    #[test]
    fn a_resumed_world_must_have_been_made_with_the_same_changes() {
        let dir = std::path::Path::new("/w");
        let a = change("1000999888:GS:90-B3-D5-1F-30-03-00-00");
        let b = change("1312345678111:IS:90-B3-D5-1F-30-03-00-00");
        let marker = serde_json::json!({ "registrations": recorded(&[b.clone(), a.clone()]) });
        assert!(check_resumed(dir, &marker, &[]).is_ok());
        assert!(check_resumed(dir, &marker, &[a.clone(), b.clone()]).is_ok());
        let e = check_resumed(dir, &marker, std::slice::from_ref(&a)).unwrap_err();
        assert!(e.contains("/w holds a world made with 1000999888:GS:90-B3-D5-1F-30-03-00-00, 1312345678111:IS:90-B3-D5-1F-30-03-00-00, not 1000999888:GS:90-B3-D5-1F-30-03-00-00"), "{e}");
        let e = check_resumed(dir, &serde_json::json!({}), &[a]).unwrap_err();
        assert!(e.contains("made with its default registration data"), "{e}");
    }
}
