//! Webhook delivery: events are queued (bounded), signed and posted by a
//! background task. Like HighLevel, only a 429 answer is retried, a bounded
//! number of times with a growing wait; any other failure loses the event.

use std::collections::VecDeque;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::events::Event;
use super::signing;
use super::{Sandbox, SandboxConfig};

/// How many delivery records `/_sandbox/webhooks` keeps.
const LOG_CAPACITY: usize = 20_000;

#[derive(Debug)]
struct Delivery {
    webhook_id: String,
    body: Vec<u8>,
    attempts: u32,
}

/// What became of one event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    pub webhook_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub location_id: String,
    /// queued, delivered, retrying, failed, dropped or undelivered (no URL).
    pub status: String,
    pub attempts: u32,
    pub response_status: Option<u16>,
    pub payload: Value,
}

pub struct WebhookHub {
    sender: mpsc::Sender<Delivery>,
    receiver: Mutex<Option<mpsc::Receiver<Delivery>>>,
    url: RwLock<Option<String>>,
    log: Mutex<VecDeque<DeliveryRecord>>,
    max_retries: u32,
    retry_delay: Duration,
}

impl WebhookHub {
    pub fn new(config: &SandboxConfig) -> Self {
        let (sender, receiver) = mpsc::channel(config.webhook_queue.max(1));
        Self {
            sender,
            receiver: Mutex::new(Some(receiver)),
            url: RwLock::new(config.webhook_url.clone()),
            log: Mutex::new(VecDeque::new()),
            max_retries: config.webhook_max_retries,
            retry_delay: config.webhook_retry_delay,
        }
    }

    pub fn set_url(&self, url: Option<String>) {
        *self.url.write() = url;
    }

    pub fn url(&self) -> Option<String> {
        self.url.read().clone()
    }

    pub fn records(&self) -> Vec<DeliveryRecord> {
        self.log.lock().iter().cloned().collect()
    }

    pub fn clear_records(&self) {
        self.log.lock().clear();
    }

    fn record(&self, record: DeliveryRecord) {
        let mut log = self.log.lock();
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(record);
    }

    fn update(&self, webhook_id: &str, status: &str, attempts: u32, response: Option<u16>) {
        let mut log = self.log.lock();
        if let Some(record) = log
            .iter_mut()
            .rev()
            .find(|record| record.webhook_id == webhook_id)
        {
            record.status = status.into();
            record.attempts = attempts;
            record.response_status = response;
        }
    }
}

impl Sandbox {
    /// Queues events for delivery, stamping each with `webhookId` and
    /// `timestamp`.
    pub(super) fn emit(&self, events: Vec<Event>) {
        for event in events {
            self.emit_one(event);
        }
    }

    fn emit_one(&self, event: Event) {
        let hub = &self.shared.webhooks;
        let webhook_id = uuid::Uuid::new_v4().to_string();
        let mut payload = event.payload;
        payload.insert("webhookId".into(), json!(webhook_id));
        payload.insert(
            "timestamp".into(),
            json!(super::render::iso(&chrono::Utc::now())),
        );
        let location_id = payload
            .get("locationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let payload = Value::Object(payload);
        let body = payload.to_string().into_bytes();
        let status = self.route_event(webhook_id.clone(), body);
        hub.record(DeliveryRecord {
            webhook_id,
            kind: event.kind.into(),
            location_id,
            status: status.into(),
            attempts: 0,
            response_status: None,
            payload,
        });
    }

    /// Hands a delivery to the worker unless a fault drops it or no URL is set.
    fn route_event(&self, webhook_id: String, body: Vec<u8>) -> &'static str {
        if self.shared.faults.lock().dropped_webhooks.fires() {
            return "dropped";
        }
        if self.shared.webhooks.url().is_none() {
            return "undelivered";
        }
        self.start_worker();
        let delivery = Delivery {
            webhook_id,
            body,
            attempts: 0,
        };
        match self.shared.webhooks.sender.try_send(delivery) {
            Ok(()) => "queued",
            Err(_) => "dropped",
        }
    }

    /// The worker starts with the first event, inside the runtime that serves
    /// the sandbox.
    fn start_worker(&self) {
        if let Some(receiver) = self.shared.webhooks.receiver.lock().take() {
            tokio::spawn(deliver_all(self.clone(), receiver));
        }
    }
}

async fn deliver_all(sandbox: Sandbox, mut receiver: mpsc::Receiver<Delivery>) {
    crate::install_crypto_provider();
    // Events go to the configured URL only: a receiver's redirect must not
    // carry signed bodies elsewhere, so a 3xx answer is a failed delivery.
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!("sandbox webhooks are off: {error}");
            return;
        }
    };
    while let Some(delivery) = receiver.recv().await {
        deliver(&sandbox, &client, delivery).await;
    }
}

async fn deliver(sandbox: &Sandbox, client: &reqwest::Client, mut delivery: Delivery) {
    let hub = &sandbox.shared.webhooks;
    let Some(url) = hub.url() else {
        hub.update(&delivery.webhook_id, "undelivered", delivery.attempts, None);
        return;
    };
    let Some(signatures) = signing::sign(&delivery.body) else {
        hub.update(&delivery.webhook_id, "failed", delivery.attempts, None);
        return;
    };
    delivery.attempts += 1;
    let sent = client
        .post(&url)
        .header("content-type", "application/json")
        .header("x-ghl-signature", signatures.ed25519)
        .header("x-wh-signature", signatures.rsa)
        .body(delivery.body.clone())
        .send()
        .await;
    let status = sent
        .as_ref()
        .ok()
        .map(|response| response.status().as_u16());
    match status {
        Some(code) if (200..300).contains(&code) => {
            hub.update(&delivery.webhook_id, "delivered", delivery.attempts, status);
        }
        Some(429) if delivery.attempts <= hub.max_retries => {
            hub.update(&delivery.webhook_id, "retrying", delivery.attempts, status);
            schedule_retry(sandbox.clone(), delivery);
        }
        _ => hub.update(&delivery.webhook_id, "failed", delivery.attempts, status),
    }
}

/// Puts a 429'd delivery back on the queue after a wait that doubles with
/// each attempt; the wait runs off the queue so other events are not held up.
fn schedule_retry(sandbox: Sandbox, delivery: Delivery) {
    let factor = 2u32.saturating_pow(delivery.attempts.saturating_sub(1));
    let wait = sandbox.shared.webhooks.retry_delay.saturating_mul(factor);
    tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        let webhook_id = delivery.webhook_id.clone();
        let attempts = delivery.attempts;
        if sandbox.shared.webhooks.sender.send(delivery).await.is_err() {
            sandbox
                .shared
                .webhooks
                .update(&webhook_id, "failed", attempts, Some(429));
        }
    });
}
