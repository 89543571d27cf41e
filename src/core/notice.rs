//! A page saying why a request was not served, and what to do instead:
//! what the public server's and the staff desk's messages modules hold
//! (`server::messages`, `desk::messages`), so that the text people read is
//! in one place per audience and not scattered through the handlers.

use std::borrow::Cow;

use hyper::StatusCode;

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
