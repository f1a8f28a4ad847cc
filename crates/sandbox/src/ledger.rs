//! Every write the API received, in order, so that tests can assert an effect
//! happened exactly once.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub seq: u64,
    pub time: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The body as JSON when it parses, else as text.
    pub body: serde_json::Value,
    /// The location of the request's token, if it had a known one.
    pub location_id: Option<String>,
    pub status: u16,
}

#[derive(Debug, Default)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    next_seq: u64,
}

impl Ledger {
    pub fn record(&mut self, mut entry: LedgerEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        self.entries.push(entry);
    }

    /// Entries after sequence number `since`.
    pub fn since(&self, since: u64) -> Vec<LedgerEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.seq > since)
            .cloned()
            .collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Form fields that are credentials: the ledger shows that they were sent,
/// not what they were.
const SECRET_FIELDS: [&str; 3] = ["client_secret", "code", "refresh_token"];

/// The body of a request as the ledger keeps it: JSON as JSON, a form as an
/// object with its secrets masked, anything else as text.
pub fn body_value(bytes: &[u8], is_form: bool) -> serde_json::Value {
    if bytes.is_empty() {
        return serde_json::Value::Null;
    }
    if is_form {
        if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes) {
            let fields = pairs.into_iter().map(|(key, value)| {
                let shown = if SECRET_FIELDS.contains(&key.as_str()) {
                    "[redacted]".to_owned()
                } else {
                    value
                };
                (key, serde_json::Value::String(shown))
            });
            return serde_json::Value::Object(fields.collect());
        }
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned()))
}
