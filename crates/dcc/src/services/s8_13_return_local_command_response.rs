//! 8.13 Return Local Command Response (non-device): a user hands back the response a device gave
//! to a command the DCC returned to that user for local delivery (CV 2, 3, 6, 7), and the DCC
//! answers with the DUIS response to the original request, rendered from the device's answer as
//! a response that came over the SM WAN is ([`crate::dispatch::answer_document`]): success `I0`
//! with the payload, or the failure code the device's answer maps to.
//!
//! The rules, each refusal changing nothing:
//! - the original request (`OriginalRequestID`, or else the one the response's own header names:
//!   recipient, originator, counter) is one the DCC accepted from this user, with a command
//!   variant that returns the command for local delivery, and answered `I0` with a
//!   `LocalCommand` (else `E081301`);
//! - its response was not returned before (`E081302`): the first return is recorded as a
//!   request record of the original RequestID with command variant 8 and service 8.13, which the
//!   store keeps once;
//! - the GBCS response answers that command (a response, from the command's recipient device,
//!   to the command's originator, with its counter and message code) and verifies: a signed
//!   response with the device's SMKI digital-signing certificate, a response MAC'd for the
//!   Access Control Broker with the ACB's key; a response MAC'd for the user cannot be checked by
//!   the DCC (the key is the user's and the device's), only bound to the command (`E081303`).
//!
//! For CV 3 and 7 the command also went on the SM WAN; a response returned while that copy is
//! still queued takes it off the queue, so the user is answered once.

use duis::bodies::ReturnLocalCommandResponse as Body;
use duis::{RequestId, ResponseCode, Srv};
use gbcs::crypto::{KdfContext, PublicKey};
use gbcs::{Cra, Frame, GeneralSigning, SignatureField};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::dispatch::Attempt;
use crate::error::{DccError, ServiceError};
use crate::render;
use crate::store::{JobKind, RequestRecord, WanJob};

pub struct ReturnLocalCommandResponse;

impl Service for ReturnLocalCommandResponse {
    fn srv(&self) -> Srv {
        Srv::V8_13
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

fn invalid(why: impl Into<String>) -> DccError {
    ServiceError::LocalResponseInvalid(why.into()).into()
}

fn no_command(why: impl Into<String>) -> DccError {
    ServiceError::NoLocalCommand(why.into()).into()
}

impl NonDeviceService for ReturnLocalCommandResponse {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let body = Body::parse(&r.request.body).map_err(render::body_error)?;
        let user = r.request.header.request_id.originator;
        let frame = Frame::decode(&body.device_gbcs_response)
            .map_err(|e| invalid(format!("not a GBCS message: {e}")))?;
        let response = frame.apdu().clone();
        if response.cra != Cra::Response {
            return Err(invalid("not a response"));
        }
        // The original request: named, or else the one the response answers.
        let original = body.original_request_id.unwrap_or(RequestId {
            originator: user,
            target: response.originator,
            counter: response.counter,
        });
        if original.originator != user {
            return Err(no_command(format!("{original} is another user's request")));
        }
        let record =
            r.tx.request(original.originator, original.target, original.counter)?
                .ok_or_else(|| no_command(format!("no request {original}")))?;
        if record.srv == Srv::V8_13 {
            return Err(ServiceError::LocalResponseReturned(original.to_string()).into());
        }
        let returned = duis::CommandVariant::from_value(record.command_variant)
            .is_some_and(|cv| cv.returns_for_local_delivery());
        let command = record
            .response
            .as_deref()
            .filter(|_| returned && record.response_code == ResponseCode::I0.as_str())
            .and_then(duis::local_command_payload)
            .ok_or_else(|| {
                no_command(format!(
                    "{original} (command variant {}) was not returned for local delivery",
                    record.command_variant
                ))
            })?;
        let returned_command = command.clone();
        let command = Frame::decode(&command)
            .map_err(|e| invalid(format!("the returned command does not decode: {e}")))?
            .apdu()
            .clone();
        answers(&command, &response)?;
        verify(r, &frame, &response)?;

        let device = r.tx.device(original.target)?.ok_or_else(|| {
            no_command(format!(
                "device {} is no longer in the inventory",
                original.target
            ))
        })?;
        // The same rendering as an answer over the SM WAN, for the job the command would be.
        let job = WanJob {
            id: 0,
            originator: original.originator,
            counter: original.counter,
            target: original.target,
            chf: device.chf.unwrap_or(device.id),
            kind: JobKind::Service(record.srv),
            command: returned_command,
            attempts: 0,
            due_at: 0,
            deadline_at: 0,
        };
        let (document, attempt) =
            crate::dispatch::answer_document(&job, &body.device_gbcs_response, None, r.now)?;
        let code = match attempt {
            Attempt::Failed(code) => code,
            _ => ResponseCode::I0,
        };
        // A WAN copy (CV 3, 7) still queued is not sent: the user is answered once.
        if let Some(queued) =
            r.tx.sent_command(command.originator, original.target, command.counter)?
            && r.tx.wan_job(queued.id)?.is_some()
        {
            r.tx.finish_wan_job(queued.id, "returned locally (8.13)")?;
        }
        r.tx.record_request(&RequestRecord {
            originator: original.originator,
            target: original.target,
            counter: original.counter,
            srv: Srv::V8_13,
            command_variant: duis::CommandVariant::NonDevice as u8,
            received_at: r.now,
            response_code: code.as_str().to_string(),
            response: None,
        })?;
        Ok(Plan::Answer { code, document })
    }
}

/// The response answers the command: from its recipient, to its originator, with its counter
/// and message code.
fn answers(command: &GeneralSigning, response: &GeneralSigning) -> Result<(), DccError> {
    if response.originator != command.recipient
        || response.recipient != command.originator
        || response.counter != command.counter
        || response.message_code() != command.message_code()
    {
        return Err(invalid(format!(
            "a response from {} to {} (counter {}, {:?}) does not answer the command to {} from \
             {} (counter {}, {:?})",
            response.originator,
            response.recipient,
            response.counter,
            response.message_code(),
            command.recipient,
            command.originator,
            command.counter,
            command.message_code()
        )));
    }
    Ok(())
}

/// The device's signature (DS certificate), or its MAC where the DCC holds the other key (a
/// response to the Access Control Broker).
fn verify(
    r: &mut NonDeviceRequest<'_>,
    frame: &Frame,
    response: &GeneralSigning,
) -> Result<(), DccError> {
    let device = response.originator;
    let key = |r: &mut NonDeviceRequest<'_>, usage: &str| -> Result<PublicKey, DccError> {
        let der =
            r.tx.device_cert(device, usage)?
                .ok_or_else(|| ServiceError::NoDeviceCertificate(device.to_string()))?;
        PublicKey::from_certificate_der(&der)
            .map_err(|e| invalid(format!("device {device} {usage} certificate: {e}")))
    };
    match frame {
        Frame::Signing(apdu) => {
            if !matches!(apdu.signature, SignatureField::Signed(_)) {
                return Err(invalid("neither signed nor MAC'd"));
            }
            let ds = key(r, "ds")?;
            apdu.verify_signature(&ds)
                .map_err(|_| invalid("the device's signature does not verify"))
        }
        Frame::Ciphered(c) if response.recipient == r.dcc.acb => {
            let ka = key(r, "ka")?;
            let derived = r
                .dcc
                .acb_ka
                .derive(&ka, &KdfContext::for_mac(&c.apdu))
                .map_err(|e| invalid(format!("key agreement: {e}")))?;
            c.verify_mac(&derived)
                .map_err(|_| invalid("the device's MAC does not verify"))
        }
        // MAC'd for the user: only the user and the device hold the key.
        Frame::Ciphered(_) => Ok(()),
    }
}
