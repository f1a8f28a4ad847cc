//! Facts about the installation, for the Settings page.

use leptos::prelude::*;

use crate::app_error::AppError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstallationFacts {
    pub version: String,
    pub embedded_database: bool,
    pub server_starts: i64,
    /// When a server first started on this database, as `YYYY-MM-DD HH:MM UTC`
    /// (an installation serves teams in many zones).
    pub installed_at: String,
}

#[server(endpoint = "system/installation", output = crate::api::codec::JsonText)]
pub async fn get_installation_facts() -> Result<InstallationFacts, AppError> {
    let state = crate::api::guard::app_state()?;
    let (server_starts, installed_at): (i64, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT count(*), min(started_at) FROM server_starts")
            .fetch_one(&state.db)
            .await
            .map_err(AppError::from)?;
    Ok(InstallationFacts {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        embedded_database: state.info.embedded_database,
        server_starts,
        installed_at: installed_at
            .map(|at| crate::zone::TeamZone::default().moment(at))
            .unwrap_or_default(),
    })
}

/// Whether this server talks to the sandbox or to the real HighLevel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HighLevelMode {
    pub sandbox: bool,
}

#[server(endpoint = "system/highlevel-mode", output = crate::api::codec::JsonText)]
pub async fn get_highlevel_mode() -> Result<HighLevelMode, AppError> {
    let state = crate::api::guard::app_state()?;
    Ok(HighLevelMode {
        sandbox: state.highlevel.sandbox,
    })
}
