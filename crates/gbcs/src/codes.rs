//! Message codes, alert codes and the CRA flag.

use std::fmt;

use crate::codes_table::MESSAGE_CODES;

/// The CRA flag: what kind of GBCS message this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cra {
    /// `01`: a command (or pre-command).
    Command,
    /// `02`: a response.
    Response,
    /// `03`: an alert.
    Alert,
}

impl Cra {
    /// The wire value.
    pub const fn to_byte(self) -> u8 {
        match self {
            Cra::Command => 1,
            Cra::Response => 2,
            Cra::Alert => 3,
        }
    }

    /// From the wire value.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Cra::Command),
            2 => Some(Cra::Response),
            3 => Some(Cra::Alert),
            _ => None,
        }
    }
}

/// The two-byte GBCS message code at the start of other-information. Unknown codes are kept as
/// they are.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageCode(pub u16);

impl MessageCode {
    /// The GBCS use case this code stands for, where known (`"ECS52"`, `"CCS01"`, …).
    pub fn use_case(self) -> Option<&'static str> {
        MESSAGE_CODES
            .binary_search_by_key(&self.0, |(c, _)| *c)
            .ok()
            .and_then(|i| MESSAGE_CODES.get(i))
            .map(|(_, n)| *n)
    }

    /// ECS52 read ESME/CHF firmware version.
    pub const ECS52: Self = Self(0x0059);
    /// GCS38 read GSME firmware version.
    pub const GCS38: Self = Self(0x0084);
    /// CS08 read PPMID/HCALCS firmware version.
    pub const CS08: Self = Self(0x0129);
    /// ECS45 read ESME supply status.
    pub const ECS45: Self = Self(0x0052);
    /// GCS33 read GSME supply status.
    pub const GCS33: Self = Self(0x0082);
    /// ECS17b read ESME energy registers (import).
    pub const ECS17B: Self = Self(0x0027);
    /// ECS17c read ESME active power import.
    pub const ECS17C: Self = Self(0x0028);
    /// GCS13a read GSME consumption register.
    pub const GCS13A: Self = Self(0x0074);
    /// ECS42 remotely close the load switch (enable supply).
    pub const ECS42: Self = Self(0x004F);
    /// ECS43 remotely open the load switch (disable supply).
    pub const ECS43: Self = Self(0x0050);
    /// ECS01a update the ESME's import tariff (primary element).
    pub const ECS01A: Self = Self(0x0019);
    /// ECS01b update the ESME's prices (primary element).
    pub const ECS01B: Self = Self(0x00A2);
    /// ECS01c update the ESME's import tariff (secondary element).
    pub const ECS01C: Self = Self(0x00B7);
    /// ECS01d update the ESME's prices (secondary element).
    pub const ECS01D: Self = Self(0x00C7);
    /// ECS02 switch the ESME to credit mode.
    pub const ECS02: Self = Self(0x001A);
    /// ECS03 switch the ESME to prepayment mode.
    pub const ECS03: Self = Self(0x001B);
    /// GCS01a update the GSME's import tariff (primary element).
    pub const GCS01A: Self = Self(0x006B);
    /// GCS01b update the GSME's prices (primary element).
    pub const GCS01B: Self = Self(0x00A3);
    /// GCS02 switch the GSME to credit mode.
    pub const GCS02: Self = Self(0x006C);
    /// GCS03 switch the GSME to prepayment mode.
    pub const GCS03: Self = Self(0x006D);
    /// ECS05 reset the ESME's tariff block counter matrix.
    pub const ECS05: Self = Self(0x001D);
    /// ECS07 update the ESME's debt.
    pub const ECS07: Self = Self(0x001E);
    /// GCS04 update the GSME's debt.
    pub const GCS04: Self = Self(0x006E);
    /// ECS04a adjust the ESME's meter balance.
    pub const ECS04A: Self = Self(0x001C);
    /// ECS04b reset the ESME's meter balance.
    pub const ECS04B: Self = Self(0x00B3);
    /// GCS40a adjust the GSME's prepayment mode meter balance.
    pub const GCS40A: Self = Self(0x0086);
    /// GCS40b reset the GSME's prepayment mode meter balance.
    pub const GCS40B: Self = Self(0x00B4);
    /// GCS40c adjust the GSME's credit mode meter balance.
    pub const GCS40C: Self = Self(0x00C0);
    /// GCS40d reset the GSME's credit mode meter balance.
    pub const GCS40D: Self = Self(0x00C2);
    /// ECS09 activate emergency credit remotely on the ESME.
    pub const ECS09: Self = Self(0x0020);
    /// GCS06 activate emergency credit remotely on the GSME.
    pub const GCS06: Self = Self(0x0070);
    /// GCS32 remotely close the gas valve.
    pub const GCS32: Self = Self(0x0081);
    /// ECS44 arm the load switch (arm supply).
    pub const ECS44: Self = Self(0x0051);
    /// GCS39 arm the gas valve (arm supply).
    pub const GCS39: Self = Self(0x0085);
    /// ECS47 control an auxiliary load switch (activate, deactivate, reset).
    pub const ECS47: Self = Self(0x0055);
    /// ECS61a read the ESME's auxiliary load switch data.
    pub const ECS61A: Self = Self(0x00BB);
    /// ECS47a set an auxiliary controller's state.
    pub const ECS47A: Self = Self(0x011E);
    /// ECS38 set the ESME's randomised offset limit.
    pub const ECS38: Self = Self(0x004B);
    /// ECS62 set which auxiliary controllers the boost function controls.
    pub const ECS62: Self = Self(0x005F);
    /// ECS61c read the ESME's boost function data.
    pub const ECS61C: Self = Self(0x005E);
    /// ECS61d read the ESME's auxiliary controller configuration data.
    pub const ECS61D: Self = Self(0x011C);
    /// ECS61e read the ESME's auxiliary controller operational data.
    pub const ECS61E: Self = Self(0x011D);
    /// ECS47e limit an auxiliary proportional controller's level.
    pub const ECS47E: Self = Self(0x011F);
    /// ECS70 set clock on ESME (also commissioning).
    pub const ECS70: Self = Self(0x0062);
    /// GCS28 set clock on GSME (also commissioning).
    pub const GCS28: Self = Self(0x007F);
    /// CCS01 add device to CHF device log.
    pub const CCS01: Self = Self(0x0001);
    /// CCS02 remove device from CHF device log.
    pub const CCS02: Self = Self(0x0002);
    // 8.9 Read Device Log.
    /// CS07 read device join details (a meter's, a GPF's or a HAN device's device log).
    pub const CS07: Self = Self(0x0013);
    /// CCS04/CCS05 read the CHF device log (the code GBCS keeps for both).
    pub const CCS05: Self = Self(0x0004);
    /// CCS06 read the CHF device log and check HAN communications.
    pub const CCS06: Self = Self(0x010F);
    /// CCS07 read the CHF device logs (current and historic, with security details).
    pub const CCS07: Self = Self(0x00FE);
    // 8.12 Restore HAN Device Log.
    /// CCS03 restore the CHF device log.
    pub const CCS03: Self = Self(0x0003);
    /// GCS59 restore the GPF device log.
    pub const GCS59: Self = Self(0x008C);
    // Dual-band Communications Hubs (DUIS 6.28–6.32).
    /// DBCH01 read the CHF's operating sub-GHz channel.
    pub const DBCH01: Self = Self(0x010A);
    /// DBCH02 read the CHF's sub-GHz channel log.
    pub const DBCH02: Self = Self(0x010B);
    /// DBCH03 read the CHF's sub-GHz configuration.
    pub const DBCH03: Self = Self(0x010C);
    /// DBCH04 set the CHF's sub-GHz configuration.
    pub const DBCH04: Self = Self(0x010D);
    /// DBCH05 request a CHF sub-GHz channel scan.
    pub const DBCH05: Self = Self(0x010E);
    // Log reads (billing data, daily read and daily consumption logs).
    /// ECS20a read ESME billing data log (debt payments).
    pub const ECS20A: Self = Self(0x002E);
    /// ECS20b read ESME billing data log (change of mode / tariff).
    pub const ECS20B: Self = Self(0x002F);
    /// ECS20c read ESME billing data log (billing calendar).
    pub const ECS20C: Self = Self(0x0030);
    /// ECS20d read ESME billing data log (prepayment credits).
    pub const ECS20D: Self = Self(0x00C9);
    /// ECS21a read electricity daily read log.
    pub const ECS21A: Self = Self(0x0033);
    /// ECS21b read electricity prepayment daily read log.
    pub const ECS21B: Self = Self(0x0034);
    /// ECS21c read electricity export daily read log.
    pub const ECS21C: Self = Self(0x0035);
    /// ECS66 read ESME daily consumption log.
    pub const ECS66: Self = Self(0x0060);
    /// GCS15b read GSME billing data log (change of mode / tariff).
    pub const GCS15B: Self = Self(0x00C3);
    /// GCS15c read GSME billing data log (billing calendar).
    pub const GCS15C: Self = Self(0x0076);
    /// GCS15d read GSME billing data log (debt payments).
    pub const GCS15D: Self = Self(0x00C4);
    /// GCS15e read GSME billing data log (prepayment credits).
    pub const GCS15E: Self = Self(0x00C5);
    /// GCS16a read GSME daily read log.
    pub const GCS16A: Self = Self(0x0077);
    /// GCS16b read GSME prepayment daily read log.
    pub const GCS16B: Self = Self(0x0096);
    /// GCS61 read gas daily consumption log.
    pub const GCS61: Self = Self(0x00A0);
    // Supplier settings (DUIS 3.x).
    /// ECS10 display message (ESME).
    pub const ECS10: Self = Self(0x0021);
    /// GCS07 display message (GSME).
    pub const GCS07: Self = Self(0x0071);
    /// ECS14 disable privacy PIN protection (ESME).
    pub const ECS14: Self = Self(0x0023);
    /// ECS16 update supplier name (ESME).
    pub const ECS16: Self = Self(0x0025);
    /// GCS11 disable privacy PIN protection (GSME).
    pub const GCS11: Self = Self(0x0073);
    /// ECS50 send customer identification number (ESME).
    pub const ECS50: Self = Self(0x0058);
    /// GCS36 send customer identification number (GSME).
    pub const GCS36: Self = Self(0x0083);
    /// GCS44 update supplier name (GSME).
    pub const GCS44: Self = Self(0x0088);
    /// ECS12 restrict access for change of tenancy (ESME).
    pub const ECS12: Self = Self(0x0022);
    /// GCS09 restrict access for change of tenancy (GPF).
    pub const GCS09: Self = Self(0x0072);
    /// CS11 clear event log (GSME).
    pub const CS11: Self = Self(0x0015);
    /// ECS15a clear event log (ESME).
    pub const ECS15A: Self = Self(0x0024);
    /// ECS15c clear ALCS / HCALCS event log (ESME).
    pub const ECS15C: Self = Self(0x00C1);
    /// CS01a apply prepayment top up to an ESME.
    pub const CS01A: Self = Self(0x0007);
    /// CS01b apply prepayment top up to a GSME.
    pub const CS01B: Self = Self(0x0097);
}

impl fmt::Debug for MessageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.use_case() {
            Some(n) => write!(f, "MessageCode(0x{:04X} {n})", self.0),
            None => write!(f, "MessageCode(0x{:04X})", self.0),
        }
    }
}

impl fmt::Display for MessageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// A two-byte GBCS alert code (`8F66`, `8F0A`, …). Unknown codes are kept as they are.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AlertCode(pub u16);

impl AlertCode {
    /// Future-dated command executed successfully.
    pub const FUTURE_DATED_EXECUTED: Self = Self(0x8F66);
    /// Future-dated command failed.
    pub const FUTURE_DATED_FAILED: Self = Self(0x8F67);

    /// Whether this is one of the two future-dated outcome alerts (8F66/8F67).
    pub const fn is_future_dated_outcome(self) -> bool {
        self.0 == 0x8F66 || self.0 == 0x8F67
    }
}

impl fmt::Debug for AlertCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AlertCode(0x{:04X})", self.0)
    }
}

impl fmt::Display for AlertCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(MESSAGE_CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(MessageCode::ECS52.use_case(), Some("ECS52"));
        assert_eq!(MessageCode(0x0027).use_case(), Some("ECS17b"));
        assert_eq!(MessageCode(0x7777).use_case(), None);
        assert_eq!(
            format!("{:?}", MessageCode(0x0059)),
            "MessageCode(0x0059 ECS52)"
        );
    }

    #[test]
    fn cra_round_trip() {
        for b in 0..=255u8 {
            if let Some(c) = Cra::from_byte(b) {
                assert_eq!(c.to_byte(), b);
            } else {
                assert!(!(1..=3).contains(&b));
            }
        }
    }
}
