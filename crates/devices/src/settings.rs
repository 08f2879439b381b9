//! The supplier settings a device keeps for the consumer (DUIS 3.x; [`SupplierSettings`]):
//! ECS16 / GCS44 set the supplier's name and telephone number, ECS14 / GCS11 clear privacy PIN
//! protection, ECS10 / GCS07 put up a supplier message (shown until the next one). Answers as the RTDS vectors: ESME one `Set` result per object written, GSME a ZCL
//! Default Response (frame control `00`: the meter, client of the Device Management and
//! Messaging clusters, answers the DCC's server→client command).
//!
//! Failures (injected, [`DeviceFault`]), as the RTDS ERROR vectors:
//!
//! | use case | fault | answer |
//! |---|---|---|
//! | ECS16 | `DlmsObject` on the telephone number (`9000/0.0.96.13.0.255/2`) or the name (`…1.255/2`) | that `Set` hardware-fault (1), the ones after it other-reason (250), the ones before it done |
//! | ECS14 | `DlmsObject` on the privacy PIN (`1/0.0.94.44.3.1/2`) | `Set` hardware-fault (1) |
//! | ECS10 | `DlmsObject` on the message (`1/0.2.96.13.1.255/2`) | `Set` hardware-fault (1) |
//! | GCS44, GCS11 | `ZclCommand` on `0x0708` / `0x01`, `0x02` | Default Response HARDWARE_FAILURE (`C0`) |
//! | GCS07 | `ZclCommand` on `0x0703` / `0x00` | Default Response HARDWARE_FAILURE (`C0`) |
//!
//! A failed write changes nothing it did not report done.

use gbcs::GeneralSigning;
use gbcs::axdr::Data;
use gbcs::dlms::CosemDescriptor;
use gbcs::gbz::{CONTROL_LAST, GbzBody, GbzComponent, ZclFrame};
use gbcs::usecases::{SupplierContact, SupplierMessage, ecs10, ecs14, ecs16, gcs07, gcs11, gcs44};

use crate::device::EmulatedDevice;
use crate::exec::{
    DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, ZCL_DEFAULT_RESPONSE,
    ZCL_HARDWARE_FAILURE, dlms_response, done, gbz,
};
use crate::state::{DeviceFault, DeviceState};

/// ZSE Device Management cluster.
pub(crate) const CLUSTER_DEVICE_MANAGEMENT: u16 = 0x0708;
/// ZCL frame control of the meter's Default Response to a Device Management command.
const FC_GLOBAL_TO_SERVER: u8 = 0x00;

impl EmulatedDevice {
    /// Whether a SET of `o` fails on this device.
    fn write_fails(&self, o: &CosemDescriptor) -> bool {
        self.state.has_fault(DeviceFault::DlmsObject {
            class: o.class_id,
            obis: o.instance,
            attribute: o.index,
        })
    }

    /// DLMS SETs of `objects` in order, each applied by `apply` (given its index) unless it or
    /// one before it fails: the first faulty object answers hardware-fault, the ones after it
    /// other-reason.
    pub(crate) fn dlms_writes(
        &mut self,
        apdu: &GeneralSigning,
        objects: &[CosemDescriptor],
        apply: impl Fn(&mut DeviceState, usize),
    ) -> Option<Execution> {
        let failed = objects.iter().position(|o| self.write_fails(o));
        let mut results = Vec::with_capacity(objects.len());
        for i in 0..objects.len() {
            let code = match failed {
                Some(f) if i == f => DLMS_FAILURE,
                Some(f) if i > f => DLMS_NOT_EXECUTED,
                _ => {
                    apply(&mut self.state, i);
                    DLMS_SUCCESS
                }
            };
            results.push(gbcs::dlms::ResponseSpec::Set(code));
        }
        done(
            dlms_response(apdu.counter, vec![Data::Null; objects.len()], results),
            failed.is_none(),
        )
    }

    /// ECS16: the telephone number, then the name.
    pub(crate) fn ecs16(
        &mut self,
        apdu: &GeneralSigning,
        c: &SupplierContact,
    ) -> Option<Execution> {
        self.dlms_writes(
            apdu,
            &[ecs16::SUPPLIER_TELEPHONE, ecs16::SUPPLIER_NAME],
            |s, i| {
                if i == 0 {
                    s.supplier_settings
                        .supplier_telephone
                        .clone_from(&c.telephone);
                } else {
                    s.supplier_settings.supplier_name.clone_from(&c.name);
                }
            },
        )
    }

    /// ECS14: privacy PIN protection off.
    pub(crate) fn ecs14(&mut self, apdu: &GeneralSigning) -> Option<Execution> {
        self.dlms_writes(apdu, &[ecs14::PRIVACY_PIN], |s, _| {
            s.supplier_settings.privacy_pin_protection = false;
        })
    }

    /// ECS10: the message shown from now on.
    pub(crate) fn ecs10(
        &mut self,
        apdu: &GeneralSigning,
        m: &SupplierMessage,
    ) -> Option<Execution> {
        self.dlms_writes(apdu, &[ecs10::SUPPLIER_MESSAGE], |s, _| {
            s.supplier_settings.supplier_message = m.as_bytes().to_vec();
        })
    }

    /// A ZSE command `command` on `cluster`: `apply` unless the command is faulty; the Default
    /// Response either way.
    pub(crate) fn zse_setting(
        &mut self,
        cluster: u16,
        command: u8,
        apply: impl FnOnce(&mut DeviceState),
    ) -> Option<Execution> {
        let works = !self
            .state
            .has_fault(DeviceFault::ZclCommand { cluster, command });
        if works {
            apply(&mut self.state);
        }
        let status = if works { 0x00 } else { ZCL_HARDWARE_FAILURE };
        let component = GbzComponent {
            control: CONTROL_LAST,
            cluster,
            body: GbzBody::Plain {
                from_date_time: None,
                zcl: ZclFrame {
                    frame_control: FC_GLOBAL_TO_SERVER,
                    manufacturer_code: None,
                    sequence: 0,
                    command: ZCL_DEFAULT_RESPONSE,
                    payload: vec![command, status],
                },
            },
        };
        done(gbz(vec![component])?, works)
    }

    /// GCS44: the name and contact details.
    pub(crate) fn gcs44(&mut self, c: &SupplierContact) -> Option<Execution> {
        self.zse_setting(
            CLUSTER_DEVICE_MANAGEMENT,
            gcs44::PUBLISH_CHANGE_OF_SUPPLIER,
            |s| {
                s.supplier_settings.supplier_name.clone_from(&c.name);
                s.supplier_settings
                    .supplier_telephone
                    .clone_from(&c.telephone);
            },
        )
    }

    /// GCS11: privacy PIN protection off.
    pub(crate) fn gcs11(&mut self) -> Option<Execution> {
        self.zse_setting(
            CLUSTER_DEVICE_MANAGEMENT,
            gcs11::REQUEST_NEW_PASSWORD_RESPONSE,
            |s| {
                s.supplier_settings.privacy_pin_protection = false;
            },
        )
    }

    /// GCS07: the message shown from now on.
    pub(crate) fn gcs07(&mut self, m: &SupplierMessage) -> Option<Execution> {
        self.zse_setting(gcs07::CLUSTER_MESSAGING, gcs07::DISPLAY_MESSAGE, |s| {
            s.supplier_settings.supplier_message = m.as_bytes().to_vec();
        })
    }
}
