//! 8.3 Decommission Device (`sr:DecommissionDevice`) and 8.14.1–8.14.4 Communications Hub
//! Status Update (`sr:CHFInstallSuccessSMWAN`, `CHFInstallSuccessNoSMWAN`, `CHFFaultReturn`,
//! `CHFNoFaultReturn`): what the DCC needs of them to change SMI statuses. The schema check
//! before the body parser holds each element to its XSD type; the parser takes the device, the
//! MPxN of an installation and the other device of a fault return, in the XSD's order.

use super::{BodyError, Seq, eui, expect, simple};
use crate::xml::Element;
use eui::Eui64;

/// 8.3 Decommission Device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecommissionDevice {
    pub device_id: Eui64,
}

impl DecommissionDevice {
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        const NAME: &str = "DecommissionDevice";
        expect(body, NAME)?;
        let mut s = Seq::new(body, NAME);
        let device_id = eui(s.required("DeviceID")?, "DeviceID")?;
        s.finish()?;
        Ok(Self { device_id })
    }
}

/// Which 8.14 update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubStatusUpdate {
    /// 8.14.1: installed and on the SM WAN, at the supply point `mpxn`.
    InstallSuccess { mpxn: String },
    /// 8.14.2: installed without SM WAN, at the supply point `mpxn`.
    InstallNoSmWan { mpxn: String },
    /// 8.14.3: returned with a fault; `other_device` the hub's other device ID (`OtherDeviceID`).
    FaultReturn { other_device: Eui64 },
    /// 8.14.4: returned without a fault.
    NoFaultReturn,
}

/// 8.14 Communications Hub Status Update: the CHF (`DeviceID`) and the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommsHubStatusUpdate {
    pub device_id: Eui64,
    pub update: HubStatusUpdate,
}

/// Skips children until `name`, which must follow; returns it.
fn until<'a>(s: &mut Seq<'a>, name: &'static str) -> Result<&'a Element, BodyError> {
    while let Some(e) = s.peek() {
        if e.name == name {
            break;
        }
        s.pos += 1;
    }
    s.required(name)
}

impl CommsHubStatusUpdate {
    pub fn parse(body: &Element) -> Result<Self, BodyError> {
        let name: &'static str = match body.name.as_str() {
            "CHFInstallSuccessSMWAN" => "CHFInstallSuccessSMWAN",
            "CHFInstallSuccessNoSMWAN" => "CHFInstallSuccessNoSMWAN",
            "CHFFaultReturn" => "CHFFaultReturn",
            _ => "CHFNoFaultReturn",
        };
        expect(body, name)?;
        let mut s = Seq::new(body, name);
        let device_id = eui(s.required("DeviceID")?, "DeviceID")?;
        let update = match name {
            "CHFInstallSuccessSMWAN" | "CHFInstallSuccessNoSMWAN" => {
                let mpxn = simple(until(&mut s, "MPxN")?, "MPxN")?.trim().to_string();
                if name == "CHFInstallSuccessSMWAN" {
                    HubStatusUpdate::InstallSuccess { mpxn }
                } else {
                    HubStatusUpdate::InstallNoSmWan { mpxn }
                }
            }
            "CHFFaultReturn" => HubStatusUpdate::FaultReturn {
                other_device: eui(until(&mut s, "OtherDeviceID")?, "OtherDeviceID")?,
            },
            _ => HubStatusUpdate::NoFaultReturn,
        };
        Ok(Self { device_id, update })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(inner: &str) -> Element {
        super::super::tests::body(inner)
    }

    #[test]
    fn the_template_bodies_parse() {
        let d = DecommissionDevice::parse(&body(
            "<sr:DecommissionDevice><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID></sr:DecommissionDevice>",
        ))
        .unwrap();
        assert_eq!(d.device_id.to_string(), "00-DB-12-34-56-78-90-A0");
        let u = CommsHubStatusUpdate::parse(&body(
            "<sr:CHFInstallSuccessSMWAN><sr:DeviceID>00-DB-12-34-56-78-90-A2</sr:DeviceID><sr:CHFInstallType>New CHF Install</sr:CHFInstallType><sr:MPxN>1000999888</sr:MPxN><sr:AerialInstall>true</sr:AerialInstall><sr:CHFLocation>Basement or Cellar</sr:CHFLocation></sr:CHFInstallSuccessSMWAN>",
        ))
        .unwrap();
        assert_eq!(
            u.update,
            HubStatusUpdate::InstallSuccess {
                mpxn: "1000999888".into()
            }
        );
        let u = CommsHubStatusUpdate::parse(&body(
            "<sr:CHFFaultReturn><sr:DeviceID>00-DB-12-34-56-78-90-A2</sr:DeviceID><sr:CHFFaultReturnType>Fault identified prior to installation</sr:CHFFaultReturnType><sr:OtherDeviceID>00-DB-12-34-56-78-90-A0</sr:OtherDeviceID><sr:CHFConnectionMethod>Hot-shoe</sr:CHFConnectionMethod><sr:CHFFaultReason>Damaged case</sr:CHFFaultReason></sr:CHFFaultReturn>",
        ))
        .unwrap();
        assert!(matches!(u.update, HubStatusUpdate::FaultReturn { .. }));
        let u = CommsHubStatusUpdate::parse(&body(
            "<sr:CHFNoFaultReturn><sr:DeviceID>00-DB-12-34-56-78-90-A2</sr:DeviceID><sr:CHFNoFaultReturnType>x</sr:CHFNoFaultReturnType></sr:CHFNoFaultReturn>",
        ))
        .unwrap();
        assert_eq!(u.update, HubStatusUpdate::NoFaultReturn);
    }

    #[test]
    fn bad_bodies_are_refused() {
        for bad in [
            "<sr:DecommissionDevice/>",
            "<sr:DecommissionDevice><sr:DeviceID>00-DB</sr:DeviceID></sr:DecommissionDevice>",
            "<sr:CHFInstallSuccessSMWAN><sr:DeviceID>00-DB-12-34-56-78-90-A2</sr:DeviceID></sr:CHFInstallSuccessSMWAN>",
        ] {
            let e = body(bad);
            assert!(
                DecommissionDevice::parse(&e).is_err() && CommsHubStatusUpdate::parse(&e).is_err(),
                "{bad}"
            );
        }
    }
}
