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
}
