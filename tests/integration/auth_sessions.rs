//! Expired sessions are deleted from the session store, with their filing
//! under members; sessions still in use stay, and are renewed once a day.

use crate::common;

use common::browser::{demo_people, Browser};

async fn signed_in(app: &common::TestApp, location_id: &str, user_id: &str) -> Browser {
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, location_id, user_id).await;
    browser
}

async fn count(app: &common::TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn expired_sessions_are_deleted_and_live_ones_kept() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    let idle = signed_in(&app, &location_id, &users[1]).await;
    sqlx::query(
        "UPDATE tower_sessions.session SET expiry_date = now() - interval '1 minute'
          WHERE id IN (SELECT m.session_id FROM member_sessions m JOIN users u ON u.id = m.user_id
                        WHERE u.highlevel_user_id = $1)",
    )
    .bind(&users[1])
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(count(&app, "tower_sessions.session").await, 2);

    let deleted = switchboard::auth::session::delete_expired(&app.db)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(count(&app, "tower_sessions.session").await, 1);
    assert_eq!(count(&app, "member_sessions").await, 1);
    assert!(idle.current_user().await.is_null());
    assert_eq!(owner.current_user().await["role"], "owner");
}

/// When the store says `session_id` ends.
async fn ends_at(app: &common::TestApp, session_id: &str) -> chrono::DateTime<chrono::Utc> {
    sqlx::query_scalar("SELECT expiry_date FROM tower_sessions.session WHERE id = $1")
        .bind(session_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_in_use_is_renewed_once_a_day() {
    use std::str::FromStr;
    use tower_sessions::cookie::time;
    use tower_sessions::session::Id;
    use tower_sessions::SessionStore;

    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let browser = signed_in(&app, &location_id, &users[0]).await;
    let session_id: String = sqlx::query_scalar("SELECT session_id FROM member_sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(browser.current_user().await["role"], "owner");
    let after_sign_in = ends_at(&app, &session_id).await;
    assert_eq!(browser.current_user().await["role"], "owner");
    assert_eq!(
        ends_at(&app, &session_id).await,
        after_sign_in,
        "a session is not written on every request"
    );

    // As if last renewed yesterday, with an hour left.
    let store = tower_sessions_sqlx_store::PostgresStore::new(app.db.clone());
    let id = Id::from_str(&session_id).unwrap();
    let mut record = store.load(&id).await.unwrap().unwrap();
    let yesterday = chrono::Utc::now().date_naive().pred_opt().unwrap();
    record.data.insert(
        switchboard::auth::session::RENEWED_ON_KEY.into(),
        serde_json::json!(yesterday),
    );
    record.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    store.save(&record).await.unwrap();

    assert_eq!(browser.current_user().await["role"], "owner");
    let renewed = ends_at(&app, &session_id).await;
    assert!(
        renewed > chrono::Utc::now() + chrono::Duration::days(13),
        "pushed back to 14 days from now: {renewed}"
    );
    assert_eq!(browser.current_user().await["role"], "owner");
    assert_eq!(
        ends_at(&app, &session_id).await,
        renewed,
        "renewed once that day"
    );
}
