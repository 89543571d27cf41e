//! What the public server and the staff desk share about requests: the
//! page saying why one was not served ([`Notice`], held by
//! `server::messages` and `desk::messages`, so that the text people read
//! is in one place per audience), and the media type of a request's body.

use std::borrow::Cow;

use hyper::StatusCode;
use hyper::header::{self, HeaderMap};

/// A form as browsers send it when it has no file.
pub const URLENCODED: &str = "application/x-www-form-urlencoded";

/// The media type of a request's body, lower case and without its
/// parameters (`multipart/form-data`); "" when there is none.
pub fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A page saying why a request was not served, and what to do instead.
#[derive(Debug, Clone)]
pub struct Notice {
    pub status: StatusCode,
    pub title: &'static str,
    pub text: Cow<'static, str>,
}

impl Notice {
    pub const fn new(status: StatusCode, title: &'static str, text: &'static str) -> Notice {
        Notice {
            status,
            title,
            text: Cow::Borrowed(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_media_type_is_lower_case_without_parameters() {
        let mut headers = HeaderMap::new();
        assert_eq!(media_type(&headers), "");
        headers.insert(
            header::CONTENT_TYPE,
            "Multipart/Form-Data; boundary=x".parse().unwrap(),
        );
        assert_eq!(media_type(&headers), "multipart/form-data");
        headers.insert(
            header::CONTENT_TYPE,
            " application/x-www-form-urlencoded ;charset=utf-8"
                .parse()
                .unwrap(),
        );
        assert_eq!(media_type(&headers), URLENCODED);
    }
}
