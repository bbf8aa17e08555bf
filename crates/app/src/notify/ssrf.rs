//! The guard on outbound requests: a webhook URL may not reach loopback, private, link-local,
//! unique-local, unspecified or cloud-metadata addresses unless an admin allowed its host by
//! name. The address checked is the address connected to (the resolution is pinned), so a DNS
//! answer that changes between the check and the request cannot slip through.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// True for addresses an outbound request must not reach.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let seg0 = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg0 & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg0 == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) // AWS metadata over IPv6
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254.0.0/16, metadata 169.254.169.254 included
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0 // "this network"
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT 100.64.0.0/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18.0.0/15
        || o[0] >= 240 // reserved
}

/// Resolves a URL's host to the address to connect to, refusing forbidden ones unless the host
/// is allowed. Errors say why, for the delivery log and the admin.
pub async fn resolve(url: &reqwest::Url, allow_hosts: &[String]) -> Result<SocketAddr, String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{url}: only http and https URLs are allowed"));
    }
    let host = url
        .host_str()
        .ok_or_else(|| format!("{url}: the URL has no host"))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let allowed = allow_hosts
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case(bare) || h.trim().eq_ignore_ascii_case(host));
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
        .await
        .map_err(|e| format!("{host}: the host does not resolve: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host}: the host does not resolve"));
    }
    if !allowed {
        if let Some(bad) = addrs.iter().find(|a| forbidden(a.ip())) {
            return Err(format!(
                "{host} resolves to {}, a loopback, private, link-local or metadata address: \
                 refused (an admin can allow this host explicitly)",
                bad.ip()
            ));
        }
    }
    addrs
        .first()
        .copied()
        .ok_or_else(|| format!("{host}: the host does not resolve"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(forbidden(ip.parse().expect("an address")), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(!forbidden(ip.parse().expect("an address")), "{ip}");
        }
    }
}
