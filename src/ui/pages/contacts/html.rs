//! The contact list's repeated parts, the table's rows and the filter's
//! options, each written as one piece of HTML.
//!
//! With `erase_components` every element of a `view!` is a boxed view of
//! its own, with boxed attributes: fifty rows of them were most of the
//! work of rendering a contact list (`cargo bench --bench page_cost`).
//! These parts hold nothing reactive, so the server and the browser write
//! them as text. The rows' boxes are ticked and read by the table body
//! (see `ContactTable`), by the contact id each box carries as its value.

use html_escape::{encode_double_quoted_attribute_to_string, encode_text_to_string};

use crate::workspace::model::ContactRow;

/// The `<tr>`s of `rows`, with a box to tick each when `can_write`.
pub fn rows_html(rows: &[ContactRow], can_write: bool) -> String {
    let mut html = String::with_capacity(rows.len() * 600);
    for row in rows {
        write_row(&mut html, row, can_write);
    }
    html
}

fn write_row(html: &mut String, row: &ContactRow, can_write: bool) {
    html.push_str(r#"<tr data-testid="contact-row">"#);
    if can_write {
        html.push_str(r#"<td class="ws-check"><input type="checkbox" aria-label="Select "#);
        encode_double_quoted_attribute_to_string(&row.name, html);
        html.push_str(r#"" value=""#);
        encode_double_quoted_attribute_to_string(&row.id, html);
        html.push_str(r#""></td>"#);
    }
    html.push_str(r#"<td class="ws-name-cell"><a class="ws-name" href="/contacts/"#);
    encode_double_quoted_attribute_to_string(&row.id, html);
    html.push_str(r#"">"#);
    encode_text_to_string(&row.name, html);
    html.push_str("</a>");
    if let Some(email) = &row.email {
        html.push_str(r#"<span class="ws-sub">"#);
        encode_text_to_string(email, html);
        html.push_str("</span>");
    }
    html.push_str("</td>");
    cell(html, "ws-hide-phone ws-nowrap", row.phone.as_deref());
    cell(html, "ws-hide-phone", row.source.as_deref());
    cell(html, "ws-hide-phone", row.assignee.as_deref());
    html.push_str(r#"<td><span class="chips">"#);
    for tag in &row.tags {
        html.push_str(r#"<span class="ws-tag">"#);
        encode_text_to_string(tag, html);
        html.push_str("</span>");
    }
    html.push_str("</span></td>");
    cell(html, "ws-nowrap ws-hide-phone", row.added.as_deref());
    html.push_str("</tr>");
}

/// A `<td>` of `class` holding `text`, or nothing.
fn cell(html: &mut String, class: &'static str, text: Option<&str>) {
    html.push_str(r#"<td class=""#);
    html.push_str(class);
    html.push_str(r#"">"#);
    encode_text_to_string(text.unwrap_or_default(), html);
    html.push_str("</td>");
}

/// A drop-down's `<option>`s: `anything` (no value) first, then each
/// (value, label), the `current` value selected.
pub fn options_html(anything: &str, choices: &[(String, String)], current: &str) -> String {
    let mut html = String::with_capacity(40 * (choices.len() + 1));
    html.push_str(r#"<option value="">"#);
    encode_text_to_string(anything, &mut html);
    html.push_str("</option>");
    for (value, label) in choices {
        html.push_str(r#"<option value=""#);
        encode_double_quoted_attribute_to_string(value, &mut html);
        html.push_str(if value == current {
            r#"" selected>"#
        } else {
            r#"">"#
        });
        encode_text_to_string(label, &mut html);
        html.push_str("</option>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> ContactRow {
        ContactRow {
            id: "c-1".into(),
            name: name.into(),
            email: Some("ann@example.com".into()),
            phone: None,
            source: Some("Walk-in".into()),
            assignee: None,
            tags: vec!["vip".into(), "<b>".into()],
            added: Some("2026-11-24".into()),
        }
    }

    #[test]
    fn text_from_highlevel_is_escaped_in_cells_and_attributes() {
        let html = rows_html(&[row(r#"Ann "<script>" & Co"#)], true);
        assert!(html.contains(r#"aria-label="Select Ann &quot;&lt;script&gt;&quot; &amp; Co""#));
        assert!(html.contains(r#">Ann "&lt;script&gt;" &amp; Co</a>"#));
        assert!(html.contains(r#"<span class="ws-tag">&lt;b&gt;</span>"#));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn a_viewer_gets_no_boxes_and_every_row_its_cells() {
        let html = rows_html(&[row("Ann"), row("Bea")], false);
        assert_eq!(html.matches("<tr ").count(), 2);
        assert_eq!(html.matches("<td").count(), 12);
        assert!(!html.contains("checkbox"));
        let ticked = rows_html(&[row("Ann")], true);
        assert!(ticked.contains(r#"<input type="checkbox" aria-label="Select Ann" value="c-1">"#));
        assert!(ticked.contains(r#"<a class="ws-name" href="/contacts/c-1">Ann</a><span class="ws-sub">ann@example.com</span>"#));
    }

    #[test]
    fn the_current_choice_is_selected_and_labels_are_escaped() {
        let choices = [
            ("u-1".to_owned(), "Ann & Bea".to_owned()),
            ("u-2".to_owned(), "Cy".to_owned()),
        ];
        let html = options_html("Anyone", &choices, "u-2");
        assert_eq!(
            html,
            r#"<option value="">Anyone</option><option value="u-1">Ann &amp; Bea</option><option value="u-2" selected>Cy</option>"#
        );
    }
}
