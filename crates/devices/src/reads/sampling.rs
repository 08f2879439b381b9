//! The GSME's ZSE sampling: Get Sampled Data of the consumption profile (GCS17, sample id 0) and
//! of the gas network data log (GCS18, sample id 2), which Start Sampling (GCS31) records.
//!
//! A network data run takes `max_number_of_samples` samples every `sample_request_interval`
//! seconds from its start; sample `k` is the gas volume (litres) measured over the interval
//! ending at `start + k·interval`, available once that time has passed. A new GCS31 replaces
//! the run. Answers are encrypted to the requester (as the RTDS); NOT_FOUND (`0x8B`) when
//! nothing is held at or after the earliest sample time, HARDWARE_FAILURE with a
//! [`DeviceFault::Sampling`] fault (and GCS31 then answers sample id `FFFF`).

use gbcs::UtcDateTime;
use gbcs::gbz::{CONTROL_ENCRYPTED, CONTROL_LAST, GbzBody, GbzComponent};
use gbcs::usecases::reads_common::{
    GET_SAMPLED_DATA, GET_SAMPLED_DATA_RESPONSE, SAMPLE_ID_NETWORK_DATA, SAMPLE_ID_PROFILE,
    SAMPLE_ID_REFUSED, START_SAMPLING_RESPONSE,
};
use gbcs::usecases::{CLUSTER_METERING, GetSampledData, SampledData, StartSampling};
use serde::{Deserialize, Serialize};

use super::profiles::{GAS, HALF_HOUR};
use crate::device::{Accepted, EmulatedDevice};
use crate::exec::{
    Execution, ZCL_DEFAULT_RESPONSE, ZCL_HARDWARE_FAILURE, done, gbz, plain_component,
};
use crate::metering::Channel;
use crate::state::DeviceFault;

/// ZCL status NOT_FOUND: no samples where asked.
pub const ZCL_NOT_FOUND: u8 = 0x8B;
/// ZCL frame control of the encrypted answer: cluster-specific, server→client, no default
/// response (as the RTDS GCS17).
const FC_CLUSTER_TO_CLIENT_NO_DEFAULT: u8 = 0x19;

/// A gas network data sampling run (GCS31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamplingRun {
    /// The issuer event id of the command that started it.
    pub issuer_event_id: u32,
    /// When it started (true time, unix seconds).
    pub started_at: i64,
    /// Seconds between samples.
    pub interval: u16,
    /// How many samples it takes.
    pub max_samples: u16,
}

impl SamplingRun {
    /// The sample times (unix) it has taken by `now`.
    pub fn times(&self, now: i64) -> Vec<i64> {
        let step = i64::from(self.interval.max(1));
        (0..i64::from(self.max_samples))
            .map(|k| self.started_at + k * step)
            .take_while(|t| *t <= now)
            .collect()
    }
}

impl EmulatedDevice {
    /// The samples of `get` at `now`: (first sample time, interval, values), `None` when none.
    fn samples(&self, get: &GetSampledData, now: i64) -> Option<(i64, u16, Vec<u32>)> {
        let earliest = UtcDateTime::from_zigbee_utc(get.earliest_sample_time)?.to_unix();
        let n = usize::from(get.number_of_samples);
        let to_u24 = |v: u64| u32::try_from(v.min(0xFF_FFFF)).unwrap_or(0xFF_FFFF);
        let (times, interval) = match get.sample_id {
            SAMPLE_ID_PROFILE => {
                // The samples asked for cover the half-hours from the earliest sample time on.
                let last = earliest.saturating_add(HALF_HOUR * (n.max(1) as i64 - 1));
                let times = self.profile_times(GAS, earliest, last, now);
                (times, HALF_HOUR as u16)
            }
            SAMPLE_ID_NETWORK_DATA => {
                let run = self.state.reads.gas_sampling?;
                let times: Vec<i64> = run
                    .times(now)
                    .into_iter()
                    .filter(|t| *t >= earliest)
                    .collect();
                (times, run.interval)
            }
            _ => return None,
        };
        let times: Vec<i64> = times.into_iter().take(n).collect();
        let first = *times.first()?;
        let step = i64::from(interval);
        let values = times
            .iter()
            .map(|t| {
                to_u24(
                    self.state
                        .metering
                        .consumed(Channel::GasVolume, t - step, *t),
                )
            })
            .collect();
        Some((first, interval, values))
    }

    /// GCS17 / GCS18: Get Sampled Data, the response encrypted to the requester.
    pub(crate) fn get_sampled_data(
        &self,
        cmd: &Accepted<'_>,
        get: &GetSampledData,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let fail = |status| {
            let c = plain_component(
                CLUSTER_METERING,
                0,
                ZCL_DEFAULT_RESPONSE,
                vec![GET_SAMPLED_DATA, status],
                true,
            );
            done(gbz(vec![c])?, false)
        };
        if self.state.has_fault(DeviceFault::Sampling) {
            return fail(ZCL_HARDWARE_FAILURE);
        }
        let Some((first, interval, samples)) = self.samples(get, now.to_unix()) else {
            return fail(ZCL_NOT_FOUND);
        };
        let plain = SampledData {
            sample_id: get.sample_id,
            sample_start_time: UtcDateTime::from_unix(first)?.to_zigbee_utc()?,
            sample_type: get.sample_type,
            sample_request_interval: interval,
            samples,
        }
        .encode();
        let Some(protected) = self.encrypt_for(cmd, &plain) else {
            return fail(ZCL_HARDWARE_FAILURE);
        };
        let c = GbzComponent {
            control: CONTROL_LAST | CONTROL_ENCRYPTED,
            cluster: CLUSTER_METERING,
            body: GbzBody::Encrypted {
                additional_header_control: 0,
                additional_frame_counter: 0,
                frame_control: FC_CLUSTER_TO_CLIENT_NO_DEFAULT,
                manufacturer_code: None,
                sequence: 0,
                command: GET_SAMPLED_DATA_RESPONSE,
                protected,
            },
        };
        done(gbz(vec![c])?, true)
    }

    /// GCS31: starts (or restarts) the network data run; answers its sample id, or `FFFF`.
    pub(crate) fn gcs31(&mut self, start: &StartSampling, now: UtcDateTime) -> Option<Execution> {
        let works = !self.state.has_fault(DeviceFault::Sampling);
        if works {
            let started_at = match start.start_sampling_time {
                0 => now.to_unix(),
                z => UtcDateTime::from_zigbee_utc(z)?.to_unix(),
            };
            self.state.reads.gas_sampling = Some(SamplingRun {
                issuer_event_id: start.issuer_event_id,
                started_at,
                interval: start.sample_request_interval,
                max_samples: start.max_number_of_samples,
            });
        }
        let id = if works {
            SAMPLE_ID_NETWORK_DATA
        } else {
            SAMPLE_ID_REFUSED
        };
        let mut c = plain_component(
            CLUSTER_METERING,
            0,
            START_SAMPLING_RESPONSE,
            id.to_le_bytes().to_vec(),
            true,
        );
        if let GbzBody::Plain { zcl, .. } = &mut c.body {
            zcl.frame_control = 0x09;
        }
        done(gbz(vec![c])?, works)
    }
}
