//! The SSRF guard: a webhook URL is typed by a merchant's admin, and botdesk runs beside the
//! bot, on a laptop or a server with a cloud metadata service. Deliveries therefore go only to
//! public addresses: private, loopback, link-local (the metadata service at 169.254.169.254),
//! carrier-grade NAT, multicast and reserved ranges are refused, IPv4 inside IPv6 included. The
//! check runs on the addresses a name resolves to **at delivery time**, inside the HTTP client's
//! resolver, so the connection goes to exactly the address that was checked (a name that
//! resolves to a public address when saved and to 127.0.0.1 later — DNS rebinding — is caught).
//! Loopback can be allowed for development (`webhooks_allow_localhost`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Which addresses deliveries may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressPolicy {
    /// 127.0.0.0/8, ::1 and `localhost` (development only).
    pub allow_loopback: bool,
}

/// Why an address is refused, or `None` when it is allowed.
pub fn refusal(ip: IpAddr, policy: AddressPolicy) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4, policy),
        IpAddr::V6(v6) => {
            // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible and NAT64 (64:ff9b::/96) addresses
            // reach the IPv4 address inside.
            let segments = v6.segments();
            if let Some(v4) = v6.to_ipv4_mapped() {
                return refusal_v4(v4, policy);
            }
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = segments[6].to_be_bytes();
                let [c, d] = segments[7].to_be_bytes();
                return refusal_v4(Ipv4Addr::new(a, b, c, d), policy);
            }
            refusal_v6(v6, policy)
        }
    }
}

fn refusal_v4(ip: Ipv4Addr, policy: AddressPolicy) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        return (!policy.allow_loopback).then_some("a loopback address (this machine)");
    }
    if ip.is_unspecified() || a == 0 {
        return Some("an unspecified address");
    }
    if ip.is_private() {
        return Some("a private network address");
    }
    if ip.is_link_local() {
        return Some("a link-local address (cloud metadata services live there)");
    }
    if a == 100 && (64..128).contains(&b) {
        return Some("a carrier-grade NAT address");
    }
    if a == 198 && (b == 18 || b == 19) {
        return Some("a benchmarking network address");
    }
    if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        return Some("a multicast, broadcast or reserved address");
    }
    if a == 192 && b == 0 && ip.octets()[2] == 0 {
        return Some("an IETF protocol address");
    }
    None
}

fn refusal_v6(ip: Ipv6Addr, policy: AddressPolicy) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        return (!policy.allow_loopback).then_some("a loopback address (this machine)");
    }
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if first & 0xfe00 == 0xfc00 {
        return Some("a unique local (private) address");
    }
    if first & 0xffc0 == 0xfe80 {
        return Some("a link-local address");
    }
    if ip.is_multicast() {
        return Some("a multicast address");
    }
    if ip.segments()[..6] == [0; 6] {
        // ::a.b.c.d (deprecated IPv4-compatible) and the rest of ::/96.
        return Some("an IPv4-compatible address");
    }
    None
}

/// Whether a host name is this machine by definition (RFC 6761).
pub fn is_localhost_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// A refused address, carried through the HTTP client's error chain so the sender can say
/// why a delivery did not connect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host} resolves only to addresses deliveries may not reach ({reason})")]
pub struct Blocked {
    pub host: String,
    pub reason: String,
}

/// The HTTP client's resolver: the system's, keeping only allowed addresses.
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    pub policy: AddressPolicy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if is_localhost_name(&host) && !policy.allow_loopback {
                return Err(Box::new(Blocked {
                    host,
                    reason: "localhost is this machine".into(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .collect();
            let mut reason = "it resolves to no address";
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| match refusal(addr.ip(), policy) {
                    Some(why) => {
                        reason = why;
                        false
                    }
                    None => true,
                })
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(Blocked {
                    host,
                    reason: reason.into(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

pub(crate) fn resolver(policy: AddressPolicy) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { policy })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        let strict = AddressPolicy::default();
        for blocked in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "::127.0.0.1",
        ] {
            let ip: IpAddr = blocked.parse().unwrap();
            assert!(refusal(ip, strict).is_some(), "{blocked} should be refused");
        }
        for allowed in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "64:ff9b::5db8:d822",
        ] {
            let ip: IpAddr = allowed.parse().unwrap();
            assert_eq!(refusal(ip, strict), None, "{allowed}");
        }
    }

    #[test]
    fn loopback_is_allowed_only_when_asked() {
        let dev = AddressPolicy {
            allow_loopback: true,
        };
        assert_eq!(refusal("127.0.0.1".parse().unwrap(), dev), None);
        assert_eq!(refusal("::1".parse().unwrap(), dev), None);
        assert!(refusal("10.0.0.1".parse().unwrap(), dev).is_some());
        assert!(refusal("169.254.169.254".parse().unwrap(), dev).is_some());
        assert!(is_localhost_name("LocalHost."));
        assert!(is_localhost_name("api.localhost"));
        assert!(!is_localhost_name("localhost.example.com"));
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_addresses() {
        use reqwest::dns::Resolve;
        let strict = GuardedResolver {
            policy: AddressPolicy::default(),
        };
        for name in ["localhost", "127.0.0.1.nip.invalid"] {
            let name: reqwest::dns::Name = name.parse().unwrap();
            assert!(strict.resolve(name).await.is_err());
        }
        let dev = GuardedResolver {
            policy: AddressPolicy {
                allow_loopback: true,
            },
        };
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let addrs: Vec<SocketAddr> = dev.resolve(name).await.unwrap().collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
