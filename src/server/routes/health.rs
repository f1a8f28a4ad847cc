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
    /// Only when reports read from a replica (`REPORTS_DATABASE_URL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports_replica: Option<ReplicaHealth>,
}

/// A replica that does not answer breaks the reports only, so it leaves the
/// status code alone and says so here.
#[derive(Debug, Serialize)]
pub struct ReplicaHealth {
    pub reachable: bool,
    /// How far the replica's replay is behind what the primary wrote.
    pub replay_lag_bytes: Option<i64>,
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
    let reports_replica = if state.info.reports_on_replica {
        Some(replica_health(&state).await)
    } else {
        None
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
            reports_replica,
        }),
    )
}

async fn replica_health(state: &AppState) -> ReplicaHealth {
    let replayed: Option<String> = sqlx::query_scalar("SELECT pg_last_wal_replay_lsn()::TEXT")
        .fetch_one(&state.reports_db)
        .await
        .ok()
        .flatten();
    let Some(replayed) = replayed else {
        return ReplicaHealth {
            reachable: false,
            replay_lag_bytes: None,
        };
    };
    let replay_lag_bytes =
        sqlx::query_scalar("SELECT (pg_current_wal_lsn() - $1::TEXT::pg_lsn)::BIGINT")
            .bind(replayed)
            .fetch_one(&state.db)
            .await
            .ok();
    ReplicaHealth {
        reachable: true,
        replay_lag_bytes,
    }
}
