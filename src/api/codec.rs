//! How server functions send their answers: JSON, which the browser reads
//! as text. A page hydrates the answers it rendered with from JSON text in
//! its HTML (`serde_json::from_str`), while server_fn's own JSON codec reads
//! later answers from bytes (`serde_json::from_slice`): serde then compiles
//! every answer's decoder twice into the browser's wasm, once per reader.
//! Reading both as text keeps one.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::{DeserializeOwned, Error as _};
use serde::Serialize;

/// The output encoding of every server function (`output = JsonText`).
pub type JsonText = Post<JsonAsText>;

/// JSON in the body, decoded through `serde_json::from_str`.
pub struct JsonAsText;

impl ContentType for JsonAsText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonAsText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonAsText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonAsText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_back_as_it_was_sent() {
        let sent = vec![(String::from("Ann"), 3_i64), (String::from("Zoë"), -1)];
        let bytes = <JsonAsText as Encodes<_>>::encode(&sent).unwrap();
        let read: Vec<(String, i64)> = JsonAsText::decode(bytes).unwrap();
        assert_eq!(read, sent);
    }

    #[test]
    fn bytes_that_are_not_text_are_refused() {
        let read: Result<String, _> = JsonAsText::decode(Bytes::from_static(b"\"\xff\""));
        assert!(read.is_err());
    }

    /// Leptos has no crate-wide output encoding: a server function that
    /// does not name this one still works, but brings its answer's second
    /// decoder back into the wasm.
    #[test]
    fn every_server_function_answers_as_text() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut functions = 0;
        let mut forgotten = Vec::new();
        for (file, source) in rust_files(&src) {
            for line in source
                .lines()
                .filter(|line| line.trim_start().starts_with("#[server"))
            {
                functions += 1;
                if !line.contains("output = crate::api::codec::JsonText") {
                    forgotten.push(format!("{}: {}", file.display(), line.trim()));
                }
            }
        }
        assert!(
            functions > 0,
            "no server function found under {}",
            src.display()
        );
        assert!(
            forgotten.is_empty(),
            "answers not sent as text:\n{}",
            forgotten.join("\n")
        );
    }

    fn rust_files(folder: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                files.push((path, source));
            }
        }
        files
    }
}
