//! Keeps deliveries on the public internet. A connection's form is written
//! by people of a team, and the server can reach what they cannot: its own
//! loopback, the private network it runs in, the cloud's metadata service.
//! So every address a base URL's host resolves to must be public, checked
//! when the settings are saved and again by the resolver of the delivery
//! client itself, which hands the connection only the addresses it checked:
//! a name that resolves elsewhere later (DNS rebinding) is still refused.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::base_url::BaseUrl;

/// Which addresses deliveries may go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Public addresses only: the default.
    Public,
    /// Private ones too (`SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE=true`).
    Anywhere,
}

impl Reach {
    pub fn allowing_private(allow: bool) -> Self {
        if allow {
            Reach::Anywhere
        } else {
            Reach::Public
        }
    }
}

/// The kinds of address that are not on the public internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPublic {
    Unspecified,
    Loopback,
    Private,
    /// Carrier-grade NAT, 100.64.0.0/10.
    SharedNat,
    /// Includes 169.254.169.254, the cloud metadata service.
    LinkLocal,
    Documentation,
    Benchmarking,
    Broadcast,
    Multicast,
    /// Set aside for protocols or future use.
    Reserved,
}

impl NotPublic {
    fn words(self) -> &'static str {
        match self {
            NotPublic::Unspecified => "an unspecified address",
            NotPublic::Loopback => "a loopback address (this server itself)",
            NotPublic::Private => "a private address",
            NotPublic::SharedNat => "a private address (carrier-grade NAT)",
            NotPublic::LinkLocal => "a link-local address (such as the cloud metadata service)",
            NotPublic::Documentation => "an address reserved for documentation",
            NotPublic::Benchmarking => "an address reserved for benchmarking",
            NotPublic::Broadcast => "the broadcast address",
            NotPublic::Multicast => "a multicast address",
            NotPublic::Reserved => "a reserved address",
        }
    }
}

/// What kind of address `ip` is when it is not public; `None` for a public one.
pub fn not_public(ip: IpAddr) -> Option<NotPublic> {
    match ip {
        IpAddr::V4(v4) => not_public_v4(v4),
        IpAddr::V6(v6) => not_public_v6(v6),
    }
}

fn not_public_v4(ip: Ipv4Addr) -> Option<NotPublic> {
    let [a, b, c, _] = ip.octets();
    let kind = match (a, b, c) {
        _ if ip.is_broadcast() => NotPublic::Broadcast,
        (0, ..) => NotPublic::Unspecified,
        (127, ..) => NotPublic::Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => NotPublic::Private,
        (100, 64..=127, _) => NotPublic::SharedNat,
        (169, 254, _) => NotPublic::LinkLocal,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => NotPublic::Documentation,
        (198, 18..=19, _) => NotPublic::Benchmarking,
        (224..=239, ..) => NotPublic::Multicast,
        (192, 0, 0) | (240..=255, ..) => NotPublic::Reserved,
        _ => return None,
    };
    Some(kind)
}

fn not_public_v6(ip: Ipv6Addr) -> Option<NotPublic> {
    // Addresses that carry an IPv4 address reach it: judge that one.
    if let Some(v4) = embedded_v4(ip) {
        return not_public_v4(v4);
    }
    let segments = ip.segments();
    let kind = match segments[0] {
        _ if ip.is_unspecified() => NotPublic::Unspecified,
        _ if ip.is_loopback() => NotPublic::Loopback,
        0xff00..=0xffff => NotPublic::Multicast,
        0xfe80..=0xfebf => NotPublic::LinkLocal,
        // Unique local (fc00::/7) and the old site-local (fec0::/10).
        0xfc00..=0xfdff | 0xfec0..=0xfeff => NotPublic::Private,
        0x2001 if segments[1] == 0x0db8 => NotPublic::Documentation,
        0x3fff if segments[1] < 0x1000 => NotPublic::Documentation,
        // Teredo tunnels hide the address they lead to.
        0x2001 if segments[1] == 0 => NotPublic::Reserved,
        // Only 2000::/3 is global unicast.
        0x2000..=0x3fff => return None,
        _ => NotPublic::Reserved,
    };
    Some(kind)
}

/// The IPv4 address in an IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96)
/// or 6to4 (2002::/16) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let octets = ip.octets();
    let segments = ip.segments();
    let tail = Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15]);
    match segments {
        [0, 0, 0, 0, 0, 0xffff, ..] => Some(tail),
        [0x64, 0xff9b, 0, 0, 0, 0, ..] => Some(tail),
        [0x2002, ..] => Some(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5])),
        _ => None,
    }
}

/// Why a host may not be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The host is, or resolves to, an address that is not public.
    NotPublic {
        host: String,
        address: IpAddr,
        kind: NotPublic,
    },
    /// The host's name did not resolve.
    Unresolved { host: String, reason: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotPublic {
                host,
                address,
                kind,
            } => {
                if *host == address.to_string() {
                    write!(f, "{address} is {}", kind.words())?;
                } else {
                    write!(f, "{host} resolves to {address}, {}", kind.words())?;
                }
                f.write_str("; Switchboard only sends to public addresses unless started with SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE=true.")
            }
            Refusal::Unresolved { host, reason } => {
                write!(f, "The name {host} could not be found ({reason}).")
            }
        }
    }
}

impl std::error::Error for Refusal {}

impl Reach {
    /// `address` of `host`, unless this reach may not go there.
    pub fn check(self, host: &str, address: IpAddr) -> Result<(), Refusal> {
        match (self, not_public(address)) {
            (Reach::Public, Some(kind)) => Err(Refusal::NotPublic {
                host: host.to_owned(),
                address,
                kind,
            }),
            _ => Ok(()),
        }
    }

    /// Every address of `host`, each checked; one refused refuses them all,
    /// since the connection may use any of them.
    pub async fn resolve(self, host: &str) -> Result<Vec<SocketAddr>, Refusal> {
        let unresolved = |reason: String| Refusal::Unresolved {
            host: host.to_owned(),
            reason,
        };
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|error| unresolved(error.to_string()))?
            .collect();
        if addresses.is_empty() {
            return Err(unresolved("it has no address".into()));
        }
        for address in &addresses {
            self.check(host, address.ip())?;
        }
        Ok(addresses)
    }

    /// Whether deliveries may go to `url`: its address, or every address
    /// its host's name resolves to now.
    pub async fn allows(self, url: &BaseUrl) -> Result<(), Refusal> {
        match url.ip() {
            Some(address) => self.check(url.host(), address),
            None => self.resolve(url.host()).await.map(drop),
        }
    }
}

/// The delivery client's resolver: names resolve only to addresses this
/// reach allows. (Addresses written in a URL skip resolvers altogether, so
/// deliveries check those themselves.)
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver(pub Reach);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let reach = self.0;
        Box::pin(async move {
            let addresses = reach.resolve(name.as_str()).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn kind(address: &str) -> Option<NotPublic> {
        not_public(address.parse().unwrap())
    }

    #[test]
    fn public_addresses_of_both_families_pass() {
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.167.1.1",
            "169.253.1.1",
            "198.20.0.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(kind(address), None, "{address}");
        }
    }

    #[test]
    fn every_kind_of_private_or_special_ipv4_address_is_named() {
        use NotPublic::*;
        for (address, expected) in [
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.255.0.9", Loopback),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("172.16.0.1", Private),
            ("172.31.255.254", Private),
            ("192.168.1.1", Private),
            ("100.64.0.1", SharedNat),
            ("100.127.255.254", SharedNat),
            ("169.254.169.254", LinkLocal),
            ("169.254.0.1", LinkLocal),
            ("192.0.2.10", Documentation),
            ("198.51.100.7", Documentation),
            ("203.0.113.200", Documentation),
            ("198.18.0.1", Benchmarking),
            ("198.19.255.1", Benchmarking),
            ("255.255.255.255", Broadcast),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("240.0.0.1", Reserved),
            ("192.0.0.8", Reserved),
        ] {
            assert_eq!(kind(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn every_kind_of_private_or_special_ipv6_address_is_named() {
        use NotPublic::*;
        for (address, expected) in [
            ("::", Unspecified),
            ("::1", Loopback),
            ("fc00::1", Private),
            ("fd12:3456:789a::1", Private),
            ("fec0::1", Private),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("ff02::1", Multicast),
            ("ff0e::101", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001:0:4136:e378::1", Reserved),
            ("100::1", Reserved),
            ("::2", Reserved),
            ("4000::1", Reserved),
        ] {
            assert_eq!(kind(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn ipv6_addresses_that_carry_an_ipv4_one_are_judged_by_it() {
        use NotPublic::*;
        for (address, expected) in [
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:10.0.0.1", Private),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::ffff:100.64.0.1", SharedNat),
            ("::ffff:0.0.0.0", Unspecified),
            ("::ffff:255.255.255.255", Broadcast),
            ("64:ff9b::a9fe:a9fe", LinkLocal),
            ("64:ff9b::7f00:1", Loopback),
            ("2002:c0a8:101::1", Private),
            ("2002:7f00:1::", Loopback),
        ] {
            assert_eq!(kind(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn a_refusal_names_the_address_and_the_setting_that_allows_it() {
        let refusal = Reach::Public
            .check("10.0.0.1", "10.0.0.1".parse().unwrap())
            .unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "10.0.0.1 is a private address; Switchboard only sends to public addresses unless started with SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE=true."
        );
        let named = Reach::Public
            .check("internal.example", "169.254.169.254".parse().unwrap())
            .unwrap_err();
        assert!(named
            .to_string()
            .starts_with("internal.example resolves to 169.254.169.254, a link-local address"));
        assert_eq!(
            Reach::Anywhere.check("10.0.0.1", "10.0.0.1".parse().unwrap()),
            Ok(())
        );
    }

    #[tokio::test]
    async fn the_resolver_hands_out_no_address_it_refuses() {
        let refused = GuardedResolver(Reach::Public)
            .resolve(Name::from_str("localhost").unwrap())
            .await;
        let error = refused.err().expect("localhost is refused");
        assert!(
            matches!(
                error.downcast_ref::<Refusal>(),
                Some(Refusal::NotPublic {
                    kind: NotPublic::Loopback,
                    ..
                })
            ),
            "{error}"
        );
        let allowed = GuardedResolver(Reach::Anywhere)
            .resolve(Name::from_str("localhost").unwrap())
            .await
            .unwrap();
        assert!(allowed
            .into_iter()
            .all(|address| address.ip().is_loopback()));
    }

    #[tokio::test]
    async fn a_base_url_is_allowed_by_its_address_or_every_address_of_its_name() {
        let url = |text: &str| BaseUrl::parse(text).unwrap();
        for refused in [
            "http://127.0.0.1:9/",
            "http://[::1]/",
            "http://[::ffff:169.254.169.254]/latest",
            "http://localhost:8080/",
        ] {
            assert!(
                Reach::Public.allows(&url(refused)).await.is_err(),
                "{refused}"
            );
            assert_eq!(Reach::Anywhere.allows(&url(refused)).await, Ok(()));
        }
        assert_eq!(Reach::Public.allows(&url("http://8.8.8.8/")).await, Ok(()));
    }
}
