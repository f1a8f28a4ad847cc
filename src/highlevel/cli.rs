//! `switchboard api`: sends any operation of the catalogue to any
//! HighLevel-compatible base URL and prints the answer as JSON.
//!
//! With `DATABASE_URL` set, the command draws from the same Postgres rate
//! budget as the servers and writes the request log, so a script cannot
//! starve them. Without it, it keeps an in-process budget: a single command
//! run cannot exceed HighLevel's limits on its own, the `X-RateLimit-*`
//! headers still correct it, and the command stays usable with nothing set up.

use std::io::Read;
use std::time::Duration;

use anyhow::{anyhow, Context};
use secrecy::SecretString;
use serde_json::Value;

use super::client::{HighLevelClient, Params, DEFAULT_BASE_URL};
use super::operations;
use super::retry::RetryPolicy;
use super::token::StaticToken;
use crate::config::Config;

#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Send one HighLevel API operation and print the answer as JSON",
    after_help = "Example: switchboard api --token pit-... --location LOC get-contact --param contactId=ID\n\
                  `switchboard api --list` shows every operation."
)]
pub struct ApiArgs {
    /// The operationId of the official document, e.g. get-contact, create-task,
    /// search-contacts-advanced; `list` shows them all.
    pub operation: Option<String>,

    /// Base URL of the HighLevel API (or of a compatible service).
    #[arg(long, env = "HIGHLEVEL_API_BASE", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,

    /// Access token or Private Integration Token of the location.
    #[arg(long, env = "HIGHLEVEL_TOKEN", hide_env_values = true, value_parser = secret)]
    pub token: Option<SecretString>,

    /// The location (sub-account) id; fills every `locationId` the operation takes.
    #[arg(long, env = "HIGHLEVEL_LOCATION_ID")]
    pub location: Option<String>,

    /// A path or query parameter, as name=value; repeat for several.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,

    /// The JSON body; `@file` reads it from a file, `-` from standard input.
    #[arg(long)]
    pub body: Option<String>,

    /// List every operation and exit.
    #[arg(long)]
    pub list: bool,

    /// Attempts in all for answers that may succeed later (429, 5xx, timeouts).
    #[arg(long, default_value_t = RetryPolicy::default().max_attempts)]
    pub attempts: u32,

    /// Seconds one attempt may take.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
}

/// Runs the command: prints the answer on standard output, or fails with
/// the error in plain words.
pub async fn run(config: &Config, args: ApiArgs) -> anyhow::Result<()> {
    let operation_id = match args.operation.as_deref() {
        _ if args.list => return print_catalogue(),
        Some("list") => return print_catalogue(),
        Some(operation_id) => operation_id.to_owned(),
        None => return Err(anyhow!("name an operation, or use --list to see them")),
    };
    let token = args
        .token
        .clone()
        .ok_or_else(|| anyhow!("--token (or HIGHLEVEL_TOKEN) is needed to call HighLevel"))?;
    let body = read_body(args.body.as_deref())?;
    let params: Params = args.params.iter().cloned().collect();
    let location = location_of(&args, &params, body.as_ref());
    let needs_location = operations::find(&operation_id).is_some_and(|op| op.takes_location());
    if location.is_empty() && needs_location {
        return Err(anyhow!(
            "{operation_id} needs a location: give --location ID"
        ));
    }
    let client = build_client(config, &args, token).await?;
    match client.call(&operation_id, &location, &params, body).await {
        Ok(answer) => {
            println!("{}", serde_json::to_string_pretty(&answer)?);
            Ok(())
        }
        Err(error) => Err(anyhow!("{} ({error})", error.user_message())),
    }
}

/// The location the call is for: `--location`, else a `locationId` given as
/// a parameter or in the body. It also picks the rate budget the call draws from.
fn location_of(args: &ApiArgs, params: &Params, body: Option<&Value>) -> String {
    args.location
        .clone()
        .or_else(|| params.get(operations::LOCATION_ID).cloned())
        .or_else(|| {
            let location = body?.get(operations::LOCATION_ID)?.as_str()?;
            Some(location.to_owned())
        })
        .unwrap_or_default()
}

async fn build_client(
    config: &Config,
    args: &ApiArgs,
    token: SecretString,
) -> anyhow::Result<HighLevelClient> {
    let retry = RetryPolicy {
        max_attempts: args.attempts.max(1),
        ..RetryPolicy::default()
    };
    let mut builder = HighLevelClient::builder(&args.base_url, StaticToken::new(token))
        .retry(retry)
        .timeout(Duration::from_secs(args.timeout_secs.max(1)));
    if let Some(url) = &config.database_url {
        use secrecy::ExposeSecret;
        let pool = crate::db::connect(url.expose_secret(), 2).await?;
        crate::db::migrate(&pool).await?;
        builder = builder.shared_through(&pool);
    }
    Ok(builder.build()?)
}

fn print_catalogue() -> anyhow::Result<()> {
    for operation in operations::all() {
        println!(
            "{:<36} {:<6} {:<48} Version {}  scope {}\n{:<36} {}",
            operation.id,
            operation.method.as_str(),
            operation.path,
            operation.version.as_str(),
            operation.scope,
            "",
            operation.summary
        );
    }
    Ok(())
}

fn read_body(body: Option<&str>) -> anyhow::Result<Option<Value>> {
    let Some(body) = body else { return Ok(None) };
    let text = if body == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the body from standard input")?;
        text
    } else if let Some(path) = body.strip_prefix('@') {
        std::fs::read_to_string(path).with_context(|| format!("reading the body from {path}"))?
    } else {
        body.to_owned()
    };
    let value = serde_json::from_str(&text).context("the body is not valid JSON")?;
    Ok(Some(value))
}

fn parse_param(param: &str) -> Result<(String, String), String> {
    match param.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got {param:?}")),
    }
}

fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        api: ApiArgs,
    }

    #[test]
    fn parameters_parse_and_the_token_stays_hidden() {
        let probe = Probe::parse_from([
            "probe",
            "--token",
            "pit-secret-value",
            "--param",
            "contactId=abc=def",
            "get-contact",
        ]);
        assert_eq!(
            probe.api.params,
            [("contactId".to_owned(), "abc=def".to_owned())]
        );
        assert_eq!(probe.api.operation.as_deref(), Some("get-contact"));
        let printed = format!("{:?}", probe.api);
        assert!(!printed.contains("pit-secret-value"), "{printed}");
    }

    #[test]
    fn a_parameter_needs_a_name() {
        assert!(parse_param("=value").is_err());
        assert!(parse_param("novalue").is_err());
        assert_eq!(parse_param("a="), Ok(("a".to_owned(), String::new())));
    }
}
