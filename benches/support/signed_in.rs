//! A bench's server: a Postgres of its own, the real server on it with the
//! server's default pool (as `make run` serves), and the first person of a
//! demo location signed in.

use crate::common::browser::Browser;
use crate::common::TestApp;

pub struct SignedIn {
    pub pool: sqlx::PgPool,
    /// The bench database's name in its cluster.
    pub database: String,
    pub app: TestApp,
    pub location: String,
    /// The location's people; the first is signed in.
    pub users: Vec<String>,
    pub browser: Browser,
}

pub async fn start() -> SignedIn {
    let (url, database) = crate::common::test_db_url().await;
    let pool = switchboard::db::connect_server(&url, switchboard::config::DEFAULT_DB_CONNECTIONS)
        .await
        .expect("the bench database");
    switchboard::db::migrate(&pool).await.expect("migrations");
    let app = crate::common::spawn_app(pool.clone()).await;
    let (location, users) = crate::common::browser::demo_people(&app.base).await;
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, &location, &users[0]).await;
    SignedIn {
        pool,
        database,
        app,
        location,
        users,
        browser,
    }
}
