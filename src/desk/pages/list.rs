//! `/halaman/`: the site's pages; `/halaman/baru/`: a new one;
//! `/halaman/hapus/…`: removing one. (Issue 30: being built.)

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};

use crate::desk::{Body, Desk, Staff, messages};

pub async fn handle(
    desk: &Arc<Desk>,
    _req: Request<Incoming>,
    staff: &Staff,
    _rest: &str,
) -> Response<Body> {
    desk.error_page(Some(staff), messages::PAGE_UNKNOWN)
}

pub async fn remove(
    desk: &Arc<Desk>,
    _req: Request<Incoming>,
    staff: &Staff,
    _file: &str,
) -> Response<Body> {
    desk.error_page(Some(staff), messages::PAGE_UNKNOWN)
}
