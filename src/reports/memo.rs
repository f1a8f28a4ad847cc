//! Recently computed reports, kept in memory so that a dashboard viewed by
//! many people at once is computed once. An answer is reused only while
//! the cache has not changed (same newest write and same last sync run)
//! and within the same minute, because "overdue" and "next 7 days" move with the clock. Each
//! server process keeps its own: nothing depends on it for correctness.

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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
}

/// One answer, filled by its first computation.
type Slot<V> = Arc<OnceCell<Arc<V>>>;

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The kept answer for `key` at `version`, or the one `compute` gives
    /// (kept unless it failed).
    pub async fn get_or_compute<E, F>(
        &self,
        key: K,
        version: Version,
        compute: F,
    ) -> Result<Arc<V>, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        let cell = self.cell(key, version);
        cell.get_or_try_init(|| async { compute.await.map(Arc::new) })
            .await
            .cloned()
    }

    fn cell(&self, key: K, version: Version) -> Slot<V> {
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY && !entries.contains_key(&(key.clone(), version.clone())) {
            // Answers of earlier minutes can no longer be served.
            entries.retain(|(_, kept), _| kept.minute >= version.minute);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.entry((key, version)).or_default().clone()
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
                .get_or_compute("a", version.clone(), answer(1))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            *memo
                .get_or_compute("a", version.clone(), answer(2))
                .await
                .unwrap(),
            1
        );
        let synced_again = Version::new([Some(now), Some(now)], now);
        assert_eq!(
            *memo
                .get_or_compute("a", synced_again, answer(3))
                .await
                .unwrap(),
            3
        );
        let later = Version::new([Some(now), None], now + chrono::Duration::minutes(1));
        assert_eq!(
            *memo.get_or_compute("a", later, answer(4)).await.unwrap(),
            4
        );
        let failed = memo
            .get_or_compute("b", version.clone(), async { Err::<u32, ()>(()) })
            .await;
        assert!(failed.is_err());
        assert_eq!(
            *memo.get_or_compute("b", version, answer(5)).await.unwrap(),
            5
        );
    }
}
