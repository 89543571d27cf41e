//! Static files from the built site, through hyper-staticfile (Content-Type,
//! Last-Modified, ETag, Range, HEAD). We add what it leaves out: `304` for a
//! matching `If-None-Match`, GET's Content-Type on HEAD, the site's 404 page,
//! and refusing hidden files and odd paths before they reach the filesystem.
//!
//! A site that fits in [`MEMORY_LIMIT`] is served from memory (hyper-staticfile's
//! `MemoryFs`, loaded after each build): no file system call per request,
//! and a plain GET or HEAD (no conditions, no range) gets an answer made
//! once per build. Larger sites are read from disk.
//!
//! Compression: the build wrote `FILE.br` and `FILE.gz` beside the text
//! files (`site::compress`); a client gets the best one its
//! `Accept-Encoding` allows ([`accepted`]: Brotli, then gzip, then the file
//! itself), with `Vary: Accept-Encoding` on every answer of a compressible
//! type. A range request gets the file itself (ranges of a compressed copy
//! are not offered), and so does every request in watch mode.
//! Content-hashed assets (`site::assets`) are cached for a year
//! (`immutable`), everything else for [`MAX_AGE`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_staticfile::vfs::{FileOpener, IntoFileAccess, MemoryFs};
use hyper_staticfile::{AcceptEncoding, ResolveResult, Resolver, ResponseBuilder};

use super::{Body, full, html};
use crate::site::{assets, compress};

/// Largest built site kept in memory.
pub const MEMORY_LIMIT: u64 = 32 * 1024 * 1024;

/// Seconds browsers may reuse a file before asking again (then a cheap 304).
const MAX_AGE: u32 = 300;

enum Files {
    Memory(Resolver<MemoryFs>),
    Disk(Resolver),
}

struct Loaded {
    files: Files,
    not_found: Bytes,
    /// When the site is in memory: the answer to a plain GET of each file
    /// (by its URL, and a folder's `index.html` by the folder's too), made
    /// once per build by the same code as any other answer.
    ready: HashMap<String, Ready>,
    /// The content-hashed files' URLs (the build's manifest).
    immutable: HashSet<String>,
}

type Answer = (HeaderMap, Bytes);

/// A file's ready answers: the file itself and its compressed copies.
struct Ready {
    identity: Answer,
    br: Option<Answer>,
    gzip: Option<Answer>,
}

impl Ready {
    fn best(&self, accept: AcceptEncoding) -> &Answer {
        let br = self.br.as_ref().filter(|_| accept.br);
        let gzip = self.gzip.as_ref().filter(|_| accept.gzip);
        br.or(gzip).unwrap_or(&self.identity)
    }
}

const IDENTITY: AcceptEncoding = AcceptEncoding::none();
const BR: AcceptEncoding = AcceptEncoding {
    br: true,
    gzip: false,
};
const GZIP: AcceptEncoding = AcceptEncoding {
    br: false,
    gzip: true,
};

pub struct StaticFiles {
    root: PathBuf,
    /// Whether compressed copies are sent: not in watch mode, which puts
    /// the reload script into each page as it goes out.
    compressed: bool,
    loaded: RwLock<Arc<Loaded>>,
}

const FALLBACK_404: &[u8] = b"<!DOCTYPE html><html lang=\"id\"><meta charset=\"utf-8\"><title>Halaman tidak ditemukan</title><h1>Halaman tidak ditemukan</h1>";

fn size_of_dir(root: &Path) -> u64 {
    walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

async fn load(root: &Path) -> Loaded {
    let files = if size_of_dir(root) <= MEMORY_LIMIT {
        match MemoryFs::from_dir(root).await {
            Ok(fs) => Files::Memory(Resolver::with_opener(fs)),
            Err(e) => {
                tracing::warn!("serving {} from disk: {e}", root.display());
                Files::Disk(Resolver::new(root))
            }
        }
    } else {
        Files::Disk(Resolver::new(root))
    };
    let not_found = tokio::fs::read(root.join("404.html"))
        .await
        .map(Bytes::from)
        .unwrap_or_else(|_| Bytes::from_static(FALLBACK_404));
    let mut loaded = Loaded {
        files,
        not_found,
        ready: HashMap::new(),
        immutable: assets::listed(root),
    };
    loaded.ready = ready_answers(&loaded, root).await;
    loaded
}

async fn ready_answers(loaded: &Loaded, root: &Path) -> HashMap<String, Ready> {
    let mut ready = HashMap::new();
    let Files::Memory(resolver) = &loaded.files else {
        return ready;
    };
    let files = walkdir::WalkDir::new(root).into_iter().flatten();
    for entry in files.filter(|e| e.file_type().is_file()) {
        let Some(rel) = entry.path().strip_prefix(root).ok().and_then(Path::to_str) else {
            continue;
        };
        // A compressed copy is an answer of its file's.
        if compress::ENCODINGS
            .iter()
            .any(|e| rel.ends_with(&format!(".{e}")))
        {
            continue;
        }
        let url = format!("/{rel}");
        let folder = url.strip_suffix("index.html").map(str::to_string);
        for url in [Some(url), folder].into_iter().flatten() {
            let Ok(req) = Request::get(url.as_str()).body(()) else {
                continue;
            };
            if !is_plain_path(req.uri().path()) || req.uri().path() != url {
                continue;
            }
            let Some(identity) = ready_answer(resolver, loaded, &req, IDENTITY, None).await else {
                continue;
            };
            let br = ready_answer(resolver, loaded, &req, BR, Some("br")).await;
            let gzip = ready_answer(resolver, loaded, &req, GZIP, Some("gzip")).await;
            ready.insert(url, Ready { identity, br, gzip });
        }
    }
    ready
}

/// The answer to `req` with `accept`, if it is a `200` in `encoding`.
async fn ready_answer(
    resolver: &Resolver<MemoryFs>,
    loaded: &Loaded,
    req: &Request<()>,
    accept: AcceptEncoding,
    encoding: Option<&str>,
) -> Option<Answer> {
    let response = serve_with(resolver, loaded, req, accept).await;
    let got = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    if response.status() != StatusCode::OK || got != encoding {
        return None;
    }
    let (parts, body) = response.into_parts();
    let body = body.collect().await.ok()?.to_bytes();
    Some((parts.headers, body))
}

impl StaticFiles {
    pub async fn new(root: &Path, compressed: bool) -> StaticFiles {
        StaticFiles {
            root: root.to_path_buf(),
            compressed,
            loaded: RwLock::new(Arc::new(load(root).await)),
        }
    }

    /// Picks up a new build.
    pub async fn reload(&self) {
        let fresh = Arc::new(load(&self.root).await);
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = fresh;
    }

    fn current(&self) -> Arc<Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub async fn serve<B>(&self, req: &Request<B>) -> Response<Body> {
        let loaded = self.current();
        if !is_plain_path(req.uri().path()) {
            return not_found(&loaded);
        }
        let head = req.method() == Method::HEAD;
        let conditional = [
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::IF_MATCH,
            header::IF_UNMODIFIED_SINCE,
            header::IF_RANGE,
            header::RANGE,
        ]
        .iter()
        .any(|h| req.headers().contains_key(h));
        let accept = match self.compressed {
            true => accepted(req.headers()),
            false => IDENTITY,
        };
        if (head || req.method() == Method::GET)
            && !conditional
            && let Some(ready) = loaded.ready.get(req.uri().path())
        {
            let (headers, body) = ready.best(accept);
            let mut response = Response::new(full(if head { Bytes::new() } else { body.clone() }));
            *response.headers_mut() = headers.clone();
            return response;
        }
        match &loaded.files {
            Files::Memory(resolver) => serve_with(resolver, &loaded, req, accept).await,
            Files::Disk(resolver) => serve_with(resolver, &loaded, req, accept).await,
        }
    }
}

fn not_found(loaded: &Loaded) -> Response<Body> {
    html(StatusCode::NOT_FOUND, loaded.not_found.to_vec())
}

/// The encodings `headers` let us send (RFC 9110 §12.5.3): a coding with
/// `q=0` is refused, `*` stands for the codings not named, `x-gzip` is
/// gzip. A range request gets the file itself: hyper-staticfile would send
/// a range of the compressed copy without saying it is compressed.
fn accepted(headers: &HeaderMap) -> AcceptEncoding {
    if headers.contains_key(header::RANGE) {
        return IDENTITY;
    }
    let (mut br, mut gzip, mut any) = (None, None, None);
    let list = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok());
    for item in list.flat_map(|v| v.split(',')) {
        let mut params = item.split(';');
        let coding = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = params
            .filter_map(|p| p.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .map_or(Some(1.0), |(_, v)| v.trim().parse::<f32>().ok());
        // A weight that does not read is taken as a refusal.
        let wanted = q.is_some_and(|q| q > 0.0);
        match coding.as_str() {
            "br" => br = Some(wanted),
            "gzip" | "x-gzip" => gzip = Some(wanted),
            "*" => any = Some(wanted),
            _ => {}
        }
    }
    AcceptEncoding {
        br: br.or(any).unwrap_or(false),
        gzip: gzip.or(any).unwrap_or(false),
    }
}

/// Whether answers at `path` vary with `Accept-Encoding`.
fn compressible(path: &str) -> bool {
    path.ends_with('/') || compress::is_compressible(Path::new(path))
}

async fn serve_with<O, B>(
    resolver: &Resolver<O>,
    loaded: &Loaded,
    req: &Request<B>,
    accept: AcceptEncoding,
) -> Response<Body>
where
    O: FileOpener,
    <O::File as IntoFileAccess>::Output: Sync,
{
    let resolved = if matches!(*req.method(), Method::GET | Method::HEAD) {
        resolver.resolve_path(req.uri().path(), accept).await
    } else {
        resolver.resolve_request(req).await
    };
    let result = match resolved {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("static file error: {e}");
            return not_found(loaded);
        }
    };
    let etag_wanted = req.headers().get(header::IF_NONE_MATCH).cloned();
    match result {
        ResolveResult::NotFound | ResolveResult::PermissionDenied => not_found(loaded),
        result => {
            // hyper-staticfile answers HEAD without Content-Type (and
            // Content-Encoding): build GET's answer and leave the body out.
            let head = req.method() == Method::HEAD;
            let mut builder = ResponseBuilder::new();
            builder.request(req).cache_headers(Some(MAX_AGE));
            builder.file_response_builder.is_head(false);
            let mut response = match builder.build(result) {
                Ok(r) if head => r.map(|_| full(Bytes::new())),
                Ok(r) => r.map(|b| b.boxed()),
                Err(e) => {
                    tracing::error!("static file error: {e}");
                    return not_found(loaded);
                }
            };
            add_utf8_charset(&mut response);
            let path = req.uri().path();
            let headers = response.headers_mut();
            if loaded.immutable.contains(path) {
                headers.insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(assets::IMMUTABLE),
                );
            }
            if compressible(path) {
                headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            }
            not_modified_if_etag_matches(response, etag_wanted.as_ref())
        }
    }
}

/// Our HTML, CSS and XML are UTF-8; say so, so no browser has to guess.
fn add_utf8_charset(response: &mut Response<Body>) {
    let Some(value) = response.headers().get(header::CONTENT_TYPE) else {
        return;
    };
    let Ok(text) = value.to_str() else { return };
    // The site's own types, without a new string per request.
    let known = match text {
        "text/html" => "text/html; charset=utf-8",
        "text/css" => "text/css; charset=utf-8",
        "application/xml" => "application/xml; charset=utf-8",
        "image/svg+xml" => "image/svg+xml; charset=utf-8",
        _ => "",
    };
    if !known.is_empty() {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(known));
        return;
    }
    let textual = text.starts_with("text/") || text == "application/xml" || text == "image/svg+xml";
    if textual
        && !text.contains("charset")
        && let Ok(v) = HeaderValue::from_str(&format!("{text}; charset=utf-8"))
    {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
}

/// Refuses what no page of ours looks like: hidden files and folders
/// (`/.gitignore`), parent references, backslashes, NUL and other control
/// characters, whether written plainly or percent-encoded.
fn is_plain_path(path: &str) -> bool {
    if !path.starts_with('/') {
        return false;
    }
    let decoded: std::borrow::Cow<[u8]> = percent_encoding::percent_decode(path.as_bytes()).into();
    if decoded.iter().any(|&b| b == b'\\' || b < 0x20 || b == 0x7f) {
        return false;
    }
    decoded
        .split(|&b| b == b'/')
        .all(|segment| !segment.starts_with(b"."))
}

fn not_modified_if_etag_matches(
    response: Response<Body>,
    wanted: Option<&HeaderValue>,
) -> Response<Body> {
    let (Some(wanted), Some(etag)) = (wanted, response.headers().get(header::ETAG)) else {
        return response;
    };
    let etag = etag.as_bytes();
    let matches = wanted.to_str().is_ok_and(|list| {
        list.split(',')
            .map(str::trim)
            .any(|candidate| candidate == "*" || weak_eq(candidate.as_bytes(), etag))
    });
    if !matches || !response.status().is_success() {
        return response;
    }
    let mut not_modified = Response::new(full(Vec::new()));
    *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
    for name in [
        header::ETAG,
        header::LAST_MODIFIED,
        header::CACHE_CONTROL,
        header::VARY,
    ] {
        if let Some(v) = response.headers().get(&name) {
            not_modified.headers_mut().insert(name, v.clone());
        }
    }
    not_modified
}

/// Weak comparison (RFC 9110 §8.8.3.2): equal once any `W/` is dropped.
fn weak_eq(a: &[u8], b: &[u8]) -> bool {
    a.strip_prefix(b"W/").unwrap_or(a) == b.strip_prefix(b"W/").unwrap_or(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths() {
        assert!(is_plain_path("/"));
        assert!(is_plain_path("/layanan/fasilitasi-usaha-mikro/"));
        assert!(is_plain_path("/css/site.css"));
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/b",
            "/.gitignore",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/a%00b",
            "*",
        ] {
            assert!(!is_plain_path(bad), "{bad}");
        }
    }

    fn accept(value: &str) -> (bool, bool) {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        let a = accepted(&headers);
        (a.br, a.gzip)
    }

    #[test]
    fn accept_encoding_weights_and_wildcards() {
        assert_eq!(accept("gzip, deflate, br, zstd"), (true, true));
        assert_eq!(accept("gzip"), (false, true));
        assert_eq!(accept("br;q=0, gzip;q=0.5"), (false, true));
        assert_eq!(accept("br;q=0.000, gzip;Q=0"), (false, false));
        assert_eq!(accept("*"), (true, true));
        assert_eq!(accept("*;q=0, br"), (true, false));
        assert_eq!(accept("gzip;q=0, *"), (true, false));
        assert_eq!(accept("x-gzip"), (false, true));
        assert_eq!(accept("BR ; q=1"), (true, false));
        assert_eq!(accept("br;q=nonsense"), (false, false));
        assert_eq!(accept("identity"), (false, false));
        let mut ranged = HeaderMap::new();
        ranged.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        ranged.insert(header::RANGE, HeaderValue::from_static("bytes=0-9"));
        assert!(!accepted(&ranged).br);
    }

    #[test]
    fn etags_compare_weakly() {
        assert!(weak_eq(b"W/\"1-2\"", b"W/\"1-2\""));
        assert!(weak_eq(b"\"1-2\"", b"W/\"1-2\""));
        assert!(!weak_eq(b"\"1-3\"", b"W/\"1-2\""));
    }
}
