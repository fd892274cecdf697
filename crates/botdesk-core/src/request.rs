//! Turning what a client sent into a typed request, with an error that names the problem and
//! the field. Both shells use this, so a bad body reads the same over HTTP and over IPC.

use serde::de::DeserializeOwned;

use crate::error::CoreError;

/// Parses a JSON body. Malformed JSON is `request.malformed_json` (with line and column);
/// well-formed JSON of the wrong shape is `request.invalid_body`, naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CoreError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| shape_error(e, true))?;
    de.end().map_err(|e| syntax_error(&e))?;
    Ok(value)
}

/// Reads a value the IPC layer already parsed as JSON.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, CoreError> {
    serde_path_to_error::deserialize(value).map_err(|e| shape_error(e, false))
}

fn syntax_error(e: &serde_json::Error) -> CoreError {
    CoreError::invalid(
        "request.malformed_json",
        format!("the request body is not valid JSON: {e}"),
    )
}

fn shape_error(e: serde_path_to_error::Error<serde_json::Error>, from_text: bool) -> CoreError {
    let inner = e.inner();
    if from_text && (inner.is_syntax() || inner.is_eof()) {
        return syntax_error(inner);
    }
    let path = e.path().to_string();
    // serde_json's message ends with " at line L column C" for text input; the field is what
    // the owner needs, the position is noise for a JSON object.
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    if path == "." || path.is_empty() {
        CoreError::invalid(
            "request.invalid_body",
            format!("the request body is not what this call takes: {message}"),
        )
    } else {
        CoreError::invalid_field(
            "request.invalid_body",
            path.clone(),
            format!("{path}: {message}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::wire::SettingsUpdate;

    #[test]
    fn malformed_json_and_wrong_shapes_have_their_own_codes() {
        let err = parse_json::<SettingsUpdate>(b"{\"desktop_http_api_port\": ").unwrap_err();
        assert_eq!(err.code(), "request.malformed_json");
        assert!(err.to_string().contains("line 1"), "{err}");

        let err =
            parse_json::<SettingsUpdate>(b"{\"desktop_http_api_port\": \"eighty\"}").unwrap_err();
        assert_eq!(err.code(), "request.invalid_body");
        assert_eq!(err.wire().field.as_deref(), Some("desktop_http_api_port"));

        let err = parse_json::<SettingsUpdate>(b"{\"colour\": 1}").unwrap_err();
        assert_eq!(err.code(), "request.invalid_body");
        assert!(err.to_string().contains("colour"), "{err}");

        let err = parse_json::<SettingsUpdate>(b"[1, 2]").unwrap_err();
        assert_eq!(err.code(), "request.invalid_body");

        let err = parse_json::<SettingsUpdate>(b"{} trailing").unwrap_err();
        assert_eq!(err.code(), "request.malformed_json");

        let err = parse_json::<SettingsUpdate>(&[0xff, 0xfe, b'{']).unwrap_err();
        assert_eq!(err.code(), "request.malformed_json");

        let ok =
            from_value::<SettingsUpdate>(serde_json::json!({"desktop_http_api_enabled": true}))
                .unwrap();
        assert_eq!(ok.desktop_http_api_enabled, Some(true));
    }
}
