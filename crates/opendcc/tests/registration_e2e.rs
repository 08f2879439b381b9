//! Registration changes when a world is made (`opendcc demo --registration MPXN:ROLE:EUI`,
//! `registrations` in `serve`'s configuration): the world's registration data names the party
//! asked for, the world remembers what it was made with, and every refusal is precise and
//! creates nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dcc::model::{Registration, RegistrationRole};
use dcc::store::Store;
use eui::Eui64;
use opendcc::registrations::RegistrationChange;
use opendcc::world::{World, WorldOptions};

const BIN: &str = env!("CARGO_BIN_EXE_opendcc");

const SUPPLIER_A: &str = "90-B3-D5-1F-30-01-00-00";
const SUPPLIER_B: &str = "90-B3-D5-1F-30-03-00-00";
const TRANSPORTER: &str = "90-B3-D5-1F-30-05-00-00";
/// Premises 1 of the fresh-keys world.
const MPAN1: &str = "1900000000018";
const MPRN1: &str = "1234567";

fn corpus() -> PathBuf {
    std::env::var_os("OPENDCC_CORPUS").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus"
            ))
        },
        PathBuf::from,
    )
}

fn registrations(dir: &Path, mpxn: &str) -> Vec<Registration> {
    let store = World::open_existing_store(dir).unwrap();
    store.transaction(|tx| Ok(tx.registrations(mpxn)?)).unwrap()
}

fn party(regs: &[Registration], role: RegistrationRole) -> Option<Eui64> {
    let found: Vec<Eui64> = regs
        .iter()
        .filter(|r| r.role == role && r.to.is_none())
        .map(|r| r.party)
        .collect();
    assert!(found.len() <= 1, "{role:?}: {found:?}");
    found.first().copied()
}

fn eui(s: &str) -> Eui64 {
    s.parse().unwrap()
}

/// `opendcc demo --data DIR ARGS` expected to be refused at once: its output.
fn refused(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .arg("demo")
        .arg("--data")
        .arg(dir)
        .args(args)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--smki-listen",
            "127.0.0.1:0",
            "--plain-http",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{args:?} was accepted");
    assert!(
        !dir.exists(),
        "{args:?}: refused, yet {} was created",
        dir.display()
    );
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh-keys world made with a change registers the party asked for, in place of the
/// default, and leaves the rest as it was; it resumes with the same changes or none, and a
/// resume with others is refused.
#[test]
fn a_fresh_world_takes_registration_changes() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    let change: RegistrationChange = format!("{MPRN1}:GS:{SUPPLIER_B}").parse().unwrap();
    let options = WorldOptions {
        premises: None,
        registrations: vec![change.clone()],
    };
    World::open_or_create_as(&dir, &options).unwrap();
    let gas = registrations(&dir, MPRN1);
    assert_eq!(
        party(&gas, RegistrationRole::GasSupplier),
        Some(eui(SUPPLIER_B))
    );
    assert_eq!(
        party(&gas, RegistrationRole::GasTransporter),
        Some(eui(TRANSPORTER))
    );
    let elec = registrations(&dir, MPAN1);
    assert_eq!(
        party(&elec, RegistrationRole::ImportSupplier),
        Some(eui(SUPPLIER_A))
    );
    // Premises 2 keeps its defaults.
    assert_eq!(
        party(
            &registrations(&dir, "2345678"),
            RegistrationRole::GasSupplier
        ),
        Some(eui(SUPPLIER_A))
    );

    World::open_or_create_as(&dir, &options).unwrap();
    World::open_or_create_with(&dir, None).unwrap();
    let other = WorldOptions {
        premises: None,
        registrations: vec![format!("{MPAN1}:IS:{SUPPLIER_B}").parse().unwrap()],
    };
    let e = World::open_or_create_as(&dir, &other).err().unwrap();
    assert!(
        e.contains(&format!(
            "holds a world made with {change}, not {MPAN1}:IS:{SUPPLIER_B}"
        )),
        "{e}"
    );
    // Still as made.
    assert_eq!(
        party(&registrations(&dir, MPRN1), RegistrationRole::GasSupplier),
        Some(eui(SUPPLIER_B))
    );
}

/// Every refusal of `opendcc demo --registration` names what is wrong, and nothing is created:
/// malformed changes (clap's usage error), then changes the world cannot take.
#[test]
fn demo_refuses_bad_registrations_and_creates_nothing() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    for (arg, want) in [
        (
            format!("{MPRN1}:XX:{SUPPLIER_B}"),
            "unknown registration role \"XX\": one of IS, ES, GS, ED, GT",
        ),
        (format!("{MPRN1}:{SUPPLIER_B}"), "is not MPXN:ROLE:EUI"),
        (
            format!("{MPRN1}:GS:90-B3-D5-1F-30-03-00"),
            "is not an EUI-64",
        ),
        (
            format!("M{MPRN1}:GS:{SUPPLIER_B}"),
            "is not an MPAN or MPRN",
        ),
    ] {
        let o = refused(&dir, &["--registration", &arg]);
        assert_eq!(o.status.code(), Some(2), "{arg}: a usage error");
        let e = stderr(&o);
        assert!(
            e.contains("--registration <MPXN:ROLE:EUI>") && e.contains(want),
            "{arg}: {e}"
        );
    }
    for (args, want) in [
        (
            vec![format!("9999999:GS:{SUPPLIER_B}")],
            "MPxN 9999999 is not in the world (MPANs: 1900000000018, 1200000000025, 1300000000032, 1400000000049; MPRNs: 1234567, 2345678, 3456789, 4567890)",
        ),
        (
            vec![format!("{MPAN1}:GS:{SUPPLIER_B}")],
            "1900000000018 is an MPAN: its registration roles are IS, ES or ED",
        ),
        (
            vec![format!("{MPRN1}:GS:90-B3-D5-1F-30-09-00-00")],
            "90-B3-D5-1F-30-09-00-00 is not a user of the world (users: supplier-a 90-B3-D5-1F-30-01-00-00",
        ),
        (
            vec![format!("{MPRN1}:GS:{TRANSPORTER}")],
            "user transporter (90-B3-D5-1F-30-05-00-00) holds networkOperator SMKI certificates; the GasSupplier of an MPxN is a supplier",
        ),
        (
            vec![format!("{MPRN1}:GT:{SUPPLIER_B}")],
            "user supplier-b (90-B3-D5-1F-30-03-00-00) holds supplier SMKI certificates; the GasTransporter of an MPxN is a networkOperator",
        ),
        (
            vec![format!("{MPAN1}:ES:{SUPPLIER_A}")],
            "user supplier-a (90-B3-D5-1F-30-01-00-00) does not act as ES (its roles: IS GS)",
        ),
        (
            vec![
                format!("{MPRN1}:GS:{SUPPLIER_B}"),
                format!("{MPRN1}:GS:{SUPPLIER_A}"),
            ],
            "both name the GasSupplier of 1234567",
        ),
        (
            vec![
                "--premises".into(),
                "5".into(),
                format!("7000000000:GS:{SUPPLIER_B}"),
            ],
            "7000000000 is not an MPxN of the 4 named demo premises",
        ),
    ] {
        let mut argv: Vec<&str> = Vec::new();
        for a in &args {
            if a.contains(':') {
                argv.extend(["--registration", a]);
            } else {
                argv.push(a);
            }
        }
        let o = refused(&dir, &argv);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = stderr(&o);
        assert!(
            e.contains(&format!("registration {}", args.last().unwrap())) || e.contains(want),
            "{args:?}: {e}"
        );
        assert!(e.contains(want), "{args:?}: {e}");
    }
}

/// In ZAZ1 mode the changes are checked against the ZAZ1 users and premises before the world is
/// built.
#[test]
fn zaz1_demo_refuses_bad_registrations_and_creates_nothing() {
    let folder = corpus().join("zaz1");
    assert!(
        folder.join("Z1-supplier-ds.pem").is_file(),
        "{} holds no ZAZ1 material (set OPENDCC_CORPUS)",
        folder.display()
    );
    let keystore = folder.display().to_string();
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    for (change, want) in [
        (
            "1234567:GS:90-B3-D5-1F-30-03-00-00",
            "MPxN 1234567 is not in the world (MPANs: 1312345678111; MPRNs: 1000999888)",
        ),
        (
            "1000999888:GS:90-B3-D5-1F-30-05-00-00",
            "90-B3-D5-1F-30-05-00-00 is not a user of the world",
        ),
        (
            "1000999888:GT:90-B3-D5-1F-30-03-00-00",
            "user supplier2 (90-B3-D5-1F-30-03-00-00) holds supplier SMKI certificates; the GasTransporter of an MPxN is a networkOperator",
        ),
        (
            "1312345678111:ED:90-B3-D5-1F-30-01-00-00",
            "user supplier (90-B3-D5-1F-30-01-00-00) holds supplier SMKI certificates",
        ),
    ] {
        let o = refused(&dir, &["--zaz1", &keystore, "--registration", change]);
        assert_eq!(o.status.code(), Some(1), "{change}");
        let e = stderr(&o);
        assert!(e.contains(want), "{change}: {e}");
    }
}
