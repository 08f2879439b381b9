//! SMKI recovery jobs on the WAN queue: CS02b commands signed by the DCC's Recovery key, queued
//! by `opendcc smki recovery start` as jobs of kind [`crate::store::JobKind::SmkiRecovery`]. They are not
//! DUIS requests: no user waits for a response. When the device answers, the DCC checks the
//! answer (a response from that device to the Recovery party with the command's counter, signed
//! by the device's DS certificate, every replacement a success) and moves the device's SMI
//! status from Recovery to Recovered. Any other answer, or none before the deadline, leaves the
//! device in Recovery (the operator runs `opendcc smki recovery start` again).

use duis::ResponseCode;

use super::Attempt;
use crate::error::{DccError, InternalError};
use crate::model::DeviceStatus;
use crate::model::smi::{DccProcess, SmiActor, SmiCause};
use crate::store::{Tx, WanJob};
use gbcs::credentials::{CS02B_BY_RECOVERY, UpdateSecurityCredentialsResponse};
use gbcs::{Cra, Frame, PublicKey};
use time::OffsetDateTime;

/// What became of a device's answer to a recovery command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryAnswer {
    /// Every anchor replaced: the device is now Recovered.
    Recovered,
    /// The device answered, but not with a verified success: it stays in Recovery.
    Failed(String),
}

/// A recovery job's answer: no user waits for it; the device's SMI status and the job's recorded
/// outcome say what happened.
pub fn finish(
    tx: &mut dyn Tx,
    job: &WanJob,
    response: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<Attempt, DccError> {
    let Some(bytes) = response else {
        tx.finish_wan_job(job.id, "recovery refused")?;
        return Ok(Attempt::GaveUp(ResponseCode::E21));
    };
    match answered(tx, job, bytes, now)? {
        RecoveryAnswer::Recovered => tx.finish_wan_job(job.id, "recovered")?,
        RecoveryAnswer::Failed(why) => {
            tx.finish_wan_job(job.id, &format!("recovery failed: {why}"))?;
        }
    }
    Ok(Attempt::Answered)
}

/// Checks the device's answer and records the outcome; returns what the job finishes as.
pub fn answered(
    tx: &mut dyn Tx,
    job: &WanJob,
    response: &[u8],
    now: OffsetDateTime,
) -> Result<RecoveryAnswer, DccError> {
    let verdict = check(tx, job, response)?;
    if verdict == RecoveryAnswer::Recovered
        && let Some(device) = tx.device(job.target)?
        && device.status == DeviceStatus::Recovery
    {
        crate::smi::apply(
            tx,
            &device,
            DeviceStatus::Recovered,
            SmiCause::Process(DccProcess::RecoveryCompleted),
            SmiActor::Dcc,
            now,
        )?;
    }
    Ok(verdict)
}

fn check(tx: &mut dyn Tx, job: &WanJob, response: &[u8]) -> Result<RecoveryAnswer, DccError> {
    let fail = |why: &str| Ok(RecoveryAnswer::Failed(why.to_string()));
    let Ok(frame) = Frame::decode(response) else {
        return fail("the answer is not a GBCS message");
    };
    let apdu = frame.apdu();
    if apdu.cra != Cra::Response
        || apdu.originator != job.target
        || apdu.recipient != job.originator
        || apdu.counter != job.counter
        || apdu.message_code() != CS02B_BY_RECOVERY
    {
        return fail("the answer is not the device's response to this recovery command");
    }
    let Some(cert) = tx.device_cert(job.target, "ds")? else {
        return fail("no device DS certificate to check the response signature");
    };
    let key = PublicKey::from_certificate_der(&cert).map_err(|e| {
        DccError::from(InternalError::Storage(format!(
            "device DS certificate: {e}"
        )))
    })?;
    if apdu.verify_signature(&key).is_err() {
        return fail("the response signature does not verify with the device DS certificate");
    }
    match UpdateSecurityCredentialsResponse::decode(&apdu.content) {
        Ok(r) if r.outcome.as_ref().is_some_and(|o| o.all_succeeded()) => {
            Ok(RecoveryAnswer::Recovered)
        }
        Ok(r) => {
            let statuses: Vec<u8> = r
                .outcome
                .map(|o| o.outcomes.iter().map(|x| x.status).collect())
                .unwrap_or_default();
            Ok(RecoveryAnswer::Failed(format!(
                "the device replaced nothing (status codes {statuses:?})"
            )))
        }
        Err(_) => fail("the response content is not a CS02b response"),
    }
}
