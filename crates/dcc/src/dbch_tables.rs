//! The DBCH Configuration Tables (SEC Section F): for each CSP region (North, Central, South)
//! the sub-GHz configuration dual-band Communications Hubs must hold, every 915 MHz (upper
//! band, ZigBee page 31) channel masked. They change by SEC modification, not by a DCC release:
//! they are data, `data/dbch_configuration_tables.json`, compiled in and read by [`parse`], a
//! pure function that refuses an invalid file (a table with an unmasked 915 MHz channel, a
//! region missing, a value outside its DUIS range, versions not increasing). The last version is
//! the current one; 6.28 applies only a current table ([`DbchTables::current_region_of`]).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use duis::CspRegion;
use gbcs::usecases::SubGhzConfiguration;
use serde::Deserialize;

/// The compiled-in tables' text.
pub const TABLES_JSON: &str = include_str!("../data/dbch_configuration_tables.json");

/// The regions, in the order the tables name them.
pub const REGIONS: [CspRegion; 3] = [CspRegion::North, CspRegion::Central, CspRegion::South];

/// One version of the tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableVersion {
    /// Its version number.
    pub version: u32,
    /// The date it took effect (`YYYY-MM-DD`).
    pub date: String,
    /// Each region's configuration.
    pub regions: BTreeMap<String, SubGhzConfiguration>,
}

impl TableVersion {
    /// The configuration of `region`.
    pub fn for_region(&self, region: CspRegion) -> Option<&SubGhzConfiguration> {
        self.regions.get(region_name(region))
    }
}

/// Every version of the tables, oldest first (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbchTables {
    /// The versions.
    pub versions: Vec<TableVersion>,
}

#[derive(Deserialize)]
struct File {
    #[allow(dead_code)]
    #[serde(default)]
    comment: Option<String>,
    versions: Vec<RawVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    version: u32,
    date: String,
    regions: BTreeMap<String, SubGhzConfiguration>,
}

/// The name a region has in the tables (a 4G region is its CSP region's; a SMETS1 or unknown
/// region has no table: empty).
pub fn region_name(r: CspRegion) -> &'static str {
    match r {
        CspRegion::North | CspRegion::North4G => "North",
        CspRegion::Central | CspRegion::Central4G => "Central",
        CspRegion::South | CspRegion::South4G => "South",
        CspRegion::Unknown | CspRegion::Smets1 => "",
    }
}

/// Reads and checks a tables file.
pub fn parse(text: &str) -> Result<DbchTables, String> {
    let f: File = serde_json::from_str(text).map_err(|e| format!("DBCH tables: {e}"))?;
    if f.versions.is_empty() {
        return Err("DBCH tables: no version".into());
    }
    let mut last = None;
    let mut versions = Vec::with_capacity(f.versions.len());
    for v in f.versions {
        if last.is_some_and(|l| v.version <= l) {
            return Err(format!(
                "DBCH tables: version {} does not increase",
                v.version
            ));
        }
        last = Some(v.version);
        let d = v.date.as_bytes();
        if d.len() != 10 || d[4] != b'-' || d[7] != b'-' {
            return Err(format!(
                "DBCH tables {}: date {:?} is not YYYY-MM-DD",
                v.version, v.date
            ));
        }
        let names: Vec<&str> = REGIONS.iter().map(|r| region_name(*r)).collect();
        if v.regions.len() != names.len() || !names.iter().all(|n| v.regions.contains_key(*n)) {
            return Err(format!(
                "DBCH tables {}: one table for each of North, Central and South",
                v.version
            ));
        }
        for (region, c) in &v.regions {
            c.check()
                .map_err(|e| format!("DBCH tables {} {region}: {e}", v.version))?;
            if c.upper_band_0_26 != 0 {
                return Err(format!(
                    "DBCH tables {} {region}: a 915 MHz channel is not masked",
                    v.version
                ));
            }
        }
        versions.push(TableVersion {
            version: v.version,
            date: v.date,
            regions: v.regions,
        });
    }
    Ok(DbchTables { versions })
}

/// The compiled-in tables (checked once; an invalid file is an error, never a panic).
pub fn compiled() -> Result<&'static DbchTables, &'static str> {
    static TABLES: OnceLock<Result<DbchTables, String>> = OnceLock::new();
    TABLES
        .get_or_init(|| parse(TABLES_JSON))
        .as_ref()
        .map_err(|e| e.as_str())
}

impl DbchTables {
    /// The current version (the last).
    pub fn current(&self) -> &TableVersion {
        // `parse` never makes an empty list.
        &self.versions[self.versions.len() - 1]
    }

    /// The region whose current table `config` is, if it is one.
    pub fn current_region_of(&self, config: &SubGhzConfiguration) -> Option<CspRegion> {
        let cur = self.current();
        REGIONS
            .into_iter()
            .find(|r| cur.for_region(*r) == Some(config))
    }

    /// The version and region of the table `config` is, current or not.
    pub fn version_of(&self, config: &SubGhzConfiguration) -> Option<(u32, CspRegion)> {
        self.versions.iter().rev().find_map(|v| {
            REGIONS
                .into_iter()
                .find(|r| v.for_region(*r) == Some(config))
                .map(|r| (v.version, r))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_tables_are_valid_and_mask_915_mhz_everywhere() {
        let t = compiled().unwrap();
        assert!(t.versions.len() >= 2);
        for v in &t.versions {
            for r in REGIONS {
                let c = v.for_region(r).unwrap();
                assert_eq!(c.upper_band_0_26, 0);
                assert!(t.version_of(c).is_some_and(|(n, _)| n >= v.version));
            }
        }
        for r in REGIONS {
            let c = t.current().for_region(r).unwrap();
            assert_eq!(t.current_region_of(c), Some(r));
        }
        let old = t.versions[0].for_region(CspRegion::North).unwrap();
        assert_eq!(
            t.current_region_of(old),
            None,
            "an old table is not current"
        );
    }

    #[test]
    fn an_unmasked_915_mhz_band_or_a_missing_region_is_invalid() {
        let good = TABLES_JSON;
        let unmasked = good.replacen("\"upper_band_0_26\": 0", "\"upper_band_0_26\": 6", 1);
        assert_ne!(unmasked, good);
        assert!(parse(&unmasked).unwrap_err().contains("915"));
        let missing = good.replacen("\"North\"", "\"Nowhere\"", 1);
        assert!(parse(&missing).is_err());
        let out_of_range = good.replacen(
            "\"max_channel_changes_per_week\": 5",
            "\"max_channel_changes_per_week\": 9",
            1,
        );
        assert_ne!(out_of_range, good);
        assert!(parse(&out_of_range).is_err());
        assert!(parse("{\"versions\": []}").is_err());
        assert!(parse("not json").is_err());
    }
}
