//! Authorised Subscribers (SEC L3, L7): the parties that have passed the SMKI entry step and
//! may request certificates.
//!
//! The entry step opendcc runs is an operator approval recorded in the service's store: the
//! DCC's Registration Authority operator verifies the applicant out of band (the SEC's SMKI
//! and Repository Entry Process) and admits it with `opendcc smki subscriber admit`, naming the
//! party's EUI-64, what kind of party it is and the evidence relied on (for example the RA
//! case reference). The record keeps who admitted it and when. [`admit`] enforces what can be
//! checked mechanically: one record per EUI, at most one DCC, a name and evidence present, and
//! a party admitted as a SEC Party that is a DCC User must not be suspended.

use std::fmt;
use std::str::FromStr;

use eui::Eui64;

use crate::store::{SmkiTx, StoreError};

/// What kind of party a subscriber is (the rows of the SEC L3 eligibility table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyKind {
    /// A SEC Party other than the DCC and SECCo (a DCC User, a manufacturer that acceded, …).
    SecParty,
    /// A Registration Data Provider: may hold organisation certificates only.
    Rdp,
    /// SECCo: a SEC Party that may hold no SMKI certificates.
    Secco,
    /// The DCC itself.
    Dcc,
}

impl PartyKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SecParty => "sec-party",
            Self::Rdp => "rdp",
            Self::Secco => "secco",
            Self::Dcc => "dcc",
        }
    }
}

impl fmt::Display for PartyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PartyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sec-party" => Ok(Self::SecParty),
            "rdp" => Ok(Self::Rdp),
            "secco" => Ok(Self::Secco),
            "dcc" => Ok(Self::Dcc),
            _ => Err(format!(
                "unknown party kind {:?} (sec-party, rdp, secco, dcc)",
                s.chars().take(32).collect::<String>()
            )),
        }
    }
}

/// An Authorised Subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub eui: Eui64,
    pub kind: PartyKind,
    pub name: String,
    /// When the entry step was completed (unix milliseconds).
    pub admitted_at: i64,
    /// Who completed it (the operator).
    pub admitted_by: String,
    /// What the operator relied on.
    pub evidence: String,
}

/// Why the entry step refused an applicant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry step: {0} is already an Authorised Subscriber")]
    AlreadyAdmitted(Eui64),
    #[error("entry step: the DCC is already an Authorised Subscriber as {0}")]
    SecondDcc(Eui64),
    #[error("entry step: {0} must be given (1 to 128 characters)")]
    MissingField(&'static str),
    #[error("entry step: DCC user {0} is suspended and cannot be admitted")]
    Suspended(Eui64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the operator submits for the entry step.
#[derive(Debug, Clone)]
pub struct Application {
    pub eui: Eui64,
    pub kind: PartyKind,
    pub name: String,
    pub operator: String,
    pub evidence: String,
}

fn field(s: &str, what: &'static str) -> Result<String, EntryError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 128 || t.chars().any(char::is_control) {
        return Err(EntryError::MissingField(what));
    }
    Ok(t.to_owned())
}

/// Runs the entry step: checks the application and records the Authorised Subscriber.
pub fn admit(
    tx: &mut dyn SmkiTx,
    app: &Application,
    now_ms: i64,
) -> Result<Subscriber, EntryError> {
    let name = field(&app.name, "name")?;
    let admitted_by = field(&app.operator, "operator")?;
    let evidence = field(&app.evidence, "evidence")?;
    if tx.subscriber(app.eui)?.is_some() {
        return Err(EntryError::AlreadyAdmitted(app.eui));
    }
    if app.kind == PartyKind::Dcc
        && let Some(d) = tx
            .subscribers()?
            .into_iter()
            .find(|s| s.kind == PartyKind::Dcc)
    {
        return Err(EntryError::SecondDcc(d.eui));
    }
    if tx.dcc_user(app.eui)?.is_some_and(|u| u.suspended) {
        return Err(EntryError::Suspended(app.eui));
    }
    let s = Subscriber {
        eui: app.eui,
        kind: app.kind,
        name,
        admitted_at: now_ms,
        admitted_by,
        evidence,
    };
    tx.put_subscriber(&s)?;
    Ok(s)
}
