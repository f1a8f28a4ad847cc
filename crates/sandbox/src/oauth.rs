//! OAuth 2.0 as HighLevel documents it: a consent page that lists the demo
//! locations and redirects back with `code` (and `state`), and the token
//! endpoint for `authorization_code` and rotating `refresh_token` grants.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::auth::Grant;
use super::errors::{ApiError, ApiResult};
use super::html::escape;
use super::params::QueryMap;
use super::Sandbox;

pub fn consent_routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/oauth/chooselocation",
            get(consent_page).post(consent_given),
        )
        .route(
            "/v2/oauth/chooselocation",
            get(consent_page).post(consent_given),
        )
}

pub fn token_routes() -> Router<Sandbox> {
    Router::new().route("/oauth/token", post(token))
}

fn error_page(message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sandbox HighLevel</title>{STYLE}</head>\
         <body><main><h1>Cannot continue</h1><p>{}</p></main></body></html>",
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

const STYLE: &str = "<style>\
body{font-family:system-ui,sans-serif;background:#f4f6fb;color:#1d2433;margin:0}\
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0001}\
h1{font-size:1.3rem;margin-top:0}.badge{display:inline-block;background:#fff3cd;color:#7a5b00;border-radius:6px;padding:.1rem .5rem;font-size:.8rem}\
ul.scopes{padding-left:1.2rem;color:#44506a}\
form{display:grid;gap:.5rem;margin:.7rem 0;padding:.8rem;border:1px solid #e3e7f0;border-radius:10px}\
label{font-size:.85rem;color:#5d6577}select{margin-left:.4rem;padding:.25rem;font-size:.9rem}\
button{width:100%;text-align:left;padding:.8rem 1rem;border:1px solid #d5dbe8;border-radius:8px;background:#fff;font-size:1rem;cursor:pointer}\
button:hover{border-color:#3b6ff5;background:#f0f4ff}</style>";

/// The consent request, from the query string or the consent form.
struct ConsentRequest {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
}

impl Sandbox {
    fn known_client(&self, client_id: &str) -> bool {
        self.config()
            .clients
            .iter()
            .any(|client| client.client_id == client_id)
    }

    /// A code may go only to a registered callback, or anyone who gets a
    /// user to follow a link could collect it.
    fn check_registered(&self, redirect_uri: &str) -> Result<(), &'static str> {
        let registered = &self.config().redirect_uris;
        if registered.is_empty() {
            return Err(
                "No redirect_uri is registered with the sandbox, so it sends codes nowhere.",
            );
        }
        if !registered.iter().any(|uri| uri == redirect_uri) {
            return Err("This redirect_uri is not registered with the sandbox.");
        }
        Ok(())
    }

    fn consent_request(
        &self,
        values: &HashMap<String, String>,
    ) -> Result<ConsentRequest, &'static str> {
        let get = |key: &str| values.get(key).filter(|v| !v.is_empty()).cloned();
        let client_id = get("client_id").ok_or("client_id is missing.")?;
        if !self.known_client(&client_id) {
            return Err("This client_id is not registered with the sandbox.");
        }
        let redirect_uri = get("redirect_uri").ok_or("redirect_uri is missing.")?;
        let absolute = redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://");
        if !absolute
            || redirect_uri
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err("redirect_uri must be an absolute http(s) URL.");
        }
        self.check_registered(&redirect_uri)?;
        Ok(ConsentRequest {
            client_id,
            redirect_uri,
            scope: get("scope").unwrap_or_default(),
            state: get("state"),
        })
    }
}

async fn consent_page(State(sandbox): State<Sandbox>, query: QueryMap) -> Response {
    let request = match sandbox.consent_request(&query.0) {
        Ok(request) => request,
        Err(problem) => return error_page(problem),
    };
    let scopes: String = request
        .scope
        .split_whitespace()
        .map(|scope| format!("<li><code>{}</code></li>", escape(scope)))
        .collect();
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    };
    let forms: String = sandbox
        .locations()
        .iter()
        .map(|(id, name)| {
            // A relative action keeps the form working under any mount prefix.
            format!(
                "<form method=\"post\" action=\"chooselocation\">{}{}{}{}{}\
                 <label>Sign in as {}</label><button type=\"submit\">{}</button></form>",
                hidden("client_id", &request.client_id),
                hidden("redirect_uri", &request.redirect_uri),
                hidden("scope", &request.scope),
                hidden("state", request.state.as_deref().unwrap_or_default()),
                hidden("location_id", id),
                user_choice(&sandbox, id),
                escape(name),
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Choose a location · Sandbox HighLevel</title>{STYLE}</head>\
         <body><main><span class=\"badge\">Sandbox</span><h1>Choose a location</h1>\
         <p>The app <code>{}</code> asks for:</p><ul class=\"scopes\">{scopes}</ul>{forms}</main></body></html>",
        escape(&request.client_id)
    ))
    .into_response()
}

/// A list of the location's users, so tests and demos can sign in as anyone.
fn user_choice(sandbox: &Sandbox, location_id: &str) -> String {
    let store = sandbox.shared.store.read();
    let options: String = store
        .locations
        .get(location_id)
        .map(|location| {
            location
                .users
                .iter()
                .map(|user| {
                    format!(
                        "<option value=\"{}\">{} {}</option>",
                        escape(&user.id),
                        escape(&user.first_name),
                        escape(&user.last_name)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!("<select name=\"user_id\" aria-label=\"User\">{options}</select>")
}

async fn consent_given(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    let Ok(values) = serde_urlencoded::from_bytes::<HashMap<String, String>>(&body) else {
        return error_page("The consent form could not be read.");
    };
    let request = match sandbox.consent_request(&values) {
        Ok(request) => request,
        Err(problem) => return error_page(problem),
    };
    let location_id = values.get("location_id").cloned().unwrap_or_default();
    let user_id = {
        let store = sandbox.shared.store.read();
        match store.locations.get(&location_id) {
            // The person chosen on the page, if they belong to the location;
            // otherwise its first user (the account admin).
            Some(location) => location
                .users
                .iter()
                .find(|user| values.get("user_id") == Some(&user.id))
                .or_else(|| location.users.first())
                .map(|user| user.id.clone())
                .unwrap_or_default(),
            None => return error_page("Unknown location."),
        }
    };
    let grant = Grant {
        client_id: request.client_id,
        location_id,
        user_id,
        scopes: request
            .scope
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    };
    let code = sandbox
        .shared
        .auth
        .lock()
        .issue_code(grant, request.redirect_uri.clone());
    let mut params = vec![("code", code)];
    if let Some(state) = request.state {
        params.push(("state", state));
    }
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    let separator = if request.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!("{}{separator}{query}", request.redirect_uri)).into_response()
}

fn invalid_grant(description: &str) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_grant",
        description: description.into(),
    }
}

/// `POST /oauth/token`: form-encoded `GetAccessCodebodyDto`.
async fn token(
    State(sandbox): State<Sandbox>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(ApiError::unprocessable(
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| ApiError::BadRequest("the form body could not be read".into()))?;
    let get = |key: &str| form.get(key).map(String::as_str).filter(|v| !v.is_empty());
    let missing: Vec<String> = ["client_id", "client_secret", "grant_type"]
        .iter()
        .filter(|key| get(key).is_none())
        .map(|key| format!("{key} should not be empty"))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::Unprocessable(missing));
    }
    let client_id = get("client_id").unwrap_or_default();
    let secret_ok = sandbox.config().clients.iter().any(|client| {
        client.client_id == client_id && Some(client.client_secret.as_str()) == get("client_secret")
    });
    if !secret_ok {
        return Err(ApiError::OAuth {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Invalid client: client_id or client_secret is invalid".into(),
        });
    }
    if get("user_type") == Some("Company") {
        return Err(ApiError::OAuth {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            description: "The sandbox issues Sub-Account (Location) tokens only".into(),
        });
    }
    let grant = match get("grant_type").unwrap_or_default() {
        "authorization_code" => redeem_code(&sandbox, client_id, get("code"), get("redirect_uri"))?,
        "refresh_token" => redeem_refresh(&sandbox, client_id, get("refresh_token"))?,
        "client_credentials" => {
            return Err(ApiError::OAuth {
                status: StatusCode::BAD_REQUEST,
                error: "unsupported_grant_type",
                description: "The sandbox does not issue client_credentials tokens".into(),
            })
        }
        _ => {
            return Err(ApiError::unprocessable(
                "grant_type must be one of the following values: authorization_code, refresh_token, client_credentials",
            ))
        }
    };
    Ok(Json(token_answer(&sandbox, grant)))
}

fn redeem_code(
    sandbox: &Sandbox,
    client_id: &str,
    code: Option<&str>,
    redirect_uri: Option<&str>,
) -> ApiResult<Grant> {
    let code = code.ok_or_else(|| ApiError::unprocessable("code should not be empty"))?;
    let redeemed = sandbox
        .shared
        .auth
        .lock()
        .redeem_code(code)
        .ok_or_else(|| {
            invalid_grant("Invalid grant: authorization code is invalid, expired or already used")
        })?;
    if redeemed.grant.client_id != client_id {
        return Err(invalid_grant(
            "Invalid grant: the code was issued to another client",
        ));
    }
    if redirect_uri.is_some_and(|uri| uri != redeemed.redirect_uri) {
        return Err(invalid_grant("Invalid grant: redirect_uri does not match"));
    }
    Ok(redeemed.grant)
}

fn redeem_refresh(sandbox: &Sandbox, client_id: &str, token: Option<&str>) -> ApiResult<Grant> {
    let token =
        token.ok_or_else(|| ApiError::unprocessable("refresh_token should not be empty"))?;
    let mut auth = sandbox.shared.auth.lock();
    let grant = auth
        .redeem_refresh(token)
        .ok_or_else(|| invalid_grant("Invalid grant: refresh token is invalid"))?;
    if grant.client_id != client_id {
        return Err(invalid_grant(
            "Invalid grant: the refresh token was issued to another client",
        ));
    }
    Ok(grant)
}

/// `GetAccessCodeSuccessfulResponseDto` for a Sub-Account token.
fn token_answer(sandbox: &Sandbox, grant: Grant) -> Value {
    let ttl = sandbox.config().token_ttl;
    let company_id = sandbox.shared.store.read().company_id.clone();
    let (access, refresh) = sandbox.shared.auth.lock().issue_pair(grant.clone(), ttl);
    json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
        "refresh_token": refresh,
        "scope": grant.scope_string(),
        "userType": "Location",
        "locationId": grant.location_id,
        "companyId": company_id,
        "userId": grant.user_id,
        "planId": "sandbox-plan",
        "isBulkInstallation": false,
    })
}
