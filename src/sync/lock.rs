//! One sync per location across every process: a Postgres session advisory
//! lock, held on a connection of its own for the whole run. If the process
//! dies, its connection closes and Postgres releases the lock, so a crashed
//! process never blocks the location.

use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

/// First key of the lock pair: "sync" in ASCII, so it cannot meet the locks
/// of other features.
const SYNC_LOCK_CLASS: i32 = 0x7379_6e63;

/// The lock of one location; released when dropped (the connection closes).
pub struct LocationLock {
    connection: PgConnection,
    location_id: String,
}

impl LocationLock {
    /// Takes the location's lock, or `None` when another run holds it.
    pub async fn try_acquire(pool: &PgPool, location_id: &str) -> sqlx::Result<Option<Self>> {
        let mut connection = pool.connect_options().connect().await?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
            .bind(SYNC_LOCK_CLASS)
            .bind(location_id)
            .fetch_one(&mut connection)
            .await?;
        if !taken {
            connection.close().await?;
            return Ok(None);
        }
        Ok(Some(LocationLock {
            connection,
            location_id: location_id.to_owned(),
        }))
    }

    /// Whether some process holds the location's lock right now.
    pub async fn is_held(pool: &PgPool, location_id: &str) -> sqlx::Result<bool> {
        sqlx::query_scalar(
            r"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND classid = $1::int::oid AND objid = hashtext($2)::oid AND objsubid = 2)",
        )
        .bind(SYNC_LOCK_CLASS)
        .bind(location_id)
        .fetch_one(pool)
        .await
    }

    /// Lets go of the lock and closes its connection.
    pub async fn release(mut self) {
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2))")
            .bind(SYNC_LOCK_CLASS)
            .bind(&self.location_id)
            .execute(&mut self.connection)
            .await;
        if let Err(error) = unlocked {
            tracing::warn!(%error, "releasing a sync lock; closing its connection releases it");
        }
        let _ = self.connection.close().await;
    }
}
