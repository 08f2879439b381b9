//! 6.15.2 (CS02d) answered: once the device says it placed the Device certificate the command
//! carried, and its answer verifies under that certificate's key (the device signs with the new
//! key from then on), the DCC's copy of the device's DS certificate becomes it, so that what the
//! DCC later checks against the device's certificate (an SMKI recovery's answer) uses the key
//! the device now signs with. Any other answer leaves the copy as it was.

use gbcs::usecases::{ResponseOutcome, ResponseValue, cs02d, decode_response};
use gbcs::{Cra, Frame, PublicKey};

use crate::error::DccError;
use crate::store::{Tx, WanJob};

/// Records the certificate a successful CS02d placed (module documentation).
pub(crate) fn record_placed(
    tx: &mut dyn Tx,
    job: &WanJob,
    response: &[u8],
) -> Result<(), DccError> {
    let Some(certificate) = placed_certificate(job, response) else {
        return Ok(());
    };
    tx.put_device_cert(job.target, "ds", &certificate)?;
    Ok(())
}

/// The certificate a CS02d job placed, if `response` is the device's signed success answer to
/// it, verifying under that certificate's key.
fn placed_certificate(job: &WanJob, response: &[u8]) -> Option<Vec<u8>> {
    let command = Frame::decode(&job.command).ok()?;
    let command = command.apdu();
    if command.message_code() != cs02d::CS02D {
        return None;
    }
    let answer = Frame::decode(response).ok()?;
    let answer = answer.apdu();
    if answer.cra != Cra::Response
        || answer.originator != job.target
        || answer.counter != command.counter
        || answer.message_code() != cs02d::CS02D
    {
        return None;
    }
    let key = PublicKey::from_certificate_der(&command.content).ok()?;
    answer.verify_signature(&key).ok()?;
    match decode_response(cs02d::CS02D, &answer.content).ok()? {
        ResponseOutcome::Success(ResponseValue::Done) => Some(command.content.clone()),
        _ => None,
    }
}
