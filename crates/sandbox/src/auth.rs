//! Tokens and the checks every API call passes: the `Version` header, the
//! Bearer token, its scopes and its location.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use super::errors::{ApiError, ApiResult};
use super::ids;
use super::Sandbox;

/// The `Version` of the contacts, locations, users and businesses documents.
pub const V2021_07_28: &str = "2021-07-28";
/// The `Version` of every calendars operation.
pub const V2021_04_15: &str = "2021-04-15";

/// What a token was granted: one location and a set of scopes.
#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: String,
    pub location_id: String,
    pub user_id: String,
    pub scopes: BTreeSet<String>,
}

impl Grant {
    pub fn scope_string(&self) -> String {
        self.scopes.iter().cloned().collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug)]
struct AccessToken {
    grant: Grant,
    /// None for Private-Integration-like tokens.
    expires_at: Option<Instant>,
}

#[derive(Debug)]
pub struct AuthCode {
    pub grant: Grant,
    pub redirect_uri: String,
    expires_at: Instant,
}

/// Authorization codes live this long, as is usual for OAuth servers.
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// Client name recorded for tokens minted through the control API.
pub const PIT_CLIENT: &str = "private-integration";

#[derive(Debug, Default)]
pub struct AuthState {
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, Grant>,
    codes: HashMap<String, AuthCode>,
}

/// Why a token was refused.
pub enum TokenProblem {
    Unknown,
    Expired,
}

impl AuthState {
    pub fn mint_pit(&mut self, location_id: &str, scopes: BTreeSet<String>) -> String {
        let token = format!("pit-{}", uuid::Uuid::new_v4());
        let grant = Grant {
            client_id: PIT_CLIENT.into(),
            location_id: location_id.into(),
            user_id: String::new(),
            scopes,
        };
        self.access.insert(
            token.clone(),
            AccessToken {
                grant,
                expires_at: None,
            },
        );
        token
    }

    pub fn issue_code(&mut self, grant: Grant, redirect_uri: String) -> String {
        let now = Instant::now();
        self.codes.retain(|_, code| code.expires_at > now);
        let code = ids::secret("");
        let expires_at = now + CODE_LIFETIME;
        self.codes.insert(
            code.clone(),
            AuthCode {
                grant,
                redirect_uri,
                expires_at,
            },
        );
        code
    }

    /// Takes a code out: a code works once.
    pub fn redeem_code(&mut self, code: &str) -> Option<AuthCode> {
        let taken = self.codes.remove(code)?;
        (taken.expires_at > Instant::now()).then_some(taken)
    }

    /// Takes a refresh token out: a refresh token works once.
    pub fn redeem_refresh(&mut self, token: &str) -> Option<Grant> {
        self.refresh.remove(token)
    }

    /// A new access token and refresh token for `grant`.
    pub fn issue_pair(&mut self, grant: Grant, ttl: Duration) -> (String, String) {
        // Expired access tokens are forgotten here so that the map stays small.
        let now = Instant::now();
        self.access
            .retain(|_, token| token.expires_at.is_none_or(|at| at > now));
        let access = ids::secret("sbx-at-");
        let refresh = ids::secret("sbx-rt-");
        self.refresh.insert(refresh.clone(), grant.clone());
        self.access.insert(
            access.clone(),
            AccessToken {
                grant,
                expires_at: Some(Instant::now() + ttl),
            },
        );
        (access, refresh)
    }

    pub fn check(&self, token: &str) -> Result<&Grant, TokenProblem> {
        let found = self.access.get(token).ok_or(TokenProblem::Unknown)?;
        match found.expires_at {
            Some(at) if at <= Instant::now() => Err(TokenProblem::Expired),
            _ => Ok(&found.grant),
        }
    }

    /// Revokes the tokens of one location, or every token; returns how many.
    pub fn revoke(&mut self, location_id: Option<&str>, token: Option<&str>) -> usize {
        let matches = |key: &String, grant: &Grant| {
            token.is_none_or(|token| token == key)
                && location_id.is_none_or(|location| location == grant.location_id)
        };
        let before = self.access.len() + self.refresh.len();
        self.access.retain(|key, found| !matches(key, &found.grant));
        self.refresh.retain(|key, grant| !matches(key, grant));
        before - self.access.len() - self.refresh.len()
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// What an endpoint requires of a request.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub version: &'static str,
    /// None for the operations whose spec has no `security` block.
    pub scope: Option<&'static str>,
}

impl Access {
    pub const fn new(version: &'static str, scope: &'static str) -> Self {
        Self {
            version,
            scope: Some(scope),
        }
    }
}

impl Sandbox {
    /// Runs the checks every API operation starts with and returns the grant
    /// of the request's token.
    pub(super) fn authorize(&self, headers: &HeaderMap, access: Access) -> ApiResult<Grant> {
        check_version(headers, access.version)?;
        let token = bearer(headers).ok_or_else(|| {
            ApiError::Unauthorized("Invalid token: access token is invalid".into())
        })?;
        let grant = match self.shared.auth.lock().check(token) {
            Ok(grant) => grant.clone(),
            Err(TokenProblem::Unknown) => {
                return Err(ApiError::Unauthorized(
                    "Invalid token: access token is invalid".into(),
                ))
            }
            Err(TokenProblem::Expired) => {
                return Err(ApiError::Unauthorized("Invalid JWT".into()));
            }
        };
        if let Some(scope) = access.scope {
            if !grant.scopes.contains(scope) {
                return Err(ApiError::Forbidden(format!(
                    "The token is not authorized for this scope: {scope}"
                )));
            }
        }
        Ok(grant)
    }
}

impl Grant {
    /// A token reaches only the location it was granted for.
    pub fn require_location(&self, location_id: &str) -> ApiResult<()> {
        if self.location_id == location_id {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "The token does not have access to this location".into(),
            ))
        }
    }
}

fn check_version(headers: &HeaderMap, expected: &str) -> ApiResult<()> {
    match headers.get("version").and_then(|value| value.to_str().ok()) {
        None => Err(ApiError::BadRequest("Version header was not found".into())),
        Some(version) if version.trim() == expected => Ok(()),
        Some(version) => Err(ApiError::BadRequest(format!(
            "Version {version} is not supported by this endpoint; use {expected}"
        ))),
    }
}
