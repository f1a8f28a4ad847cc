//! `switchboard events`: what no team sees. Events of a location no team
//! uses, and the short records of refused requests, for the operator.

use crate::config::Config;
use crate::inbound::refused;

use super::store;

#[derive(Debug, clap::Args)]
pub struct EventsArgs {
    /// How many of each to list, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

pub async fn run(config: &Config, args: EventsArgs) -> anyhow::Result<()> {
    let database = crate::db::Database::open(config).await?;
    let listed = print(&database.pool, args.limit).await;
    database.close().await;
    listed
}

async fn print(db: &sqlx::PgPool, limit: i64) -> anyhow::Result<()> {
    let unassigned = store::unassigned(db, limit).await?;
    println!("Events of locations no team uses ({}):", unassigned.len());
    for event in unassigned {
        println!(
            "  #{} {} {} location={} {:?} {}",
            event.id,
            event.received_at.format("%Y-%m-%d %H:%M:%S UTC"),
            event.event_type.as_deref().unwrap_or("-"),
            event.location_id.as_deref().unwrap_or("-"),
            event.status,
            event.status_detail,
        );
    }
    let refused = refused::newest(db, limit).await?;
    println!("Refused requests ({}):", refused.len());
    for request in refused {
        println!(
            "  {} {} from {}: {} ({} bytes{})",
            request.received_at.format("%Y-%m-%d %H:%M:%S UTC"),
            request.door,
            request.source,
            request.reason,
            request
                .body_bytes
                .map_or_else(|| "?".to_owned(), |bytes| bytes.to_string()),
            request
                .body_digest
                .map(|digest| format!(", sha256 {digest}…"))
                .unwrap_or_default(),
        );
    }
    Ok(())
}
