//! What the two GSME tariff and price use cases share (DUIS 1.1.1 GCS01a, 1.2.1 GCS01b): the ZSE
//! Calendar cluster commands (Publish Calendar, Day Profile, Week Profile, Seasons, Special Days)
//! and the ZSE Price cluster commands (Publish Tariff Information, Block Thresholds, Price
//! Matrix), one GBZ component each, ZCL frame control `09`, sequence numbers counting from 0.
//!
//! Evidence: the RTDS 4.5.0 1.1.1 GCS01a and 1.2.1 GCS01b vectors. Provider id is 0 in every
//! command; every command carrying a start time carries the same activation: `0` immediate, the
//! ZigBee UTC instant when future-dated, and on cancellation `FFFFFFFF` in Publish Tariff
//! Information but `FFFFFFFE` in every other command (as every cancellation vector shows). The
//! GSME answers each component with a ZCL Default Response (RTDS ERROR: HARDWARE_FAILURE `C0` on
//! the failing command, `FF`/FAILURE on those after it).

use super::common;
use super::gcs21f::{CLUSTER_CALENDAR, CLUSTER_PRICE};
use super::payment_mode::Activation;
use super::{CommandDecodeError, ResponseDecodeError, ResponseOutcome, ResponseValue};
use crate::error::BuildError;
use crate::frame::GeneralSigning;
use crate::gbz::{CONTROL_LAST, GBZ_PROFILE, GbzBody, GbzPayload, ZclFrame};

/// ZSE Calendar: Publish Calendar.
pub const PUBLISH_CALENDAR: u8 = 0x00;
/// ZSE Calendar: Publish Day Profile.
pub const PUBLISH_DAY_PROFILE: u8 = 0x01;
/// ZSE Calendar: Publish Week Profile.
pub const PUBLISH_WEEK_PROFILE: u8 = 0x02;
/// ZSE Calendar: Publish Seasons.
pub const PUBLISH_SEASONS: u8 = 0x03;
/// ZSE Calendar: Publish Special Days.
pub const PUBLISH_SPECIAL_DAYS: u8 = 0x04;
/// ZSE Price: Publish Tariff Information.
pub const PUBLISH_TARIFF_INFORMATION: u8 = 0x04;
/// ZSE Price: Publish Price Matrix.
pub const PUBLISH_PRICE_MATRIX: u8 = 0x05;
/// ZSE Price: Publish Block Thresholds.
pub const PUBLISH_BLOCK_THRESHOLDS: u8 = 0x06;
/// The ZCL frame control of every command (cluster specific, server to client, no default
/// response disabled).
pub const FRAME_CONTROL: u8 = 0x09;
/// Start time of a cancellation (Publish Tariff Information carries `FFFFFFFF` instead).
pub const CANCEL_START: u32 = 0xFFFF_FFFE;
/// ZSE calendar type of a tariff calendar (GCS01a).
pub const CALENDAR_TYPE_TARIFF: u8 = 0x00;
/// ZSE calendar type of a friendly credit (non-disablement) calendar (GCS05).
pub const CALENDAR_TYPE_FRIENDLY_CREDIT: u8 = 0x03;

/// A ZCL date: year − 1900 (`FF` any), month, day of month, day of week (`FF` any).
pub type ZclDate = [u8; 4];

/// A day profile: start (minutes from midnight) and price tier (friendly credit calendar:
/// friendly credit enable, `1` START, `0` STOP) of each schedule entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasDay {
    /// Day id.
    pub id: u8,
    /// (start minute, price tier).
    pub entries: Vec<(u16, u8)>,
}

/// A week profile: its id and the day id of each day, Monday first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasWeek {
    /// Week id.
    pub id: u8,
    /// Day ids, Monday to Sunday.
    pub days: [u8; 7],
}

/// The tariff calendar (type 0) a GCS01a publishes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasCalendarUpdate {
    /// Issuer calendar id.
    pub issuer_calendar_id: u32,
    /// Day profiles (one Publish Day Profile each).
    pub days: Vec<GasDay>,
    /// Week profiles (one Publish Week Profile each).
    pub weeks: Vec<GasWeek>,
    /// Seasons: start date and week id.
    pub seasons: Vec<(ZclDate, u8)>,
    /// Special days: date and day id.
    pub special_days: Vec<(ZclDate, u8)>,
}

/// Publish Tariff Information's tariff fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TariffInformation {
    /// Tariff type / charging scheme (`00` TOU, `10` block).
    pub tariff_type: u8,
    /// Tariff label.
    pub label: Vec<u8>,
    /// Number of price tiers in use.
    pub price_tiers_in_use: u8,
    /// Number of block thresholds in use.
    pub block_thresholds_in_use: u8,
    /// Unit of measure.
    pub unit_of_measure: u8,
    /// ISO 4217 currency.
    pub currency: u16,
    /// Price trailing digit (high nibble).
    pub price_trailing_digit: u8,
    /// Standing charge.
    pub standing_charge: u32,
    /// Tier block mode (`FF`: not used).
    pub tier_block_mode: u8,
    /// Block threshold multiplier (24 bits).
    pub block_threshold_multiplier: u32,
    /// Block threshold divisor (24 bits).
    pub block_threshold_divisor: u32,
}

/// Publish Block Thresholds' thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlockThresholds {
    /// Sub-payload control (`01`: the thresholds apply to every TOU tier).
    pub sub_payload_control: u8,
    /// (tier, thresholds (48 bits each)).
    pub tiers: Vec<(u8, Vec<u64>)>,
}

/// Publish Price Matrix's prices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PriceMatrix {
    /// Sub-payload control (`01` TOU prices, `00` block prices).
    pub sub_payload_control: u8,
    /// (tier or block id, price).
    pub prices: Vec<(u8, u32)>,
}

/// The tariff and prices a GCS01b (and the price part of a GCS01a) publishes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GasPrices {
    /// Issuer tariff id.
    pub issuer_tariff_id: u32,
    /// The tariff information.
    pub information: TariffInformation,
    /// The block thresholds (GCS01a only, when block priced).
    pub block_thresholds: Option<BlockThresholds>,
    /// The price matrix.
    pub matrix: PriceMatrix,
}

/// What every command of a GCS01a or GCS01b carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Issue {
    /// Issuer event id.
    pub issuer_event_id: u32,
    /// When it takes effect.
    pub activation: Activation,
}

fn start(a: Activation, tariff_information: bool) -> Result<u32, BuildError> {
    match a {
        Activation::Cancel if !tariff_information => Ok(CANCEL_START),
        a => a.to_zigbee().ok_or(BuildError::OutOfRange(
            "activation time not a ZigBee UTC time",
        )),
    }
}

fn activation_from(
    uc: &'static str,
    v: u32,
    tariff_information: bool,
) -> Result<Activation, CommandDecodeError> {
    match (v, tariff_information) {
        (CANCEL_START, false) => Ok(Activation::Cancel),
        (u32::MAX, true) => Ok(Activation::Cancel),
        (u32::MAX, false) | (CANCEL_START, true) => {
            Err(common::bad(uc, "not the cancellation start time"))
        }
        (v, _) => Activation::from_zigbee(v).ok_or_else(|| common::bad(uc, "bad start time")),
    }
}

/// Collects the (cluster, command, payload) of each component of a GCS01a/GCS01b.
#[derive(Default)]
pub(crate) struct Builder {
    frames: Vec<(u16, Option<u32>, ZclFrame)>,
}

impl Builder {
    fn push(&mut self, cluster: u16, command: u8, payload: Vec<u8>) -> Result<(), BuildError> {
        self.push_with(cluster, FRAME_CONTROL, None, command, payload)
    }

    /// Adds a component of any frame control, with a GBZ from-date-time when `from` is set.
    pub(crate) fn push_with(
        &mut self,
        cluster: u16,
        frame_control: u8,
        from: Option<u32>,
        command: u8,
        payload: Vec<u8>,
    ) -> Result<(), BuildError> {
        let sequence = u8::try_from(self.frames.len())
            .map_err(|_| BuildError::OutOfRange("too many GBZ components"))?;
        self.frames.push((
            cluster,
            from,
            ZclFrame {
                frame_control,
                manufacturer_code: None,
                sequence,
                command,
                payload,
            },
        ));
        Ok(())
    }

    fn header(i: &Issue, second: u32) -> Vec<u8> {
        let mut p = 0u32.to_le_bytes().to_vec();
        p.extend_from_slice(&i.issuer_event_id.to_le_bytes());
        p.extend_from_slice(&second.to_le_bytes());
        p
    }

    /// The tariff calendar's commands.
    pub(crate) fn calendar(&mut self, i: &Issue, c: &GasCalendarUpdate) -> Result<(), BuildError> {
        self.calendar_of(i, c, CALENDAR_TYPE_TARIFF)
    }

    /// The commands of a calendar of ZSE calendar type `kind`.
    pub(crate) fn calendar_of(
        &mut self,
        i: &Issue,
        c: &GasCalendarUpdate,
        kind: u8,
    ) -> Result<(), BuildError> {
        let count = |n: usize| {
            u8::try_from(n).map_err(|_| BuildError::OutOfRange("too many calendar entries"))
        };
        let at = start(i.activation, false)?;
        let mut p = Self::header(i, c.issuer_calendar_id);
        p.extend_from_slice(&at.to_le_bytes());
        p.extend_from_slice(&[
            kind,
            0,
            0,
            count(c.seasons.len())?,
            count(c.weeks.len())?,
            count(c.days.len())?,
        ]);
        self.push(CLUSTER_CALENDAR, PUBLISH_CALENDAR, p)?;
        for d in &c.days {
            let mut p = Self::header(i, c.issuer_calendar_id);
            p.extend_from_slice(&[d.id, count(d.entries.len())?, 0, 1, kind]);
            for (m, tier) in &d.entries {
                p.extend_from_slice(&m.to_le_bytes());
                p.push(*tier);
            }
            self.push(CLUSTER_CALENDAR, PUBLISH_DAY_PROFILE, p)?;
        }
        for w in &c.weeks {
            let mut p = Self::header(i, c.issuer_calendar_id);
            p.push(w.id);
            p.extend_from_slice(&w.days);
            self.push(CLUSTER_CALENDAR, PUBLISH_WEEK_PROFILE, p)?;
        }
        let mut p = Self::header(i, c.issuer_calendar_id);
        p.extend_from_slice(&[0, 1]);
        for (date, week) in &c.seasons {
            p.extend_from_slice(date);
            p.push(*week);
        }
        self.push(CLUSTER_CALENDAR, PUBLISH_SEASONS, p)?;
        let mut p = Self::header(i, c.issuer_calendar_id);
        p.extend_from_slice(&at.to_le_bytes());
        p.extend_from_slice(&[kind, count(c.special_days.len())?, 0, 1]);
        for (date, day) in &c.special_days {
            p.extend_from_slice(date);
            p.push(*day);
        }
        self.push(CLUSTER_CALENDAR, PUBLISH_SPECIAL_DAYS, p)
    }

    /// The price commands.
    pub(crate) fn prices(&mut self, i: &Issue, g: &GasPrices) -> Result<(), BuildError> {
        let t = &g.information;
        let mut p = Self::header(i, g.issuer_tariff_id);
        p.extend_from_slice(&start(i.activation, true)?.to_le_bytes());
        p.push(t.tariff_type);
        p.push(
            u8::try_from(t.label.len())
                .map_err(|_| BuildError::OutOfRange("tariff label too long"))?,
        );
        p.extend_from_slice(&t.label);
        p.extend_from_slice(&[
            t.price_tiers_in_use,
            t.block_thresholds_in_use,
            t.unit_of_measure,
        ]);
        p.extend_from_slice(&t.currency.to_le_bytes());
        p.push(t.price_trailing_digit);
        p.extend_from_slice(&t.standing_charge.to_le_bytes());
        p.push(t.tier_block_mode);
        for v in [t.block_threshold_multiplier, t.block_threshold_divisor] {
            if v > 0xFF_FFFF {
                return Err(BuildError::OutOfRange(
                    "block threshold multiplier/divisor over 24 bits",
                ));
            }
            p.extend_from_slice(&v.to_le_bytes()[..3]);
        }
        self.push(CLUSTER_PRICE, PUBLISH_TARIFF_INFORMATION, p)?;
        let at = start(i.activation, false)?;
        let second = |i: &Issue| {
            let mut p = 0u32.to_le_bytes().to_vec();
            p.extend_from_slice(&i.issuer_event_id.to_le_bytes());
            p.extend_from_slice(&at.to_le_bytes());
            p.extend_from_slice(&g.issuer_tariff_id.to_le_bytes());
            p.extend_from_slice(&[0, 1]);
            p
        };
        if let Some(b) = &g.block_thresholds {
            let mut p = second(i);
            p.push(b.sub_payload_control);
            for (tier, v) in &b.tiers {
                let n = u8::try_from(v.len())
                    .ok()
                    .filter(|n| *n <= 0x0F && *tier <= 0x0F);
                let n = n.ok_or(BuildError::OutOfRange(
                    "block thresholds: tier or count over 15",
                ))?;
                p.push(tier << 4 | n);
                for x in v {
                    if *x > 0xFFFF_FFFF_FFFF {
                        return Err(BuildError::OutOfRange("block threshold over 48 bits"));
                    }
                    p.extend_from_slice(&x.to_le_bytes()[..6]);
                }
            }
            self.push(CLUSTER_PRICE, PUBLISH_BLOCK_THRESHOLDS, p)?;
        }
        let mut p = second(i);
        p.push(g.matrix.sub_payload_control);
        for (id, price) in &g.matrix.prices {
            p.push(*id);
            p.extend_from_slice(&price.to_le_bytes());
        }
        self.push(CLUSTER_PRICE, PUBLISH_PRICE_MATRIX, p)
    }

    /// The pre-command.
    pub(crate) fn finish(
        self,
        h: &common::CommandHeader,
        code: crate::codes::MessageCode,
    ) -> Result<GeneralSigning, BuildError> {
        let content = GbzPayload::command(self.frames).encode()?;
        Ok(common::apdu(h, code, content, true))
    }
}

/// A little-endian cursor over a ZCL payload.
struct Cur<'a> {
    uc: &'static str,
    b: &'a [u8],
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CommandDecodeError> {
        if self.b.len() < n {
            return Err(common::bad(self.uc, "ZCL payload too short"));
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Ok(h)
    }
    fn u8(&mut self) -> Result<u8, CommandDecodeError> {
        Ok(self.take(1)?[0])
    }
    fn le(&mut self, n: usize) -> Result<u64, CommandDecodeError> {
        let mut v = [0u8; 8];
        v[..n].copy_from_slice(self.take(n)?);
        Ok(u64::from_le_bytes(v))
    }
    fn u16(&mut self) -> Result<u16, CommandDecodeError> {
        Ok(self.le(2)? as u16)
    }
    fn u32(&mut self) -> Result<u32, CommandDecodeError> {
        Ok(self.le(4)? as u32)
    }
    fn expect(&mut self, v: &[u8], what: &'static str) -> Result<(), CommandDecodeError> {
        if self.take(v.len())? != v {
            return Err(common::bad(self.uc, what));
        }
        Ok(())
    }
    fn end(&self) -> Result<(), CommandDecodeError> {
        if self.b.is_empty() {
            Ok(())
        } else {
            Err(common::bad(self.uc, "trailing bytes in a ZCL payload"))
        }
    }
}

/// The components of a GCS01a/GCS01b command, checked and consumed in order.
pub(crate) struct Reader<'a> {
    uc: &'static str,
    frames: Vec<(u16, ZclFrame)>,
    next: usize,
    issue: Option<Issue>,
    _p: std::marker::PhantomData<&'a ()>,
}

impl Reader<'_> {
    /// Every component plain, immediate, frame control `09`, sequence numbers 0, 1, …, the last
    /// (only) marked last.
    pub(crate) fn new(apdu: &GeneralSigning, uc: &'static str) -> Result<Self, CommandDecodeError> {
        Ok(Self::after(apdu, uc, 0)?.1)
    }

    /// The first `skip` components unchecked (for the caller to check), then a reader of the
    /// rest, checked as [`Reader::new`] checks every component.
    pub(crate) fn after(
        apdu: &GeneralSigning,
        uc: &'static str,
        skip: usize,
    ) -> Result<(Vec<crate::gbz::GbzComponent>, Self), CommandDecodeError> {
        let GbzPayload::Components {
            profile,
            components,
        } = GbzPayload::decode(&apdu.content)?
        else {
            return Err(common::bad(uc, "not a GBZ command"));
        };
        if profile != GBZ_PROFILE {
            return Err(common::bad(uc, "GBZ profile is not 0x0109"));
        }
        let n = components.len();
        if n < skip {
            return Err(common::bad(uc, "too few GBZ components"));
        }
        let mut components = components;
        let rest = components.split_off(skip);
        let mut frames = Vec::with_capacity(n);
        for (i, c) in (skip..).zip(rest) {
            let last = if i + 1 == n { CONTROL_LAST } else { 0 };
            match c.body {
                GbzBody::Plain {
                    from_date_time: None,
                    zcl,
                } if c.control == last
                    && zcl.frame_control == FRAME_CONTROL
                    && zcl.manufacturer_code.is_none()
                    && usize::from(zcl.sequence) == i =>
                {
                    frames.push((c.cluster, zcl))
                }
                _ => {
                    return Err(common::bad(
                        uc,
                        "a component is not a plain ZCL command in sequence",
                    ));
                }
            }
        }
        Ok((
            components,
            Self {
                uc,
                frames,
                next: 0,
                issue: None,
                _p: std::marker::PhantomData,
            },
        ))
    }

    /// The issuer event id and activation the commands read so far agree on.
    pub(crate) fn issue(&self) -> Option<Issue> {
        self.issue
    }

    /// Checks every component has been read.
    pub(crate) fn end(&self) -> Result<(), CommandDecodeError> {
        if self.next == self.frames.len() {
            Ok(())
        } else {
            Err(common::bad(
                self.uc,
                "components after the use case's commands",
            ))
        }
    }

    fn peek(&self) -> Option<(u16, u8)> {
        self.frames.get(self.next).map(|(c, z)| (*c, z.command))
    }

    fn command(&mut self, cluster: u16, command: u8) -> Result<Cur<'_>, CommandDecodeError> {
        let uc = self.uc;
        match self.frames.get(self.next) {
            Some((c, z)) if *c == cluster && z.command == command => {
                self.next += 1;
                Ok(Cur { uc, b: &z.payload })
            }
            _ => Err(common::bad(
                uc,
                "components are not the use case's commands in order",
            )),
        }
    }

    fn agree(
        &mut self,
        event: u32,
        activation: Option<Activation>,
    ) -> Result<(), CommandDecodeError> {
        let uc = self.uc;
        match (&mut self.issue, activation) {
            (None, Some(a)) => {
                self.issue = Some(Issue {
                    issuer_event_id: event,
                    activation: a,
                });
                Ok(())
            }
            (None, None) => Err(common::bad(uc, "activation not known")),
            (Some(i), a) if i.issuer_event_id == event && a.is_none_or(|a| a == i.activation) => {
                Ok(())
            }
            _ => Err(common::bad(
                uc,
                "commands disagree on issuer event or start time",
            )),
        }
    }

    fn head(
        &mut self,
        cluster: u16,
        command: u8,
    ) -> Result<(Cur<'_>, u32, u32), CommandDecodeError> {
        let mut c = self.command(cluster, command)?;
        c.expect(&[0; 4], "provider id is not 0")?;
        let event = c.u32()?;
        let second = c.u32()?;
        Ok((c, event, second))
    }

    /// The tariff calendar commands.
    pub(crate) fn calendar(&mut self) -> Result<GasCalendarUpdate, CommandDecodeError> {
        self.calendar_of(CALENDAR_TYPE_TARIFF)
    }

    /// The commands of a calendar of ZSE calendar type `kind`.
    pub(crate) fn calendar_of(
        &mut self,
        kind: u8,
    ) -> Result<GasCalendarUpdate, CommandDecodeError> {
        let uc = self.uc;
        let (mut c, event, cal) = self.head(CLUSTER_CALENDAR, PUBLISH_CALENDAR)?;
        let a = activation_from(uc, c.u32()?, false)?;
        c.expect(
            &[kind, 0, 0],
            "not the use case's calendar type (no reference, no name)",
        )?;
        let (ns, nw, nd) = (c.u8()?, c.u8()?, c.u8()?);
        c.end()?;
        self.agree(event, Some(a))?;
        let same = |r: &mut Self, e: u32, id: u32| -> Result<(), CommandDecodeError> {
            if id != cal {
                return Err(common::bad(uc, "commands disagree on issuer calendar id"));
            }
            r.agree(e, None)
        };
        let mut days = Vec::new();
        for _ in 0..nd {
            let (mut c, e, id) = self.head(CLUSTER_CALENDAR, PUBLISH_DAY_PROFILE)?;
            let day = c.u8()?;
            let n = c.u8()?;
            c.expect(
                &[0, 1, kind],
                "day profile not one command of the use case's calendar type",
            )?;
            let mut entries = Vec::new();
            for _ in 0..n {
                entries.push((c.u16()?, c.u8()?));
            }
            c.end()?;
            same(self, e, id)?;
            days.push(GasDay { id: day, entries });
        }
        let mut weeks = Vec::new();
        for _ in 0..nw {
            let (mut c, e, id) = self.head(CLUSTER_CALENDAR, PUBLISH_WEEK_PROFILE)?;
            let w = c.u8()?;
            let mut d = [0; 7];
            d.copy_from_slice(c.take(7)?);
            c.end()?;
            same(self, e, id)?;
            weeks.push(GasWeek { id: w, days: d });
        }
        let (mut c, e, id) = self.head(CLUSTER_CALENDAR, PUBLISH_SEASONS)?;
        c.expect(&[0, 1], "seasons not one command")?;
        let mut seasons = Vec::new();
        for _ in 0..ns {
            let mut d = [0; 4];
            d.copy_from_slice(c.take(4)?);
            seasons.push((d, c.u8()?));
        }
        c.end()?;
        same(self, e, id)?;
        let (mut c, e, id) = self.head(CLUSTER_CALENDAR, PUBLISH_SPECIAL_DAYS)?;
        let sa = activation_from(uc, c.u32()?, false)?;
        c.expect(&[kind], "special days not of the use case's calendar type")?;
        let n = c.u8()?;
        c.expect(&[0, 1], "special days not one command")?;
        let mut special_days = Vec::new();
        for _ in 0..n {
            let mut d = [0; 4];
            d.copy_from_slice(c.take(4)?);
            special_days.push((d, c.u8()?));
        }
        c.end()?;
        if id != cal {
            return Err(common::bad(uc, "commands disagree on issuer calendar id"));
        }
        self.agree(e, Some(sa))?;
        Ok(GasCalendarUpdate {
            issuer_calendar_id: cal,
            days,
            weeks,
            seasons,
            special_days,
        })
    }

    /// The price commands (block thresholds only where `thresholds_allowed`), then the end of
    /// the command.
    pub(crate) fn prices(
        &mut self,
        thresholds_allowed: bool,
    ) -> Result<(Issue, GasPrices), CommandDecodeError> {
        let uc = self.uc;
        let (mut c, event, tariff_id) = self.head(CLUSTER_PRICE, PUBLISH_TARIFF_INFORMATION)?;
        let a = activation_from(uc, c.u32()?, true)?;
        let tariff_type = c.u8()?;
        let n = usize::from(c.u8()?);
        let label = c.take(n)?.to_vec();
        let information = TariffInformation {
            tariff_type,
            label,
            price_tiers_in_use: c.u8()?,
            block_thresholds_in_use: c.u8()?,
            unit_of_measure: c.u8()?,
            currency: c.u16()?,
            price_trailing_digit: c.u8()?,
            standing_charge: c.u32()?,
            tier_block_mode: c.u8()?,
            block_threshold_multiplier: c.le(3)? as u32,
            block_threshold_divisor: c.le(3)? as u32,
        };
        c.end()?;
        self.agree(event, Some(a))?;
        let tail = |r: &mut Self, command: u8| -> Result<(Vec<u8>, u8), CommandDecodeError> {
            let (mut c, e, at) = r.head(CLUSTER_PRICE, command)?;
            if c.u32()? != tariff_id {
                return Err(common::bad(uc, "commands disagree on issuer tariff id"));
            }
            c.expect(&[0, 1], "not one command")?;
            let control = c.u8()?;
            let rest = c.b.to_vec();
            let a = activation_from(uc, at, false)?;
            r.agree(e, Some(a))?;
            Ok((rest, control))
        };
        let block_thresholds = if thresholds_allowed
            && self.peek() == Some((CLUSTER_PRICE, PUBLISH_BLOCK_THRESHOLDS))
        {
            let (rest, sub_payload_control) = tail(self, PUBLISH_BLOCK_THRESHOLDS)?;
            let mut c = Cur { uc, b: &rest };
            let mut tiers = Vec::new();
            while !c.b.is_empty() {
                let b = c.u8()?;
                let v = (0..b & 0x0F).map(|_| c.le(6)).collect::<Result<_, _>>()?;
                tiers.push((b >> 4, v));
            }
            Some(BlockThresholds {
                sub_payload_control,
                tiers,
            })
        } else {
            None
        };
        let (rest, sub_payload_control) = tail(self, PUBLISH_PRICE_MATRIX)?;
        let mut c = Cur { uc, b: &rest };
        let mut prices = Vec::new();
        while !c.b.is_empty() {
            prices.push((c.u8()?, c.u32()?));
        }
        if self.next != self.frames.len() {
            return Err(common::bad(uc, "components after the price matrix"));
        }
        let issue = self
            .issue
            .ok_or_else(|| common::bad(uc, "activation not known"))?;
        Ok((
            issue,
            GasPrices {
                issuer_tariff_id: tariff_id,
                information,
                block_thresholds,
                matrix: PriceMatrix {
                    sub_payload_control,
                    prices,
                },
            },
        ))
    }
}

/// Decodes the response: one successful Default Response per command, in order, or the failure.
pub(crate) fn response(
    content: &[u8],
    min: usize,
    max: usize,
) -> Result<ResponseOutcome, ResponseDecodeError> {
    let components = match common::gbz_response(content)? {
        Ok(c) => c,
        Err(f) => return Ok(ResponseOutcome::Failure(f)),
    };
    if components.len() < min || components.len() > max {
        return Err(ResponseDecodeError::Format("not one response per command"));
    }
    for (i, c) in components.iter().enumerate() {
        match &c.body {
            GbzBody::Plain { zcl, .. }
                if (c.cluster == CLUSTER_CALENDAR || c.cluster == CLUSTER_PRICE)
                    && zcl.frame_control & 0x03 == 0
                    && usize::from(zcl.sequence) == i
                    && zcl.command == common::ZCL_DEFAULT_RESPONSE
                    && zcl.payload.len() == 2
                    && zcl.payload.get(1) == Some(&0) => {}
            _ => {
                return Err(ResponseDecodeError::Format(
                    "not a Default Response per tariff command",
                ));
            }
        }
    }
    Ok(ResponseOutcome::Success(ResponseValue::Done))
}

// ---------------------------------------------------------------------------------------------
// DUIS to GBCS (evidence: the RTDS 4.5.0 1.2.1 GCS01b vectors against their DUIS templates).

/// ISO 4217 GBP.
pub const CURRENCY_GBP: u16 = 826;
/// ISO 4217 EUR (DUIS `ECB`).
pub const CURRENCY_EUR: u16 = 978;
/// The issuer tariff id of every vector.
pub const ISSUER_TARIFF_ID: u32 = 1;
/// Tariff type of a TOU tariff.
pub const TARIFF_TYPE_TOU: u8 = 0x00;
/// Tariff type of a block tariff.
pub const TARIFF_TYPE_BLOCK: u8 = 0x10;
/// Price trailing digit of every vector (five digits after the point).
pub const PRICE_TRAILING_DIGIT: u8 = 0x50;
/// Block threshold multiplier and divisor of every vector.
pub const BLOCK_THRESHOLD_SCALE: (u32, u32) = (1, 1000);

/// The DUIS `GasPriceElements` as GBCS tariff information and price matrix: a TOU tariff is
/// type `00` with its TOU prices as tiers 1…4 (sub-payload control 1); a block tariff is type
/// `10` with its `NumberOfThresholds` and its block prices as ids 0…3 (control 0). `None` if
/// neither or both price kinds are given.
pub fn gas_prices_from_duis(
    currency_gbp: bool,
    standing_charge: u32,
    tou: &[(u8, u32)],
    blocks: &[(u8, u32)],
    number_of_thresholds: Option<u8>,
) -> Option<GasPrices> {
    let (tariff_type, tiers, thresholds, control, prices) =
        match (tou.is_empty(), blocks.is_empty(), number_of_thresholds) {
            (false, true, None) => (
                TARIFF_TYPE_TOU,
                u8::try_from(tou.len()).ok()?,
                0,
                1,
                tou.to_vec(),
            ),
            (true, false, Some(n)) => (
                TARIFF_TYPE_BLOCK,
                0,
                n,
                0,
                blocks
                    .iter()
                    .map(|(i, p)| Some((i.checked_sub(1)?, *p)))
                    .collect::<Option<Vec<_>>>()?,
            ),
            _ => return None,
        };
    Some(GasPrices {
        issuer_tariff_id: ISSUER_TARIFF_ID,
        information: TariffInformation {
            tariff_type,
            label: Vec::new(),
            price_tiers_in_use: tiers,
            block_thresholds_in_use: thresholds,
            unit_of_measure: 0,
            currency: if currency_gbp {
                CURRENCY_GBP
            } else {
                CURRENCY_EUR
            },
            price_trailing_digit: PRICE_TRAILING_DIGIT,
            standing_charge,
            tier_block_mode: 0xFF,
            block_threshold_multiplier: BLOCK_THRESHOLD_SCALE.0,
            block_threshold_divisor: BLOCK_THRESHOLD_SCALE.1,
        },
        block_thresholds: None,
        matrix: PriceMatrix {
            sub_payload_control: control,
            prices,
        },
    })
}
