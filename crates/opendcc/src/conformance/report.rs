//! Printing results: one line per part (`PASS …` / `FAIL …: reason`) and the closing
//! `N passed, M failed`, or JSON lines with a summary object.

use std::collections::BTreeMap;
use std::io::Write;

use super::runner::PartResult;

/// Counts over the lines (parts) and over rows (a row passes when all its parts pass).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub rows_passed: usize,
    pub rows_failed: usize,
}

pub fn summarise(results: &[PartResult]) -> Summary {
    let mut rows: BTreeMap<&str, bool> = BTreeMap::new();
    let mut s = Summary::default();
    for r in results {
        if r.pass {
            s.passed += 1;
        } else {
            s.failed += 1;
        }
        let ok = rows.entry(&r.row).or_insert(true);
        *ok &= r.pass;
    }
    s.rows_passed = rows.values().filter(|&&p| p).count();
    s.rows_failed = rows.len() - s.rows_passed;
    s
}

/// `PASS 11.2_ECS52 SUCCESS command 11.2_ECS52/ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX` or
/// `FAIL …: reason`.
pub fn line(r: &PartResult) -> String {
    let verdict = if r.pass { "PASS" } else { "FAIL" };
    let mut l = format!("{verdict} {} {}", r.id(), r.file);
    if let Some(why) = &r.reason {
        l.push_str(": ");
        l.push_str(why);
    }
    l
}

pub fn json_line(r: &PartResult) -> String {
    serde_json::json!({
        "verdict": if r.pass { "PASS" } else { "FAIL" },
        "id": r.id(),
        "row": r.row,
        "part": r.part,
        "file": r.file,
        "template": r.template,
        "reason": r.reason,
        "notes": r.notes,
    })
    .to_string()
}

/// Writes the report; `elapsed_ms` goes into the summary.
pub fn write(
    out: &mut dyn Write,
    results: &[PartResult],
    json: bool,
    elapsed_ms: u128,
) -> std::io::Result<Summary> {
    let s = summarise(results);
    for r in results {
        let l = if json { json_line(r) } else { line(r) };
        writeln!(out, "{l}")?;
    }
    if json {
        let summary = serde_json::json!({
            "summary": true,
            "passed": s.passed,
            "failed": s.failed,
            "rows_passed": s.rows_passed,
            "rows_failed": s.rows_failed,
            "elapsed_ms": elapsed_ms,
        });
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "rows: {} passed, {} failed (a row passes when every part passes); {elapsed_ms} ms",
            s.rows_passed, s.rows_failed
        )?;
        writeln!(out, "{} passed, {} failed", s.passed, s.failed)?;
    }
    Ok(s)
}
