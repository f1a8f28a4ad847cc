//! Who may do what: HighLevel sign-in, sessions, teams and roles, and the
//! encrypted storage of HighLevel tokens.

pub mod vault;
