//! The Read API: apps that pull (Workiom loading a contact when someone
//! opens it, ConvertCalculator reading a contact's tasks and notes) read
//! their team's cached contacts with their connection's key. Answers come
//! from the cache only: no HighLevel request, no share of its budget.

pub mod fields;
pub mod keys;
