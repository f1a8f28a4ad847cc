//! Pages and components. No SQL and no HighLevel calls here: data comes from
//! server functions in `crate::api`.

pub mod alerts;
pub mod components;
pub mod icons;
pub mod island;
pub mod layout;
pub mod page_address;
pub mod page_script;
pub mod pages;
pub mod workspace;
