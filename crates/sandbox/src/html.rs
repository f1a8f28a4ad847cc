//! The sandbox's few HTML pages put request data into markup; it is escaped
//! so that a hostile value shows as text.

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
