//! The meter's MPxN (DUIS 6.20.1, 6.20.2, 6.2.7; [`crate::config::identity::IdentityConfig`],
//! `DeviceState::config.site.identity`): ECS39a writes an ESME's import MPAN(s), ECS39b its
//! export MPAN, GCS41 a GSME's MPRN; ECS40 reads both MPANs, GCS46 the MPRN (Metering attribute
//! SiteID `0x0307`, [`crate::EmulatedDevice`]'s gas attributes). 6.2.9 reads the payment mode
//! 1.6 set ([`crate::payment_mode`]): ECS26j the ESME's account mode, GCS21j the GSME's Payment
//! Control Configuration. 6.2.4 reads the device's identity: ECS26e/m (ESME), ECS26i/n (CHF) the
//! EUI, variant, model, manufacturer and supply tamper state (never locked: no tamper is
//! emulated); GCS21e/m (GSME) the Basic cluster and the Metering supply depletion and tamper
//! states (`0x0608`, `0x0607`: 0).
//!
//! Failures (injected, [`DeviceFault`]), as the RTDS ERROR vectors:
//!
//! | use case | fault | answer |
//! |---|---|---|
//! | ECS39a, ECS39b | `DlmsObject` on the import MPAN (`1/0.0.94.44.34.11/2`), the export MPAN (`1/1.0.0.0.2.255/2`) | `Set` hardware-fault (1), nothing written |
//! | ECS40 | `DlmsObject` on either MPAN | that `Get` hardware-fault (1), the ones after it other-reason (250) |
//! | GCS41 | `ZclCommand` on `0x0708` / `0x03` | Default Response HARDWARE_FAILURE (`C0`), nothing written |
//! | GCS46 | `MeteringAttribute(0x0307)` | the record HARDWARE_FAILURE (`C0`) |
//! | ECS26j | `DlmsObject` on `111/0.0.19.0.0.255/2` | `Get` hardware-fault (1) |
//! | GCS21j | `ClusterAttribute` on `0x0705/0x0000` | the record HARDWARE_FAILURE (`C0`) |

use gbcs::GeneralSigning;
use gbcs::axdr::Data;
use gbcs::dlms::{CosemDescriptor, ResponseSpec};
use gbcs::usecases::payment_mode::{
    BIT_COLLECT_DEBT_EMERGENCY, BIT_SUSPEND_DEBT_DISABLED, CONFIG_CREDIT, CONFIG_PREPAYMENT,
};
use gbcs::usecases::{
    DlmsRead, ImportMpans, SiteIdUpdate, ZclRead, ecs26e, ecs26j, ecs39a, gcs21j, gcs41,
};

use crate::device::EmulatedDevice;
use crate::exec::{self, Execution, ZCL_HARDWARE_FAILURE, dlms_response};
use crate::settings::CLUSTER_DEVICE_MANAGEMENT;
use crate::state::DeviceFault;
use crate::zcl::{self, ZclValue};

impl EmulatedDevice {
    /// The value of an identity object this ESME holds, `None` for one it does not.
    pub(crate) fn identity_value(&self, o: &CosemDescriptor) -> Option<Data> {
        let id = &self.state.config.site.identity;
        match *o {
            ecs39a::IMPORT_MPAN => Some(Data::OctetString(id.import_mpxn.clone())),
            ecs39a::EXPORT_MPAN => Some(Data::OctetString(id.export_mpan.clone())),
            // 6.2.4: the device's identity.
            ecs26e::DEVICE_ID => Some(Data::OctetString(self.identity.eui.bytes().to_vec())),
            ecs26e::METER_VARIANT => Some(Data::OctetString(id.variant.clone())),
            ecs26e::MODEL => Some(Data::OctetString(id.model.clone())),
            ecs26e::MANUFACTURER => Some(Data::OctetString(id.manufacturer.clone())),
            // No supply tamper is emulated: never locked.
            ecs26e::SUPPLY_TAMPER_STATE => Some(Data::Boolean(0)),
            // 6.2.9: the mode 1.6 set (crate::payment_mode), the account active.
            ecs26j::ACCOUNT_MODE_AND_STATUS => Some(Data::Structure(vec![
                Data::Enum(if self.state.payment_mode.credit {
                    ecs26j::MODE_CREDIT
                } else {
                    ecs26j::MODE_PREPAYMENT
                }),
                Data::Enum(ecs26j::STATUS_ACTIVE),
            ])),
            _ => None,
        }
    }

    /// A GET of identity objects in order: each its value; the first faulty one (or one not
    /// held) answers hardware-fault (or object-undefined), the ones after it other-reason.
    pub(crate) fn identity_get(&self, apdu: &GeneralSigning, read: &DlmsRead) -> Option<Execution> {
        let mut failed = false;
        let (data, results): (Vec<Data>, Vec<ResponseSpec>) = read
            .objects
            .iter()
            .map(|o| {
                if failed {
                    return (Data::Null, ResponseSpec::Get(exec::DLMS_NOT_EXECUTED));
                }
                let faulty = self.state.has_fault(DeviceFault::DlmsObject {
                    class: o.class_id,
                    obis: o.instance,
                    attribute: o.index,
                });
                let v = if faulty {
                    Err(exec::DLMS_FAILURE)
                } else {
                    self.identity_value(o).ok_or(exec::DLMS_OBJECT_UNDEFINED)
                };
                match v {
                    Ok(d) => (d, ResponseSpec::Get(exec::DLMS_SUCCESS)),
                    Err(code) => {
                        failed = true;
                        (Data::Null, ResponseSpec::Get(code))
                    }
                }
            })
            .unzip();
        exec::done(dlms_response(apdu.counter, data, results), !failed)
    }

    /// ECS39a: the import MPAN(s).
    pub(crate) fn ecs39a(&mut self, apdu: &GeneralSigning, m: &ImportMpans) -> Option<Execution> {
        self.dlms_writes(apdu, &[ecs39a::IMPORT_MPAN], |s, _| {
            s.config.site.identity.import_mpxn = m.as_bytes().to_vec();
        })
    }

    /// ECS39b: the export MPAN.
    pub(crate) fn ecs39b(&mut self, apdu: &GeneralSigning, mpan: &[u8]) -> Option<Execution> {
        self.dlms_writes(apdu, &[ecs39a::EXPORT_MPAN], |s, _| {
            s.config.site.identity.export_mpan = mpan.to_vec();
        })
    }

    /// GCS41: the MPRN.
    pub(crate) fn gcs41(&mut self, u: &SiteIdUpdate) -> Option<Execution> {
        self.zse_setting(CLUSTER_DEVICE_MANAGEMENT, gcs41::UPDATE_SITE_ID, |s| {
            s.config.site.identity.import_mpxn.clone_from(&u.mprn);
        })
    }

    /// GCS21j: the Payment Control Configuration of the mode 1.6 set (as GCS02 / GCS03 send
    /// it); a `ClusterAttribute` fault on `0x0705/0x0000` reads HARDWARE_FAILURE.
    pub(crate) fn gcs21j(&self, read: &ZclRead) -> Option<Execution> {
        let m = &self.state.payment_mode;
        let config = if m.credit {
            CONFIG_CREDIT
        } else {
            let mut c = CONFIG_PREPAYMENT;
            if m.suspend_debt_disabled {
                c |= BIT_SUSPEND_DEBT_DISABLED;
            }
            if !m.suspend_debt_emergency {
                c |= BIT_COLLECT_DEBT_EMERGENCY;
            }
            c
        };
        let faulty = self.state.has_fault(DeviceFault::ClusterAttribute {
            cluster: read.cluster,
            attribute: gcs21j::PAYMENT_CONTROL_CONFIGURATION,
        });
        let value = if faulty {
            Err(ZCL_HARDWARE_FAILURE)
        } else {
            Ok(ZclValue::Bitmap16(config))
        };
        let records = zcl::attribute_record(gcs21j::PAYMENT_CONTROL_CONFIGURATION, value);
        let comp = exec::plain_component(
            read.cluster,
            0,
            gbcs::usecases::ZCL_READ_ATTRIBUTES_RESPONSE,
            records,
            true,
        );
        exec::done(exec::gbz(vec![comp])?, !faulty)
    }

    /// A ZCL Basic cluster attribute of a gas device (6.2.4: GCS21e, GCS21m): manufacturer name,
    /// model identifier (character strings), hardware version 1; a `ClusterAttribute` fault
    /// reads HARDWARE_FAILURE.
    pub(crate) fn basic_attribute(&self, id: u16) -> Result<ZclValue, u8> {
        if self.state.has_fault(DeviceFault::ClusterAttribute {
            cluster: 0x0000,
            attribute: id,
        }) {
            return Err(ZCL_HARDWARE_FAILURE);
        }
        let i = &self.state.config.site.identity;
        Ok(match id {
            0x0003 => ZclValue::U8(1),
            0x0004 => ZclValue::CharString(i.manufacturer.clone()),
            0x0005 => ZclValue::CharString(i.model.clone()),
            _ => return Err(zcl::UNSUPPORTED_ATTRIBUTE),
        })
    }
}
