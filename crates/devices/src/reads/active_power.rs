//! ECS17c (4.16 Read Active Power Import): the ESME answers its instantaneous active import
//! demand at the time of the read, from its metering model (`Metering::demand_w`: the load
//! shape's half hour, zero while the supply is off or the device unpowered), in W (scaler 0,
//! unit 27), in the structure the RTDS vector shows, dated with the device's clock.

use gbcs::dlms::ResponseSpec;
use gbcs::usecases::ActivePowerImport;
use gbcs::usecases::DlmsRead;
use gbcs::usecases::ecs17c::{ACTIVE_POWER_IMPORT, UNIT_WATT};
use gbcs::{GeneralSigning, UtcDateTime};

use crate::device::EmulatedDevice;
use crate::exec::{DLMS_SUCCESS, Execution, dlms_response};
use crate::metering::Channel;

const DLMS_OBJECT_UNDEFINED: u8 = 4;

impl EmulatedDevice {
    /// The active power import at `now` (true time).
    pub(crate) fn active_power_import(&self, now: UtcDateTime) -> ActivePowerImport {
        let w = self
            .state
            .metering
            .demand_w(Channel::ActiveImport, now.to_unix());
        ActivePowerImport {
            power: w,
            scaler: 0,
            unit: UNIT_WATT,
            second: w,
        }
    }

    /// ECS17c: GET of the active power import object (only an ESME holds it).
    pub(crate) fn ecs17c(
        &self,
        apdu: &GeneralSigning,
        read: &DlmsRead,
        now: UtcDateTime,
    ) -> Option<Execution> {
        let esme = self.identity.kind == crate::DeviceKind::Esme;
        let (data, results): (Vec<_>, Vec<_>) = read
            .objects
            .iter()
            .map(|o| {
                if *o == ACTIVE_POWER_IMPORT && esme {
                    (
                        self.active_power_import(now).to_data(),
                        ResponseSpec::Get(DLMS_SUCCESS),
                    )
                } else {
                    (
                        gbcs::axdr::Data::Null,
                        ResponseSpec::Get(DLMS_OBJECT_UNDEFINED),
                    )
                }
            })
            .unzip();
        let success = results.iter().all(|r| r.result() == DLMS_SUCCESS);
        // The response carries the device's date-time of the reading (as the RTDS vectors do,
        // success and error alike).
        Some(Execution::Done {
            content: dlms_response(apdu.counter, data, results),
            date_time: Some(self.device_time(now).to_cosem().0),
            success,
        })
    }
}
