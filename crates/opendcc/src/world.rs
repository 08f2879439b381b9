//! The demo world: a DCC with its own SMKI and DCCKI authorities, users in every role, premises
//! with hubs, meters and HAN devices, registration data — created on first run in a data
//! directory, resumed from it afterwards.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use dcc::model::{
    CspRegion, Device, DeviceStatus, DeviceType, EsmeVariant, OrgCertRecord, Premises,
    Registration, RegistrationRole, User,
};
use dcc::store::{Store, Tx};
use duis::UserRole;
use eui::Eui64;
use server::TlsMaterial;
use smki::{
    CaKind, DeviceCertRequest, KeyPair, KeyUsage, OrgCertRequest, OrgCertificate, Pki, PkiNames,
    RemotePartyRole, Serial, TlsClientCertRequest, TlsServerCertRequest,
};
use store::SqliteStore;
use time::{Duration, OffsetDateTime};

use crate::backend::ToolStore;
use crate::config::{OperatorDcc, StoreConfig};
use crate::manifest::{DccEntry, DeviceEntry, Manifest, SmkiEntry, UserEntry};
use crate::registrations::{RegistrationChange, WorldUser};

/// The DCC's own EUI-64 (the RequestID target of non-device requests): the one DCC Boxed uses,
/// so that requests written for it address opendcc unchanged.
pub const DCC_EUI: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x02]);
/// The DCC's transitional change-of-supplier party (signs CS02bSupplierByTransCoS, 6.23).
pub const TRANS_COS_EUI: Eui64 = Eui64([0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x00, 0x00, 0x04]);

pub const MARKER: &str = "world.json";
pub const DB: &str = "opendcc.sqlite";

struct UserSpec {
    name: &'static str,
    eui: u64,
    roles: &'static [UserRole],
    smki_role: RemotePartyRole,
}

const USERS: &[UserSpec] = &[
    UserSpec {
        name: "supplier-a",
        eui: 0x90B3_D51F_3001_0000,
        roles: &[UserRole::ImportSupplier, UserRole::GasSupplier],
        smki_role: RemotePartyRole::Supplier,
    },
    UserSpec {
        name: "supplier-b",
        eui: 0x90B3_D51F_3003_0000,
        roles: &[
            UserRole::ImportSupplier,
            UserRole::ExportSupplier,
            UserRole::GasSupplier,
        ],
        smki_role: RemotePartyRole::Supplier,
    },
    UserSpec {
        name: "distributor",
        eui: 0x90B3_D51F_3002_0000,
        roles: &[UserRole::ElectricityDistributor],
        smki_role: RemotePartyRole::NetworkOperator,
    },
    UserSpec {
        name: "transporter",
        eui: 0x90B3_D51F_3005_0000,
        roles: &[UserRole::GasTransporter],
        smki_role: RemotePartyRole::NetworkOperator,
    },
    UserSpec {
        name: "other-user",
        eui: 0x90B3_D51F_3006_0000,
        roles: &[UserRole::OtherUser],
        smki_role: RemotePartyRole::OtherUser,
    },
    // The RTDS load controller's EUI, so that the 7.16 templates address it; ESMEs hold its
    // trust anchor.
    UserSpec {
        name: "load-controller",
        eui: 0x90B3_D51F_3001_0008,
        roles: &[UserRole::LoadController],
        smki_role: RemotePartyRole::LoadController,
    },
];

struct PremisesSpec {
    uprn: &'static str,
    postcode: &'static str,
    address: &'static str,
    region: CspRegion,
    mpan: &'static str,
    mprn: &'static str,
    /// First device EUI; the devices take consecutive EUIs from it.
    base: u64,
    han: bool,
}

/// Premises 1 uses the device EUIs of DCC's Reference Test Data Set (`00-DB-12-34-56-78-90-A0`
/// ESME, `…A1` GSME, `…A2` CHF, `…A3` GPF, `…A4` PPMID, `…A5` HCALCS), so that the public DUIS
/// templates address a real device.
const PREMISES: &[PremisesSpec] = &[
    PremisesSpec {
        uprn: "100000000001",
        postcode: "M22 0RR",
        address: "Threapwood Road",
        region: CspRegion::Central,
        mpan: "1900000000018",
        mprn: "1234567",
        base: 0x00DB_1234_5678_90A0,
        han: true,
    },
    PremisesSpec {
        uprn: "100000000002",
        postcode: "EH1 1YZ",
        address: "1 Castle Wynd",
        region: CspRegion::North,
        mpan: "1200000000025",
        mprn: "2345678",
        base: 0x00DB_1234_5678_91A0,
        han: true,
    },
    PremisesSpec {
        uprn: "100000000003",
        postcode: "SW1A 2AA",
        address: "10 Downing Street",
        region: CspRegion::South,
        mpan: "1300000000032",
        mprn: "3456789",
        base: 0x00DB_1234_5678_92A0,
        han: false,
    },
    PremisesSpec {
        uprn: "100000000004",
        postcode: "B1 1BB",
        address: "4 Centenary Square",
        region: CspRegion::Central,
        mpan: "1400000000049",
        mprn: "4567890",
        base: 0x00DB_1234_5678_93A0,
        han: false,
    },
];

/// Whether the named premises' Communications Hub is a dual-band one (DUIS 6.28–6.32): the
/// RTDS premises (its hub `…A2` is the RTDS DBCH vectors' recipient) and the northern one (the
/// Fylingdales area is served by dual-band hubs only); the other two have single-band hubs.
pub fn dual_band_premises(uprn: &str) -> bool {
    matches!(uprn, "100000000001" | "100000000002")
}

/// Device types at a premises, in EUI order from its base (the RTDS order).
pub(crate) const DEVICE_ORDER: &[DeviceType] = &[
    DeviceType::Esme,
    DeviceType::Gsme,
    DeviceType::Chf,
    DeviceType::Gpf,
    DeviceType::Ppmid,
    DeviceType::Hcalcs,
    DeviceType::Ihd,
];

/// Manufactured devices whose SMKI certificates exist but which are not in the inventory yet:
/// what a user pre-notifies (12.2).
pub const SPARE_DEVICES: &[(u64, DeviceType)] = &[
    (0x00DB_1234_5678_99A0, DeviceType::Esme),
    (0x00DB_1234_5678_99A1, DeviceType::Gsme),
    (0x00DB_1234_5678_99A4, DeviceType::Ppmid),
];

/// How a new world is made (`opendcc demo --premises N --registration …`, or `serve`'s
/// configuration); read only when the world is created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorldOptions {
    /// The number of premises (`None`: the four named demo premises alone).
    pub premises: Option<u64>,
    /// Registration data other than the default ([`crate::registrations`]).
    pub registrations: Vec<RegistrationChange>,
}

/// The named premises as the world holds them.
fn named_premises() -> Vec<Premises> {
    PREMISES.iter().map(PremisesSpec::premises).collect()
}

impl PremisesSpec {
    /// The premises as the world holds it.
    fn premises(&self) -> Premises {
        Premises {
            uprn: self.uprn.into(),
            postcode: self.postcode.into(),
            address_identifier: self.address.into(),
            region: self.region,
            mpan: Some(self.mpan.into()),
            mprn: Some(self.mprn.into()),
        }
    }
}

/// The world's users as registration data sees them.
fn world_users() -> Vec<WorldUser<'static>> {
    USERS
        .iter()
        .map(|u| WorldUser {
            name: u.name,
            eui: Eui64::from_u64(u.eui),
            smki_role: u.smki_role,
            roles: u.roles,
        })
        .collect()
}

/// Checks registration changes against the world `create` makes (its named premises: generated
/// premises take none), before anything is created.
fn check_registrations(changes: &[RegistrationChange], generated: u64) -> Result<(), String> {
    crate::registrations::check_distinct(changes)?;
    let (premises, users) = (named_premises(), world_users());
    for c in changes {
        let named = premises
            .iter()
            .any(|p| [&p.mpan, &p.mprn].contains(&&Some(c.mpxn.clone())));
        if generated > 0 && !named {
            return Err(format!(
                "registration {c}: {} is not an MPxN of the {} named demo premises, the only \
                 ones registration changes apply to (generated premises keep their generated \
                 registrations)",
                c.mpxn,
                premises.len()
            ));
        }
        crate::registrations::check(c, &premises, &users)?;
    }
    Ok(())
}

/// The on-disk demo world.
pub struct World {
    dir: PathBuf,
}

fn io(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}

pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    std::fs::write(path, contents).map_err(|e| io(path, e))
}

pub fn write_secret(path: &Path, contents: &[u8]) -> Result<(), String> {
    write_file(path, contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io(path, e))?;
    }
    Ok(())
}

fn read_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| io(path, e))
}

pub fn smki_err(e: smki::SmkiError) -> String {
    format!("SMKI: {e}")
}

fn new_key() -> Result<KeyPair, String> {
    KeyPair::generate_with_os_rng().map_err(smki_err)
}

fn new_serial() -> Result<Serial, String> {
    Serial::random_with_os_rng().map_err(smki_err)
}

pub fn key_pem(k: &KeyPair) -> Result<Vec<u8>, String> {
    Ok(k.to_pkcs8_pem().map_err(smki_err)?.as_bytes().to_vec())
}

pub fn cert_pem(der: &[u8]) -> Result<String, String> {
    smki::cert_to_pem(der).map_err(smki_err)
}

pub fn user_dir(dir: &Path, name: &str) -> PathBuf {
    dir.join("users").join(name)
}

pub fn device_dir(dir: &Path, id: Eui64) -> PathBuf {
    dir.join("devices").join(id.to_hex())
}

pub const CA_FILES: &[(CaKind, &str)] = &[
    (CaKind::OrganisationRoot, "org-root"),
    (CaKind::Oca, "org-issuing"),
    (CaKind::DeviceRoot, "device-root"),
    (CaKind::Dca, "device-issuing"),
    (CaKind::DcckiRoot, "dccki-root"),
    (CaKind::DcckiIssuing, "dccki-issuing"),
];

impl World {
    /// Opens the world in `dir`, creating it first if `dir` holds none.
    pub fn open_or_create(dir: &Path) -> Result<Self, String> {
        Self::open_or_create_with(dir, None)
    }

    /// Opens the world in `dir`, creating it first if `dir` holds none, with `premises`
    /// premises (the four named demo premises and `premises − 4` generated ones; `None`: the
    /// demo world alone). An existing world of another size is an error.
    pub fn open_or_create_with(dir: &Path, premises: Option<u64>) -> Result<Self, String> {
        Self::open_or_create_as(
            dir,
            &WorldOptions {
                premises,
                registrations: Vec::new(),
            },
        )
    }

    /// Opens the world in `dir`, creating it first as `options` say if `dir` holds none. An
    /// existing world of another size, or made with other registration changes, is an error;
    /// so is a change the world cannot take (checked before anything is created).
    pub fn open_or_create_as(dir: &Path, options: &WorldOptions) -> Result<Self, String> {
        Self::check_options(dir, options)?;
        let premises = options.premises;
        let generated = premises.map_or(0, |n| n - crate::world_gen::NAMED_PREMISES);
        let exists = dir.join(MARKER).exists();
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let dir = std::fs::canonicalize(dir).map_err(|e| io(dir, e))?;
        let world = World { dir };
        if !exists {
            world.create(generated, &options.registrations)?;
        } else {
            if let Some(n) = premises {
                let have = world.generated_premises()?;
                if have != generated {
                    return Err(format!(
                        "{} holds a world of {} premises, not {n} (use a new --data directory)",
                        world.dir.display(),
                        have + crate::world_gen::NAMED_PREMISES
                    ));
                }
            }
            crate::registrations::check_resumed(
                &world.dir,
                &world.marker()?,
                &options.registrations,
            )?;
        }
        Ok(world)
    }

    /// Refuses, before anything is created, `options` a world cannot be made with: fewer
    /// premises than the named ones, and, when `dir` holds no world yet, registration changes
    /// the new world cannot take, and a `dir` whose world was moved to PostgreSQL
    /// (`crate::migrate::check_not_moved`). (Whether an existing world was made with them is
    /// checked when it is opened.)
    pub fn check_options(dir: &Path, options: &WorldOptions) -> Result<(), String> {
        // A world moved to PostgreSQL is not resumed on its stale SQLite file (`serve` on
        // `sqlite:DIR`, `demo --data DIR`), before anything is made or locked in DIR.
        crate::migrate::check_not_moved(dir)?;
        if let Some(n) = options.premises
            && n < crate::world_gen::NAMED_PREMISES
        {
            return Err(format!(
                "--premises {n}: a world has at least the {} named demo premises",
                crate::world_gen::NAMED_PREMISES
            ));
        }
        if !dir.join(MARKER).exists() {
            let generated = options
                .premises
                .map_or(0, |n| n - crate::world_gen::NAMED_PREMISES);
            check_registrations(&options.registrations, generated)?;
        }
        Ok(())
    }

    /// The world's marker file (`world.json`), parsed.
    fn marker(&self) -> Result<serde_json::Value, String> {
        serde_json::from_str(&read_file(&self.dir.join(MARKER))?)
            .map_err(|e| format!("{}: {e}", self.dir.join(MARKER).display()))
    }

    /// How many generated premises the world has (0 for the demo world alone).
    pub fn generated_premises(&self) -> Result<u64, String> {
        Ok(self
            .marker()?
            .get("generated_premises")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0))
    }

    /// The emulated devices of the world: the named devices' keys from their files, and for a
    /// generated world the vault that derives the others' keys on demand.
    pub fn emulated_devices<S: Store>(
        &self,
        store: &S,
    ) -> Result<wan::emulated::EmulatedDevices, String> {
        let devices = wan::emulated::EmulatedDevices::new(device_identities(&self.dir, store)?);
        Ok(match crate::world_gen::GeneratedVault::open(&self.dir)? {
            Some(v) => devices.with_vault(std::sync::Arc::new(v)),
            None => devices,
        })
    }

    pub fn pki_path(&self, name: &str) -> PathBuf {
        self.dir.join("pki").join(name)
    }

    pub fn private_path(&self, name: &str) -> PathBuf {
        self.dir.join("pki").join("private").join(name)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The database of the existing world in `dir` (an error if there is none).
    pub fn open_existing_store(dir: &Path) -> Result<SqliteStore, String> {
        open_existing(dir)?.open_store()
    }

    /// The world's SQLite database, as the DCC's store (refused if the world was moved to
    /// PostgreSQL: `crate::migrate::check_not_moved`).
    pub fn open_store(&self) -> Result<SqliteStore, String> {
        crate::migrate::check_not_moved(&self.dir)?;
        SqliteStore::open(&self.dir.join(DB)).map_err(|e| e.to_string())
    }

    /// Builds a new world. Anything a previous, interrupted creation left is replaced; the
    /// marker file is written last, so a world either exists whole or is made again.
    fn create(&self, generated: u64, changes: &[RegistrationChange]) -> Result<(), String> {
        for sub in ["pki", "users", "devices"] {
            let p = self.dir.join(sub);
            if p.exists() {
                std::fs::remove_dir_all(&p).map_err(|e| io(&p, e))?;
            }
        }
        for f in [
            DB,
            "opendcc.sqlite-wal",
            "opendcc.sqlite-shm",
            "demo.json",
            crate::world_gen::SPEC_FILE,
        ] {
            let p = self.dir.join(f);
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| io(&p, e))?;
            }
        }
        let now = OffsetDateTime::now_utc();
        let pki = Pki::generate_with_os_rng(now, &PkiNames::default()).map_err(smki_err)?;
        for (kind, name) in CA_FILES {
            let ca = match kind {
                CaKind::OrganisationRoot => &pki.org_root,
                CaKind::Oca => &pki.oca,
                CaKind::DeviceRoot => &pki.device_root,
                CaKind::Dca => &pki.dca,
                CaKind::DcckiRoot => &pki.dccki_root,
                CaKind::DcckiIssuing => &pki.dccki_issuing,
            };
            write_file(
                &self.pki_path(&format!("{name}.pem")),
                ca.cert_pem().map_err(smki_err)?.as_bytes(),
            )?;
            write_secret(
                &self.private_path(&format!("{name}.key")),
                &key_pem(ca.key())?,
            )?;
        }
        let not_before = now - Duration::days(1);
        let org_not_after = now + Duration::days(365 * 10);
        let store = self.open_store()?;
        let mut org_certs = Vec::new();
        // Public keys (DS, KA) of the parties devices trust, by name.
        let mut anchor_keys: std::collections::HashMap<&'static str, ([u8; 65], [u8; 65])> =
            std::collections::HashMap::new();
        let mut acb_keys: [[u8; 65]; 2] = [[0; 65]; 2];

        // The DCC's XML signing certificate: signs every DUIS response.
        let xml_key = new_key()?;
        let xml_cert = pki
            .oca
            .issue_organisation(&OrgCertRequest {
                common_name: Some("OPENDCC DSP".into()),
                eui: DCC_EUI,
                role: RemotePartyRole::DspXmlSigning,
                usage: KeyUsage::DigitalSignature,
                public_key: xml_key.public_key(),
                serial: new_serial()?,
                not_before,
                not_after: org_not_after,
            })
            .map_err(smki_err)?;
        write_file(
            &self.pki_path("dcc-xml-signing.pem"),
            cert_pem(&xml_cert)?.as_bytes(),
        )?;
        write_secret(
            &self.private_path("dcc-xml-signing.key"),
            &key_pem(&xml_key)?,
        )?;
        org_certs.push(xml_cert);

        // The Access Control Broker: its key-agreement key MACs every WAN command, its signing
        // key signs the commands the DCC originates.
        for (usage, name) in [
            (KeyUsage::DigitalSignature, "acb-ds"),
            (KeyUsage::KeyAgreement, "acb-ka"),
        ] {
            let key = new_key()?;
            acb_keys[usize::from(usage == KeyUsage::KeyAgreement)] =
                key.public_key().to_sec1_uncompressed();
            let cert = pki
                .oca
                .issue_organisation(&OrgCertRequest {
                    common_name: Some("OPENDCC ACB".into()),
                    eui: DCC_EUI,
                    role: RemotePartyRole::AccessControlBroker,
                    usage,
                    public_key: key.public_key(),
                    serial: new_serial()?,
                    not_before,
                    not_after: org_not_after,
                })
                .map_err(smki_err)?;
            write_file(
                &self.pki_path(&format!("{name}.pem")),
                cert_pem(&cert)?.as_bytes(),
            )?;
            write_secret(&self.private_path(&format!("{name}.key")), &key_pem(&key)?)?;
        }

        // The DCC's transitional change-of-supplier party: a trust anchor on every device (its
        // DS key signs CS02bSupplierByTransCoS, 6.23; its KA key is never used).
        let trans_cos_ds = new_key()?;
        let trans_cos_ka = new_key()?;
        write_secret(
            &self.private_path("trans-cos-ds.key"),
            &key_pem(&trans_cos_ds)?,
        )?;
        let trans_cos_anchor = trust_anchor(
            TRANS_COS_EUI,
            &trans_cos_ds.public_key().to_sec1_uncompressed(),
            &trans_cos_ka.public_key().to_sec1_uncompressed(),
        )?;

        // The DCC's Recovery key (SMKI recovery): a trust anchor on every device, lodged in the
        // SMKI repository with the other organisation certificates.
        let (recovery_anchor, recovery_certs) =
            crate::recovery::issue_credentials(self, &pki.oca, not_before, org_not_after)?;
        org_certs.extend(recovery_certs);

        // The SMKI Organisation root: every device's Root cell, which the certification path of
        // a replacement certificate (CS02b / CS02g) must chain to.
        let root_anchor = devices::TrustAnchor::root(
            devices::PublicKeyBytes::from_sec1(
                &pki.org_root.key().public_key().to_sec1_uncompressed(),
            )
            .map_err(|e| e.to_string())?,
        );

        // The DUIS listener's TLS certificate, from the DCCKI.
        let tls_key = new_key()?;
        let tls_cert = pki
            .dccki_issuing
            .issue_tls_server(&TlsServerCertRequest {
                common_name: "opendcc".into(),
                dns_names: vec!["localhost".into()],
                ip_addresses: vec![
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                ],
                public_key: tls_key.public_key(),
                serial: new_serial()?,
                not_before,
                not_after: org_not_after,
            })
            .map_err(smki_err)?;
        let chain = format!(
            "{}{}",
            cert_pem(&tls_cert)?,
            pki.dccki_issuing.cert_pem().map_err(smki_err)?
        );
        write_file(&self.pki_path("server-tls.pem"), chain.as_bytes())?;
        write_secret(&self.private_path("server-tls.key"), &key_pem(&tls_key)?)?;

        // Users: an SMKI organisation certificate to sign with, a DCCKI certificate to connect.
        let mut users = Vec::new();
        for spec in USERS {
            let eui = Eui64::from_u64(spec.eui);
            let udir = user_dir(&self.dir, spec.name);
            let sign_key = new_key()?;
            let sign_cert = pki
                .oca
                .issue_organisation(&OrgCertRequest {
                    common_name: Some(spec.name.to_uppercase()),
                    eui,
                    role: spec.smki_role,
                    usage: KeyUsage::DigitalSignature,
                    public_key: sign_key.public_key(),
                    serial: new_serial()?,
                    not_before,
                    not_after: org_not_after,
                })
                .map_err(smki_err)?;
            write_file(&udir.join("signing.pem"), cert_pem(&sign_cert)?.as_bytes())?;
            write_secret(&udir.join("signing.key"), &key_pem(&sign_key)?)?;
            org_certs.push(sign_cert);
            // The key-agreement certificate devices use to protect what they send this user.
            let ka_key = new_key()?;
            let ka_cert = pki
                .oca
                .issue_organisation(&OrgCertRequest {
                    common_name: Some(spec.name.to_uppercase()),
                    eui,
                    role: spec.smki_role,
                    usage: KeyUsage::KeyAgreement,
                    public_key: ka_key.public_key(),
                    serial: new_serial()?,
                    not_before,
                    not_after: org_not_after,
                })
                .map_err(smki_err)?;
            write_file(&udir.join("ka.pem"), cert_pem(&ka_cert)?.as_bytes())?;
            anchor_keys.insert(
                spec.name,
                (
                    sign_key.public_key().to_sec1_uncompressed(),
                    ka_key.public_key().to_sec1_uncompressed(),
                ),
            );
            write_secret(&udir.join("ka.key"), &key_pem(&ka_key)?)?;
            let client_key = new_key()?;
            let client_cert = pki
                .dccki_issuing
                .issue_tls_client(&TlsClientCertRequest {
                    eui,
                    organisation: spec.name.into(),
                    public_key: client_key.public_key(),
                    serial: new_serial()?,
                    not_before,
                    not_after: org_not_after,
                })
                .map_err(smki_err)?;
            let client_chain = format!(
                "{}{}",
                cert_pem(&client_cert)?,
                pki.dccki_issuing.cert_pem().map_err(smki_err)?
            );
            write_file(&udir.join("tls.pem"), client_chain.as_bytes())?;
            write_secret(&udir.join("tls.key"), &key_pem(&client_key)?)?;
            users.push(User {
                eui,
                name: spec.name.into(),
                roles: spec.roles.to_vec(),
                response_url: None,
                suspended: false,
            });
        }

        // Devices: keys and SMKI device certificates (digital signing and key agreement).
        let mut device_certs: Vec<(Eui64, &'static str, Vec<u8>)> = Vec::new();
        let mut issue_device = |id: Eui64| -> Result<(), String> {
            let ddir = device_dir(&self.dir, id);
            for (usage, name) in [
                (KeyUsage::DigitalSignature, "ds"),
                (KeyUsage::KeyAgreement, "ka"),
            ] {
                let key = new_key()?;
                let der = pki
                    .dca
                    .issue_device(&DeviceCertRequest {
                        eui: id,
                        usage,
                        public_key: key.public_key(),
                        serial: new_serial()?,
                        not_before,
                    })
                    .map_err(smki_err)?;
                write_file(
                    &ddir.join(format!("{name}.pem")),
                    cert_pem(&der)?.as_bytes(),
                )?;
                write_secret(&ddir.join(format!("{name}.key")), &key_pem(&key)?)?;
                device_certs.push((id, name, der));
            }
            Ok(())
        };
        let mut devices = Vec::new();
        let mut premises = Vec::new();
        let mut registrations = Vec::new();
        let supplier = Eui64::from_u64(USERS[0].eui);
        let distributor = Eui64::from_u64(USERS[2].eui);
        let transporter = Eui64::from_u64(USERS[3].eui);
        let since = time::macros::date!(2020 - 01 - 01);
        for p in PREMISES {
            let count = if p.han { DEVICE_ORDER.len() } else { 4 };
            let chf = Eui64::from_u64(p.base + 2);
            for (i, &t) in DEVICE_ORDER.iter().take(count).enumerate() {
                let id = Eui64::from_u64(p.base + i as u64);
                if t != DeviceType::Ihd {
                    issue_device(id)?;
                }
                devices.push(demo_device(id, t, p, chf, now));
            }
            premises.push(p.premises());
            for (mpxn, role, party) in [
                (p.mpan, RegistrationRole::ImportSupplier, supplier),
                (
                    p.mpan,
                    RegistrationRole::ElectricityDistributor,
                    distributor,
                ),
                (p.mprn, RegistrationRole::GasSupplier, supplier),
                (p.mprn, RegistrationRole::GasTransporter, transporter),
            ] {
                registrations.push(Registration {
                    mpxn: mpxn.into(),
                    role,
                    party,
                    from: since,
                    to: None,
                });
            }
        }
        crate::registrations::apply(
            &mut registrations,
            changes,
            &premises,
            &world_users(),
            since,
        )?;
        for &(id, _) in SPARE_DEVICES {
            issue_device(Eui64::from_u64(id))?;
        }

        // Each emulated device's starting state, with the trust anchors GBCS places at
        // installation: the supplier, the network operator, the Access Control Broker, Recovery.
        let installed = gbcs::UtcDateTime::from_unix(now.unix_timestamp())
            .ok_or("the clock is outside the range GBCS can express")?;
        let anchor = |name: &str| -> Result<devices::TrustAnchor, String> {
            let (ds, ka) = anchor_keys.get(name).ok_or("missing anchor")?;
            trust_anchor(
                Eui64::from_u64(USERS.iter().find(|u| u.name == name).map_or(0, |u| u.eui)),
                ds,
                ka,
            )
        };
        let mut device_states = Vec::new();
        let emulated = devices
            .iter()
            .map(|d| (d.id, d.device_type, d.uprn.as_deref()))
            .chain(
                SPARE_DEVICES
                    .iter()
                    .map(|&(id, t)| (Eui64::from_u64(id), t, None)),
            );
        for (id, t, uprn) in emulated {
            let Some(kind) = device_kind(t) else { continue };
            let operator = if matches!(t, DeviceType::Gsme | DeviceType::Gpf) {
                "transporter"
            } else {
                "distributor"
            };
            let anchors = devices::TrustAnchors::new()
                .with(devices::RemotePartyRole::Supplier, anchor("supplier-a")?)
                .with(devices::RemotePartyRole::NetworkOperator, anchor(operator)?)
                .with(
                    devices::RemotePartyRole::AccessControlBroker,
                    trust_anchor(DCC_EUI, &acb_keys[0], &acb_keys[1])?,
                )
                .with(devices::RemotePartyRole::Recovery, recovery_anchor.clone())
                .with(devices::RemotePartyRole::Root, root_anchor.clone())
                .with(
                    devices::RemotePartyRole::TransitionalCos,
                    trans_cos_anchor.clone(),
                );
            let anchors = if t == DeviceType::Esme {
                anchors.with(
                    devices::RemotePartyRole::LoadController,
                    anchor("load-controller")?,
                )
            } else {
                anchors
            };
            let mut state = devices::DeviceState::installed_in_a_home(kind, installed, anchors);
            if t == DeviceType::Chf && uprn.is_some_and(dual_band_premises) {
                state.config.sub_ghz = devices::config::sub_ghz::SubGhzState::dual_band();
            }
            // A meter accepts a Device certificate for the key pair it generates (6.17, 6.15.2)
            // only from the world's device CA.
            if matches!(t, DeviceType::Esme | DeviceType::Gsme) {
                state.config.credentials.device_cas =
                    vec![devices::config::credentials::CaCertificate(
                        pki.dca.cert_der().to_vec(),
                    )];
            }
            // A device reports the identity the inventory has for it (DUIS 6.2.4), and a meter
            // holds the MPxN it is registered at (6.2.7 reads it, 6.20 sets it).
            if let Some(d) = devices.iter().find(|d| d.id == id) {
                let identity = &mut state.config.site.identity;
                identity.manufacturer = d.manufacturer.as_bytes().to_vec();
                identity.model = d.model.as_bytes().to_vec();
                if let Some(v) = d.esme_variant {
                    // The meter variant is one letter (`A`, `B`, `C`; the rest say more).
                    identity.variant = v.as_str().as_bytes().get(..1).unwrap_or_default().to_vec();
                }
                if matches!(t, DeviceType::Esme | DeviceType::Gsme)
                    && let Some(mpxn) = &d.mpxn
                {
                    identity.import_mpxn = mpxn.as_bytes().to_vec();
                }
            }
            device_states.push((id, state));
        }

        let mut records = Vec::new();
        for der in &org_certs {
            records.push(org_record(der)?);
        }
        populate(
            &store,
            &WorldData {
                users: &users,
                org_certs: &records,
                premises: &premises,
                devices: &devices,
                device_certs: &device_certs,
                registrations: &registrations,
                device_states: &device_states,
                pki: &pki,
                now,
            },
        )?;
        crate::smki_repo::populate(&store, &self.dir, &users, now)?;
        if generated > 0 {
            let mut users = std::collections::HashMap::new();
            for name in crate::world_gen::SUPPLIERS
                .iter()
                .chain(&[crate::world_gen::DISTRIBUTOR, crate::world_gen::TRANSPORTER])
            {
                users.insert((*name).to_string(), anchor(name)?);
            }
            crate::world_gen::generate(
                &self.dir,
                &store,
                generated,
                crate::world_gen::GenAnchors {
                    users,
                    acb: trust_anchor(DCC_EUI, &acb_keys[0], &acb_keys[1])?,
                    recovery: recovery_anchor,
                    root: Some(root_anchor),
                },
                now,
            )?;
        }
        drop(store);
        let marker = serde_json::json!({
            "created": now.unix_timestamp(),
            "dcc_eui": DCC_EUI.to_string(),
            "format": 1,
            "generated_premises": generated,
            "registrations": crate::registrations::recorded(changes),
        });
        write_file(&self.dir.join(MARKER), marker.to_string().as_bytes())?;
        tracing::info!(dir = %self.dir.display(), "created a new demo world");
        Ok(())
    }

    /// The DCC's response signer.
    pub fn xml_signer(&self) -> Result<xmldsig::XmlSigner, String> {
        let cert = smki::cert_from_pem(&read_file(&self.pki_path("dcc-xml-signing.pem"))?)
            .map_err(smki_err)?;
        let (issuer_serial, _) = xmldsig::issuer_serial_of_cert(&cert)
            .map_err(|e| format!("DCC XML signing certificate: {e}"))?;
        xmldsig::XmlSigner::from_pkcs8_pem(
            &read_file(&self.private_path("dcc-xml-signing.key"))?,
            issuer_serial,
        )
        .map_err(|e| format!("DCC XML signing key: {e}"))
    }

    /// The DCC's GBCS credentials (the Access Control Broker's keys).
    pub fn dcc_crypto(&self) -> Result<dcc::catalogue::DccCrypto, String> {
        let der = |name: &str| -> Result<Vec<u8>, String> {
            let k =
                KeyPair::from_pkcs8_pem(&read_file(&self.private_path(name))?).map_err(smki_err)?;
            Ok(k.to_pkcs8_der().map_err(smki_err)?.to_vec())
        };
        Ok(dcc::catalogue::DccCrypto {
            acb: DCC_EUI,
            acb_ka: gbcs::crypto::KaPrivateKey::from_der(&der("acb-ka.key")?)
                .map_err(|e| format!("ACB key-agreement key: {e}"))?,
            acb_ds: gbcs::crypto::SigningKey::from_der(&der("acb-ds.key")?)
                .map_err(|e| format!("ACB signing key: {e}"))?,
            // Worlds made before the transitional CoS key existed have none (6.23 refused).
            trans_cos: match self.private_path("trans-cos-ds.key").exists() {
                true => Some((
                    TRANS_COS_EUI,
                    gbcs::crypto::SigningKey::from_der(&der("trans-cos-ds.key")?)
                        .map_err(|e| format!("transitional CoS signing key: {e}"))?,
                )),
                false => None,
            },
        })
    }

    pub fn dccki_root_pem(&self) -> Result<String, String> {
        read_file(&self.pki_path("dccki-root.pem"))
    }

    pub fn tls_material(&self) -> Result<TlsMaterial, String> {
        // Both the root and the issuing CA are trust anchors, so that a client may present its
        // whole chain or its leaf alone (tools often configure only the leaf).
        Ok(TlsMaterial {
            cert_chain_pem: read_file(&self.pki_path("server-tls.pem"))?,
            key_pem: read_file(&self.private_path("server-tls.key"))?,
            client_ca_pem: format!(
                "{}{}",
                read_file(&self.pki_path("dccki-root.pem"))?,
                read_file(&self.pki_path("dccki-issuing.pem"))?
            ),
        })
    }

    /// The manifest for a listener at `duis_url`, from the current state of the world.
    pub fn manifest(&self, duis_url: &str, plain_http: bool) -> Result<Manifest, String> {
        self.manifest_from(&self.open_store()?, duis_url, plain_http)
    }

    /// [`World::manifest`] from the records in `store`.
    pub fn manifest_from<S: crate::backend::ServedStore>(
        &self,
        store: &S,
        duis_url: &str,
        plain_http: bool,
    ) -> Result<Manifest, String> {
        let users = store
            .transaction(|tx| Ok(tx.users()?))
            .map_err(|e| e.to_string())?;
        let generated = self.generated_premises()?;
        let devices = crate::world_gen::listed_devices(store, generated)?;
        Ok(Manifest {
            store: None,
            data: Some(self.dir.clone()),
            generated_premises: Some(generated),
            duis_url: duis_url.into(),
            smki_url: None,
            smki_test_url: None,
            publication_url: None,
            plain_http,
            tls_ca: self.pki_path("dccki-root.pem"),
            dcc: DccEntry {
                eui: DCC_EUI.to_string(),
                xml_signing_cert: self.pki_path("dcc-xml-signing.pem"),
            },
            smki: SmkiEntry {
                org_root: self.pki_path("org-root.pem"),
                org_issuing: self.pki_path("org-issuing.pem"),
                device_root: self.pki_path("device-root.pem"),
                device_issuing: self.pki_path("device-issuing.pem"),
                dccki_root: self.pki_path("dccki-root.pem"),
            },
            users: users
                .into_iter()
                .map(|u| {
                    let d = user_dir(&self.dir, &u.name);
                    UserEntry {
                        roles: u.roles.iter().map(|r| r.as_code().to_string()).collect(),
                        eui: u.eui.to_string(),
                        signing_cert: d.join("signing.pem"),
                        signing_key: d.join("signing.key"),
                        tls_cert: d.join("tls.pem"),
                        tls_key: d.join("tls.key"),
                        ka_cert: d.join("ka.pem"),
                        ka_key: d.join("ka.key"),
                        response_url: u.response_url,
                        name: u.name,
                    }
                })
                .collect(),
            devices: devices
                .into_iter()
                .map(|d| DeviceEntry {
                    ds_cert: Some(device_dir(&self.dir, d.id).join("ds.pem"))
                        .filter(|p| p.exists()),
                    ka_cert: Some(device_dir(&self.dir, d.id).join("ka.pem"))
                        .filter(|p| p.exists()),
                    id: d.id.to_string(),
                    device_type: d.device_type.to_string(),
                    status: d.status.to_string(),
                    mpxn: d.mpxn,
                    chf: d.chf.map(|c| c.to_string()),
                    uprn: d.uprn,
                })
                .collect(),
        })
    }
}

fn demo_device(
    id: Eui64,
    t: DeviceType,
    p: &PremisesSpec,
    chf: Eui64,
    now: OffsetDateTime,
) -> Device {
    let mpxn = match t {
        DeviceType::Esme => Some(p.mpan.to_string()),
        DeviceType::Gsme | DeviceType::Gpf => Some(p.mprn.to_string()),
        _ => None,
    };
    installed_device(id, t, p.uprn, chf, mpxn, now)
}

/// The GBCS version of every demo Device Model (the version 8.2 Read Inventory reported for
/// every device before the inventory kept one per device). Its GSMEs are sent GCS60a for 4.18; a
/// world stored before the field existed loads with no version (serde default), and its GSMEs are
/// sent GCS60: the emulated GSME answers both.
pub const DEMO_GBCS_VERSION: &str = "4.0";

/// The demo's make, model, firmware version and SMETS/CHTS version of a device type.
pub fn demo_model(
    t: DeviceType,
) -> (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
) {
    match t {
        DeviceType::Chf | DeviceType::Gpf => ("106C", "433100AC", "00010001", Some("CHTS V1.4")),
        DeviceType::Esme => ("AB01", "010A030B", "0002012F", Some("SMETS V5.0")),
        DeviceType::Gsme => ("AB02", "020B0401", "00020130", Some("SMETS V5.0")),
        DeviceType::Ppmid => ("AB03", "03000001", "00010000", Some("SMETS V5.0")),
        DeviceType::Hcalcs => ("AB04", "04000001", "00010000", Some("SMETS V5.0")),
        DeviceType::Ihd | DeviceType::Cad => ("AB05", "05000001", "00010000", None),
    }
}

/// The hardware version the demo's CPL lists its models under.
pub const DEMO_HARDWARE_VERSION: &str = "1";

/// The firmware image of a demo model's firmware version (what the manufacturer's hash on the
/// CPL is computed over, with the version as the firmware identifier).
pub fn demo_firmware_image(t: DeviceType) -> Vec<u8> {
    let (manufacturer, model, firmware, _) = demo_model(t);
    format!("opendcc demo firmware {manufacturer} {model} {firmware}").into_bytes()
}

/// The demo world's Certified Products List: every demo model (each device type the CPL
/// lists) with its firmware version, certificates issued a year before `now`, the CPA
/// certificate for its six years, the others for ten.
pub fn demo_cpl(now: OffsetDateTime) -> Result<Vec<cpl::DeviceModel>, String> {
    use cpl::{Certificate, CertificateKind, Cpl, ModelKey, NewModel, Party, ProductType};
    let issued = now.date().saturating_sub(time::Duration::days(365));
    let years = |n: i32| issued.replace_year(issued.year() + n).unwrap_or(issued);
    let mut list = Cpl::new();
    for &t in DeviceType::ALL {
        let Some(pt) = ProductType::of(t) else {
            continue;
        };
        let (manufacturer, model, firmware, _) = demo_model(t);
        let certificates = cpl::required_certificates(pt)
            .iter()
            .map(|&kind| Certificate {
                kind,
                reference: format!("DEMO-{kind}-{manufacturer}-{model}"),
                issued,
                expires: if kind == CertificateKind::Cpa {
                    years(cpl::CPA_VALIDITY_YEARS)
                } else {
                    years(10)
                },
            })
            .collect();
        let hash = cpl::firmware_hash(&demo_firmware_image(t), firmware.as_bytes());
        list.add_model(
            &Party::Dcc,
            NewModel {
                key: ModelKey {
                    product_type: pt,
                    manufacturer: manufacturer.into(),
                    model: model.into(),
                    hardware_version: DEMO_HARDWARE_VERSION.into(),
                },
                certificates,
                firmware: vec![(firmware.into(), hash)],
            },
            now.unix_timestamp(),
        )
        .map_err(|e| format!("the demo CPL: {e}"))?;
    }
    Ok(list.models().cloned().collect())
}

/// A commissioned device of the demo's make and model for its type, installed at `uprn`.
pub fn installed_device(
    id: Eui64,
    t: DeviceType,
    uprn: &str,
    chf: Eui64,
    mpxn: Option<String>,
    now: OffsetDateTime,
) -> Device {
    let (manufacturer, model, firmware, smets) = demo_model(t);
    Device {
        id,
        device_type: t,
        status: DeviceStatus::Commissioned,
        manufacturer: manufacturer.into(),
        model: model.into(),
        firmware_version: Some(firmware.into()),
        smets_chts_version: smets.map(Into::into),
        esme_variant: (t == DeviceType::Esme).then_some(EsmeVariant::A),
        uprn: Some(uprn.into()),
        chf: Some(chf),
        mpxn,
        date_commissioned: Some(now.date()),
        // The demo's models are of the GBCS version the DCC's inventory used to report for all.
        gbcs_version: Some(DEMO_GBCS_VERSION.into()),
    }
}

pub fn trust_anchor(
    eui: Eui64,
    ds: &[u8; 65],
    ka: &[u8; 65],
) -> Result<devices::TrustAnchor, String> {
    Ok(devices::TrustAnchor {
        eui,
        ds_public: devices::PublicKeyBytes::from_sec1(ds).map_err(|e| e.to_string())?,
        ka_public: devices::PublicKeyBytes::from_sec1(ka).map_err(|e| e.to_string())?,
    })
}

/// The emulated device kind for an inventory device type (IHDs and CADs are not GBCS devices).
pub fn device_kind(t: DeviceType) -> Option<devices::DeviceKind> {
    Some(match t {
        DeviceType::Esme => devices::DeviceKind::Esme,
        DeviceType::Gsme => devices::DeviceKind::Gsme,
        DeviceType::Chf => devices::DeviceKind::Chf,
        DeviceType::Gpf => devices::DeviceKind::Gpf,
        DeviceType::Ppmid => devices::DeviceKind::Ppmid,
        DeviceType::Hcalcs => devices::DeviceKind::Hcalcs,
        DeviceType::Ihd | DeviceType::Cad => return None,
    })
}

/// The private keys of every emulated device in the world, for the WAN emulation.
pub fn device_identities<S: Store>(
    dir: &Path,
    store: &S,
) -> Result<Vec<devices::DeviceIdentity>, String> {
    // The devices with key files (the named ones), as the inventory or the spares know them.
    let root = dir.join("devices");
    let mut with_files: Vec<Eui64> = Vec::new();
    if root.exists() {
        for entry in std::fs::read_dir(&root).map_err(|e| io(&root, e))? {
            let entry = entry.map_err(|e| io(&root, e))?;
            if let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|n| u64::from_str_radix(n, 16).ok())
            {
                with_files.push(Eui64::from_u64(id));
            }
        }
    }
    with_files.sort_unstable();
    let list: Vec<(Eui64, DeviceType)> = store
        .transaction(|tx| {
            let mut out = Vec::new();
            for id in &with_files {
                if let Some(d) = tx.device(*id)? {
                    out.push((d.id, d.device_type));
                }
            }
            for &(id, t) in SPARE_DEVICES {
                let id = Eui64::from_u64(id);
                if !out.iter().any(|(o, _)| *o == id) {
                    out.push((id, t));
                }
            }
            Ok(out)
        })
        .map_err(|e| e.to_string())?;
    let mut ids = Vec::new();
    for (id, t) in list {
        let Some(kind) = device_kind(t) else { continue };
        let ddir = device_dir(dir, id);
        if !ddir.exists() {
            continue;
        }
        let der = |name: &str| -> Result<Vec<u8>, String> {
            let k = KeyPair::from_pkcs8_pem(&read_file(&ddir.join(name))?).map_err(smki_err)?;
            Ok(k.to_pkcs8_der().map_err(smki_err)?.to_vec())
        };
        ids.push(devices::DeviceIdentity {
            eui: id,
            kind,
            ds_private_pkcs8: der("ds.key")?,
            ka_private_pkcs8: der("ka.key")?,
        });
    }
    Ok(ids)
}

/// Everything a new world puts in the store.
pub struct WorldData<'a> {
    pub users: &'a [User],
    pub org_certs: &'a [OrgCertRecord],
    pub premises: &'a [Premises],
    pub devices: &'a [Device],
    pub device_certs: &'a [(Eui64, &'static str, Vec<u8>)],
    pub registrations: &'a [Registration],
    pub device_states: &'a [(Eui64, devices::DeviceState)],
    /// The DCC's own authorities: recorded, with their keys, by the SMKI service.
    pub pki: &'a Pki,
    /// When the world was made.
    pub now: OffsetDateTime,
}

/// Writes a new world's data in one transaction.
pub fn populate(store: &SqliteStore, w: &WorldData<'_>) -> Result<(), String> {
    let demo_cpl = demo_cpl(w.now)?;
    store
        .transaction_in(|stx| {
            let tx: &mut dyn Tx = stx;
            for u in w.users {
                tx.put_user(u)?;
            }
            for r in w.org_certs {
                tx.put_org_cert(r)?;
            }
            for p in w.premises {
                tx.put_premises(p)?;
            }
            for d in w.devices {
                tx.put_device(d)?;
            }
            // The CPL lists every demo model (`demo_cpl`).
            for m in &demo_cpl {
                tx.put_cpl_model(m)?;
            }
            for (id, usage, der) in w.device_certs {
                tx.put_device_cert(*id, usage, der)?;
            }
            for r in w.registrations {
                tx.put_registration(r)?;
            }
            for (id, state) in w.device_states {
                wan::emulated::put_state(stx, *id, state)?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    populate_smki(store, w)
}

/// The SMKI service's records of a new world: its live authorities (with their keys) and, in
/// its repository, their certificates and every organisation and device certificate.
fn populate_smki(store: &SqliteStore, w: &WorldData<'_>) -> Result<(), String> {
    use smki_service::{CaRecord, CertKind, CertRecord, Environment, SmkiStore, SmkiTx};
    let at = i64::try_from(w.now.unix_timestamp_nanos() / 1_000_000).map_err(|e| e.to_string())?;
    let mut cas = Vec::new();
    for (kind, _) in CA_FILES {
        let ca = match kind {
            CaKind::OrganisationRoot => &w.pki.org_root,
            CaKind::Oca => &w.pki.oca,
            CaKind::DeviceRoot => &w.pki.device_root,
            CaKind::Dca => &w.pki.dca,
            CaKind::DcckiRoot => &w.pki.dccki_root,
            CaKind::DcckiIssuing => &w.pki.dccki_issuing,
        };
        let cert = CertRecord::authority(ca.cert_der(), CertKind::Authority, Environment::Live, at)
            .map_err(|e| e.to_string())?;
        cas.push((
            CaRecord::new(ca, Environment::Live, at).map_err(smki_err)?,
            cert,
        ));
    }
    let mut certs = Vec::new();
    for r in w.org_certs {
        certs.push(
            CertRecord::organisation(&r.der, Environment::Live, at).map_err(|e| e.to_string())?,
        );
    }
    for (_, _, der) in w.device_certs {
        certs.push(CertRecord::device(der, Environment::Live, at).map_err(|e| e.to_string())?);
    }
    store
        .smki_transaction(
            |tx: &mut dyn SmkiTx| -> Result<(), smki_service::StoreError> {
                let mut ids = std::collections::HashMap::new();
                for (ca, cert) in &cas {
                    let id = tx.put_ca(ca)?;
                    ids.insert(ca.kind, id);
                    tx.put_certificate(cert)?;
                }
                // Issued by the world's own OCA / DCA where the issuer is one of them (a ZAZ1 world's
                // organisation certificates come from ZAZ1's OCA, which the DCC does not hold).
                let issuer_of = |der: &[u8]| -> Option<i64> {
                    [CaKind::Oca, CaKind::Dca].into_iter().find_map(|k| {
                        let ca = if k == CaKind::Oca {
                            &w.pki.oca
                        } else {
                            &w.pki.dca
                        };
                        smki::verify_issued_by(der, ca.cert_der())
                            .ok()
                            .and_then(|()| ids.get(&k).copied())
                    })
                };
                let mut issued: std::collections::HashMap<i64, u64> =
                    std::collections::HashMap::new();
                for c in &certs {
                    let mut c = c.clone();
                    c.issuer_ca = issuer_of(&c.der);
                    if let Some(id) = c.issuer_ca {
                        *issued.entry(id).or_default() += 1;
                    }
                    tx.put_certificate(&c)?;
                }
                for (id, n) in issued {
                    if let Some(mut ca) = tx.ca(id)? {
                        ca.issued_count = n;
                        tx.update_ca(&ca)?;
                    }
                }
                admit_demo_subscribers(tx, w, at)?;
                Ok(())
            },
        )
        .map_err(|e| e.to_string())
}

/// The SMKI entry step for a new world: the DCC and every demo user become Authorised
/// Subscribers, recorded as admitted by the world's creation.
fn admit_demo_subscribers(
    tx: &mut dyn smki_service::SmkiTx,
    w: &WorldData<'_>,
    at: i64,
) -> Result<(), smki_service::StoreError> {
    use smki_service::subscribers::{PartyKind, Subscriber};
    let mut put = |eui: Eui64, kind: PartyKind, name: &str| {
        tx.put_subscriber(&Subscriber {
            eui,
            kind,
            name: name.to_owned(),
            admitted_at: at,
            admitted_by: "opendcc demo world".to_owned(),
            evidence: "demo world creation".to_owned(),
        })
    };
    put(DCC_EUI, PartyKind::Dcc, "DCC")?;
    for u in w.users.iter().filter(|u| u.eui != DCC_EUI) {
        put(u.eui, PartyKind::SecParty, &u.name)?;
    }
    Ok(())
}

/// The gateway's view of an SMKI organisation certificate.
pub fn org_record(der: &[u8]) -> Result<OrgCertRecord, String> {
    let c = OrgCertificate::from_der(der).map_err(smki_err)?;
    Ok(OrgCertRecord {
        serial: c.serial_decimal().to_string(),
        issuer: c.issuer().to_string(),
        subject_eui: c.eui(),
        role: c.role().code(),
        public_key: c.public_key_sec1().to_vec(),
        der: der.to_vec(),
        revoked: false,
    })
}

/// The DCC's store, for an operator's command: an error if a `sqlite:` directory holds no world
/// (nothing is created).
pub(crate) fn operator_store(dcc: &StoreConfig) -> Result<std::sync::Arc<dyn ToolStore>, String> {
    if let StoreConfig::Sqlite(dir) = dcc {
        open_existing(dir)?;
    }
    dcc.open_tools()
}

/// `opendcc user response-url`.
pub fn set_response_url(dcc: &StoreConfig, name: &str, url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(format!(
            "{url:?}: a Receive Response Service URL is http:// or https:// with a host"
        ));
    }
    let store = operator_store(dcc)?;
    let name_owned = name.to_string();
    store
        .operator_transaction(&mut |tx| {
            let mut user = tx
                .user_by_name(&name_owned)?
                .ok_or_else(|| dcc::error::AuthzError::UnknownUser(name_owned.clone()))?;
            user.response_url = Some(url.to_string());
            tx.put_user(&user)?;
            Ok(())
        })
        .map_err(|e| match e {
            dcc::DccError::Authorisation(dcc::error::AuthzError::UnknownUser(n)) => {
                format!("no user named {n:?} in {}", dcc.redacted())
            }
            other => other.to_string(),
        })?;
    crate::out(&format!("{name}: Receive Response Service is now {url}"))
}

/// `opendcc user counter`: shows a user's RequestID counter floor (the highest counter the DCC
/// has accepted from them; every new request must carry a greater one) or, with `set`, resets
/// it, recording who did it, when, and the old and new floors in the operator's audit log in
/// the same transaction. Takes effect at once on a running DCC.
pub fn user_counter(
    dcc: &StoreConfig,
    name: &str,
    set: Option<u64>,
    by: Option<String>,
) -> Result<(), String> {
    let store = operator_store(dcc)?;
    let name_owned = name.to_string();
    let unknown = |e: dcc::DccError| match e {
        dcc::DccError::Authorisation(dcc::error::AuthzError::UnknownUser(n)) => {
            format!("no user named {n:?} in {}", dcc.redacted())
        }
        other => other.to_string(),
    };
    let show = |floor: Option<u64>| floor.map_or_else(|| "none".to_string(), |f| f.to_string());
    let Some(value) = set else {
        let mut found = None;
        store
            .operator_transaction(&mut |tx| {
                let user = tx
                    .user_by_name(&name_owned)?
                    .ok_or_else(|| dcc::error::AuthzError::UnknownUser(name_owned.clone()))?;
                found = Some((user.eui, tx.highest_counter(user.eui)?));
                Ok(())
            })
            .map_err(unknown)?;
        let (eui, floor) = found.ok_or("the store answered nothing")?;
        return crate::out(&format!("{name} ({eui}): counter floor {}", show(floor)));
    };
    let actor = by
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "operator".to_string());
    let at = time::OffsetDateTime::now_utc();
    let at_ms = i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    let mut done = None;
    store
        .operator_transaction(&mut |tx| {
            let user = tx
                .user_by_name(&name_owned)?
                .ok_or_else(|| dcc::error::AuthzError::UnknownUser(name_owned.clone()))?;
            let old = tx.highest_counter(user.eui)?;
            tx.reset_counter_floor(user.eui, value)?;
            tx.append_operator_audit(&dcc::store::OperatorAuditEntry {
                at: at_ms,
                actor: actor.clone(),
                action: "counter-floor-reset".into(),
                target: user.eui.to_string(),
                detail: format!("user={name_owned} old={} new={value}", show(old)),
            })?;
            done = Some((user.eui, old));
            Ok(())
        })
        .map_err(unknown)?;
    let (eui, old) = done.ok_or("the store answered nothing")?;
    crate::out(&format!(
        "{name} ({eui}): counter floor {} -> {value} (by {actor}, recorded in the operator audit log)",
        show(old)
    ))
}

pub fn open_existing(dir: &Path) -> Result<World, String> {
    if !dir.join(MARKER).exists() {
        return Err(format!(
            "{} holds no demo world (run `opendcc demo --data {}` first)",
            dir.display(),
            dir.display()
        ));
    }
    Ok(World {
        dir: dir.to_path_buf(),
    })
}

fn hub<S: Store>(store: &S, chf: &str) -> Result<Eui64, String> {
    let id: Eui64 = chf.parse().map_err(|e| format!("{e}"))?;
    let device = store
        .transaction(|tx| Ok(tx.device(id)?))
        .map_err(|e| e.to_string())?;
    match device {
        Some(d) if d.device_type == DeviceType::Chf => Ok(id),
        Some(d) => Err(format!(
            "{id} is a {}, not a communications hub",
            d.device_type
        )),
        None => Err(format!("{id} is not in the inventory")),
    }
}

/// `opendcc wan fault`, on the DCC's store, whichever backend (the WAN runner reads a hub's
/// fault afresh for every transmission, in whichever process it runs).
pub fn set_wan_fault(dcc: &OperatorDcc, chf: &str, fault: &str) -> Result<(), String> {
    use wan::WanFault;
    let parsed = match fault.split_once(':') {
        Some(("drop", n)) => {
            Some(WanFault::Drop(n.parse().map_err(|_| {
                format!("drop:{n}: N must be a whole number")
            })?))
        }
        Some(("delay", ms)) => {
            Some(WanFault::Delay(ms.parse().map_err(|_| {
                format!("delay:{ms}: MS must be a whole number of milliseconds")
            })?))
        }
        None if fault == "no-wan" => Some(WanFault::NoWan),
        None if fault == "clear" => None,
        _ => {
            return Err(format!(
                "{fault:?}: a fault is drop:N, delay:MS, no-wan or clear"
            ));
        }
    };
    dcc.world()?;
    let id = crate::on_store!(&dcc.store, |store| {
        let id = hub(store, chf)?;
        store
            .transaction_in(|tx| {
                use wan::EmulatorTx as _;
                Ok(tx.set_wan_fault(id, parsed)?)
            })
            .map_err(|e| e.to_string())?;
        Ok(id)
    })?;
    crate::out(&format!(
        "{id}: {}",
        parsed.map_or("no fault".to_string(), |f| format!("{f:?}"))
    ))
}

/// `opendcc device fault`: adds a hardware fault to an emulated device's state (or clears them
/// all), on the DCC's store, whichever backend; the WAN runner reads the device's state afresh
/// for every command.
pub fn set_device_fault(dcc: &OperatorDcc, device: &str, fault: &str) -> Result<(), String> {
    let parsed = match fault {
        "clear" => None,
        name => Some(devices::DeviceFault::parse(name).ok_or_else(|| {
            format!(
                "{fault:?}: a fault is {} or clear",
                devices::DeviceFault::NAMES
            )
        })?),
    };
    let id: Eui64 = device.parse().map_err(|e| format!("{e}"))?;
    let world = dcc.world()?;
    let faults = crate::on_store!(&dcc.store, |store| {
        // A generated device that has had no command yet holds its installed state (no row).
        let emulated = world.emulated_devices(store)?;
        store
            .transaction_in(|tx| {
                let Some(mut state) = emulated.state(tx, id)? else {
                    return Ok(None);
                };
                match parsed {
                    Some(f) => {
                        state.faults.insert(f);
                    }
                    None => state.faults.clear(),
                }
                wan::emulated::put_state(tx, id, &state)?;
                Ok(Some(state.faults))
            })
            .map_err(|e| e.to_string())
    })?
    .ok_or_else(|| format!("{id} is not an emulated device of this demo"))?;
    crate::out(&format!("{id}: faults {faults:?}"))
}

/// `opendcc device button`: the consumer presses an emulated meter's button at the current
/// time ([`devices::DeviceState::press_supply_button`]: an armed supply is enabled), on the DCC's
/// store, whichever backend.
pub fn press_supply_button(dcc: &OperatorDcc, device: &str) -> Result<(), String> {
    let id: Eui64 = device.parse().map_err(|e| format!("{e}"))?;
    let world = dcc.world()?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let now = gbcs::UtcDateTime::from_unix(now).ok_or("the clock is out of range")?;
    let supply = crate::on_store!(&dcc.store, |store| {
        let emulated = world.emulated_devices(store)?;
        store
            .transaction_in(|tx| {
                let Some(mut state) = emulated.state(tx, id)? else {
                    return Ok(None);
                };
                let enabled = state.press_supply_button(now);
                if enabled {
                    wan::emulated::put_state(tx, id, &state)?;
                }
                Ok(Some((enabled, state.supply)))
            })
            .map_err(|e| e.to_string())
    })?
    .ok_or_else(|| format!("{id} is not an emulated device of this demo"))?;
    match supply {
        (true, s) => crate::out(&format!("{id}: supply {s:?}")),
        (false, s) => crate::out(&format!("{id}: supply {s:?}, not armed: nothing changed")),
    }
}

/// Queues the simulation input `kind` at device `id`'s hub, as a WAN event for the WAN runner
/// (which hands it to the device), once `accepts` takes the device's type; the hub.
fn queue_at_hub(
    dcc: &OperatorDcc,
    id: Eui64,
    kind: &str,
    accepts: impl Fn(DeviceType) -> Result<(), String>,
) -> Result<Eui64, String> {
    dcc.world()?;
    let now = dcc::gateway::unix_ms(OffsetDateTime::now_utc());
    crate::on_store!(&dcc.store, |store| {
        let d = store
            .transaction(|tx| Ok(tx.device(id)?))
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{id} is not in the inventory"))?;
        accepts(d.device_type)?;
        let chf = d.chf.ok_or_else(|| format!("{id} is not behind a hub"))?;
        store
            .transaction_in(|tx| {
                use wan::EmulatorTx as _;
                Ok(tx.push_wan_event(chf, kind, now)?)
            })
            .map_err(|e| e.to_string())?;
        Ok(chf)
    })
}

/// `opendcc device boost`: the consumer presses an emulated ESME's boost button now; queued as
/// an event at the meter's hub ([`wan::emulated::boost_event`]) for the WAN runner, which hands
/// it to the meter ([`devices::EmulatedDevice::press_boost_button`]: the associated controllers
/// switched on for the boost period, or the boost in force ended) and runs the boost's end at
/// its time.
pub fn press_boost_button(dcc: &OperatorDcc, device: &str) -> Result<(), String> {
    let id: Eui64 = device.parse().map_err(|e| format!("{e}"))?;
    let chf = queue_at_hub(dcc, id, &wan::emulated::boost_event(id), |t| {
        if t != DeviceType::Esme {
            return Err(format!(
                "{id} is a {}, not an ESME (only an ESME has a boost button)",
                t
            ));
        }
        Ok(())
    })?;
    crate::out(&format!("{id}: boost button pressed (queued at {chf})"))
}

/// `opendcc device utrn`: the consumer types a UTRN at an emulated meter's keypad now; queued
/// as an event at the meter's hub ([`wan::emulated::utrn_event`]) for the WAN runner, which
/// hands it to the meter ([`devices::EmulatedDevice::enter_utrn`]: credited once, or refused)
/// and routes the meter's alert (`0x810E` Credit Added Locally, or the refusal's) to the DCC.
pub fn enter_utrn(dcc: &OperatorDcc, device: &str, utrn: &str) -> Result<(), String> {
    let id: Eui64 = device.parse().map_err(|e| format!("{e}"))?;
    if utrn.len() != gbcs::utrn::UTRN_DIGITS || !utrn.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{utrn:?}: a UTRN is 20 digits"));
    }
    let chf = queue_at_hub(dcc, id, &wan::emulated::utrn_event(id, utrn), |t| {
        if !matches!(t, DeviceType::Esme | DeviceType::Gsme) {
            return Err(format!("{id} is a {}, not a meter", t));
        }
        Ok(())
    })?;
    crate::out(&format!("{id}: UTRN entered (queued at {chf})"))
}

/// `opendcc device voltage`: the site's RMS voltage at an emulated ESME made `volts` (or
/// `normal`) from now on; queued as an event at the meter's hub ([`wan::emulated::voltage_event`])
/// for the WAN runner, which hands it to the meter ([`devices::EmulatedDevice::set_simulated_voltage`])
/// and runs its power quality checks at their times.
pub fn set_simulated_voltage(dcc: &OperatorDcc, device: &str, volts: &str) -> Result<(), String> {
    let id: Eui64 = device.parse().map_err(|e| format!("{e}"))?;
    let volts = match volts {
        "normal" => None,
        v => Some(
            v.parse::<u32>()
                .map_err(|_| format!("{v:?}: a voltage is a whole number of volts, or normal"))?,
        ),
    };
    let chf = queue_at_hub(dcc, id, &wan::emulated::voltage_event(id, volts), |t| {
        if t != DeviceType::Esme {
            return Err(format!("{id} is a {}, not an ESME", t));
        }
        Ok(())
    })?;
    crate::out(&format!("{id}: voltage change queued at {chf}"))
}

/// The ESME an `opendcc device tamper` names: an EUI-64.
pub fn tamper_target(device: &str) -> Result<Eui64, String> {
    device
        .parse()
        .map_err(|e| format!("{device:?}: not an EUI-64: {e}"))
}

/// `opendcc device tamper`: someone tampers with an emulated ESME now; queued as an event at
/// the meter's hub ([`wan::emulated::tamper_event`]) for the WAN runner, which hands it to the
/// meter ([`devices::EmulatedDevice::tamper`]) and routes its alerts.
pub fn tamper(dcc: &OperatorDcc, device: &str) -> Result<(), String> {
    let id = tamper_target(device)?;
    let chf = queue_at_hub(dcc, id, &wan::emulated::tamper_event(id), |t| {
        if t != DeviceType::Esme {
            return Err(format!("{id} is a {}, not an ESME", t));
        }
        Ok(())
    })?;
    crate::out(&format!("{id}: tamper queued at {chf}"))
}

/// `opendcc wan event`, on the DCC's store, whichever backend (the WAN runner takes the hub's
/// reports from there).
pub fn wan_event(dcc: &OperatorDcc, chf: &str, kind: &str) -> Result<(), String> {
    if !matches!(kind, "power-outage" | "power-restored") {
        return Err(format!(
            "{kind:?}: an event is power-outage or power-restored"
        ));
    }
    dcc.world()?;
    let now = dcc::gateway::unix_ms(OffsetDateTime::now_utc());
    let id = crate::on_store!(&dcc.store, |store| {
        let id = hub(store, chf)?;
        store
            .transaction_in(|tx| {
                use wan::EmulatorTx as _;
                Ok(tx.push_wan_event(id, kind, now)?)
            })
            .map_err(|e| e.to_string())?;
        Ok(id)
    })?;
    crate::out(&format!("{id}: {kind} queued"))
}

/// What `opendcc client local-deliver` came to: the device handed the command, and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDelivery {
    /// The device the command was handed to.
    pub device: Eui64,
    /// The RequestID of the request whose `LocalCommand` response carried the command.
    pub original_request_id: Option<String>,
    /// The device's GBCS response (what 8.13 Return Local Command Response returns).
    pub response: Vec<u8>,
}

/// `opendcc client local-deliver`: the hand-held terminal. Reads the command from a
/// `LocalCommand` response (CV 2, 3, 6, 7) and hands it to the emulated device on site, now: the
/// device named by the command's recipient, or `device` (a command for another device is
/// refused by the device). The device verifies, acts and keeps its new state, as for a command
/// over the SM WAN; the DCC is not told (the user returns the answer with 8.13). Fails if the
/// device gives no answer (a refusal: not for it, not authentic, a replay).
pub fn local_deliver(
    dcc: &OperatorDcc,
    local_command: &str,
    device: Option<&str>,
) -> Result<LocalDelivery, String> {
    let command = duis::local_command_payload(local_command)
        .ok_or("not a LocalCommand response (no LocalCommand/GBCSPayload)")?;
    let frame = gbcs::Frame::decode(&command).map_err(|e| format!("the returned command: {e}"))?;
    let id: Eui64 = match device {
        Some(d) => d.parse().map_err(|e| format!("{e}"))?,
        None => frame.apdu().recipient,
    };
    let original_request_id =
        duis::xml::parse_element(local_command.as_bytes(), &duis::ParseLimits::default())
            .ok()
            .and_then(|root| {
                fn find(e: &duis::Element) -> Option<String> {
                    if e.name == "RequestID" {
                        return Some(e.text.trim().to_string());
                    }
                    e.children.iter().find_map(find)
                }
                find(&root)
            });
    let world = dcc.world()?;
    let now = OffsetDateTime::now_utc();
    let answer = crate::on_store!(&dcc.store, |store| {
        let emulated = world.emulated_devices(store)?;
        if !emulated.knows(id) {
            return Err(format!("{id} is not an emulated device of this demo"));
        }
        store
            .transaction_in(|tx| emulated.deliver(tx, id, &command, now))
            .map_err(|e| e.to_string())
    })?;
    let response = answer.response.ok_or_else(|| {
        format!("{id} refused the command (not for it, not authentic, or delivered before)")
    })?;
    Ok(LocalDelivery {
        device: id,
        original_request_id,
        response,
    })
}

/// The unsigned 8.13 Return Local Command Response request returning `delivery`'s response,
/// with RequestID `request_id` (the user's EUI, the DCC's, a fresh counter).
pub fn return_local_command_request(
    delivery: &LocalDelivery,
    request_id: &str,
) -> Result<String, String> {
    use base64::Engine as _;
    let rid: duis::RequestId = request_id
        .parse()
        .map_err(|e| format!("RequestID {request_id}: {e:?}"))?;
    let original = delivery
        .original_request_id
        .as_deref()
        .map(|o| format!("<sr:OriginalRequestID>{o}</sr:OriginalRequestID>"))
        .unwrap_or_default();
    Ok(format!(
        concat!(
            r#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">"#,
            "<sr:Header><sr:RequestID>{}</sr:RequestID><sr:CommandVariant>8</sr:CommandVariant>",
            "<sr:ServiceReference>8.13</sr:ServiceReference>",
            "<sr:ServiceReferenceVariant>8.13</sr:ServiceReferenceVariant></sr:Header>",
            "<sr:Body><sr:ReturnLocalCommandResponse>{}",
            "<sr:DeviceGBCSResponse>{}</sr:DeviceGBCSResponse>",
            "</sr:ReturnLocalCommandResponse></sr:Body></sr:Request>"
        ),
        rid,
        original,
        base64::engine::general_purpose::STANDARD.encode(&delivery.response)
    ))
}

#[cfg(test)]
mod tamper_tests {
    use super::tamper_target;

    #[test]
    fn a_tamper_names_an_eui_64_and_nothing_else() {
        assert_eq!(
            tamper_target("00-DB-12-34-56-78-90-A0").map(|e| e.to_string()),
            Ok("00-DB-12-34-56-78-90-A0".to_string())
        );
        for bad in ["", "meter", "00-DB-12-34", "00-DB-12-34-56-78-90-A0-01"] {
            assert!(tamper_target(bad).is_err(), "{bad:?}");
        }
    }
}
