//! Reads the outgoing settings form into a [`Change`], or the first problem,
//! named by its field so the page shows it there.

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::SecretString;

use super::base_url::BaseUrl;
use super::deliver::sets_header;
use super::guard::Reach;
use super::model::AuthMode;
use super::settings::{Change, Settings, MAX_TIMEOUT_SECS};
use crate::app_error::FieldProblem;

/// The form as sent; field names are the inputs'.
pub struct Form {
    pub base_url: String,
    pub auth_mode: AuthMode,
    pub auth_header: String,
    /// Empty or absent keeps the stored secret.
    pub auth_value: Option<String>,
    pub timeout_secs: u32,
}

/// `form` checked against what is stored and where deliveries may go.
pub async fn read(
    form: Form,
    stored: Option<&Settings>,
    reach: Reach,
) -> Result<Change, FieldProblem> {
    let base_url = base_url(&form.base_url, reach).await?;
    let auth_header = auth_header(form.auth_mode, &form.auth_header)?;
    let auth_value = auth_value(&form, stored)?;
    if !(1..=MAX_TIMEOUT_SECS).contains(&form.timeout_secs) {
        return Err(FieldProblem::new(
            "timeout_secs",
            &format!("Choose between 1 and {MAX_TIMEOUT_SECS} seconds."),
        ));
    }
    Ok(Change {
        base_url,
        auth_mode: form.auth_mode,
        auth_header,
        auth_value,
        timeout_secs: form.timeout_secs,
    })
}

async fn base_url(text: &str, reach: Reach) -> Result<BaseUrl, FieldProblem> {
    let problem = |message: &str| FieldProblem::new("base_url", message);
    let url = BaseUrl::parse(text).map_err(|message| problem(&message))?;
    reach
        .allows(&url)
        .await
        .map_err(|refusal| problem(&refusal.to_string()))?;
    Ok(url)
}

/// The sign-in header's name, lower-cased; empty unless the mode uses one.
fn auth_header(mode: AuthMode, text: &str) -> Result<String, FieldProblem> {
    if mode != AuthMode::Header {
        return Ok(String::new());
    }
    let problem = |message: &str| FieldProblem::new("auth_header", message);
    let text = text.trim();
    if text.is_empty() {
        return Err(problem(
            "Enter the header the app reads its key from, such as X-Api-Key.",
        ));
    }
    let name = HeaderName::from_bytes(text.as_bytes())
        .map_err(|_| problem("A header name is letters, digits and dashes, such as X-Api-Key."))?;
    if sets_header(&name) {
        return Err(problem(&format!(
            "Switchboard sets {name} itself; choose another header."
        )));
    }
    Ok(name.as_str().to_owned())
}

/// A new secret, or `None` to keep the stored one where that still fits.
fn auth_value(
    form: &Form,
    stored: Option<&Settings>,
) -> Result<Option<SecretString>, FieldProblem> {
    if form.auth_mode == AuthMode::None {
        return Ok(None);
    }
    let given = form
        .auth_value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty());
    let kept =
        stored.is_some_and(|stored| stored.has_auth_secret() && stored.auth_mode == form.auth_mode);
    match given {
        Some(value) => secret(form.auth_mode, value).map(Some),
        None if kept => Ok(None),
        None => Err(value_problem(form.auth_mode)),
    }
}

/// `value` as the secret of `mode`, when it can be sent that way.
fn secret(mode: AuthMode, value: &str) -> Result<SecretString, FieldProblem> {
    let fits = match mode {
        AuthMode::Basic => value
            .split_once(':')
            .is_some_and(|(user, _)| !user.is_empty()),
        _ => HeaderValue::from_str(value).is_ok(),
    };
    if fits {
        Ok(SecretString::from(value.to_owned()))
    } else {
        Err(value_problem(mode))
    }
}

fn value_problem(mode: AuthMode) -> FieldProblem {
    let message = match mode {
        AuthMode::Basic => "Enter the user and password as user:password.",
        _ => "Enter the token the app gave you, on one line.",
    };
    FieldProblem::new("auth_value", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(mode: AuthMode, header: &str, value: Option<&str>) -> Form {
        Form {
            base_url: "http://203.0.113.9/in".into(),
            auth_mode: mode,
            auth_header: header.into(),
            auth_value: value.map(str::to_owned),
            timeout_secs: 10,
        }
    }

    async fn field_of(form: Form) -> String {
        read(form, None, Reach::Anywhere)
            .await
            .err()
            .map(|problem| problem.field)
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn each_problem_is_named_by_its_field() {
        let mut bad_url = form(AuthMode::None, "", None);
        bad_url.base_url = "ftp://example.com".into();
        assert_eq!(field_of(bad_url).await, "base_url");
        assert_eq!(
            field_of(form(AuthMode::Header, "", Some("k"))).await,
            "auth_header"
        );
        assert_eq!(
            field_of(form(AuthMode::Header, "Content-Type", Some("k"))).await,
            "auth_header"
        );
        assert_eq!(
            field_of(form(AuthMode::Header, "bad header", Some("k"))).await,
            "auth_header"
        );
        assert_eq!(
            field_of(form(AuthMode::Bearer, "", None)).await,
            "auth_value"
        );
        assert_eq!(
            field_of(form(AuthMode::Bearer, "", Some("a\nb"))).await,
            "auth_value"
        );
        assert_eq!(
            field_of(form(AuthMode::Basic, "", Some("no-colon"))).await,
            "auth_value"
        );
        assert_eq!(
            field_of(form(AuthMode::Basic, "", Some(":pw"))).await,
            "auth_value"
        );
        let mut slow = form(AuthMode::None, "", None);
        slow.timeout_secs = 61;
        assert_eq!(field_of(slow).await, "timeout_secs");
    }

    #[tokio::test]
    async fn a_good_form_reads_into_a_change() {
        let change = read(
            form(AuthMode::Header, " X-Api-Key ", Some(" k3y ")),
            None,
            Reach::Anywhere,
        )
        .await
        .unwrap();
        assert_eq!(change.auth_header, "x-api-key");
        assert!(change.auth_value.is_some());
        let none = read(
            form(AuthMode::None, "X-Ignored", Some("ignored")),
            None,
            Reach::Anywhere,
        )
        .await
        .unwrap();
        assert_eq!(none.auth_header, "");
        assert!(none.auth_value.is_none());
    }
}
