//! The ESME's power quality configuration and monitoring (DUIS 6.5, 6.27, 6.2.1, 6.12, 6.2.5):
//! ECS29a–d write the voltage thresholds ([`crate::config::power_quality`]), ECS29a/b and
//! ECS29e/f reset the average RMS voltage event counters (`reads::network::NetworkData`, which
//! 4.10's ECS23 reads), ECS34 writes the instantaneous power thresholds; ECS26b, ECS26k and
//! ECS26f read them back through the GET-list reads (`reads::EmulatedDevice::get_list`).
//!
//! The meter watches the voltage ([`EmulatedDevice::power_quality_due`]): while the site's
//! voltage is made to differ from the metering simulation's ([`EmulatedDevice::set_simulated_voltage`],
//! the harness's and the WAN's `voltage:` hub event) or an excursion is in force, it evaluates
//! at the shortest measurement period: the average RMS voltage over L1's measurement period
//! against its over- and under-voltage thresholds (0x8002 / 0x8006, ended 0x8085 / 0x8089),
//! the RMS voltage held beyond a limiter for its period (extreme over 0x8020, extreme under
//! 0x8028, sag 0x802C, swell 0x8024; ended 0x808D, 0x8095, 0x8099, 0x8091); each alert goes
//! to the network operator and is logged, and an average excursion counts in the swell / sag
//! counter. The thresholds are the configuration in force at each evaluation, so a 6.5 write
//! changes what the next one finds. The instantaneous power thresholds raise no alert (GBCS
//! has none); they are the bands an IHD shows ([`EmulatedDevice::power_band`]).
//!
//! Every write is all or nothing: a DLMS fault on one of its objects (`DeviceState::faults`)
//! fails that request with hardware-fault, leaves the rest not executed (as the RTDS ERROR
//! vectors) and changes nothing. Values outside the rules (`gbcs::usecases::voltage`) never
//! reach here: the use case's decoder refuses them, and the device answers as to any command
//! outside its use case's format.

use gbcs::axdr::Data;
use gbcs::codes::AlertCode;
use gbcs::dlms::{RequestSpec, ResponseSpec};
use gbcs::usecases::voltage::{Field, Variant};
use gbcs::usecases::{PowerThresholds, VoltageConfig};
use gbcs::{GeneralSigning, UtcDateTime};

use crate::config::power_quality::SimulatedVoltage;
use crate::device::EmulatedDevice;
use crate::exec::{DLMS_FAILURE, DLMS_NOT_EXECUTED, DLMS_SUCCESS, Execution, dlms_response, done};
use crate::future::FutureAction;
use crate::reads::network;
use crate::reads::object_fault;
use crate::state::EventKind;
use crate::{DeviceKind, RemotePartyRole};

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

// ---------------------------------------------------------------------------------------------
// Power quality monitoring.

/// GBCS alert: average RMS voltage above the average RMS over-voltage threshold.
pub const ALERT_AVERAGE_OVER: AlertCode = AlertCode(0x8002);
/// GBCS alert: average RMS voltage below the average RMS under-voltage threshold.
pub const ALERT_AVERAGE_UNDER: AlertCode = AlertCode(0x8006);
/// GBCS alert: average RMS voltage back below the over-voltage threshold.
pub const ALERT_AVERAGE_OVER_ENDED: AlertCode = AlertCode(0x8085);
/// GBCS alert: average RMS voltage back above the under-voltage threshold.
pub const ALERT_AVERAGE_UNDER_ENDED: AlertCode = AlertCode(0x8089);
/// GBCS alerts of the RMS voltage limiters (extreme over, extreme under, sag, swell): the
/// voltage beyond the threshold for longer than its period.
pub const ALERT_RMS: [AlertCode; 4] = [
    AlertCode(0x8020),
    AlertCode(0x8028),
    AlertCode(0x802C),
    AlertCode(0x8024),
];
/// … and back within it for longer than its period.
pub const ALERT_RMS_ENDED: [AlertCode; 4] = [
    AlertCode(0x808D),
    AlertCode(0x8095),
    AlertCode(0x8099),
    AlertCode(0x8091),
];

impl EmulatedDevice {
    /// Makes the site's RMS voltage `volts` on every phase from true time `now` on (`None`: the
    /// metering simulation's own, around 230 V), as a fault on the network would; the meter
    /// evaluates its thresholds from then on ([`Self::power_quality_due`]). ESMEs only; returns
    /// whether it applied.
    pub fn set_simulated_voltage(&mut self, volts: Option<u32>, now: UtcDateTime) -> bool {
        if self.kind() != DeviceKind::Esme {
            return false;
        }
        let since = self.device_time(now).to_unix();
        self.state.config.power_quality.simulated_voltage =
            volts.map(|volts| SimulatedVoltage { volts, since });
        self.schedule_power_quality(since);
        true
    }

    /// The seconds between evaluations: the shortest of the measurement periods.
    fn power_quality_step(&self) -> i64 {
        let pq = &self.state.config.power_quality;
        pq.rms
            .limits()
            .iter()
            .map(|l| l.period)
            .chain([pq.phases[0].period])
            .min()
            .map_or(60, |p| i64::from(p.max(1)))
    }

    /// Holds the next evaluation `step` after `device_now`, while a simulated voltage is set
    /// or an excursion is in force; none otherwise.
    fn schedule_power_quality(&mut self, device_now: i64) {
        self.state
            .future_actions
            .retain(|a| a.action != FutureAction::PowerQuality);
        let pq = &self.state.config.power_quality;
        let watching = pq.simulated_voltage.is_some()
            || pq.average_excursion.is_some()
            || pq.rms_excursion.contains(&true);
        if watching {
            let at = device_now.saturating_add(self.power_quality_step());
            self.hold_own(at, FutureAction::PowerQuality);
        }
    }

    /// The RMS voltage at device time `t` and since when it has been that (the simulated one,
    /// or the metering simulation's hourly average).
    fn rms_voltage(&self, t: i64) -> (u32, i64) {
        match self.state.config.power_quality.simulated_voltage {
            Some(s) if s.since <= t => (s.volts, s.since),
            _ => {
                let hour = t - t.rem_euclid(network::AVERAGE_VOLTAGE_PERIOD);
                (network::average_voltage(hour, 0), hour)
            }
        }
    }

    /// The average RMS voltage on L1 over the measurement period ending at device time `t`.
    fn average_rms_voltage(&self, t: i64) -> u32 {
        let period = i64::from(self.state.config.power_quality.phases[0].period.max(1));
        let start = t - period;
        match self.state.config.power_quality.simulated_voltage {
            Some(s) if s.since <= start => s.volts,
            Some(s) if s.since < t => {
                let base = i64::from(network::average_voltage(start, 0));
                let inside = t - s.since;
                let v = (i64::from(s.volts) * inside + base * (period - inside)) / period;
                u32::try_from(v).unwrap_or(0)
            }
            _ => network::average_voltage(t, 0),
        }
    }

    /// A held power quality evaluation falls due at device time `at` (true time `now`): the
    /// average RMS voltage of the measurement period ending then against L1's thresholds, the
    /// RMS voltage against the four limiters; each excursion that starts or ends raises its
    /// GBCS alert to the network operator (logged), and an over- / under-voltage excursion
    /// counts in the swell / sag counter (`reads::network`, which ECS23 reads and 6.27
    /// resets). The next evaluation is held.
    pub(crate) fn power_quality_due(&mut self, at: i64, now: UtcDateTime) -> Vec<Vec<u8>> {
        let mut codes = Vec::new();
        let pq = self.state.config.power_quality.clone();
        let avg = self.average_rms_voltage(at);
        let phase = pq.phases[0];
        let now_over = avg > phase.over;
        let now_under = avg < phase.under;
        let mut excursion = pq.average_excursion;
        if excursion == Some(true) && !now_over {
            codes.push(ALERT_AVERAGE_OVER_ENDED);
            excursion = None;
        }
        if excursion == Some(false) && !now_under {
            codes.push(ALERT_AVERAGE_UNDER_ENDED);
            excursion = None;
        }
        if excursion.is_none() && now_over {
            codes.push(ALERT_AVERAGE_OVER);
            excursion = Some(true);
            let s = &mut self.state.reads.network.swells[0];
            *s = s.saturating_add(1);
        } else if excursion.is_none() && now_under {
            codes.push(ALERT_AVERAGE_UNDER);
            excursion = Some(false);
            let s = &mut self.state.reads.network.sags[0];
            *s = s.saturating_add(1);
        }
        self.state.config.power_quality.average_excursion = excursion;

        let (v, since) = self.rms_voltage(at);
        let lasted = at - since;
        for (i, limit) in pq.rms.limits().iter().enumerate() {
            let beyond = match i {
                0 | 3 => v > limit.threshold,
                _ => v < limit.threshold,
            };
            let long_enough = lasted >= i64::from(limit.period);
            let open = pq.rms_excursion[i];
            if beyond && !open && long_enough {
                codes.push(ALERT_RMS[i]);
                self.state.config.power_quality.rms_excursion[i] = true;
            } else if !beyond && open && long_enough {
                codes.push(ALERT_RMS_ENDED[i]);
                self.state.config.power_quality.rms_excursion[i] = false;
            }
        }
        self.schedule_power_quality(at);
        let recipient = self
            .state
            .trust_anchors
            .get(RemotePartyRole::NetworkOperator)
            .cloned();
        // DUIS 6.22: a voltage alert configured off for the WAN is not raised (as
        // `EmulatedDevice::raise_alert` decides for the others).
        let configurable = self.configurable();
        codes.retain(|code| {
            self.state
                .config
                .alert_behaviour
                .sends(configurable, code.0)
        });
        codes
            .into_iter()
            .filter_map(|code| match &recipient {
                Some(no) => match self.general_alert(code, no, now) {
                    Ok(frame) => Some(frame),
                    Err(_) => {
                        self.log(now, EventKind::AlertNotSent { alert_code: code.0 });
                        None
                    }
                },
                None => self.security_alert(code, now),
            })
            .collect()
    }

    /// Where consumption stands against the instantaneous power thresholds (6.12) at true time
    /// `now`, as an IHD shows it: 0 low, 1 medium, 2 high.
    pub fn power_band(&self, now: UtcDateTime) -> u8 {
        let t = self.state.config.power_quality.power_thresholds;
        let w = self.active_power_import(now).power;
        if w >= t.medium_high {
            2
        } else if w >= t.low_medium {
            1
        } else {
            0
        }
    }
}
