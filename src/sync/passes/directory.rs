//! The location, its users, calendars and businesses.

use futures::{future, FutureExt};

use crate::cache::{self, BusinessRecord, Cached, CalendarRecord, UserRecord};
use crate::highlevel::Window;
use crate::sync::store::{self};

use super::{patiently, to_usize, Pass, Result, BUSINESS_PAGE};

impl Pass<'_> {
    /// The location, users, calendars and businesses; returns the calendar ids.
    pub(super) async fn directory(&self) -> Result<Vec<String>> {
        let (calendars, (), (), ()) = future::try_join4(
            self.calendars().boxed(),
            self.users().boxed(),
            self.businesses().boxed(),
            self.location().boxed(),
        )
        .await?;
        Ok(calendars)
    }

    /// The team's name and time zone, as the location now has them (a team
    /// signed in before time zones were kept gets its own here). A location
    /// that cannot be read keeps what the team had: the records matter more.
    pub(super) async fn location(&self) -> Result<()> {
        let location = match self.engine.client.get_location(self.location_id).await {
            Ok(answer) => answer.location,
            Err(error) => {
                tracing::warn!(location_id = self.location_id, error = %error.user_message(), "reading the location");
                return Ok(());
            }
        };
        sqlx::query(
            r"UPDATE teams SET name = coalesce($2, name), time_zone = coalesce($3, time_zone)
             WHERE location_id = $1",
        )
        .bind(self.location_id)
        .bind(location.name.filter(|name| !name.trim().is_empty()))
        .bind(
            location
                .timezone
                .map(|zone| crate::zone::TeamZone::named(&zone).name()),
        )
        .execute(&self.engine.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn calendars(&self) -> Result<Vec<String>> {
        let calendars = patiently(|| self.engine.client.get_calendars(self.location_id))
            .await?
            .calendars;
        let records: Vec<CalendarRecord> = calendars
            .iter()
            .filter_map(|calendar| CalendarRecord::from_model(self.location_id, calendar))
            .collect();
        self.write_list("calendars", &records, 1).await?;
        Ok(calendars.into_iter().map(|calendar| calendar.id).collect())
    }

    pub(super) async fn users(&self) -> Result<()> {
        let users = patiently(|| self.engine.client.get_users_by_location(self.location_id))
            .await?
            .users;
        let records: Vec<UserRecord> = users
            .iter()
            .filter(|user| user.deleted != Some(true))
            .filter_map(|user| UserRecord::from_model(self.location_id, user))
            .collect();
        self.write_list("users", &records, 1).await
    }

    pub(super) async fn businesses(&self) -> Result<()> {
        let mut records = Vec::new();
        let mut pages = 0;
        loop {
            let window = Window {
                skip: Some(u32::try_from(records.len()).unwrap_or(u32::MAX)),
                limit: Some(BUSINESS_PAGE),
            };
            let page = patiently(|| self.engine.client.get_businesses(self.location_id, window))
                .await?
                .businesses;
            pages += 1;
            let short = page.len() < to_usize(BUSINESS_PAGE);
            records.extend(
                page.iter()
                    .filter_map(|business| BusinessRecord::from_model(self.location_id, business)),
            );
            if short {
                break;
            }
        }
        self.write_list("businesses", &records, pages).await
    }

    pub(super) async fn write_list<T: Cached>(
        &self,
        entity: &str,
        records: &[T],
        requests: usize,
    ) -> Result<()> {
        let mut tx = crate::db::begin(&self.engine.pool).await?;
        cache::upsert(&mut *tx, records).await?;
        store::add_progress(&mut *tx, self.run.id, entity, records.len(), requests).await?;
        tx.commit().await?;
        Ok(())
    }
}
