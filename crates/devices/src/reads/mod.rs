//! What the emulated meters answer to the read services, one module per family:
//!
//! * `active_power`: 4.16 (ECS17c), the metering model's demand at the time of the read.
//! * [`instantaneous`]: 4.1.x, 4.2, 4.3, 4.12.x, 4.15 and 4.18, worked out from the metering at
//!   read time over the device's [`InstantaneousConfig`].
//!
//! And for DUIS 4.8 (profile data), 4.10
//! (network data), 4.11 (tariff), 4.13 (prepayment configuration) and 14.1 (record gas network
//! data).
//!
//! * [`profiles`]: half-hourly profiles (ECS22a/b/c, GCS17) computed from the metering model, so
//!   they advance with the simulated clock and never change once a half-hour has passed.
//! * [`network`]: the voltage quality data of ECS23 / ECS23b.
//! * [`sampling`]: the gas network data log (GCS31 starts a run, GCS18 reads it).
//! * [`tariff`]: the electricity tariff (ECS24, ECS24b) held in state.
//! * [`prepayment`]: the prepayment configuration (ECS26a) held in state.
//! * [`payment`]: the payment state commands change (2.5 emergency credit activation), which
//!   the prepayment reads work out their values over.
//!
//! The DLMS GET lists (ECS22a, ECS22c, ECS23, ECS23b, ECS24, ECS24b, ECS26a) all go through
//! [`EmulatedDevice::get_list`]: each attribute read answers its value, `object-undefined` (4)
//! for one the device does not hold, or `hardware-fault` (1) for one with an injected
//! [`DeviceFault::DlmsObject`] fault, after which the remaining requests are not executed (250),
//! as the RTDS ERROR vectors show.

// 4.16 Read Active Power Import (ECS17c).
mod active_power;
pub(crate) mod instantaneous;

pub use instantaneous::{InstantaneousConfig, LoadLimit, Prepayment, TariffEpoch, TouBand};

pub mod gas_tariff;
pub mod network;
pub mod payment;
pub mod prepayment;
pub mod profiles;
pub mod sampling;
pub mod tariff;

use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::usecases::{GetListRead, Item, ReadPeriod};
use gbcs::{GeneralSigning, UtcDateTime};
use serde::{Deserialize, Serialize};

use crate::device::EmulatedDevice;
use crate::exec::{
    DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_OBJECT_UNDEFINED, DLMS_SUCCESS, Execution, dlms_response,
};
use crate::state::DeviceFault;

/// The read services' state beyond the registers (all defaults on a fresh device).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadsState {
    /// ESME voltage quality counters.
    #[serde(default)]
    pub network: network::NetworkData,
    /// The ESME tariff.
    #[serde(default)]
    pub tariff: tariff::ElectricityTariff,
    /// The ESME prepayment configuration.
    #[serde(default)]
    pub prepayment: prepayment::PrepaymentConfiguration,
    /// The GSME's gas network sampling run, if one was started.
    #[serde(default)]
    pub gas_sampling: Option<sampling::SamplingRun>,
    /// The GSME tariff and prepayment configuration.
    #[serde(default)]
    pub gas_tariff: gas_tariff::GasTariff,
}

/// Parses `zcl-command:CLUSTER/COMMAND` (hex with `0x`, or decimal).
pub(crate) fn parse_zcl_command(name: &str) -> Option<DeviceFault> {
    let rest = name.strip_prefix("zcl-command:")?;
    let (cluster, command) = rest.split_once('/')?;
    let num = |t: &str| -> Option<u32> {
        match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(h) => u32::from_str_radix(h, 16).ok(),
            None => t.parse().ok(),
        }
    };
    Some(DeviceFault::ZclCommand {
        cluster: u16::try_from(num(cluster)?).ok()?,
        command: u8::try_from(num(command)?).ok()?,
    })
}

/// Parses `dlms-object:CLASS/A.B.C.D.E.F/ATTR` (decimal).
pub(crate) fn parse_dlms_object(name: &str) -> Option<DeviceFault> {
    let rest = name.strip_prefix("dlms-object:")?;
    let mut parts = rest.split('/');
    let class = parts.next()?.parse().ok()?;
    let obis_text = parts.next()?;
    let attribute = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let bytes: Vec<u8> = obis_text
        .split('.')
        .map(|b| b.parse().ok())
        .collect::<Option<_>>()?;
    let obis: [u8; 6] = bytes.try_into().ok()?;
    Some(DeviceFault::DlmsObject {
        class,
        obis,
        attribute,
    })
}

/// The fault naming `o`.
pub(crate) fn object_fault(o: &CosemDescriptor) -> DeviceFault {
    DeviceFault::DlmsObject {
        class: o.class_id,
        obis: o.instance,
        attribute: o.index,
    }
}

impl EmulatedDevice {
    /// One attribute of a GET list: its value, or the data-access-result it fails with.
    fn read_item(&self, item: &Item, period: Option<ReadPeriod>, now: i64) -> Result<Data, u8> {
        let o = item.object();
        if self.state.has_fault(object_fault(&o)) {
            return Err(DLMS_FAILURE);
        }
        let value = match (item, period) {
            (Item::Range(o), Some(p)) => profiles::buffer(self, o, p, now)
                .or_else(|| network::voltage_profile(self, o, p, now)),
            (Item::Range(_), None) => None,
            (Item::Get(o), _) => network::attribute(&self.state.reads.network, o)
                .or_else(|| self.state.reads.tariff.attribute(o))
                .or_else(|| {
                    self.state
                        .reads
                        .prepayment
                        .attribute(o, self.state.payment_mode.disablement_threshold)
                })
                .or_else(|| self.state.config.power_quality.attribute(o)),
        };
        value.ok_or(DLMS_OBJECT_UNDEFINED)
    }

    /// A DLMS GET list (ECS22a, ECS22c, ECS23, ECS23b, ECS24, ECS24b, ECS26a): every attribute
    /// in order; the first failure ends it. ECS23 / ECS23b answer with the device time, as the
    /// RTDS vectors do.
    pub(crate) fn get_list(
        &self,
        apdu: &GeneralSigning,
        read: &GetListRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let t = now.to_unix();
        let mut data = Vec::with_capacity(read.items.len());
        let mut results = Vec::with_capacity(read.items.len());
        let mut failed = false;
        for item in &read.items {
            if failed {
                data.push(Data::Null);
                results.push(ResponseSpec::Get(DLMS_NOT_EXECUTED));
                continue;
            }
            match self.read_item(item, read.period, t) {
                Ok(v) => {
                    data.push(v);
                    results.push(ResponseSpec::Get(DLMS_SUCCESS));
                }
                Err(code) => {
                    failed = true;
                    data.push(Data::Null);
                    results.push(ResponseSpec::Get(code));
                }
            }
        }
        let dated = read
            .items
            .iter()
            .any(|i| network::is_network_object(&i.object()));
        Some(Execution::Done {
            content: dlms_response(apdu.counter, data, results),
            date_time: dated.then(|| self.device_time(now).to_cosem().0),
            success: !failed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlms_object_fault_names() {
        assert_eq!(
            DeviceFault::parse("dlms-object:7/0.0.99.1.2.255/2"),
            Some(DeviceFault::DlmsObject {
                class: 7,
                obis: [0, 0, 99, 1, 2, 255],
                attribute: 2
            })
        );
        assert_eq!(
            DeviceFault::parse("zcl-command:0x0707/0x04"),
            Some(DeviceFault::ZclCommand {
                cluster: 0x0707,
                command: 4
            })
        );
        assert_eq!(DeviceFault::parse("sampling"), Some(DeviceFault::Sampling));
        for bad in [
            "zcl-command:0x0707",
            "zcl-command:0x10000/1",
            "zcl-command:0x0707/256",
            "dlms-object:",
            "dlms-object:7/0.0.99.1.2/2",
            "dlms-object:7/0.0.99.1.2.256/2",
            "dlms-object:7/0.0.99.1.2.255/2/1",
            "dlms-object:x/0.0.99.1.2.255/2",
        ] {
            assert_eq!(DeviceFault::parse(bad), None, "{bad}");
        }
    }
}

// Log reads (billing data, daily read, daily consumption logs).
pub mod logs;
