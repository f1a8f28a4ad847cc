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
pub mod export;
pub mod filter;
#[cfg(feature = "ssr")]
pub mod phone;
#[cfg(feature = "ssr")]
pub mod tasks;
#[cfg(feature = "ssr")]
pub mod writes;
