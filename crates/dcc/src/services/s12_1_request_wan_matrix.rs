//! 12.1 Request WAN Matrix: SM WAN coverage at a property.

use duis::bodies::RequestWanMatrix as Query;
use duis::{ResponseCode, Srv};

use super::{NonDeviceRequest, NonDeviceService, Plan, Service, ServiceKind};
use crate::error::{DccError, ServiceError};
use crate::gateway::Dialect;
use crate::model::{CspRegion, region_for_postcode};
use crate::render;
use crate::store::Tx;

pub struct RequestWanMatrix;

impl Service for RequestWanMatrix {
    fn srv(&self) -> Srv {
        Srv::V12_1
    }
    fn kind(&self) -> ServiceKind<'_> {
        ServiceKind::NonDevice(self)
    }
}

impl NonDeviceService for RequestWanMatrix {
    fn plan(&self, r: &mut NonDeviceRequest<'_>) -> Result<Plan, DccError> {
        let q = Query::parse(&r.request.body).map_err(render::body_error)?;
        let coverage = wan_matrix(r.tx, &q)?;
        let document = match r.dialect {
            Dialect::Duis54 => render::wan_matrix(r.request, &q, &coverage, r.now)?,
            Dialect::DccBoxed => render::wan_matrix_v51(r.request, &q, &coverage, r.now)?,
        };
        Ok(Plan::Answer {
            code: ResponseCode::I0,
            document,
        })
    }
}

/// One CSP region's answer in the WAN matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WanCoverage {
    pub region: CspRegion,
    pub available: bool,
    pub technology: &'static str,
}

/// 12.1 Request WAN Matrix: the CSP region serving the property (from the premises if the DCC
/// knows it, else from the postcode) and its coverage. The emulated SM WAN covers every
/// premises in its three regions.
pub fn wan_matrix(tx: &mut dyn Tx, q: &Query) -> Result<WanCoverage, DccError> {
    let region = match q {
        Query::Uprn(u) => tx.premises(&u.to_string())?.map(|p| p.region),
        Query::PartialAddress(a) => tx
            .premises_by_postcode(&a.post_code)?
            .first()
            .map(|p| p.region)
            .or_else(|| region_for_postcode(&a.post_code)),
    };
    let region = region.ok_or(ServiceError::AddressNotFound)?;
    Ok(WanCoverage {
        region,
        available: true,
        technology: match region {
            CspRegion::North | CspRegion::North4G => "Long Range Radio",
            _ => "Cellular",
        },
    })
}
