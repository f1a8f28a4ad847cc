//! The per-location request budget: at most N requests in any window (100
//! per 10 s at HighLevel) and a daily allowance, corrected from the
//! `X-RateLimit-*` headers of each answer.
//!
//! [`RateLimiter::shared`] keeps the budget in Postgres so that every server
//! process draws from the same one: a process takes the location's budget row
//! lock, counts the grants younger than the window, and records its own grant
//! before it lets go, so N processes together never exceed the budget.
//! [`RateLimiter::in_process`] keeps it in memory, for a single process with
//! no database, such as one `switchboard api` run.
//!
//! People come first: a limiter [in the background](RateLimiter::in_background)
//! (syncs, polls) takes no slot while a person's request is waiting for one,
//! so a sync that keeps the budget busy for minutes delays a sign-in or a
//! write from a page by one slot at most.
//!
//! HighLevel counts a request when it arrives, some time after it was
//! granted. So once the answer is back, the grant is [settled](RateLimiter::answered):
//! its time moves to the answer's arrival, which is never earlier than when
//! HighLevel counted it. Counting windows from there keeps the requests
//! HighLevel sees spread over a full window even when some were slow to reach it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use reqwest::header::HeaderMap;
use sqlx::PgPool;

use super::error::HighLevelError;

/// The budget this app allows itself per location, until HighLevel's headers
/// announce theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateBudget {
    /// Length of the sliding window.
    pub window: Duration,
    /// Requests allowed in any window.
    pub per_window: u32,
    /// Requests allowed per UTC day.
    pub per_day: u32,
    /// Longest a request waits for the budget before it fails as "slowed down".
    pub max_wait: Duration,
}

impl Default for RateBudget {
    /// HighLevel's documented limits.
    fn default() -> Self {
        RateBudget {
            window: Duration::from_secs(10),
            per_window: 100,
            per_day: 200_000,
            max_wait: Duration::from_secs(60),
        }
    }
}

/// What the `X-RateLimit-*` headers of an answer said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHeaders {
    pub window_max: Option<u32>,
    pub window_ms: Option<u32>,
    pub window_remaining: Option<u32>,
    pub daily_max: Option<u32>,
    pub daily_remaining: Option<u32>,
}

impl RateHeaders {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u32>().ok())
        };
        RateHeaders {
            window_max: number("x-ratelimit-max"),
            window_ms: number("x-ratelimit-interval-milliseconds"),
            window_remaining: number("x-ratelimit-remaining"),
            daily_max: number("x-ratelimit-limit-daily"),
            daily_remaining: number("x-ratelimit-daily-remaining"),
        }
    }

    /// What a 429 implies: nothing is left in the current window.
    pub fn window_spent() -> Self {
        RateHeaders {
            window_remaining: Some(0),
            ..RateHeaders::default()
        }
    }

    fn is_empty(&self) -> bool {
        *self == RateHeaders::default()
    }
}

/// The limits in force: what HighLevel last announced, else our budget,
/// with the window stretched by a small [`margin`].
#[derive(Debug, Clone, Copy)]
struct Limits {
    window: Duration,
    per_window: u32,
    per_day: u32,
}

impl Limits {
    fn new(budget: &RateBudget, learned: &Learned) -> Self {
        let window = learned
            .window_ms
            .map_or(budget.window, |ms| Duration::from_millis(ms.into()));
        Limits {
            window: window + margin(window),
            per_window: learned.window_max.unwrap_or(budget.per_window),
            per_day: learned.daily_max.unwrap_or(budget.per_day),
        }
    }
}

/// A fortieth of the window (250 ms of HighLevel's 10 s), for the spread of
/// clocks and delays that settling does not cover: each window is counted
/// from when its answers came back, which is already later than HighLevel
/// counted them.
fn margin(window: Duration) -> Duration {
    window / 40
}

/// Limits HighLevel announced in earlier answers.
#[derive(Debug, Clone, Copy, Default)]
struct Learned {
    window_max: Option<u32>,
    window_ms: Option<u32>,
    daily_max: Option<u32>,
}

/// Whose request asks for the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    /// Someone is waiting for the answer: a page, a sign-in, the command line.
    People,
    /// Nobody is waiting: syncs and polls yield to people.
    Background,
}

/// How long background requests stay away after the moment a waiting
/// person's slot is expected, so that the person takes it first.
const PEOPLE_GRACE: Duration = Duration::from_millis(250);

/// The permission for one request, to hand back to [`RateLimiter::answered`]
/// once its answer has come.
#[derive(Debug)]
#[must_use = "a grant is settled when the answer is back"]
pub struct Grant {
    id: i64,
}

/// The outcome of one try at the budget.
enum Decision {
    Granted(Grant),
    Wait(Duration),
    DayExhausted,
}

/// Hands out the permission to send a request, per location.
#[derive(Clone)]
pub struct RateLimiter {
    budget: RateBudget,
    store: Store,
    priority: Priority,
}

#[derive(Clone)]
enum Store {
    Shared(PgPool),
    Local(Arc<Mutex<HashMap<String, LocalState>>>),
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let store = match self.store {
            Store::Shared(_) => "postgres",
            Store::Local(_) => "in-process",
        };
        f.debug_struct("RateLimiter")
            .field("budget", &self.budget)
            .field("store", &store)
            .field("priority", &self.priority)
            .finish()
    }
}

impl RateLimiter {
    /// A budget shared through Postgres by every process using `pool`.
    pub fn shared(pool: PgPool, budget: RateBudget) -> Self {
        RateLimiter {
            budget,
            store: Store::Shared(pool),
            priority: Priority::People,
        }
    }

    /// A budget kept in this process only.
    pub fn in_process(budget: RateBudget) -> Self {
        RateLimiter {
            budget,
            store: Store::Local(Arc::default()),
            priority: Priority::People,
        }
    }

    /// The same budget for work nobody is waiting for: it takes no slot
    /// while a person's request waits for one.
    pub fn in_background(mut self) -> Self {
        self.priority = Priority::Background;
        self
    }

    pub fn budget(&self) -> &RateBudget {
        &self.budget
    }

    /// Waits until a request for `location_id` fits in the budget and counts
    /// it. Fails when the wait would exceed `max_wait` or the day is spent.
    pub async fn acquire(&self, location_id: &str) -> Result<Grant, HighLevelError> {
        let deadline = Instant::now() + self.budget.max_wait;
        loop {
            let wait = match self.try_acquire(location_id).await? {
                Decision::Granted(grant) => return Ok(grant),
                Decision::DayExhausted => {
                    return Err(HighLevelError::DailyBudgetSpent {
                        location_id: location_id.to_owned(),
                    })
                }
                // Never spin: the oldest grant may expire this very millisecond.
                Decision::Wait(wait) => wait.max(Duration::from_millis(1)),
            };
            if Instant::now() + wait > deadline {
                return Err(HighLevelError::BudgetSpent {
                    location_id: location_id.to_owned(),
                    wait,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// The answer to a granted request has come (or the request failed):
    /// the grant's window runs from now, and what the answer's headers
    /// said corrects the budget.
    pub async fn answered(
        &self,
        location_id: &str,
        grant: Grant,
        headers: &RateHeaders,
    ) -> Result<(), HighLevelError> {
        match &self.store {
            Store::Shared(pool) => {
                answered_shared(pool, &self.budget, location_id, grant, headers).await
            }
            Store::Local(states) => {
                let mut states = lock(states);
                let state = states.entry(location_id.to_owned()).or_default();
                state.settle(grant.id);
                if !headers.is_empty() {
                    state.observe(&self.budget, headers);
                }
                Ok(())
            }
        }
    }

    /// Requests counted against `location_id` today (UTC).
    pub async fn used_today(&self, location_id: &str) -> Result<u32, HighLevelError> {
        match &self.store {
            Store::Shared(pool) => {
                let used: Option<i32> = sqlx::query_scalar(
                    r"SELECT CASE WHEN day = (clock_timestamp() AT TIME ZONE 'UTC')::date
                     THEN day_used ELSE 0 END
                     FROM highlevel_rate_budget WHERE location_id = $1",
                )
                .bind(location_id)
                .fetch_optional(pool)
                .await?;
                Ok(used.map_or(0, |used| used.max(0).unsigned_abs()))
            }
            Store::Local(states) => Ok(lock(states)
                .get(location_id)
                .map_or(0, |state| state.used_today())),
        }
    }

    async fn try_acquire(&self, location_id: &str) -> Result<Decision, HighLevelError> {
        match &self.store {
            Store::Shared(pool) => {
                try_acquire_shared(pool, &self.budget, self.priority, location_id).await
            }
            Store::Local(states) => Ok(lock(states)
                .entry(location_id.to_owned())
                .or_default()
                .try_acquire(&self.budget, self.priority)),
        }
    }
}

/// A poisoned lock only means another request panicked mid-update; the
/// counters are still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// One try at the shared budget: one call, so the location's row is locked
/// only while Postgres decides (see the migration `rate_budget_in_one_call`).
async fn try_acquire_shared(
    pool: &PgPool,
    budget: &RateBudget,
    priority: Priority,
    location_id: &str,
) -> Result<Decision, HighLevelError> {
    let (decision, grant, wait_secs): (String, Option<i64>, Option<f64>) =
        sqlx::query_as("SELECT * FROM highlevel_rate_acquire($1, $2, $3, $4, $5, $6)")
            .bind(location_id)
            .bind(budget.window.as_secs_f64())
            .bind(to_i32(budget.per_window))
            .bind(to_i32(budget.per_day))
            .bind(priority == Priority::Background)
            .bind(PEOPLE_GRACE.as_secs_f64())
            .fetch_one(pool)
            .await?;
    Ok(match (decision.as_str(), grant) {
        ("granted", Some(id)) => Decision::Granted(Grant { id }),
        ("day_spent", _) => Decision::DayExhausted,
        _ => Decision::Wait(Duration::from_secs_f64(
            wait_secs.unwrap_or(0.0).clamp(0.0, 86_400.0),
        )),
    })
}

/// Settles the grant and learns from the headers in one call, which takes
/// the location's row lock only when the headers tell something new (see
/// the migration `rate_budget_counted`).
async fn answered_shared(
    pool: &PgPool,
    budget: &RateBudget,
    location_id: &str,
    grant: Grant,
    headers: &RateHeaders,
) -> Result<(), HighLevelError> {
    sqlx::query("SELECT highlevel_rate_answered($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(grant.id)
        .bind(location_id)
        .bind(budget.window.as_secs_f64())
        .bind(to_i32(budget.per_window))
        .bind(headers.window_max.map(to_i32))
        .bind(headers.window_ms.map(to_i32))
        .bind(headers.daily_max.map(to_i32))
        .bind(headers.window_remaining.map(to_i32))
        .bind(headers.daily_remaining.map(to_i32))
        .execute(pool)
        .await?;
    Ok(())
}

impl Learned {
    fn absorb(&mut self, headers: &RateHeaders) {
        self.window_max = headers.window_max.or(self.window_max);
        self.window_ms = headers.window_ms.or(self.window_ms);
        self.daily_max = headers.daily_max.or(self.daily_max);
    }
}

impl RateHeaders {
    /// Requests HighLevel counted in its current window, if it said.
    fn window_used(&self, per_window: u32) -> Option<u32> {
        let max = self.window_max.unwrap_or(per_window);
        self.window_remaining
            .map(|remaining| max.saturating_sub(remaining))
    }

    /// Requests HighLevel counted today, if it said.
    fn daily_used(&self, daily_max: Option<u32>) -> Option<u32> {
        let max = self.daily_max.or(daily_max)?;
        self.daily_remaining
            .map(|remaining| max.saturating_sub(remaining))
    }
}

/// The in-memory budget of one location.
#[derive(Debug, Default)]
struct LocalState {
    /// Grant id and time, oldest first until grants are settled.
    grants: Vec<(i64, Instant)>,
    next_id: i64,
    learned: Learned,
    day: Option<NaiveDate>,
    day_used: u32,
    /// Until when background requests leave the next slot to a person.
    people_waiting_until: Option<Instant>,
}

impl LocalState {
    fn try_acquire(&mut self, budget: &RateBudget, priority: Priority) -> Decision {
        let limits = Limits::new(budget, &self.learned);
        if self.used_today() >= limits.per_day {
            return Decision::DayExhausted;
        }
        let now = Instant::now();
        let people_wait = self
            .people_waiting_until
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        if priority == Priority::Background && !people_wait.is_zero() {
            return Decision::Wait(people_wait);
        }
        self.expire(now, limits.window);
        if self.grants.len() >= usize::try_from(limits.per_window).unwrap_or(usize::MAX) {
            let oldest = self.grants.iter().map(|(_, at)| *at).min().unwrap_or(now);
            let wait = (oldest + limits.window).saturating_duration_since(now);
            if priority == Priority::People {
                let until = now + wait + PEOPLE_GRACE;
                self.people_waiting_until = self.people_waiting_until.max(Some(until));
            }
            return Decision::Wait(wait);
        }
        self.next_id += 1;
        self.grants.push((self.next_id, now));
        self.count_today(1);
        Decision::Granted(Grant { id: self.next_id })
    }

    fn observe(&mut self, budget: &RateBudget, headers: &RateHeaders) {
        self.learned.absorb(headers);
        if let Some(reported) = headers.daily_used(self.learned.daily_max) {
            let extra = reported.saturating_sub(self.used_today());
            self.count_today(extra);
        }
        let limits = Limits::new(budget, &self.learned);
        let now = Instant::now();
        self.expire(now, limits.window);
        if let Some(reported) = headers.window_used(limits.per_window) {
            let counted = u32::try_from(self.grants.len()).unwrap_or(u32::MAX);
            for _ in counted..reported {
                // Reported requests have no grant of ours to settle.
                self.grants.push((0, now));
            }
        }
    }

    fn expire(&mut self, now: Instant, window: Duration) {
        self.grants
            .retain(|(_, at)| now.saturating_duration_since(*at) < window);
    }

    fn settle(&mut self, id: i64) {
        if let Some(grant) = self.grants.iter_mut().find(|(grant, _)| *grant == id) {
            grant.1 = Instant::now();
        }
    }

    fn used_today(&self) -> u32 {
        if self.day == Some(Utc::now().date_naive()) {
            self.day_used
        } else {
            0
        }
    }

    fn count_today(&mut self, requests: u32) {
        self.day_used = self.used_today().saturating_add(requests);
        self.day = Some(Utc::now().date_naive());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn small_budget() -> RateBudget {
        RateBudget {
            window: Duration::from_millis(200),
            per_window: 5,
            per_day: 1_000,
            max_wait: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn the_in_process_budget_never_grants_more_than_the_window_allows() {
        let limiter = RateLimiter::in_process(small_budget());
        let started = Instant::now();
        for _ in 0..12 {
            limiter.acquire("loc").await.ok();
        }
        // 12 grants at 5 per 200 ms need at least two full windows.
        assert!(
            started.elapsed() >= Duration::from_millis(400),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(limiter.used_today("loc").await, Ok(12));
    }

    #[tokio::test]
    async fn in_process_a_waiting_person_goes_before_background_work() {
        let people = RateLimiter::in_process(small_budget());
        let background = people.clone().in_background();
        for _ in 0..5 {
            let _grant = background.acquire("loc").await;
        }
        let waiting = {
            let background = background.clone();
            tokio::spawn(async move {
                let _grant = background.acquire("loc").await;
                Instant::now()
            })
        };
        let _grant = people.acquire("loc").await;
        let person_granted = Instant::now();
        assert!(waiting.await.unwrap() > person_granted);
    }

    #[tokio::test]
    async fn a_reported_remaining_of_zero_fills_the_window() {
        let limiter = RateLimiter::in_process(RateBudget {
            max_wait: Duration::ZERO,
            ..small_budget()
        });
        let grant = limiter.acquire("loc").await.expect("a grant");
        limiter
            .answered("loc", grant, &RateHeaders::window_spent())
            .await
            .ok();
        let refused = limiter.acquire("loc").await;
        assert!(
            matches!(refused, Err(HighLevelError::BudgetSpent { .. })),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_spent_daily_budget_is_reported_not_waited_for() {
        let limiter = RateLimiter::in_process(small_budget());
        let headers = RateHeaders {
            daily_max: Some(10),
            daily_remaining: Some(0),
            ..RateHeaders::default()
        };
        let grant = limiter.acquire("loc").await.expect("a grant");
        limiter.answered("loc", grant, &headers).await.ok();
        let refused = limiter.acquire("loc").await;
        assert!(
            matches!(refused, Err(HighLevelError::DailyBudgetSpent { .. })),
            "{refused:?}"
        );
    }

    #[test]
    fn headers_are_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert("X-RateLimit-Max", HeaderValue::from_static("100"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("7"));
        let read = RateHeaders::from_headers(&headers);
        assert_eq!(read.window_max, Some(100));
        assert_eq!(read.window_remaining, Some(7));
        assert_eq!(read.daily_max, None);
    }
}
