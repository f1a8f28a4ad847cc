//! A tag added to or removed from every contact a filter matches, through
//! HighLevel's bulk tag operation in batches, then applied to the cached
//! contacts HighLevel did not refuse.

use sqlx::PgPool;

use super::filter::ContactFilter;
use super::model::{BulkTagOutcome, COUNT_CAP};
use super::{Team, WorkspaceError};
use crate::format::thousands;
use crate::highlevel::models::{BulkTagAction, BulkTags};

/// Contacts per bulk request: HighLevel documents no limit, and a hundred
/// keeps each request small while 10,000 contacts still take only a hundred
/// requests of the team's budget.
const BATCH: usize = 100;

/// Changes `tag` on every contact `filter` matches, on every page; refused
/// when nothing or more than [`COUNT_CAP`] contacts match.
pub async fn retag_matching(
    team: &Team,
    filter: &ContactFilter,
    tag: &str,
    add: bool,
) -> Result<BulkTagOutcome, WorkspaceError> {
    let valid = filter
        .validate(|day| team.zone.midnight(day))
        .map_err(WorkspaceError::Invalid)?;
    let ids = super::contacts::matching_ids(&team.db, &team.location_id, &valid, COUNT_CAP).await?;
    if ids.is_empty() {
        return Err(WorkspaceError::Invalid(
            "No contacts match this filter.".into(),
        ));
    }
    if ids.len() as i64 > COUNT_CAP {
        return Err(WorkspaceError::Invalid(format!(
            "This filter matches more than {} contacts. Narrow it to change tags on at most that many at once.",
            thousands(COUNT_CAP)
        )));
    }
    retag_all(team, &ids, tag, add).await
}

/// Sends the change for `contact_ids` batch by batch. A batch HighLevel
/// refuses ends the run: when it is the first, its reason is the answer;
/// after that, the outcome counts what changed and says why the rest did not.
async fn retag_all(
    team: &Team,
    contact_ids: &[String],
    tag: &str,
    add: bool,
) -> Result<BulkTagOutcome, WorkspaceError> {
    let action = if add {
        BulkTagAction::Add
    } else {
        BulkTagAction::Remove
    };
    let mut outcome = BulkTagOutcome {
        changed: 0,
        failures: Vec::new(),
    };
    for batch in contact_ids.chunks(BATCH) {
        let body = BulkTags {
            contacts: batch.to_vec(),
            tags: vec![tag.to_owned()],
            location_id: team.location_id.clone(),
            remove_all_tags: None,
        };
        let answer = match team
            .client
            .bulk_update_tags(&team.location_id, action, &body)
            .await
        {
            Ok(answer) => answer,
            Err(error) if outcome.changed == 0 => return Err(error.into()),
            Err(error) => {
                let left = contact_ids.len() - outcome.changed;
                outcome.failures.push(format!(
                    "{left} contacts were not changed: {}",
                    error.user_message()
                ));
                break;
            }
        };
        // HighLevel names each contact it could not change in `responses`.
        let named = serde_json::to_string(&answer.responses).unwrap_or_default();
        let done: Vec<String> = batch
            .iter()
            .filter(|id| !named.contains(id.as_str()))
            .cloned()
            .collect();
        if answer.error_count > 0 {
            let reasons: Vec<&str> = answer
                .responses
                .iter()
                .filter_map(|response| response.as_str())
                .collect();
            outcome.failures.push(format!(
                "HighLevel did not change {} contacts: {}",
                answer.error_count,
                reasons.join("; ")
            ));
        }
        cache_retag(&team.db, &team.location_id, &done, tag, add).await?;
        outcome.changed += done.len();
    }
    Ok(outcome)
}

/// Applies the change to the cached contacts, tags column and document
/// alike. HighLevel keeps tags in lower case; the webhook it sends for each
/// contact brings the rest of the change in.
async fn cache_retag(
    db: &PgPool,
    location_id: &str,
    contact_ids: &[String],
    tag: &str,
    add: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        r"WITH changed AS (
           SELECT id, CASE
             WHEN NOT $4 THEN array_remove(tags, $3)
             WHEN tags @> ARRAY[$3] THEN tags
             ELSE array_append(tags, $3) END AS tags
           FROM cache_contacts WHERE location_id = $1 AND id = ANY($2))
         UPDATE cache_contacts c
            SET tags = changed.tags, raw = jsonb_set(c.raw, '{tags}', to_jsonb(changed.tags)),
                synced_at = now()
           FROM changed WHERE c.location_id = $1 AND c.id = changed.id",
    )
    .bind(location_id)
    .bind(contact_ids)
    .bind(tag.trim().to_lowercase())
    .bind(add)
    .execute(db)
    .await?;
    Ok(())
}
