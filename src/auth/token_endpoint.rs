//! HighLevel's token endpoint through the oauth2 crate: the client for the
//! code exchange at sign-in and for refreshes, over the app's reqwest client.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields,
    RedirectUrl, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::HighLevelTarget;

/// Fields of HighLevel's token answer beyond the OAuth standard ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HighLevelTokenFields {
    pub location_id: Option<String>,
    pub user_id: Option<String>,
    pub company_id: Option<String>,
    pub user_type: Option<String>,
}

impl ExtraTokenFields for HighLevelTokenFields {}

pub type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

pub type TokenAnswer = StandardTokenResponse<HighLevelTokenFields, BasicTokenType>;

pub fn client(target: &HighLevelTarget) -> Result<OAuthClient, oauth2::url::ParseError> {
    Ok(oauth2::Client::new(ClientId::new(target.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            target.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_uri(AuthUrl::new(format!(
            "{}/oauth/chooselocation",
            target.auth_base
        ))?)
        .set_token_uri(TokenUrl::new(format!("{}/oauth/token", target.api_base))?)
        .set_redirect_uri(RedirectUrl::new(target.redirect_uri.clone())?)
        // HighLevel reads the client credentials from the form body.
        .set_auth_type(AuthType::RequestBody))
}

/// The error's kind only: token-endpoint answers can echo request fields.
pub fn error_summary<RE: std::error::Error>(
    error: &oauth2::RequestTokenError<RE, BasicErrorResponse>,
) -> String {
    match error {
        oauth2::RequestTokenError::ServerResponse(response) => format!("{:?}", response.error()),
        oauth2::RequestTokenError::Request(_) => "the request failed".into(),
        oauth2::RequestTokenError::Parse(_, _) => "the answer could not be read".into(),
        oauth2::RequestTokenError::Other(_) => "unexpected answer".into(),
    }
}

/// oauth2's HTTP hook, over the app's one reqwest client.
pub async fn send(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let answer = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let status = answer.status();
    let headers = answer.headers().clone();
    let mut response = oauth2::HttpResponse::new(answer.bytes().await?.to_vec());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}
