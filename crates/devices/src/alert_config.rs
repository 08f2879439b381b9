//! Configure Alert Behaviour (DUIS 6.22) and Read Event and Alert Behaviours (6.2.10): the
//! device side of ECS25a…ECS25b3, ECS25r1, ECS25r2, GCS20 and GCS20r over
//! [`crate::config::alert_behaviour::AlertBehaviour`], answered as the RTDS vectors.
//!
//! Failures (injected, [`DeviceFault`]), as the RTDS ERROR vectors, change nothing:
//!
//! | use case | fault | answer |
//! |---|---|---|
//! | ECS25a…ECS25b3 | `DlmsObject` on the filter's write object (e.g. `1/0.30.97.98.11.255/2`) | `Set` hardware-fault (1) |
//! | ECS25r1, ECS25r2 | `DlmsObject` on a read object (e.g. `1/0.30.97.98.17.255/2`) | that `Get` hardware-fault, the ones after it other-reason (250) |
//! | GCS20 | `ZclCommand` on `0x0708` / `0x04` | the second component (the only one, if one) Default Response HARDWARE_FAILURE, the ones after it `FF 01`, the ones before it success and applied |
//! | GCS20r | `ZclCommand` on `0x0708` / `0x05` | Default Response HARDWARE_FAILURE |

use gbcs::GeneralSigning;
use gbcs::axdr::Data;
use gbcs::dlms::ResponseSpec;
use gbcs::gbz::{CONTROL_LAST, GbzBody, GbzComponent, ZclFrame};
use gbcs::usecases::alert_behaviour_common::{
    self as ab, CLUSTER_DEVICE_MANAGEMENT, FC_CLIENT_TO_SERVER, GET_EVENT_CONFIGURATION,
    REPORT_EVENT_CONFIGURATION, SET_EVENT_CONFIGURATION,
};
use gbcs::usecases::{AlertBehaviourChange, AlertFilter, DlmsRead, GasAlertBehaviour};

use crate::config::alert_behaviour::Configurable;
use crate::device::EmulatedDevice;
use crate::exec::{
    DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, ZCL_DEFAULT_RESPONSE,
    ZCL_HARDWARE_FAILURE, dlms_response, done, gbz,
};
use crate::kind::DeviceKind;
use crate::reads::object_fault;
use crate::state::DeviceFault;

/// ZCL frame control of the GSME's Default Responses to Set Event Configuration (as RTDS).
const FC_DEFAULT_RESPONSE: u8 = 0x00;
/// ZCL frame control of the GSME's failing Default Response to Get Event Configuration (as
/// RTDS GCS20r ERROR).
const FC_DEFAULT_RESPONSE_READ: u8 = 0x08;
/// ZCL status of the components after a failed one (RTDS GCS20 ERROR: `FF 01`).
const ZCL_FAILURE: u8 = 0x01;

fn component(
    control: u8,
    frame_control: u8,
    sequence: u8,
    command: u8,
    payload: Vec<u8>,
) -> GbzComponent {
    GbzComponent {
        control,
        cluster: CLUSTER_DEVICE_MANAGEMENT,
        body: GbzBody::Plain {
            from_date_time: None,
            zcl: ZclFrame {
                frame_control,
                manufacturer_code: None,
                sequence,
                command,
                payload,
            },
        },
    }
}

impl EmulatedDevice {
    /// Whose behaviour rules apply to this device.
    pub(crate) fn configurable(&self) -> Configurable {
        match self.identity.kind {
            DeviceKind::Esme => Configurable::Esme,
            DeviceKind::Gsme => Configurable::Gsme,
            _ => Configurable::Other,
        }
    }

    /// ECS25a…ECS25b3: one SET of the filter's object; the change applied when it works.
    pub(crate) fn ecs25_write(
        &mut self,
        apdu: &GeneralSigning,
        change: &AlertBehaviourChange,
    ) -> Option<Execution> {
        let filter = change.filter;
        self.dlms_writes(apdu, &[filter.write_object()], |s, _| {
            let mut bits = s.config.alert_behaviour.filter(filter);
            change.apply(&mut bits);
            s.config.alert_behaviour.set_filter(filter, bits);
        })
    }

    /// ECS25r1 / ECS25r2: each filter read in order; a faulty one ends the read.
    pub(crate) fn ecs25_read(&self, apdu: &GeneralSigning, read: &DlmsRead) -> Option<Execution> {
        let mut failed = false;
        let mut data = Vec::with_capacity(read.objects.len());
        let mut results = Vec::with_capacity(read.objects.len());
        for o in &read.objects {
            let filter = AlertFilter::ALL.into_iter().find(|f| f.read_object() == *o);
            let (d, code) = match filter {
                _ if failed => (Data::Null, DLMS_NOT_EXECUTED),
                Some(f) if !self.state.has_fault(object_fault(o)) => (
                    self.state.config.alert_behaviour.filter(f).to_data(),
                    DLMS_SUCCESS,
                ),
                _ => {
                    failed = true;
                    (Data::Null, DLMS_FAILURE)
                }
            };
            data.push(d);
            results.push(ResponseSpec::Get(code));
        }
        done(dlms_response(apdu.counter, data, results), !failed)
    }

    /// GCS20: each component's configurations applied in order, one Default Response each.
    pub(crate) fn gcs20(&mut self, b: &GasAlertBehaviour) -> Option<Execution> {
        let n = b.groups.len();
        let faulty = self.state.has_fault(DeviceFault::ZclCommand {
            cluster: CLUSTER_DEVICE_MANAGEMENT,
            command: SET_EVENT_CONFIGURATION,
        });
        let failing = faulty.then(|| 1.min(n.saturating_sub(1)));
        let mut components = Vec::with_capacity(n);
        for (i, (config, codes)) in b.groups.iter().enumerate() {
            let payload = match failing {
                Some(f) if i == f => vec![SET_EVENT_CONFIGURATION, ZCL_HARDWARE_FAILURE],
                Some(f) if i > f => vec![0xFF, ZCL_FAILURE],
                _ => {
                    for code in codes {
                        self.state.config.alert_behaviour.set_gsme(*code, *config);
                    }
                    vec![SET_EVENT_CONFIGURATION, 0]
                }
            };
            let control = if i + 1 == n { CONTROL_LAST } else { 0 };
            let seq = u8::try_from(i).ok()?;
            components.push(component(
                control,
                FC_DEFAULT_RESPONSE,
                seq,
                ZCL_DEFAULT_RESPONSE,
                payload,
            ));
        }
        done(gbz(components)?, failing.is_none())
    }

    /// GCS20r: a Report Event Configuration of every `0x81xx` code.
    pub(crate) fn gcs20r(&self) -> Option<Execution> {
        if self.state.has_fault(DeviceFault::ZclCommand {
            cluster: CLUSTER_DEVICE_MANAGEMENT,
            command: GET_EVENT_CONFIGURATION,
        }) {
            let c = component(
                CONTROL_LAST,
                FC_DEFAULT_RESPONSE_READ,
                0,
                ZCL_DEFAULT_RESPONSE,
                vec![GET_EVENT_CONFIGURATION, ZCL_HARDWARE_FAILURE],
            );
            return done(gbz(vec![c])?, false);
        }
        let report = self.state.config.alert_behaviour.gsme_report();
        let c = component(
            CONTROL_LAST,
            FC_CLIENT_TO_SERVER,
            0,
            REPORT_EVENT_CONFIGURATION,
            ab::report_payload(&report),
        );
        done(gbz(vec![c])?, true)
    }
}
