//! Expired sessions are deleted from the session store, with their filing
//! under members; sessions still in use stay.

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
