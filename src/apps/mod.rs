//! Other apps that send Switchboard their events (Clubworx, GymFlow, ...),
//! and how those events become HighLevel contacts, tasks and notes.

pub mod mapping;
