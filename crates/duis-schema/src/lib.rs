//! Strict DUIS 5.4 structure validation.
//!
//! opendcc expresses the structure of the DUIS 5.4 schema (the DUIS XSD and
//! the XML-DSig core schema it imports) in its own data: [`tables::DUIS`],
//! written by `tools/gen_duis_schema.py` from the XSD files. This crate
//! compiles those tables once (content models to deterministic automata,
//! patterns to `regex`es) and validates documents against them without
//! needing the XSD at run time.
//!
//! ```
//! let xml = br#"<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"
//!     schemaVersion="5.4"><sr:Header/></sr:Request>"#;
//! let err = duis_schema::validate(xml).unwrap_err();
//! assert!(err.to_string().contains("sr:RequestID"), "{err}");
//! ```
//!
//! What is checked: namespace-aware XML 1.0 well-formedness (with DTDs and
//! non-UTF-8 encodings refused outright), the document element against the
//! global element declarations, content models, attributes (required,
//! undeclared, typed), simple-type values (built-in lexical spaces and all
//! facets), `xs:ID` uniqueness, wildcards (`strict`/`lax`/`skip`) inside
//! `ds:Signature`, `xsi:type` and `xsi:nil`.
//!
//! Known deliberate differences from the XSD specification, all on the
//! strict side: CDATA sections are refused in element-only content (as
//! libxml2 does), and elements whose type lives in the `ResponseAndAlert`
//! schema document (not available to opendcc) are refused with
//! [`SchemaError::UnavailableType`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod automaton;
mod builtins;
mod compile;
mod error;
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
mod parse;
pub mod tables;
mod validate;
pub mod xsd_regex;

use std::sync::LazyLock;

pub use error::{BuildError, SchemaError};
pub use validate::{
    Attribute, DEFAULT_MAX_DEPTH, NamespaceResolver, NoNamespaces, StreamValidator, XSI_NS,
};

/// Namespace of DUIS requests and responses (`sr`).
pub const SR_NS: &str = "http://www.dccinterface.co.uk/ServiceUserGateway";
/// Namespace of the SMETS1 response-and-alert types (`ra`).
pub const RA_NS: &str = "http://www.dccinterface.co.uk/ResponseAndAlert";
/// XML-DSig namespace (`ds`).
pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// A compiled schema set.
#[derive(Debug)]
pub struct Schema {
    compiled: compile::Compiled,
}

static DUIS_SCHEMA: LazyLock<Result<Schema, BuildError>> =
    LazyLock::new(|| Schema::compile(&tables::DUIS));

impl Schema {
    /// Compile schema tables. Expensive (milliseconds): do it once.
    pub fn compile(tables: &'static tables::SchemaTables) -> Result<Schema, BuildError> {
        Ok(Schema {
            compiled: compile::compile(tables)?,
        })
    }

    /// The DUIS 5.4 schema set, compiled on first use.
    pub fn duis() -> Result<&'static Schema, SchemaError> {
        DUIS_SCHEMA
            .as_ref()
            .map_err(|e| SchemaError::Build(e.clone()))
    }

    /// Validate a whole document.
    pub fn validate(&self, xml: &[u8]) -> Result<(), SchemaError> {
        let mut v = self.stream();
        parse::drive(xml, &mut v)?;
        v.finish()
    }

    /// Validate a document whose root must be the global element
    /// `{namespace}local`.
    pub fn validate_root(
        &self,
        xml: &[u8],
        namespace: &str,
        local: &str,
    ) -> Result<(), SchemaError> {
        let c = &self.compiled;
        let decl = c
            .global(c.ns_id(namespace), local)
            .and_then(|d| c.tables.elements.get(d as usize))
            .ok_or_else(|| SchemaError::UnknownRoot {
                found: compile::display_name(namespace, local),
            })?;
        let mut v = self.stream().with_root(decl.ns, decl.name);
        parse::drive(xml, &mut v)?;
        v.finish()
    }

    /// A validator to feed with parse events, for callers that already
    /// parse the document themselves.
    pub fn stream(&self) -> StreamValidator<'_> {
        StreamValidator::new(&self.compiled)
    }
}

/// Validate `xml` against the DUIS 5.4 schema: the document element may be
/// any global element (`sr:Request`, `sr:Response`, ...).
pub fn validate(xml: &[u8]) -> Result<(), SchemaError> {
    Schema::duis()?.validate(xml)
}

/// Validate a DUIS request: like [`validate`], and the document element
/// must be `sr:Request`.
pub fn validate_request(xml: &[u8]) -> Result<(), SchemaError> {
    Schema::duis()?.validate_root(xml, SR_NS, "Request")
}

/// Validate a DUIS response: like [`validate`], and the document element
/// must be `sr:Response`.
pub fn validate_response(xml: &[u8]) -> Result<(), SchemaError> {
    Schema::duis()?.validate_root(xml, SR_NS, "Response")
}
