//! Which address a request comes from: the TCP peer, or behind a reverse
//! proxy the address the proxy writes in a header it controls.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::http::{HeaderMap, HeaderName};

/// Where the client's address is read.
#[derive(Debug, Clone, Default)]
pub enum ClientAddress {
    /// The TCP peer: right when people and webhooks reach this server directly.
    #[default]
    Peer,
    /// The last address of this header (`X-Forwarded-For`, `X-Real-IP`):
    /// right only behind a proxy that writes it, since clients can send it too.
    Header(HeaderName),
}

impl ClientAddress {
    /// The configured header name, or the peer when none is set.
    pub fn from_setting(header: Option<&str>) -> anyhow::Result<Self> {
        match header.map(str::trim).filter(|name| !name.is_empty()) {
            None => Ok(Self::Peer),
            Some(name) => Ok(Self::Header(HeaderName::try_from(name).map_err(|_| {
                anyhow::anyhow!("SWITCHBOARD_CLIENT_IP_HEADER is not a header name: {name:?}")
            })?)),
        }
    }

    /// The client's address; unspecified when the header is missing, so
    /// that such requests share one budget rather than escape it.
    pub fn of(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        match self {
            Self::Peer => peer.ip(),
            Self::Header(name) => headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|list| list.rsplit(',').next())
                .and_then(|last| last.trim().parse().ok())
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_forwarded_address_is_the_one_the_proxy_saw() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "10.0.0.9, 203.0.113.7".parse().unwrap());
        let from_header = ClientAddress::from_setting(Some("X-Forwarded-For")).unwrap();
        let peer = SocketAddr::from(([127, 0, 0, 1], 4000));
        assert_eq!(
            from_header.of(peer, &headers),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            ClientAddress::Peer.of(peer, &headers),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert!(from_header.of(peer, &HeaderMap::new()).is_unspecified());
        assert!(ClientAddress::from_setting(Some("not a header")).is_err());
    }
}
