//! Secrets the server derives from others and compares: kept apart from HTTP handlers and pages
//! so both can use them.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Compares secrets without an early exit, so timing does not tell how much matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The key in the Outbound Message endpoint's path for a workspace's webhook secret.
pub fn outbound_key(secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"salesforce-outbound-message");
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// The endpoint path to paste into Salesforce's Outbound Message "Endpoint URL".
pub fn outbound_path(workspace: &str, secret: &str) -> String {
    format!(
        "/api/v1/webhooks/crm/{workspace}/salesforce/outbound/{}",
        outbound_key(secret)
    )
}
