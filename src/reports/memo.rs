//! Recently computed reports, kept in memory so that a dashboard viewed by
//! many people at once is computed once. An answer is reused only while
//! the cache has not changed (same newest write and same last sync run)
//! and within the same minute, because "overdue" and "next 7 days" move with the clock. Each
//! server process keeps its own: nothing depends on it for correctness.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;

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

pub struct Memo<K, V> {
    entries: Mutex<HashMap<(K, Version), Arc<V>>>,
}

impl<K: Eq + Hash + Clone, V> Memo<K, V> {
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &K, version: &Version) -> Option<Arc<V>> {
        self.entries
            .lock()
            .get(&(key.clone(), version.clone()))
            .cloned()
    }

    pub fn put(&self, key: K, version: Version, value: Arc<V>) {
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            // Answers of earlier minutes can no longer be served.
            entries.retain(|(_, kept), _| kept.minute >= version.minute);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert((key, version), value);
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

    #[test]
    fn a_newer_sync_or_minute_is_a_miss() {
        let memo: Memo<&str, u32> = Memo::new();
        let now = Utc::now();
        let version = Version::new([Some(now), None], now);
        memo.put("a", version.clone(), Arc::new(1));
        assert_eq!(memo.get(&"a", &version).as_deref(), Some(&1));
        let synced_again = Version::new([Some(now), Some(now)], now);
        assert!(memo.get(&"a", &synced_again).is_none());
        let later = Version::new([Some(now), None], now + chrono::Duration::minutes(1));
        assert!(memo.get(&"a", &later).is_none());
    }
}
