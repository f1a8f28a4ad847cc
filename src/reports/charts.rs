//! The dashboard's charts, drawn on the server as SVG by charts-rs: the
//! page reads well before (and without) the browser bundle, screenshots
//! show the charts, and each bar carries a `<title>` and a hover label.

use axum::http::header;
use axum::response::IntoResponse;
use charts_rs::{BarChart, HorizontalBarChart, DEFAULT_FONT_DATA, DEFAULT_FONT_FAMILY};
use serde_json::{json, Value};

use super::model::{AssigneeTasks, Bucket, Chart, Count, WeekStatuses};

const WIDTH: f32 = 480.0;
const HEIGHT: f32 = 280.0;
/// The app's palette (style/main.css): primary, success, danger, warning, and greys.
const COLORS: [&str; 6] = [
    "#4f46e5", "#15803d", "#b91c1c", "#b45309", "#0e7490", "#7c3aed",
];
/// Appointment statuses in the order people read them, with their colours.
const STATUSES: [(&str, &str, &str); 6] = [
    ("showed", "Showed", "#15803d"),
    ("noshow", "No-show", "#b91c1c"),
    ("cancelled", "Cancelled", "#9ca3af"),
    ("confirmed", "Confirmed", "#4f46e5"),
    ("new", "New", "#a5b4fc"),
    ("invalid", "Invalid", "#d1d5db"),
];

/// Where the browser finds the font the charts are laid out with.
pub const FONT_PATH: &str = "/fonts/chart.ttf";

/// charts-rs places every label by measuring it in the font it carries; the
/// browser draws the labels in that same font (style/main.css names it), so
/// they fit on every machine instead of only where the system font happens
/// to be as narrow.
pub async fn font_file() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "font/ttf"),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        DEFAULT_FONT_DATA,
    )
}

/// Options every chart shares: size, fonts, colours and hover details.
fn base(x_axis: Vec<String>, series: Vec<Value>, colors: &[&str]) -> Value {
    json!({
        "width": WIDTH,
        "height": HEIGHT,
        "theme": "light",
        "font_family": DEFAULT_FONT_FAMILY,
        "margin": {"left": 8, "top": 12, "right": 16, "bottom": 8},
        "x_axis_data": x_axis,
        "x_axis_font_color": "#5d6577",
        "x_axis_stroke_color": "#e4e7ee",
        "grid_stroke_color": "#eef0f4",
        "legend_font_color": "#1b2130",
        "legend_category": "round_rect",
        "series_colors": colors,
        "series_list": series,
        "tooltip_show": true,
        "empty_text": "Nothing in this period",
    })
}

/// A value axis from zero in whole-number steps (1, 2, 5, 10, 20, 50, …):
/// counts never get ticks like 0.4.
fn value_axis(largest: i64) -> Value {
    let largest = largest.max(1);
    let wanted = (largest + 4) / 5;
    let step = [1, 2, 5]
        .into_iter()
        .flat_map(|multiple| (0..12).map(move |power| multiple * 10_i64.pow(power)))
        .filter(|step| *step >= wanted)
        .min()
        .unwrap_or(wanted);
    let splits = (largest + step - 1) / step;
    json!([{
        "axis_min": 0,
        "axis_max": (step * splits) as f64,
        "axis_split_number": splits,
        "axis_font_color": "#5d6577",
    }])
}

fn series(name: &str, data: impl IntoIterator<Item = i64>) -> Value {
    let data: Vec<f64> = data.into_iter().map(|value| value as f64).collect();
    json!({"name": name, "data": data})
}

fn draw_bars(mut options: Value) -> String {
    options["radius"] = json!(3);
    BarChart::from_json(&options.to_string())
        .and_then(|chart| chart.svg())
        .unwrap_or_else(|error| failed(&error.to_string()))
}

fn draw_horizontal(options: Value) -> String {
    HorizontalBarChart::from_json(&options.to_string())
        .and_then(|chart| chart.svg())
        .unwrap_or_else(|error| failed(&error.to_string()))
}

/// A chart that could not be drawn says so instead of breaking the page.
fn failed(reason: &str) -> String {
    tracing::error!(reason, "drawing a chart");
    String::new()
}

fn chart(key: &str, title: &str, empty: bool, svg: String) -> Chart {
    Chart {
        key: key.to_owned(),
        title: title.to_owned(),
        svg,
        empty,
    }
}

/// `2026-11-03` → `Nov 3`.
fn short_date(day: &str) -> String {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|date| date.format("%b %-d").to_string())
        .unwrap_or_else(|_| day.to_owned())
}

pub fn new_contacts(counts: &[Count], bucket: Bucket) -> Chart {
    let title = match bucket {
        Bucket::Day => "New contacts per day",
        Bucket::Week => "New contacts per week",
    };
    let labels = counts
        .iter()
        .map(|count| short_date(&count.label))
        .collect();
    let mut options = base(
        labels,
        vec![series(
            "New contacts",
            counts.iter().map(|count| count.count),
        )],
        &COLORS[..1],
    );
    options["legend_show"] = json!(false);
    options["x_axis_label_overflow"] = json!("thin");
    options["y_axis_configs"] =
        value_axis(counts.iter().map(|count| count.count).max().unwrap_or(0));
    let empty = counts.iter().all(|count| count.count == 0);
    chart("new-contacts", title, empty, draw_bars(options))
}

/// A ranking (sources, tags) as horizontal bars, largest on top.
pub fn ranking(key: &str, title: &str, counts: &[Count]) -> Chart {
    // The chart draws its first category at the bottom.
    let ordered: Vec<&Count> = counts.iter().rev().collect();
    let mut options = base(
        ordered.iter().map(|count| count.label.clone()).collect(),
        vec![series("Contacts", ordered.iter().map(|count| count.count))],
        &COLORS[..1],
    );
    options["legend_show"] = json!(false);
    options["height"] = json!((counts.len() as f32 * 28.0 + 60.0).max(140.0));
    options["series_list"][0]["label_show"] = json!(true);
    options["y_axis_configs"] =
        value_axis(counts.iter().map(|count| count.count).max().unwrap_or(0));
    chart(key, title, counts.is_empty(), draw_horizontal(options))
}

pub fn tasks_by_assignee(rows: &[AssigneeTasks]) -> Chart {
    let largest = rows
        .iter()
        .map(|row| row.open.max(row.overdue).max(row.completed))
        .max()
        .unwrap_or(0);
    let names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
    let mut options = base(
        short_names(&names),
        vec![
            series("Open", rows.iter().map(|row| row.open)),
            series("Overdue", rows.iter().map(|row| row.overdue)),
            series("Completed", rows.iter().map(|row| row.completed)),
        ],
        &[COLORS[0], COLORS[2], COLORS[1]],
    );
    options["y_axis_configs"] = value_axis(largest);
    let empty = rows
        .iter()
        .all(|row| row.open + row.overdue + row.completed == 0);
    chart(
        "tasks-by-assignee",
        "Tasks by assignee",
        empty,
        draw_bars(options),
    )
}

/// Bars are narrow: a first name labels them, with the last name's initial
/// where two people share the first name ("Daniel K.", "Daniel R.").
fn short_names(names: &[&str]) -> Vec<String> {
    let first = |name: &str| name.split_whitespace().next().unwrap_or(name).to_owned();
    names
        .iter()
        .map(|name| {
            let shared = names
                .iter()
                .filter(|other| first(other) == first(name))
                .count()
                > 1;
            match name
                .split_whitespace()
                .nth(1)
                .and_then(|last| last.chars().next())
            {
                Some(initial) if shared => format!("{} {initial}.", first(name)),
                _ => first(name),
            }
        })
        .collect()
}

pub fn appointments_by_week(weeks: &[WeekStatuses]) -> Chart {
    let present: Vec<&(&str, &str, &str)> = STATUSES
        .iter()
        .filter(|(status, ..)| {
            weeks
                .iter()
                .any(|week| week.counts.iter().any(|count| count.label == *status))
        })
        .collect();
    let series_list: Vec<Value> = present
        .iter()
        .map(|(status, label, _)| {
            let mut one = series(
                label,
                weeks.iter().map(|week| {
                    week.counts
                        .iter()
                        .find(|count| count.label == *status)
                        .map_or(0, |count| count.count)
                }),
            );
            one["stack"] = json!("week");
            one
        })
        .collect();
    let colors: Vec<&str> = present.iter().map(|(.., color)| *color).collect();
    let largest = weeks
        .iter()
        .map(|week| week.counts.iter().map(|count| count.count).sum::<i64>())
        .max()
        .unwrap_or(0);
    let mut options = base(
        weeks
            .iter()
            .map(|week| format!("Wk {}", short_date(&week.week)))
            .collect(),
        series_list,
        &colors,
    );
    options["y_axis_configs"] = value_axis(largest);
    chart(
        "appointments-by-week",
        "Appointments per week, by status",
        weeks.is_empty(),
        draw_bars(options),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_who_share_a_first_name_get_their_initial() {
        let names = ["Daniel Kim", "Hannah Moore", "Daniel Reyes", "Cher"];
        assert_eq!(
            short_names(&names),
            ["Daniel K.", "Hannah", "Daniel R.", "Cher"]
        );
    }

    #[test]
    fn labels_from_contacts_are_drawn_as_text_never_as_markup() {
        // Tags and sources are typed by anyone who fills a form; the SVG is
        // set as the page's inner HTML.
        let counts = [Count {
            label: "<script>alert(1)</script>".into(),
            count: 3,
        }];
        let chart = ranking("tags", "Top tags", &counts);
        assert!(!chart.svg.contains("<script>"), "{}", chart.svg);
        assert!(chart.svg.contains("&lt;script&gt;"), "{}", chart.svg);
    }

    #[test]
    fn value_axes_step_in_whole_numbers() {
        let top = |largest| {
            let axis = value_axis(largest);
            (
                axis[0]["axis_max"].as_f64().unwrap(),
                axis[0]["axis_split_number"].as_i64().unwrap(),
            )
        };
        assert_eq!(top(0), (1.0, 1));
        assert_eq!(top(2), (2.0, 2));
        assert_eq!(top(6), (6.0, 3));
        assert_eq!(top(57), (60.0, 3));
        assert_eq!(top(1234), (1500.0, 3));
    }
}
