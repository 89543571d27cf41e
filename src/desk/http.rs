//! Small HTTP pieces of the desk: bodies, responses, cookies and reading a
//! posted form.

use std::io;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};

use crate::core::web;

/// The same body type as the public server's.
pub type Body = BoxBody<Bytes, io::Error>;

/// Largest form the desk reads (a result summary is a few KB).
const MAX_FORM_BYTES: usize = 64 * 1024;
/// Longest a form may take to arrive.
const FORM_TIMEOUT: Duration = Duration::from_secs(30);

pub fn full(body: impl Into<Bytes>) -> Body {
    Full::new(body.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A response with a known length that no cache keeps.
pub fn bytes(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Body> {
    let len = body.len();
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    response
}

pub fn html(status: StatusCode, body: String) -> Response<Body> {
    bytes(status, "text/html; charset=utf-8", body.into_bytes())
}

/// A last-resort page when a template fails: plain text, no details.
pub fn plain_error() -> Response<Body> {
    bytes(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/plain; charset=utf-8",
        "Terjadi kesalahan pada server. Coba lagi; bila tetap gagal, hubungi pengelola server.\n"
            .as_bytes()
            .to_vec(),
    )
}

/// 303 See Other to a path of the desk.
pub fn redirect(location: &str) -> Response<Body> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Adds a `Set-Cookie` line.
pub fn set_cookie(response: &mut Response<Body>, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The value of cookie `name`, from every `Cookie` header line.
pub fn cookie<B>(req: &Request<B>, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The query's `key=value` pairs, decoded.
pub fn query<B>(req: &Request<B>) -> Form {
    Form::parse(req.uri().query().unwrap_or("").as_bytes())
}

/// A posted form's fields (or a query's), decoded.
#[derive(Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    fn parse(urlencoded: &[u8]) -> Form {
        Form(
            form_urlencoded::parse(urlencoded)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name` as sent, if there is one.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every field, as posted.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.0
    }

    /// The fields `pairs` (a kept form, read again).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Form {
        Form(pairs)
    }

    /// Every value of `name` (a group of checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        let values = self.0.iter().filter(|(k, _)| k == name);
        values.map(|(_, v)| v.clone()).collect()
    }

    /// The first value of `name`, or "" (line ends as `\n`).
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default()
    }
}

/// Why a form was not read; each is the staff's page in Indonesian.
#[derive(Debug)]
pub enum FormError {
    /// Not `application/x-www-form-urlencoded`.
    Type,
    TooLarge,
    /// Broken off, or too slow.
    Incomplete,
}

pub async fn read_form(req: Request<Incoming>) -> Result<Form, FormError> {
    read_form_up_to(req, MAX_FORM_BYTES).await
}

/// [`read_form`] of a form that may be larger (a page of the site, being
/// edited), up to `max` bytes.
pub async fn read_form_up_to(req: Request<Incoming>, max: usize) -> Result<Form, FormError> {
    if web::media_type(req.headers()) != web::URLENCODED {
        return Err(FormError::Type);
    }
    let limited = Limited::new(req.into_body(), max);
    let collected = match tokio::time::timeout(FORM_TIMEOUT, limited.collect()).await {
        Err(_) => return Err(FormError::Incomplete),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return Err(FormError::TooLarge);
        }
        Ok(Err(_)) => return Err(FormError::Incomplete),
        Ok(Ok(c)) => c.to_bytes(),
    };
    Ok(Form::parse(&collected))
}

/// The boundary of a `multipart/form-data` post (a form with files):
/// [`FormError::Type`] when it is not one, [`FormError::Incomplete`] when
/// its boundary does not read.
pub fn boundary<B>(req: &Request<B>) -> Result<String, FormError> {
    if web::media_type(req.headers()) != "multipart/form-data" {
        return Err(FormError::Type);
    }
    let content_type = req.headers().get(header::CONTENT_TYPE);
    let content_type = content_type.and_then(|v| v.to_str().ok()).unwrap_or("");
    multer::parse_boundary(content_type).map_err(|_| FormError::Incomplete)
}

/// Why a file upload (a multipart post read by multer) was not read.
pub enum UploadError {
    NotMultipart,
    TooLarge,
    /// Broken off, malformed, or too slow.
    Unreadable,
    Storage(io::Error),
}

impl From<multer::Error> for UploadError {
    fn from(e: multer::Error) -> UploadError {
        match e {
            multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
                UploadError::TooLarge
            }
            _ => UploadError::Unreadable,
        }
    }
}

impl From<io::Error> for UploadError {
    fn from(e: io::Error) -> UploadError {
        UploadError::Storage(e)
    }
}

/// Whether a request only reads.
pub fn is_read<B>(req: &Request<B>) -> bool {
    matches!(*req.method(), hyper::Method::GET | hyper::Method::HEAD)
}

/// A path to go back to after signing in: one of the desk's own, never
/// another host (`//evil`, `/\evil`) or anything odd.
pub fn local_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 200
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'\\' && b != b'"');
    ok.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_on_any_line() {
        let req = Request::builder()
            .header("cookie", "a=1; loket_meja=abc")
            .header("cookie", "b=2")
            .body(())
            .unwrap();
        assert_eq!(cookie(&req, "loket_meja").as_deref(), Some("abc"));
        assert_eq!(cookie(&req, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&req, "c"), None);
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/kasus/KP-1/"), Some("/kasus/KP-1/"));
        assert_eq!(local_path("/?status=baru"), Some("/?status=baru"));
        for bad in [
            "//evil.example/",
            "/\\evil",
            "https://x/",
            "",
            "/a b",
            "kasus",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
