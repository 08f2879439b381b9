//! A generated world (`opendcc demo --premises N`): every generated device has DS and KA
//! certificates from the DCA whose keys are the ones its emulated identity derives, its
//! registration data names the premises' supplier and network operators, the premises are
//! spread over the CSP regions, no device state is stored until a command changes it, and a
//! read of a generated ESME is answered end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dcc::model::{CspRegion, DeviceType};
use dcc::store::Store as _;
use eui::Eui64;
use harness::Harness;
use opendcc::world_gen::{self, GeneratedVault};
use smki::{CaKind, KeyPair};
use smki_service::{CertRecord, Environment, SmkiStore as _, SmkiTx};
use wan::EmulatorTx as _;

const READ: &str = "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML";

fn public_key(pkcs8: &[u8]) -> Vec<u8> {
    KeyPair::from_pkcs8_der(pkcs8)
        .unwrap()
        .public_key()
        .to_sec1_uncompressed()
        .to_vec()
}

#[test]
fn a_generated_world_is_consistent_and_served() {
    let mut h = Harness::new_world_of(Some(12));
    let generated = 8;
    let vault = GeneratedVault::open(h.world_dir())
        .unwrap()
        .expect("a vault");
    assert_eq!(vault.spec().premises, generated);
    let dcas: Vec<Vec<u8>> = h
        .store()
        .smki_transaction(|tx: &mut dyn SmkiTx| tx.cas(CaKind::Dca, Environment::Live))
        .unwrap()
        .into_iter()
        .map(|c| c.cert_der)
        .collect();
    assert!(!dcas.is_empty());
    let user = |h: &Harness, name: &str| h.user_eui(name);
    let mut regions = std::collections::HashMap::new();
    let mut suppliers = std::collections::HashSet::new();
    let mut emulated = 0;
    for i in 0..generated {
        let p = world_gen::premises(i);
        let (premises, devices) = h
            .store()
            .transaction(|tx| Ok((tx.premises(&p.uprn)?, tx.devices_at(&p.uprn)?)))
            .unwrap();
        let premises = premises.expect("the premises");
        assert_eq!(premises.mpan.as_deref(), Some(p.mpan.as_str()));
        assert!(world_gen::mpan_valid(&p.mpan));
        *regions.entry(format!("{:?}", premises.region)).or_insert(0) += 1;
        suppliers.insert(p.supplier_name());
        let expected: Vec<(Eui64, DeviceType)> = p.devices().collect();
        assert_eq!(
            devices
                .iter()
                .map(|d| (d.id, d.device_type))
                .collect::<Vec<_>>(),
            expected
        );
        assert_eq!(devices.len(), if i % 4 == 0 { 7 } else { 4 });
        for d in &devices {
            // Registration data: the premises' supplier and the network operator of the fuel.
            let parties = h
                .store()
                .transaction(|tx| {
                    dcc::registration::load(tx, d, time::OffsetDateTime::now_utc().date())
                })
                .unwrap();
            match d.device_type {
                DeviceType::Esme => {
                    assert_eq!(parties.import_supplier, Some(user(&h, p.supplier_name())));
                    assert_eq!(
                        parties.electricity_distributor,
                        Some(user(&h, "distributor"))
                    );
                }
                DeviceType::Gsme | DeviceType::Gpf => {
                    assert_eq!(parties.gas_supplier, Some(user(&h, p.supplier_name())));
                    assert_eq!(parties.gas_transporter, Some(user(&h, "transporter")));
                }
                _ => {}
            }
            if d.device_type == DeviceType::Ihd {
                assert!(vault.derive_identity(d.id).is_none());
                continue;
            }
            emulated += 1;
            // Certificates from the DCA, with the keys the vault derives.
            let identity = vault.derive_identity(d.id).expect("an identity");
            for (usage, key) in [
                ("ds", &identity.ds_private_pkcs8),
                ("ka", &identity.ka_private_pkcs8),
            ] {
                let der = h.device_cert(&d.id.to_string(), usage);
                assert!(
                    dcas.iter()
                        .any(|ca| smki::verify_issued_by(&der, ca).is_ok()),
                    "{} {usage}: not issued by the DCA",
                    d.id
                );
                let rec = CertRecord::device(&der, Environment::Live, 0).unwrap();
                assert_eq!(rec.subject_eui, Some(d.id));
                assert_eq!(rec.public_key, public_key(key), "{} {usage}", d.id);
            }
            // The installed state is computed, not stored.
            assert!(
                h.store()
                    .transaction_in(|tx| wan::emulated::stored_state(tx, d.id))
                    .unwrap()
                    .is_none()
            );
        }
    }
    assert_eq!(emulated, world_gen::emulated_count(generated));
    for r in [CspRegion::North, CspRegion::Central, CspRegion::South] {
        assert!(
            regions.get(&format!("{r:?}")).is_some_and(|n| *n >= 2),
            "{regions:?}"
        );
    }
    assert_eq!(suppliers.len(), 2);
    let stored = h
        .store()
        .transaction_in(|tx| Ok(tx.device_state_ids()?))
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|id| world_gen::locate(*id, generated).is_none()),
        "no generated device has a stored state"
    );

    // A 4.1.1 read of a generated ESME (premises 1: supplier-b's), answered end to end.
    let p = world_gen::premises(1);
    let esme = p.devices().next().unwrap().0.to_string();
    let (req, a) = h.device_request(p.supplier_name(), READ, &esme);
    assert_eq!(a.http_status, 200, "{}", a.body);
    assert_eq!(a.code.map(|c| c.as_str()), Some("I99"), "{}", a.body);
    h.run_until_idle();
    let r = h
        .response_for(p.supplier_name(), &req.rid)
        .expect("the read's response");
    assert_eq!(r.code().as_deref(), Some("I0"), "{}", r.xml);
    // Now, and only now, the ESME has a stored state.
    let stored = h
        .store()
        .transaction_in(|tx| Ok(tx.device_state_ids()?))
        .unwrap();
    let generated_rows: Vec<_> = stored
        .iter()
        .filter(|id| world_gen::locate(**id, generated).is_some())
        .collect();
    assert_eq!(generated_rows.len(), 1);
    assert_eq!(generated_rows[0].to_string(), esme);
}
