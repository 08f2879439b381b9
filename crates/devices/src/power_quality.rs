//! The ESME's power quality configuration and monitoring (DUIS 6.5, 6.27, 6.2.1, 6.12, 6.2.5):
//! ECS29a–d write the voltage thresholds ([`crate::config::power_quality`]), ECS29a/b and
//! ECS29e/f reset the average RMS voltage event counters (`reads::network::NetworkData`, which
//! 4.10's ECS23 reads), ECS34 writes the instantaneous power thresholds; ECS26b, ECS26k and
//! ECS26f read them back through the GET-list reads (`reads::EmulatedDevice::get_list`).
//!
//! Every write is all or nothing: a DLMS fault on one of its objects (`DeviceState::faults`)
//! fails that request with hardware-fault, leaves the rest not executed (as the RTDS ERROR
//! vectors) and changes nothing. Values outside the rules (`gbcs::usecases::voltage`) never
//! reach here: the use case's decoder refuses them, and the device answers as to any command
//! outside its use case's format.

use gbcs::GeneralSigning;
use gbcs::axdr::Data;
use gbcs::dlms::{RequestSpec, ResponseSpec};
use gbcs::usecases::voltage::{Field, Variant};
use gbcs::usecases::{PowerThresholds, VoltageConfig};

use crate::device::EmulatedDevice;
use crate::exec::{DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, dlms_response, done};
use crate::reads::object_fault;

fn result_of(spec: &RequestSpec, code: u8) -> ResponseSpec {
    match spec {
        RequestSpec::Action(_) => ResponseSpec::Action(code),
        RequestSpec::Get(_) | RequestSpec::GetWithSelection(..) => ResponseSpec::Get(code),
        RequestSpec::Set(_) | RequestSpec::SetWithSelection(..) => ResponseSpec::Set(code),
    }
}

impl EmulatedDevice {
    /// The first of `fields` whose object is faulty.
    fn first_faulty(&self, fields: &[Field]) -> Option<usize> {
        fields
            .iter()
            .position(|f| self.state.has_fault(object_fault(&f.object())))
    }

    /// Answers the requests `fields`: all success, or the first faulty one hardware-fault and
    /// the rest not executed. Whether all succeeded.
    fn answer_writes(&self, apdu: &GeneralSigning, fields: &[Field]) -> (Vec<u8>, bool) {
        let failed = self.first_faulty(fields);
        let results = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let code = match failed {
                    Some(k) if i == k => DLMS_FAILURE,
                    Some(k) if i > k => DLMS_NOT_EXECUTED,
                    _ => DLMS_SUCCESS,
                };
                result_of(&f.request(), code)
            })
            .collect();
        (
            dlms_response(apdu.counter, vec![Data::Null; fields.len()], results),
            failed.is_none(),
        )
    }

    fn reset_counters(&mut self, fields: &[Field]) {
        let n = &mut self.state.reads.network;
        for f in fields {
            match *f {
                Field::ResetUnder(p) => {
                    if let Some(c) = n.sags.get_mut(p) {
                        *c = 0;
                    }
                }
                Field::ResetOver(p) => {
                    if let Some(c) = n.swells.get_mut(p) {
                        *c = 0;
                    }
                }
                _ => {}
            }
        }
    }

    /// ECS29a–d: writes the voltage configuration (and, ECS29a/b, resets the counters).
    pub(crate) fn ecs29(
        &mut self,
        apdu: &GeneralSigning,
        v: Variant,
        c: &VoltageConfig,
    ) -> Option<Execution> {
        let (content, works) = self.answer_writes(apdu, v.slots());
        if works {
            self.state.config.power_quality.write_voltage(c);
            self.reset_counters(v.slots());
        }
        done(content, works)
    }

    /// ECS29e / ECS29f: resets the counters `fields`.
    pub(crate) fn ecs29_reset(
        &mut self,
        apdu: &GeneralSigning,
        fields: &[Field],
    ) -> Option<Execution> {
        let (content, works) = self.answer_writes(apdu, fields);
        if works {
            self.reset_counters(fields);
        }
        done(content, works)
    }

    /// ECS34: writes the instantaneous power thresholds.
    pub(crate) fn ecs34(&mut self, apdu: &GeneralSigning, t: PowerThresholds) -> Option<Execution> {
        let o = gbcs::usecases::voltage::POWER_THRESHOLDS;
        let works = !self.state.has_fault(object_fault(&o));
        if works {
            self.state.config.power_quality.power_thresholds = t;
        }
        let code = if works { DLMS_SUCCESS } else { DLMS_FAILURE };
        done(
            dlms_response(
                apdu.counter,
                vec![Data::Null],
                vec![ResponseSpec::Set(code)],
            ),
            works,
        )
    }
}
