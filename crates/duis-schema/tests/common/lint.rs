//! Running `xmllint --schema` (Debian libxml2-utils) as an oracle.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use duis_schema::tables::Builtin;

/// Whether xmllint can be run; if not, panic unless OPENDCC_SKIP_XMLLINT
/// is set (then the caller skips).
pub fn require_xmllint() -> bool {
    let ok = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty());
    if ok {
        return true;
    }
    if std::env::var_os("OPENDCC_SKIP_XMLLINT").is_some() {
        eprintln!("xmllint not installed, skipped on request");
        return false;
    }
    panic!("xmllint not found: install libxml2-utils or set OPENDCC_SKIP_XMLLINT=1");
}

pub struct LintVerdict {
    pub valid: bool,
    pub messages: String,
}

/// Run xmllint over many files at once (the schema is parsed once per batch).
pub fn xmllint(schema: &Path, files: &[PathBuf]) -> Vec<LintVerdict> {
    let mut out = Vec::with_capacity(files.len());
    for chunk in files.chunks(400) {
        let o = Command::new("xmllint")
            .arg("--noout")
            .arg("--nonet")
            .arg("--schema")
            .arg(schema)
            .args(chunk)
            .output()
            .expect("run xmllint");
        let stderr = String::from_utf8_lossy(&o.stderr);
        let mut per_file: BTreeMap<String, (Option<bool>, String)> = BTreeMap::new();
        let names: Vec<String> = chunk
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect();
        let mut current: Option<String> = None;
        for line in stderr.lines() {
            let owner = names.iter().find(|n| {
                line.strip_prefix(n.as_str())
                    .is_some_and(|r| r.starts_with(':') || r.starts_with(' '))
            });
            match owner {
                Some(name) => {
                    let rest = &line[name.len()..];
                    let entry = per_file.entry(name.clone()).or_default();
                    if rest == " validates" {
                        entry.0 = Some(true);
                    } else if rest == " fails to validate"
                        || rest == " validation generated an internal error"
                    {
                        entry.0 = Some(false);
                    } else {
                        entry.1.push_str(line);
                        entry.1.push('\n');
                    }
                    current = Some(name.clone());
                }
                None => {
                    // continuation of a message whose value spans lines
                    if let Some(c) = &current {
                        let entry = per_file.entry(c.clone()).or_default();
                        entry.1.push_str(line);
                        entry.1.push('\n');
                    }
                }
            }
        }
        for f in chunk {
            let (v, m) = per_file
                .remove(f.to_string_lossy().as_ref())
                .unwrap_or_default();
            // No verdict line: the file was not well-formed.
            out.push(LintVerdict {
                valid: v.unwrap_or(false),
                messages: m,
            });
        }
    }
    out
}

/// libxml2's base64 rule: characters outside the base64 alphabet are
/// ignored, then the usual length and padding rules apply.
pub fn libxml2_base64_ok(value: &str) -> bool {
    let cleaned: String = value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    let data = cleaned.trim_end_matches('=');
    let pad = cleaned.len() - data.len();
    cleaned.len().is_multiple_of(4) && pad <= 2 && !data.contains('=')
}

/// Types where libxml2 2.9 skips whitespace collapsing.
pub fn libxml2_skips_collapse(b: Builtin) -> bool {
    use Builtin::*;
    matches!(
        b,
        Long | Int
            | Short
            | Byte
            | UnsignedLong
            | UnsignedInt
            | UnsignedShort
            | UnsignedByte
            | Date
            | DateTime
            | Time
            | GYear
            | GYearMonth
            | GMonth
            | GMonthDay
            | GDay
            | Duration
            // float/double: only INF, -INF and NaN
            | Float
            | Double
    )
}
