//! Where the access token of a request comes from.
//!
//! A Private Integration Token, or a token given on the command line, is a
//! [`StaticToken`]. OAuth connections implement [`AccessToken`] over their
//! encrypted store, refreshing ahead of expiry and when HighLevel rejects a token.

use futures::future::BoxFuture;
use secrecy::SecretString;

use super::error::HighLevelError;

/// A source of bearer tokens, one per location.
pub trait AccessToken: Send + Sync {
    /// The token to send for a request on behalf of `location_id`.
    fn bearer<'a>(
        &'a self,
        location_id: &'a str,
    ) -> BoxFuture<'a, Result<SecretString, HighLevelError>>;

    /// HighLevel answered 401 to the token last handed out for `location_id`.
    /// Returns whether a different token is now available, in which case the
    /// request is tried once more; a static token has no other to offer.
    fn rejected<'a>(&'a self, location_id: &'a str) -> BoxFuture<'a, Result<bool, HighLevelError>> {
        let _ = location_id;
        Box::pin(async { Ok(false) })
    }
}

/// One fixed token for every location: a Private Integration Token, or a
/// token handed to `switchboard api`.
#[derive(Debug, Clone)]
pub struct StaticToken(SecretString);

impl StaticToken {
    pub fn new(token: SecretString) -> Self {
        StaticToken(token)
    }
}

impl AccessToken for StaticToken {
    fn bearer<'a>(
        &'a self,
        _location_id: &'a str,
    ) -> BoxFuture<'a, Result<SecretString, HighLevelError>> {
        Box::pin(async { Ok(self.0.clone()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[tokio::test]
    async fn a_static_token_is_handed_out_but_never_printed() {
        let token = StaticToken::new(SecretString::from("pit-0123456789abcdef"));
        let printed = format!("{token:?}");
        assert!(!printed.contains("0123456789abcdef"), "{printed}");
        let bearer = token
            .bearer("loc")
            .await
            .map(|b| b.expose_secret().to_owned());
        assert_eq!(bearer.ok().as_deref(), Some("pit-0123456789abcdef"));
        assert_eq!(token.rejected("loc").await.ok(), Some(false));
    }
}
