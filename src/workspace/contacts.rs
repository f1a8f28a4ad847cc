//! The contact list's queries. Every shape here is served by an index of
//! the cache migrations: word prefixes for a search of one or two letters,
//! trigrams for a longer one, GIN for tags, and the (location, name) and
//! (location, date added) indexes for the two sorts.
//!
//! The statements are not kept prepared: a kept statement soon switches to a
//! generic plan, which cannot tell a search matching most contacts from one
//! matching a few and picks the slow plan for the first. Planning each one
//! costs well under a millisecond.

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, Utc};
use futures::{SinkExt, Stream, StreamExt};
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

use super::filter::{ContactSort, ValidFilter};
use super::model::{ContactRow, FilterChoices, COUNT_CAP, PAGE_SIZE};
use super::phone;
use crate::reports::freshness;
use crate::reports::memo::{Memo, Version};
use crate::zone::TeamZone;

/// Tags offered in the filter: the most used ones.
const TAG_CHOICES: i64 = 200;

const ROW_COLUMNS: &str = "c.id, c.display_name, c.email, c.phone, c.company_name, c.source, \
     c.tags, c.date_added, u.name AS assignee";

/// Searches shorter than this match the start of a word.
const SHORTEST_CONTAINS: usize = 3;

/// Up to this many matches, a page is found by gathering every match and
/// sorting them. With more, walking the sort's index and skipping what does
/// not match finds a page sooner. Postgres can guess wrong between the two
/// (for a search no contact matches, it may walk all 100,000), so the
/// count, which is needed anyway, decides.
const FEW_MATCHES: i64 = 2_000;

/// How a page of matches is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    WalkIndex,
    SortMatches,
}

impl Order {
    fn for_count(total: i64) -> Self {
        if total <= FEW_MATCHES {
            Self::SortMatches
        } else {
            Self::WalkIndex
        }
    }
}

/// One page of matches and the number of matches (counted up to
/// [`COUNT_CAP`] + 1, so a broad filter never counts 100,000 rows).
///
/// Both are kept while the location's cache stays at `version`, across
/// minutes (nothing on the list moves with the clock): the screens of a
/// front desk showing the same list, or someone paging back, read the page
/// once. The count is kept apart, since every page of a filter shares it.
pub async fn list(
    db: &PgPool,
    location_id: &str,
    filter: &ValidFilter,
    zone: TeamZone,
    version: Version,
) -> Result<Page, sqlx::Error> {
    static PAGES: LazyLock<Memo<(String, ValidFilter, TeamZone), Page>> =
        LazyLock::new(Memo::regardless_of_the_clock);
    let key = (location_id.to_owned(), filter.clone(), zone);
    let page = PAGES
        .get_or_compute(key, version, || {
            read_page(db, location_id, filter, zone, version)
        })
        .await?;
    Ok(Page::clone(&page))
}

/// A page of rows as shown, and the number of matches.
pub type Page = (Arc<[ContactRow]>, i64);

async fn read_page(
    db: &PgPool,
    location_id: &str,
    filter: &ValidFilter,
    zone: TeamZone,
    version: Version,
) -> Result<Page, sqlx::Error> {
    let total = count(db, location_id, filter, version).await?;
    let rows = page_query("", location_id, filter, Order::for_count(total))
        .build()
        .persistent(false)
        .fetch_all(db)
        .await?;
    let rows = rows.iter().map(|row| shown(row_of(row, zone))).collect();
    Ok((rows, total))
}

/// The number of matches, which every page of a filter shares: kept until
/// the cache changes, so paging through a long list or many people on the
/// same list count once.
async fn count(
    db: &PgPool,
    location_id: &str,
    filter: &ValidFilter,
    version: Version,
) -> Result<i64, sqlx::Error> {
    static COUNTS: LazyLock<Memo<(String, ValidFilter), i64>> =
        LazyLock::new(Memo::regardless_of_the_clock);
    let key = (location_id.to_owned(), filter.first_page());
    let counted = COUNTS
        .get_or_compute(key, version, || async {
            count_query("", location_id, filter)
                .build_query_scalar()
                .persistent(false)
                .fetch_one(db)
                .await
        })
        .await?;
    Ok(*counted)
}

/// Postgres's plans of the two statements behind a page of the list, as
/// `EXPLAIN ANALYZE` prints them: the way to check that a filter's shape is
/// served by an index.
pub async fn explain(
    db: &PgPool,
    location_id: &str,
    filter: &ValidFilter,
) -> Result<Vec<String>, sqlx::Error> {
    const EXPLAIN: &str = "EXPLAIN (ANALYZE, BUFFERS) ";
    let version = freshness::version(db, location_id, Utc::now()).await?;
    let order = Order::for_count(count(db, location_id, filter, version).await?);
    let mut lines: Vec<String> = page_query(EXPLAIN, location_id, filter, order)
        .build_query_scalar()
        .persistent(false)
        .fetch_all(db)
        .await?;
    lines.extend(
        count_query(EXPLAIN, location_id, filter)
            .build_query_scalar::<String>()
            .persistent(false)
            .fetch_all(db)
            .await?,
    );
    Ok(lines)
}

fn page_query(
    head: &str,
    location_id: &str,
    filter: &ValidFilter,
    order: Order,
) -> QueryBuilder<'static, Postgres> {
    let mut query = select(head, location_id, filter, order);
    query
        .push(" LIMIT ")
        .push_bind(i64::from(PAGE_SIZE))
        .push(" OFFSET ")
        .push_bind(i64::from(filter.page) * i64::from(PAGE_SIZE));
    query
}

fn count_query(
    head: &str,
    location_id: &str,
    filter: &ValidFilter,
) -> QueryBuilder<'static, Postgres> {
    let mut count = QueryBuilder::<Postgres>::new(format!("{head}SELECT count(*) FROM (SELECT 1 "));
    push_from_where(&mut count, location_id, filter);
    count
        .push(" LIMIT ")
        .push_bind(COUNT_CAP + 1)
        .push(") matches");
    count
}

/// Every match, in the list's order, as a stream (for the export). The
/// query runs in its own task and hands rows over a bounded channel, so a
/// slow download holds back the query instead of filling memory.
pub fn all(
    db: PgPool,
    location_id: &str,
    filter: &ValidFilter,
    zone: TeamZone,
) -> impl Stream<Item = Result<ExportRow, sqlx::Error>> {
    let mut query = select("", location_id, filter, Order::WalkIndex);
    let (mut sender, receiver) = futures::channel::mpsc::channel(256);
    tokio::spawn(async move {
        let mut rows = query.build().persistent(false).fetch(&db);
        while let Some(row) = rows.next().await {
            if sender
                .send(row.map(|row| export_row(&row, zone)))
                .await
                .is_err()
            {
                // The download was abandoned.
                break;
            }
        }
    });
    receiver
}

/// The ids of the matches, at most `cap` + 1 of them: one more than `cap`
/// says the filter matches too many.
pub async fn matching_ids(
    db: &PgPool,
    location_id: &str,
    filter: &ValidFilter,
    cap: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let mut query = QueryBuilder::new("SELECT c.id ");
    push_from_where(&mut query, location_id, filter);
    query.push(" ORDER BY c.id LIMIT ").push_bind(cap + 1);
    query
        .build_query_scalar()
        .persistent(false)
        .fetch_all(db)
        .await
}

/// The newest contact (by date added) that the list's search `words` finds,
/// as HighLevel's document of it the cache keeps.
pub async fn newest_match(
    db: &PgPool,
    location_id: &str,
    words: &str,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    let filter = ValidFilter {
        q: Some(words.trim().to_lowercase()).filter(|words| !words.is_empty()),
        tag: None,
        source: None,
        assignee: None,
        added_from: None,
        added_before: None,
        sort: ContactSort::Added,
        descending: true,
        page: 0,
    };
    let mut query = QueryBuilder::new("SELECT c.raw ");
    push_from_where(&mut query, location_id, &filter);
    query.push(" ORDER BY c.date_added DESC NULLS LAST, c.id DESC LIMIT 1");
    query
        .build_query_scalar()
        .persistent(false)
        .fetch_optional(db)
        .await
}

/// A contact as the CSV export writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub row: ContactRow,
    pub company: Option<String>,
}

fn select(
    head: &str,
    location_id: &str,
    filter: &ValidFilter,
    order: Order,
) -> QueryBuilder<'static, Postgres> {
    let mut query = match order {
        Order::WalkIndex => QueryBuilder::new(format!("{head}SELECT {ROW_COLUMNS} ")),
        // A materialized CTE is gathered before it is sorted.
        Order::SortMatches => QueryBuilder::new(format!(
            "{head}WITH matches AS MATERIALIZED (SELECT {ROW_COLUMNS} "
        )),
    };
    push_from_where(&mut query, location_id, filter);
    if order == Order::SortMatches {
        query.push(") SELECT * FROM matches c");
    }
    let direction = if filter.descending { "DESC" } else { "ASC" };
    let order = match filter.sort {
        ContactSort::Name => {
            format!(" ORDER BY lower(c.display_name) {direction}, c.id {direction}")
        }
        ContactSort::Added => format!(" ORDER BY c.date_added {direction}, c.id {direction}"),
    };
    query.push(order);
    query
}

fn push_from_where(
    query: &mut QueryBuilder<'static, Postgres>,
    location_id: &str,
    filter: &ValidFilter,
) {
    query
        .push(
            r"FROM cache_contacts c LEFT JOIN cache_users u
             ON u.location_id = c.location_id AND u.id = c.assigned_to
             WHERE c.deleted_at IS NULL AND c.location_id = ",
        )
        .push_bind(location_id.to_owned());
    if let Some(words) = &filter.q {
        let words = phone::search_digits(words);
        if is_word_start(&words) {
            query
                .push(" AND c.search_prefixes @> ARRAY[")
                .push_bind(words.into_owned())
                .push("]::text[]");
        } else {
            query
                .push(" AND c.search_text LIKE ")
                .push_bind(format!("%{}%", escape_like(&words)));
        }
    }
    if let Some(tag) = &filter.tag {
        query
            .push(" AND c.tags @> ARRAY[")
            .push_bind(tag.clone())
            .push("]::text[]");
    }
    if let Some(source) = &filter.source {
        query.push(" AND c.source = ").push_bind(source.clone());
    }
    if let Some(assignee) = &filter.assignee {
        query
            .push(" AND c.assigned_to = ")
            .push_bind(assignee.clone());
    }
    if let Some(from) = filter.added_from {
        query.push(" AND c.date_added >= ").push_bind(from);
    }
    if let Some(before) = filter.added_before {
        query.push(" AND c.date_added < ").push_bind(before);
    }
}

/// Whether a search is the start of a word: one or two letters or digits.
/// "a" is inside nearly every contact; "Ann" and "anna@…" start with it.
fn is_word_start(words: &str) -> bool {
    words.chars().count() < SHORTEST_CONTAINS && words.chars().all(char::is_alphanumeric)
}

/// `%`, `_` and `\` match themselves in a search.
fn escape_like(words: &str) -> String {
    words
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn row_of(row: &sqlx::postgres::PgRow, zone: TeamZone) -> ContactRow {
    let added: Option<DateTime<Utc>> = row.get("date_added");
    ContactRow {
        id: row.get("id"),
        name: row.get("display_name"),
        email: row.get("email"),
        phone: row.get("phone"),
        source: row.get("source"),
        assignee: row.get("assignee"),
        tags: row.get("tags"),
        added: added.map(|at| zone.date(at).to_string()),
    }
}

/// A row as a page shows it: the number the way people write it. The export
/// keeps E.164, which spreadsheets and other apps read back without guessing
/// the country.
fn shown(row: ContactRow) -> ContactRow {
    ContactRow {
        phone: row.phone.as_deref().map(phone::display),
        ..row
    }
}

fn export_row(row: &sqlx::postgres::PgRow, zone: TeamZone) -> ExportRow {
    ExportRow {
        row: row_of(row, zone),
        company: row.get("company_name"),
    }
}

/// The tags, sources and users the filter offers, kept while the cache
/// stays at `version` (across minutes, like the list), so that many people
/// opening the list at once compute them once.
pub async fn choices(
    db: &PgPool,
    location_id: &str,
    version: Version,
) -> Result<FilterChoices, sqlx::Error> {
    static CHOICES: LazyLock<Memo<String, FilterChoices>> =
        LazyLock::new(Memo::regardless_of_the_clock);
    let kept = CHOICES
        .get_or_compute(location_id.to_owned(), version, || {
            compute_choices(db, location_id)
        })
        .await?;
    Ok(FilterChoices::clone(&kept))
}

/// The three lists are read at once, each on its own connection: a page
/// that needs them waits for the slowest, not for their sum.
async fn compute_choices(db: &PgPool, location_id: &str) -> Result<FilterChoices, sqlx::Error> {
    let (mut tags, sources, users) = tokio::try_join!(
        crate::reports::queries::tag_choices(db, location_id, TAG_CHOICES),
        sources(db, location_id),
        sqlx::query_as(
            "SELECT id, name FROM cache_users WHERE location_id = $1 AND deleted_at IS NULL ORDER BY name",
        )
        .bind(location_id)
        .fetch_all(db),
    )?;
    tags.sort_by_key(|tag| tag.to_lowercase());
    Ok(FilterChoices {
        tags,
        sources,
        users,
    })
}

/// The sources the location's contacts have, in order. Postgres reads every
/// entry of an index for a `DISTINCT`; stepping from one source to the next
/// greater one reads one entry per source (16 ms for 100,000 contacts of
/// eight sources becomes well under one).
async fn sources(db: &PgPool, location_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        r"WITH RECURSIVE found(source) AS (
            (SELECT source FROM cache_contacts
              WHERE location_id = $1 AND deleted_at IS NULL AND source IS NOT NULL
              ORDER BY source LIMIT 1)
            UNION ALL
            SELECT (SELECT c.source FROM cache_contacts c
                     WHERE c.location_id = $1 AND c.deleted_at IS NULL AND c.source > found.source
                     ORDER BY c.source LIMIT 1)
              FROM found WHERE found.source IS NOT NULL
          )
          SELECT source FROM found WHERE source IS NOT NULL ORDER BY source",
    )
    .bind(location_id)
    .fetch_all(db)
    .await
}
