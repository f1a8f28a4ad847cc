//! The team report's tables: cells as shown, keys to sort by, and the CSV
//! download of each (a `data:` link, so the file is exactly what the table
//! holds for the filter on screen).

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::model::{AssigneeTasks, BusinessRow, ReportTable, SortKey};

/// A duration in hours as people read it: `5.2 h`, `3.4 days`.
pub fn describe_hours(hours: Option<f64>) -> String {
    match hours {
        None => "—".to_owned(),
        Some(hours) if hours < 48.0 => format!("{hours:.1} h"),
        Some(hours) => format!("{:.1} days", hours / 24.0),
    }
}

pub fn assignee_table(rows: &[AssigneeTasks]) -> ReportTable {
    let columns = [
        ("Assignee", "Assignee"),
        ("Open", "Open"),
        ("Overdue", "Overdue"),
        ("Completed", "Completed in period"),
        ("Median time to complete", "Median hours to complete"),
    ];
    let cells = rows.iter().map(|row| {
        vec![
            text(&row.name),
            number(row.open),
            number(row.overdue),
            number(row.completed),
            Cell {
                shown: describe_hours(row.median_hours),
                csv: row
                    .median_hours
                    .map(|h| format!("{h:.2}"))
                    .unwrap_or_default(),
                key: SortKey::Number(row.median_hours.unwrap_or(f64::MAX)),
            },
        ]
    });
    table(&columns, cells.collect())
}

pub fn business_table(rows: &[BusinessRow]) -> ReportTable {
    let columns = [
        ("Business", "Business"),
        ("Contacts", "Contacts"),
        ("Open tasks", "Open tasks"),
        ("Overdue", "Overdue tasks"),
        ("Completed", "Tasks completed in period"),
        ("Next 7 days", "Appointments today and the next 6 days"),
        ("Showed", "Showed in period"),
        ("No-show", "No-show in period"),
    ];
    let cells = rows.iter().map(|row| {
        vec![
            text(&row.name),
            number(row.contacts),
            number(row.tasks_open),
            number(row.tasks_overdue),
            number(row.tasks_completed),
            number(row.appointments_upcoming),
            number(row.appointments_showed),
            number(row.appointments_no_show),
        ]
    });
    table(&columns, cells.collect())
}

struct Cell {
    shown: String,
    csv: String,
    key: SortKey,
}

fn text(value: &str) -> Cell {
    Cell {
        shown: value.to_owned(),
        csv: crate::format::spreadsheet_safe(value),
        key: SortKey::Text(value.to_lowercase()),
    }
}

fn number(value: i64) -> Cell {
    Cell {
        shown: value.to_string(),
        csv: value.to_string(),
        key: SortKey::Number(value as f64),
    }
}

/// `columns`: each column's heading on screen and in the CSV file.
fn table(columns: &[(&str, &str)], rows: Vec<Vec<Cell>>) -> ReportTable {
    let headings: Vec<&str> = columns.iter().map(|(_, csv)| *csv).collect();
    let csv = to_csv(&headings, &rows);
    ReportTable {
        columns: columns
            .iter()
            .map(|(shown, _)| (*shown).to_owned())
            .collect(),
        csv_href: format!(
            "data:text/csv;charset=utf-8,{}",
            utf8_percent_encode(&csv, NON_ALPHANUMERIC)
        ),
        sort_keys: rows
            .iter()
            .map(|row| row.iter().map(|cell| cell.key.clone()).collect())
            .collect(),
        rows: rows
            .into_iter()
            .map(|row| row.into_iter().map(|cell| cell.shown).collect())
            .collect(),
    }
}

/// RFC 4180 CSV (quoted where needed) by the csv crate.
fn to_csv(columns: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written = writer.write_record(columns).and_then(|()| {
        rows.iter()
            .try_for_each(|row| writer.write_record(row.iter().map(|cell| &cell.csv)))
    });
    if let Err(error) = written {
        tracing::error!(%error, "writing a CSV export");
    }
    writer
        .into_inner()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_cells() {
        let rows = vec![vec![text("Smith, \"Jo\""), text("=cmd()"), number(-3)]];
        let csv = to_csv(&["a", "b", "c"], &rows);
        assert_eq!(csv, "a,b,c\n\"Smith, \"\"Jo\"\"\",'=cmd(),-3\n");
        assert_eq!(describe_hours(Some(72.0)), "3.0 days");
    }
}
