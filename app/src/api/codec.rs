//! The encoding every server function answers in: `application/json` as serde_json writes
//! it (the same bytes as Leptos' `Json`), read in the browser from text with
//! `serde_json::from_str`, the reader Leptos uses for the data a server-rendered page
//! carries for its resources. One reader for both keeps one copy of each type's decoder in
//! the wasm instead of two (README, "Front-end budget").

use bytes::Bytes;
use leptos::server_fn::codec::Post;
use leptos::server_fn::{ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, decoded from UTF-8 text.
pub struct JsonTextEncoding;

/// A server function's answer as JSON (`output = JsonText`).
pub type JsonText = Post<JsonTextEncoding>;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_back_as_written_and_bytes_that_are_not_text_are_refused() {
        let page = shared::ApiError::new(shared::ErrorCode::NotFound, "no such table “t”");
        let bytes = JsonTextEncoding::encode(&page).unwrap_or_default();
        let back: Result<shared::ApiError, _> = JsonTextEncoding::decode(bytes);
        assert_eq!(back.ok(), Some(page));
        let broken: Result<shared::ApiError, _> =
            JsonTextEncoding::decode(Bytes::from_static(b"\"\xff\""));
        assert!(broken.is_err());
    }
}
