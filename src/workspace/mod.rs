//! The contact workspace: the queries behind the contact list, a contact's
//! page, tasks and appointments, the CSV export, and the writes that go to
//! HighLevel and then into the cache.

#[cfg(feature = "ssr")]
pub mod appointments;
#[cfg(feature = "ssr")]
pub mod bulk_tags;
#[cfg(feature = "ssr")]
pub mod contact;
#[cfg(feature = "ssr")]
pub mod contacts;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
pub mod export;
pub mod filter;
pub mod model;
#[cfg(feature = "ssr")]
pub mod phone;
#[cfg(feature = "ssr")]
pub mod tasks;
#[cfg(feature = "ssr")]
pub mod writes;

#[cfg(feature = "ssr")]
pub use error::WorkspaceError;
#[cfg(feature = "ssr")]
pub use team::Team;

#[cfg(feature = "ssr")]
mod team {
    use crate::highlevel::HighLevelClient;
    use crate::zone::TeamZone;

    /// The signed-in person's team as the workspace works with it: its data,
    /// a client that speaks to HighLevel for it, and who is working.
    pub struct Team {
        pub db: sqlx::PgPool,
        pub location_id: String,
        pub client: HighLevelClient,
        pub zone: TeamZone,
        /// The person's own id (their tasks are "mine").
        pub user_id: i64,
        /// Whether the person's role lets them change data.
        pub can_write: bool,
    }
}
