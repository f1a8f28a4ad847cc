//! Recently computed reports, kept in memory so that a dashboard viewed by
//! many people at once is computed once. An answer is reused only while
//! the cache has not changed (same newest write and same last sync run)
//! and, for answers that move with the clock ("overdue", "next 7 days"),
//! within the same minute. When only the minute has turned, the first
//! person to ask computes the new answer and everyone else meanwhile gets
//! the previous minute's, so a busy dashboard never stalls at the turn of a
//! minute. Each server process keeps its own: nothing depends on it for
//! correctness.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use tokio::sync::OnceCell;

/// How many answers are kept before the oldest minute's are dropped.
const CAPACITY: usize = 256;

/// What an answer depends on besides its own inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// The newest write to the location's cache and its last sync run.
    pub stamps: [Option<DateTime<Utc>>; 2],
    pub minute: i64,
}

impl Version {
    pub fn new(stamps: [Option<DateTime<Utc>>; 2], now: DateTime<Utc>) -> Self {
        Self {
            stamps,
            minute: now.timestamp() / 60,
        }
    }
}

/// Each answer is computed once even when many ask for it at the same
/// moment: the others wait for the first computation.
pub struct Memo<K, V> {
    entries: Mutex<HashMap<(K, Version), Slot<V>>>,
    /// Whether an answer is good only for the minute it was computed in.
    moves_with_the_clock: bool,
}

/// One answer, filled by its first computation.
type Slot<V> = Arc<OnceCell<Arc<V>>>;

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            moves_with_the_clock: true,
        }
    }

    /// A memo of answers that do not move with the clock (the contact list):
    /// each is kept until the cache changes, so the turn of a minute
    /// recomputes nothing.
    pub fn regardless_of_the_clock() -> Self {
        Self {
            moves_with_the_clock: false,
            ..Self::new()
        }
    }

    /// The kept answer for `key` at `version`, or the one `compute` gives
    /// (kept unless it failed). `compute` is called, and its future boxed,
    /// only when nothing is kept: a query's future takes kilobytes, which
    /// every caller's future would otherwise carry and move on each call.
    pub async fn get_or_compute<E, F, C>(
        &self,
        key: K,
        version: Version,
        compute: C,
    ) -> Result<Arc<V>, E>
    where
        C: FnOnce() -> F,
        F: Future<Output = Result<V, E>>,
    {
        let version = if self.moves_with_the_clock {
            version
        } else {
            Version {
                minute: 0,
                ..version
            }
        };
        let (cell, stale) = self.cell(key, version);
        if let Some(stale) = stale {
            return Ok(stale);
        }
        cell.get_or_try_init(|| async { Box::pin(compute()).await.map(Arc::new) })
            .await
            .cloned()
    }

    /// The slot of `key` at `version`, and the previous minute's answer
    /// when someone else is already computing this one.
    fn cell(&self, key: K, version: Version) -> (Slot<V>, Option<Arc<V>>) {
        let mut entries = self.entries.lock();
        let wanted = (key, version);
        if let Some(cell) = entries.get(&wanted) {
            let stale = match cell.get() {
                Some(_) => None,
                None => Self::previous_minute(&entries, &wanted),
            };
            return (cell.clone(), stale);
        }
        if entries.len() >= CAPACITY {
            // Only this minute's and the previous one's answers can still be served.
            entries.retain(|(_, kept), _| kept.minute + 1 >= wanted.1.minute);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        let cell = Slot::default();
        entries.insert(wanted, cell.clone());
        (cell, None)
    }

    fn previous_minute(
        entries: &HashMap<(K, Version), Slot<V>>,
        (key, version): &(K, Version),
    ) -> Option<Arc<V>> {
        let previous = Version {
            stamps: version.stamps,
            minute: version.minute - 1,
        };
        entries.get(&(key.clone(), previous))?.get().cloned()
    }
}

impl<K: Eq + Hash + Clone, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_newer_sync_or_minute_is_a_miss() {
        let memo: Memo<&str, u32> = Memo::new();
        let now = Utc::now();
        let version = Version::new([Some(now), None], now);
        let answer = |value| async move { Ok::<u32, ()>(value) };
        assert_eq!(
            *memo
                .get_or_compute("a", version, || answer(1))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            *memo
                .get_or_compute("a", version, || answer(2))
                .await
                .unwrap(),
            1
        );
        let synced_again = Version::new([Some(now), Some(now)], now);
        assert_eq!(
            *memo
                .get_or_compute("a", synced_again, || answer(3))
                .await
                .unwrap(),
            3
        );
        let later = Version::new([Some(now), None], now + chrono::Duration::minutes(1));
        assert_eq!(
            *memo.get_or_compute("a", later, || answer(4)).await.unwrap(),
            4
        );
        let failed = memo
            .get_or_compute("b", version, || async { Err::<u32, ()>(()) })
            .await;
        assert!(failed.is_err());
        assert_eq!(
            *memo
                .get_or_compute("b", version, || answer(5))
                .await
                .unwrap(),
            5
        );
    }

    #[tokio::test]
    async fn an_answer_regardless_of_the_clock_is_kept_across_minutes() {
        let memo: Memo<&str, u32> = Memo::regardless_of_the_clock();
        let now = Utc::now();
        let at = |stamps, minutes| Version::new(stamps, now + chrono::Duration::minutes(minutes));
        let answer = |value| async move { Ok::<u32, ()>(value) };
        let kept = [Some(now), None];
        memo.get_or_compute("a", at(kept, 0), || answer(1))
            .await
            .unwrap();
        let later = memo.get_or_compute("a", at(kept, 5), || answer(2)).await;
        assert_eq!(*later.unwrap(), 1);
        let changed = [Some(now), Some(now)];
        let fresh = memo.get_or_compute("a", at(changed, 5), || answer(3)).await;
        assert_eq!(
            *fresh.unwrap(),
            3,
            "a changed cache is never answered from before"
        );
    }

    #[tokio::test]
    async fn the_previous_minute_is_served_while_one_computes_the_next() {
        let memo: Arc<Memo<&str, u32>> = Arc::new(Memo::new());
        let now = Utc::now();
        let earlier = Version::new([Some(now), None], now);
        let later = Version::new([Some(now), None], now + chrono::Duration::minutes(1));
        memo.get_or_compute("a", earlier, || async { Ok::<u32, ()>(1) })
            .await
            .unwrap();

        let (started, has_started) = tokio::sync::oneshot::channel();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let computing = tokio::spawn({
            let memo = memo.clone();
            async move {
                memo.get_or_compute("a", later, || async move {
                    started.send(()).unwrap();
                    released.await.unwrap();
                    Ok::<u32, ()>(2)
                })
                .await
                .map(|answer| *answer)
            }
        });
        has_started.await.unwrap();
        let meanwhile = memo
            .get_or_compute("a", later, || async { Ok::<u32, ()>(3) })
            .await
            .unwrap();
        assert_eq!(*meanwhile, 1, "the previous minute's answer");
        release.send(()).unwrap();
        assert_eq!(computing.await.unwrap(), Ok(2));
        let after = memo
            .get_or_compute("a", later, || async { Ok::<u32, ()>(4) })
            .await
            .unwrap();
        assert_eq!(*after, 2);

        let changed = Version::new([Some(now), Some(now)], now + chrono::Duration::minutes(1));
        let fresh = memo
            .get_or_compute("a", changed, || async { Ok::<u32, ()>(5) })
            .await
            .unwrap();
        assert_eq!(*fresh, 5, "a changed cache is never answered from before");
    }
}
