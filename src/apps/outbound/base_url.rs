//! The address deliveries go to: an http or https URL with a host, and no
//! credentials or fragment, which would only be lost or leaked on the way.
//! Paths are added to it one segment at a time, so a delivery's path never
//! leaves the base URL's host.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// A base URL that passed [`BaseUrl::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// The URL, or why it cannot be a base URL, in words for the form.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "Enter the address Switchboard sends to, such as https://app.example.com/hooks."
                    .into(),
            );
        }
        let url = Url::parse(text).map_err(|error| {
            format!("This is not a full web address ({error}); it starts with https://.")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "Switchboard sends over http or https only, not {}.",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "Put no user name or password in the address; choose a sign-in below instead."
                    .into(),
            );
        }
        if url.fragment().is_some() {
            return Err("Remove the part after #: it is never sent.".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("The address has no host.".into());
        }
        Ok(Self(url))
    }

    /// The host as written, without the brackets of an IPv6 address.
    pub fn host(&self) -> &str {
        let host = self.0.host_str().unwrap_or_default();
        host.strip_prefix('[')
            .and_then(|inner| inner.strip_suffix(']'))
            .unwrap_or(host)
    }

    /// The host's address when the URL names one instead of a name.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host().parse().ok()
    }

    /// The port, written or the scheme's.
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(80)
    }

    /// The base URL with `path`'s segments after its own; empty segments are
    /// skipped and `.` or `..` refused, each segment is escaped.
    pub fn join(&self, path: &str) -> Result<Url, String> {
        let segments: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
        if segments.iter().any(|part| matches!(*part, "." | "..")) {
            return Err(format!("The path {path} climbs out of the base URL."));
        }
        let mut url = self.0.clone();
        if !segments.is_empty() {
            url.path_segments_mut()
                .map_err(|()| "The base URL cannot take a path.".to_owned())?
                .pop_if_empty()
                .extend(segments);
        }
        Ok(url)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_and_https_addresses_are_base_urls() {
        for good in [
            "https://app.example.com/hooks",
            "http://203.0.113.7:8080",
            "http://[2001:db8::1]/in",
        ] {
            assert!(BaseUrl::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "app.example.com/hooks",
            "ftp://example.com",
            "file:///etc/passwd",
            "http://user:pw@example.com",
            "http://user@example.com",
            "https://example.com/#top",
            "javascript:alert(1)",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_and_ports_are_read_as_the_connection_makes_them() {
        let v6 = BaseUrl::parse("http://[::1]:9/").unwrap();
        assert_eq!((v6.host(), v6.port()), ("::1", 9));
        assert_eq!(v6.ip(), Some("::1".parse().unwrap()));
        // Other spellings of an address are read as the address.
        let short = BaseUrl::parse("http://0x7f.1/").unwrap();
        assert_eq!(short.ip(), Some("127.0.0.1".parse().unwrap()));
        let named = BaseUrl::parse("https://Example.COM").unwrap();
        assert_eq!(
            (named.host(), named.port(), named.ip()),
            ("example.com", 443, None)
        );
    }

    #[test]
    fn paths_join_under_the_base_url_only() {
        let base = BaseUrl::parse("https://app.example.com/hooks/?key=k").unwrap();
        assert_eq!(
            base.join("/switchboard/events").unwrap().as_str(),
            "https://app.example.com/hooks/switchboard/events?key=k"
        );
        assert_eq!(
            base.join("").unwrap().as_str(),
            "https://app.example.com/hooks/?key=k"
        );
        assert_eq!(
            base.join("//evil.example/x?y#z").unwrap().as_str(),
            "https://app.example.com/hooks/evil.example/x%3Fy%23z?key=k"
        );
        assert!(base.join("a/../../admin").is_err());
        assert!(base.join("./a").is_err());
    }
}
