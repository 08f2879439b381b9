//! DBCH01: read a dual-band CHF's operating sub-GHz channel (DUIS 6.31). DCC-originated (ACB)
//! on the user's behalf. DLMS GET of class 1 `0-0:94.44.10.2` attribute 2, answered with a
//! 32-bit ZigBee channel mask word naming one channel (the page in the top five bits).

use super::common::{self, CommandHeader};
use super::dbch04::{ChannelPage, mask_word};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, ResponseValue, UseCaseSpec,
};
use crate::codes::MessageCode;
use crate::dlms::CosemDescriptor;
use crate::frame::GeneralSigning;

const NAME: &str = "DBCH01";
/// The operating sub-GHz channel.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(1, [0, 0, 94, 44, 10, 2], 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::DBCH01,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A sub-GHz channel: its page and its number (as DUIS numbers them, 0–61 in the lower band,
/// 0–26 in the upper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubGhzChannel {
    /// The page (band part).
    pub page: ChannelPage,
    /// The channel number.
    pub channel: u8,
}

impl SubGhzChannel {
    /// The channel `channel` of `page`, if the page has it.
    pub fn new(page: ChannelPage, channel: u8) -> Option<Self> {
        let first = page.first_channel();
        (channel >= first && channel - first < page.channels()).then_some(Self { page, channel })
    }

    /// The channel mask word naming it alone.
    pub fn word(self) -> u32 {
        self.page
            .word(1u32 << (self.channel - self.page.first_channel()))
    }

    /// The channel a mask word names, if it names exactly one.
    pub fn of_word(word: u32) -> Option<Self> {
        let (page, mask) = ChannelPage::of_word(word)?;
        (mask.count_ones() == 1).then(|| Self {
            page,
            // trailing_zeros of a one-bit mask below 2^27 fits u8.
            channel: page.first_channel() + mask.trailing_zeros() as u8,
        })
    }
}

/// Builds the command.
pub fn dbch01_read_sub_ghz_channel(h: &CommandHeader) -> GeneralSigning {
    common::dlms_get_command(h, MessageCode::DBCH01, OBJECT)
}

/// Decodes the command: the object read.
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    common::dlms_read(apdu, NAME, &[OBJECT]).map(|_| DecodedCommand::Dbch01)
}

/// Decodes the response: the operating channel, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_value_response(content, "not a one-channel mask", |d| {
        SubGhzChannel::of_word(mask_word(d)?).map(ResponseValue::SubGhzChannel)
    })
}
