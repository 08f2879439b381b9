//! The DCC's own DBCH04 commands (`opendcc dbch reconfigure`, jobs of kind
//! [`crate::store::JobKind::DbchReconfigure`]): the Access Control Broker sets a dual-band hub's
//! sub-GHz configuration to its region's current DBCH Configuration Table. No user waits: the
//! hub's answer (a DBCH04 response from that hub to the ACB with the command's counter) is read
//! with the `gbcs` catalogue and the job finishes as `dbch reconfigured` or `dbch not
//! reconfigured: …` (a single-band hub's "not supported" answer, a fault).

use duis::ResponseCode;

use super::Attempt;
use crate::error::DccError;
use crate::store::{Tx, WanJob};
use gbcs::usecases::{ResponseOutcome, decode_response};
use gbcs::{Cra, Frame, MessageCode};

/// What the hub's answer says.
pub fn outcome(job: &WanJob, response: &[u8]) -> Result<(), String> {
    let frame = Frame::decode(response).map_err(|_| "the answer is not a GBCS message")?;
    let apdu = frame.apdu();
    if apdu.cra != Cra::Response
        || apdu.originator != job.target
        || apdu.recipient != job.originator
        || apdu.counter != job.counter
        || apdu.message_code() != MessageCode::DBCH04
    {
        return Err("the answer is not the hub's response to this DBCH04".into());
    }
    match decode_response(MessageCode::DBCH04, &apdu.content) {
        Ok(ResponseOutcome::Success(_)) => Ok(()),
        Ok(ResponseOutcome::Failure(f)) => Err(format!("the hub refused it: {f:?}")),
        Err(e) => Err(format!("the answer does not decode: {e}")),
    }
}

/// A reconfiguration job's answer: recorded as the job's outcome.
pub fn finish(tx: &mut dyn Tx, job: &WanJob, response: Option<&[u8]>) -> Result<Attempt, DccError> {
    let Some(bytes) = response else {
        tx.finish_wan_job(job.id, "dbch not reconfigured: refused")?;
        return Ok(Attempt::GaveUp(ResponseCode::E21));
    };
    match outcome(job, bytes) {
        Ok(()) => tx.finish_wan_job(job.id, "dbch reconfigured")?,
        Err(why) => tx.finish_wan_job(job.id, &format!("dbch not reconfigured: {why}"))?,
    }
    Ok(Attempt::Answered)
}
