//! `GET /healthz`: a JSON answer for load balancers and people alike.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Health {
    /// `ok` when every dependency answers, `degraded` otherwise.
    pub status: &'static str,
    pub version: &'static str,
    pub database: DatabaseHealth,
}

#[derive(Debug, Serialize)]
pub struct DatabaseHealth {
    pub reachable: bool,
    /// `embedded` (started by this server) or `external` (`DATABASE_URL`).
    pub mode: &'static str,
    pub latency_ms: Option<f64>,
    /// How many times a server has started on this database.
    pub server_starts: Option<i64>,
}

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let mode = if state.info.embedded_database {
        "embedded"
    } else {
        "external"
    };
    let latency = crate::db::ping(&state.db).await;
    let server_starts = match latency {
        Ok(_) => sqlx::query_scalar("SELECT count(*) FROM server_starts")
            .fetch_one(&state.db)
            .await
            .ok(),
        Err(_) => None,
    };
    let database = DatabaseHealth {
        reachable: latency.is_ok(),
        mode,
        latency_ms: latency
            .as_ref()
            .ok()
            .map(|elapsed| elapsed.as_secs_f64() * 1000.0),
        server_starts,
    };
    let (code, status) = if database.reachable {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    (
        code,
        Json(Health {
            status,
            version: env!("CARGO_PKG_VERSION"),
            database,
        }),
    )
}
