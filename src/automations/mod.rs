//! Automations: "when this happens, do that". `model` is what the builder
//! saves and pages show, `form` the builder's form of it, and
//! `highlevel_events` the HighLevel changes a trigger can wait for; `store` keeps automations and their versions;
//! `runs` is the durable queue of runs any server process claims from, and
//! `journal` the record of each step of a run; `filter` decides whether a
//! run goes on, `steps` plans and sends each kind of step (and `calls` knows which
//! HighLevel operations and scopes they need), `resume` checks
//! a step that may have been sent before sending it again, `execute` runs
//! one run (and works out its waits and branches itself, as they send
//! nothing), and `worker` claims and runs them. `schedule` says when a
//! schedule ticks, and `scheduler` queues one run per tick, however many
//! server processes look. `recipes` are the ready-made automations of the
//! apps a team connects.

pub mod form;
pub mod highlevel_events;
pub mod model;

#[cfg(feature = "ssr")]
pub mod calls;
#[cfg(feature = "ssr")]
pub mod execute;
#[cfg(feature = "ssr")]
pub mod filter;
#[cfg(feature = "ssr")]
pub mod journal;
#[cfg(feature = "ssr")]
pub mod recipes;
#[cfg(feature = "ssr")]
pub mod resume;
#[cfg(feature = "ssr")]
pub mod runs;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod steps;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod worker;
