//! The Salesforce Outbound Message reader without a server: the budget scan, then the SOAP
//! envelope. Any input must give a message or an error, never a panic or a stack overflow.
#![no_main]

use finishline_web::api::salesforce_outbound::parse_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_message(data);
});
