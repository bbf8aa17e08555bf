//! The CRM webhook bodies as the server reads them, without a server: our own handoff JSON,
//! HubSpot's deal record and Salesforce's JSON Opportunity, each with the default mapping. The
//! first byte picks the reader; any input must give a value or an error, never a panic.
#![no_main]

use finishline_web::api::webhooks::{
    default_mapping, read_crm, read_hubspot, read_salesforce, Source,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => {
            let _ = read_crm(body);
        }
        1 => {
            let _ = read_hubspot(body, &default_mapping(Source::HubSpot));
        }
        _ => {
            let _ = read_salesforce(body, &default_mapping(Source::Salesforce));
        }
    }
});
