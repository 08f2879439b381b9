//! DBCH04: set a dual-band CHF's sub-GHz configuration (DUIS 6.28). DCC-originated (ACB) on
//! the user's behalf, not signed by the DCC (RTDS `6.28_DBCH04`: signature field `00`). DLMS SET
//! of class 1 `0-0:94.44.10.0` attribute 2, a structure of 15: the four ZigBee channel masks
//! (32-bit bit-strings, the channel page in the top five bits: 28 the lower band's channels
//! 0–26, 29 its channels 27–34, 30 its channels 35–61, 31 the upper (915 MHz) band's channels
//! 0–26; a set bit is a channel the hub may use) and the eleven duty-cycle and channel-change
//! thresholds (percentages in hundredths).
//!
//! [`SubGhzConfiguration`] is also what DBCH03 (6.30) reads back.

use serde::{Deserialize, Serialize};

use super::common::{self, CommandHeader};
use super::{
    CommandDecodeError, DecodedCommand, DeviceType, PayloadKind, RemotePartyRole as R,
    ResponseDecodeError, ResponseOutcome, UseCaseSpec,
};
use crate::axdr::Data;
use crate::codes::MessageCode;
use crate::dlms::{CosemDescriptor, RequestSpec};
use crate::error::BuildError;
use crate::frame::GeneralSigning;

const NAME: &str = "DBCH04";
/// OBIS of the sub-GHz configuration (class 1).
pub const OBIS_SUB_GHZ_CONFIGURATION: [u8; 6] = [0, 0, 94, 44, 10, 0];
/// The sub-GHz configuration.
pub const OBJECT: CosemDescriptor = CosemDescriptor::new(1, OBIS_SUB_GHZ_CONFIGURATION, 2);

/// The catalogue entry.
pub static SPEC: UseCaseSpec = UseCaseSpec {
    name: NAME,
    message_code: MessageCode::DBCH04,
    device_types: &[DeviceType::Chf],
    originators: &[R::AccessControlBroker],
    critical: false,
    dcc_originated: true,
    dcc_signs: false,
    payload: PayloadKind::Dlms,
    decode_command,
    decode_response,
};

/// A ZigBee sub-GHz channel page and the channels it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelPage {
    /// Page 28: the lower (863–870 MHz) band's channels 0–26.
    Lower0To26,
    /// Page 29: the lower band's channels 27–34.
    Lower27To34,
    /// Page 30: the lower band's channels 35–61.
    Lower35To61,
    /// Page 31: the upper (915–921 MHz) band's channels 0–26.
    Upper0To26,
}

impl ChannelPage {
    /// Every page, in the order the configuration carries them.
    pub const ALL: [ChannelPage; 4] = [
        ChannelPage::Lower0To26,
        ChannelPage::Lower27To34,
        ChannelPage::Lower35To61,
        ChannelPage::Upper0To26,
    ];

    /// The ZigBee channel page number.
    pub const fn page(self) -> u32 {
        match self {
            ChannelPage::Lower0To26 => 28,
            ChannelPage::Lower27To34 => 29,
            ChannelPage::Lower35To61 => 30,
            ChannelPage::Upper0To26 => 31,
        }
    }

    /// The first channel number of the page (bit 0 of its mask).
    pub const fn first_channel(self) -> u8 {
        match self {
            ChannelPage::Lower0To26 | ChannelPage::Upper0To26 => 0,
            ChannelPage::Lower27To34 => 27,
            ChannelPage::Lower35To61 => 35,
        }
    }

    /// How many channels the page has.
    pub const fn channels(self) -> u8 {
        match self {
            ChannelPage::Lower27To34 => 8,
            _ => 27,
        }
    }

    /// The bits a mask of this page may have set.
    pub const fn valid_bits(self) -> u32 {
        (1u32 << self.channels()) - 1
    }

    /// The 32-bit ZigBee channel mask word: the page in the top five bits, `mask` below.
    pub const fn word(self, mask: u32) -> u32 {
        (self.page() << 27) | mask
    }

    /// The page a mask word names, and its channel bits.
    pub fn of_word(word: u32) -> Option<(ChannelPage, u32)> {
        let page = Self::ALL.into_iter().find(|p| p.page() == word >> 27)?;
        let mask = word & 0x07FF_FFFF;
        (mask & !page.valid_bits() == 0).then_some((page, mask))
    }
}

/// A 32-bit ZigBee channel mask word as the A-XDR bit-string GBCS carries.
pub fn mask_data(word: u32) -> Data {
    Data::BitString {
        bits: 32,
        bytes: word.to_be_bytes().to_vec(),
    }
}

/// The word of a 32-bit bit-string.
pub fn mask_word(d: &Data) -> Option<u32> {
    match d {
        Data::BitString { bits: 32, bytes } => Some(u32::from_be_bytes(bytes[..].try_into().ok()?)),
        _ => None,
    }
}

/// A dual-band CHF's sub-GHz configuration (DUIS `SubGHzConfiguration`, GBCS DBCH03/DBCH04).
/// Channel masks are the channel bits of each page (bit `n` the page's `first_channel + n`;
/// set: the channel may be used); percentages are hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubGhzConfiguration {
    /// Page 28 mask: the lower band's channels 0–26.
    pub lower_band_0_26: u32,
    /// Page 29 mask: the lower band's channels 27–34.
    pub lower_band_27_34: u32,
    /// Page 30 mask: the lower band's channels 35–61.
    pub lower_band_35_61: u32,
    /// Page 31 mask: the upper (915 MHz) band's channels 0–26.
    pub upper_band_0_26: u32,
    /// Normal to limited duty cycle threshold, hundredths of a percent (DUIS 0.5–2.0).
    pub normal_limited_duty_cycle: u16,
    /// Limited to critical duty cycle threshold, hundredths of a percent (DUIS 1.5–2.5,
    /// exclusive).
    pub limited_critical_duty_cycle: u16,
    /// Maximum sub-GHz channel changes per week (1–7).
    pub max_channel_changes_per_week: u8,
    /// GSME curfew (more than 1).
    pub gsme_curfew: u16,
    /// Channel quieter threshold (1–255).
    pub channel_quieter_threshold: u8,
    /// Channel noisier threshold (0–20).
    pub channel_noisier_threshold: u8,
    /// Non-GSME poor comms percentage threshold, hundredths (1.00–100.00).
    pub non_gsme_poor_comms_percentage: u16,
    /// Non-GSME poor comms measurement periods (50–150).
    pub non_gsme_poor_comms_periods: u8,
    /// Local CH noise measurement period (more than 60).
    pub local_ch_noise_period: u16,
    /// Local CH failure percentage, hundredths (1.00–100.00).
    pub local_ch_failure_percentage: u16,
    /// Local CH retry percentage, hundredths (1.00–100.00).
    pub local_ch_retry_percentage: u16,
}

impl SubGhzConfiguration {
    /// The channel mask of `page`.
    pub const fn mask(&self, page: ChannelPage) -> u32 {
        match page {
            ChannelPage::Lower0To26 => self.lower_band_0_26,
            ChannelPage::Lower27To34 => self.lower_band_27_34,
            ChannelPage::Lower35To61 => self.lower_band_35_61,
            ChannelPage::Upper0To26 => self.upper_band_0_26,
        }
    }

    /// Whether every value lies in its DUIS range and every mask in its page; `Err` names the
    /// first that does not.
    pub fn check(&self) -> Result<(), &'static str> {
        for p in ChannelPage::ALL {
            if self.mask(p) & !p.valid_bits() != 0 {
                return Err("a channel mask names channels outside its page");
            }
        }
        let pct = |v: u16| (100..=10000).contains(&v);
        if !(50..=200).contains(&self.normal_limited_duty_cycle) {
            return Err("normal to limited duty cycle threshold outside 0.5-2.0");
        }
        if !(151..=249).contains(&self.limited_critical_duty_cycle) {
            return Err("limited to critical duty cycle threshold outside 1.5-2.5");
        }
        if !(1..=7).contains(&self.max_channel_changes_per_week) {
            return Err("maximum channel changes per week outside 1-7");
        }
        if self.gsme_curfew <= 1 {
            return Err("GSME curfew not above 1");
        }
        if self.channel_quieter_threshold == 0 {
            return Err("channel quieter threshold outside 1-255");
        }
        if self.channel_noisier_threshold > 20 {
            return Err("channel noisier threshold outside 0-20");
        }
        if !pct(self.non_gsme_poor_comms_percentage) {
            return Err("non-GSME poor comms percentage outside 1.00-100.00");
        }
        if !(50..=150).contains(&self.non_gsme_poor_comms_periods) {
            return Err("non-GSME poor comms measurement periods outside 50-150");
        }
        if self.local_ch_noise_period <= 60 {
            return Err("local CH noise measurement period not above 60");
        }
        if !pct(self.local_ch_failure_percentage) || !pct(self.local_ch_retry_percentage) {
            return Err("local CH failure or retry percentage outside 1.00-100.00");
        }
        Ok(())
    }

    /// The A-XDR structure GBCS carries.
    pub fn to_data(&self) -> Data {
        let mut v: Vec<Data> = ChannelPage::ALL
            .iter()
            .map(|p| mask_data(p.word(self.mask(*p))))
            .collect();
        v.extend([
            Data::LongUnsigned(self.normal_limited_duty_cycle),
            Data::LongUnsigned(self.limited_critical_duty_cycle),
            Data::Unsigned(self.max_channel_changes_per_week),
            Data::LongUnsigned(self.gsme_curfew),
            Data::Unsigned(self.channel_quieter_threshold),
            Data::Unsigned(self.channel_noisier_threshold),
            Data::LongUnsigned(self.non_gsme_poor_comms_percentage),
            Data::Unsigned(self.non_gsme_poor_comms_periods),
            Data::LongUnsigned(self.local_ch_noise_period),
            Data::LongUnsigned(self.local_ch_failure_percentage),
            Data::LongUnsigned(self.local_ch_retry_percentage),
        ]);
        Data::Structure(v)
    }

    /// The configuration an A-XDR structure carries (masks of the right pages, in order), in
    /// range or not: [`Self::check`] says.
    pub fn from_data(d: &Data) -> Option<Self> {
        use Data::{LongUnsigned as Lu, Unsigned as U};
        let Data::Structure(v) = d else {
            return None;
        };
        let [
            m0,
            m1,
            m2,
            m3,
            Lu(nl),
            Lu(lc),
            U(changes),
            Lu(curfew),
            U(quieter),
            U(noisier),
            Lu(poor),
            U(periods),
            Lu(noise),
            Lu(failure),
            Lu(retry),
        ] = &v[..]
        else {
            return None;
        };
        let mut masks = [0u32; 4];
        for (i, (m, want)) in [m0, m1, m2, m3]
            .into_iter()
            .zip(ChannelPage::ALL)
            .enumerate()
        {
            let (page, mask) = ChannelPage::of_word(mask_word(m)?)?;
            if page != want {
                return None;
            }
            masks[i] = mask;
        }
        Some(Self {
            lower_band_0_26: masks[0],
            lower_band_27_34: masks[1],
            lower_band_35_61: masks[2],
            upper_band_0_26: masks[3],
            normal_limited_duty_cycle: *nl,
            limited_critical_duty_cycle: *lc,
            max_channel_changes_per_week: *changes,
            gsme_curfew: *curfew,
            channel_quieter_threshold: *quieter,
            channel_noisier_threshold: *noisier,
            non_gsme_poor_comms_percentage: *poor,
            non_gsme_poor_comms_periods: *periods,
            local_ch_noise_period: *noise,
            local_ch_failure_percentage: *failure,
            local_ch_retry_percentage: *retry,
        })
    }
}

/// Builds the command; a configuration outside the DUIS ranges is refused.
pub fn dbch04_set_sub_ghz_configuration(
    h: &CommandHeader,
    config: &SubGhzConfiguration,
) -> Result<GeneralSigning, BuildError> {
    config.check().map_err(BuildError::OutOfRange)?;
    let content = common::dlms(h, vec![RequestSpec::Set(OBJECT)], vec![config.to_data()]);
    Ok(common::apdu(h, MessageCode::DBCH04, content, false))
}

/// Decodes the command: the configuration to set (in range).
pub fn decode_command(apdu: &GeneralSigning) -> Result<DecodedCommand, CommandDecodeError> {
    let req = common::dlms_request(apdu, NAME, &[RequestSpec::Set(OBJECT)])?;
    let config = req
        .data
        .first()
        .and_then(SubGhzConfiguration::from_data)
        .ok_or(common::bad(NAME, "not a sub-GHz configuration structure"))?;
    config.check().map_err(|why| common::bad(NAME, why))?;
    Ok(DecodedCommand::Dbch04(config))
}

/// Decodes the response: done, or the DLMS failure.
pub fn decode_response(content: &[u8]) -> Result<ResponseOutcome, ResponseDecodeError> {
    common::dlms_done_response(content, 1)
}
