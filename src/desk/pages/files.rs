//! Berkas situs: the files of the site's `static/` on the desk (issue 30).
//!
//! - `GET /halaman/berkas/`: every file (path, kind, size, public address;
//!   images with a thumbnail) and the upload form.
//! - `POST /halaman/berkas/` (multipart, read with multer under limits that
//!   are always set): one file into a folder of `static/`, under a slugged
//!   name. Made safe by the same [`Sanitizer`] as citizens' uploads: photos
//!   (JPEG, PNG) decoded and encoded anew as JPEG (EXIF, GPS location and
//!   anything hidden are gone), PDFs checked for active content; anything
//!   else refused (415), as is a photo over [`MAX_IMAGE`] or a PDF over
//!   [`MAX_PDF`] (413). An existing file is replaced only when asked.
//!   Written atomically with the folder's group-editable mode
//!   ([`crate::edit::files::write`]), then the server builds and serves the
//!   site; a failed build puts the old file back. Audited
//!   ([`Action::FileUploaded`]).
//! - `GET /halaman/berkas/static/…`: one file, for the editor's preview
//!   (its stylesheet and images): a regular file inside `static/` reached
//!   through no link, typed by its extension, `nosniff`, and sandboxed
//!   should it be opened as a page.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use multer::{Constraints, Multipart, SizeLimit};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::cases::sanitize::{SanitizeError, Sanitizer};
use crate::desk::http::{self, UploadError, bytes, query, redirect};
use crate::desk::{Body, Desk, Staff, blocking, messages};
use crate::edit::files::{self, StaticPath, folder_of, stem_of};
use crate::forms::validate::{FileKind, format_size};
use crate::site::content::STATIC_DIR;
use crate::work::audit::Action;

/// Largest photo uploaded.
pub const MAX_IMAGE: u64 = 10 * 1024 * 1024;
/// Largest PDF uploaded.
pub const MAX_PDF: u64 = 20 * 1024 * 1024;
/// The field the file comes in.
const FILE: &str = "berkas";
/// Largest text part (the CSRF token, the folder, the name).
const MAX_TEXT: u64 = 4 * 1024;
/// Longest the post may take to arrive.
const TOTAL: Duration = Duration::from_secs(300);
/// Largest file served to the preview (bounds memory only).
const MAX_SERVED: u64 = 64 * 1024 * 1024;
/// Where the pages of this module are.
const FILES_PATH: &str = "/halaman/berkas/";

pub async fn handle(
    desk: &Arc<Desk>,
    req: Request<Incoming>,
    staff: &Staff,
    rest: &str,
) -> Response<Body> {
    let read = http::is_read(&req);
    match (rest, read) {
        ("", true) => {
            let asked = query(&req);
            let mut view = FilesPage::default();
            if let Some(done) = asked.first("diunggah").and_then(StaticPath::parse) {
                view.done_url = format!("{}{}", base_url(desk), done.url());
                view.done = done.to_string();
                view.replaced = asked.first("diganti").is_some();
            }
            page(desk, staff, StatusCode::OK, view).await
        }
        ("", false) => upload(desk, req, staff).await,
        (file, true) if file.starts_with(STATIC_DIR) => serve(desk, staff, file).await,
        (_, false) => desk.not_allowed(Some(staff)),
        _ => desk.error_page(Some(staff), messages::STATIC_FILE_UNKNOWN),
    }
}

/// One file as the list shows it.
#[derive(Serialize)]
struct FileRow {
    path: String,
    kind: String,
    size: String,
    /// Its address on the public site.
    url: String,
    /// Its address on the desk.
    preview: String,
    image: bool,
}

#[derive(Serialize, Default)]
struct FilesPage {
    files: Vec<FileRow>,
    folders: Vec<String>,
    /// The form as posted.
    folder: String,
    name: String,
    replace: bool,
    error: String,
    /// The file just uploaded, its public address, whether it replaced one.
    done: String,
    done_url: String,
    replaced: bool,
    max_image: String,
    max_pdf: String,
}

/// The public site's address, without its final `/`.
fn base_url(desk: &Desk) -> String {
    (desk.office)().config.base_url.clone()
}

/// What a file is, in staff's words, from its extension.
fn kind(mime: &str, path: &StaticPath) -> String {
    let ext = path
        .as_str()
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_uppercase())
        .unwrap_or_default();
    match mime {
        "application/pdf" => "Dokumen PDF".into(),
        "text/css" => "Gaya tampilan (CSS)".into(),
        "text/javascript" | "application/javascript" => "Skrip (JavaScript)".into(),
        m if m.starts_with("image/") => format!("Gambar {ext}"),
        m if m.starts_with("font/") => format!("Fon {ext}"),
        _ if ext.is_empty() => "Berkas".into(),
        _ => format!("Berkas {ext}"),
    }
}

/// The page: the files of `static/` and the form as `view` has it.
async fn page(
    desk: &Arc<Desk>,
    staff: &Staff,
    status: StatusCode,
    mut view: FilesPage,
) -> Response<Body> {
    let site = desk.site.clone();
    let (found, folders) = match blocking(move || files::list(&site)).await {
        Ok(listed) => listed,
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot list the site's static files: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    let base = base_url(desk);
    view.files = found
        .into_iter()
        .map(|f| {
            let mime = mime_guess::from_path(f.path.as_str())
                .first_raw()
                .unwrap_or("");
            FileRow {
                kind: kind(mime, &f.path),
                size: format_size(f.size),
                url: format!("{base}{}", f.path.url()),
                preview: format!("{FILES_PATH}{}", f.path),
                image: mime.starts_with("image/"),
                path: f.path.to_string(),
            }
        })
        .collect();
    view.folders = folders;
    view.max_image = format_size(MAX_IMAGE);
    view.max_pdf = format_size(MAX_PDF);
    desk.page(staff, "halaman", "halaman-berkas.html", status, &view)
}

/// What the upload form carried; the file is in `raw`.
#[derive(Default)]
struct Posted {
    csrf: String,
    folder: String,
    name: String,
    replace: bool,
    /// The file's name on the uploader's computer.
    original: String,
    raw: Option<tempfile::NamedTempFile>,
    size: u64,
    head: Vec<u8>,
}

/// Reads the upload form, its file into a private scratch file of `data/`.
async fn read(scratch: PathBuf, req: Request<Incoming>) -> Result<Posted, UploadError> {
    let boundary = http::boundary(&req).map_err(|_| UploadError::NotMultipart)?;
    let limits = SizeLimit::new()
        .whole_stream(MAX_PDF + 8 * MAX_TEXT)
        .per_field(MAX_TEXT)
        .for_field(FILE, MAX_PDF);
    let constraints = Constraints::new()
        .size_limit(limits)
        .allowed_fields(vec!["csrf", "folder", "nama", "ganti", FILE]);
    let mut multipart =
        Multipart::with_constraints(req.into_body().into_data_stream(), boundary, constraints);
    let mut posted = Posted::default();
    let reading = async {
        while let Some(mut field) = multipart.next_field().await? {
            match field.name().unwrap_or("") {
                "csrf" => posted.csrf = field.text().await?,
                "folder" => posted.folder = field.text().await?,
                "nama" => posted.name = field.text().await?,
                "ganti" => posted.replace = field.text().await? == "ya",
                _ if posted.raw.is_some() => return Err(UploadError::Unreadable),
                _ => {
                    posted.original = field.file_name().unwrap_or("").to_string();
                    crate::core::fs::create_private_dir(&scratch)?;
                    let raw = tempfile::Builder::new()
                        .prefix("unggah-")
                        .tempfile_in(&scratch)?;
                    let file = raw.reopen()?;
                    let mut out = tokio::fs::File::from_std(file);
                    while let Some(chunk) = field.chunk().await? {
                        if posted.head.len() < 8 {
                            let take = (8 - posted.head.len()).min(chunk.len());
                            posted.head.extend_from_slice(&chunk[..take]);
                        }
                        posted.size += chunk.len() as u64;
                        out.write_all(&chunk).await?;
                    }
                    out.flush().await?;
                    posted.raw = Some(raw);
                }
            }
        }
        Ok(())
    };
    let read = tokio::time::timeout(TOTAL, reading).await;
    read.map_err(|_| UploadError::Unreadable)??;
    Ok(posted)
}

/// `POST /halaman/berkas/`.
async fn upload(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff) -> Response<Body> {
    let scratch = desk.data.join(crate::edit::versions::DIR).join(".tmp");
    let posted = match read(scratch, req).await {
        Ok(posted) => posted,
        Err(UploadError::NotMultipart) => {
            return desk.error_page(Some(staff), messages::UPLOAD_NOT_MULTIPART);
        }
        Err(UploadError::TooLarge) => {
            let view = FilesPage {
                error: too_large(),
                ..FilesPage::default()
            };
            return page(desk, staff, StatusCode::PAYLOAD_TOO_LARGE, view).await;
        }
        Err(UploadError::Unreadable) => {
            return desk.error_page(Some(staff), messages::FORM_INCOMPLETE);
        }
        Err(UploadError::Storage(e)) => {
            tracing::error!(target: "loket::desk", "cannot receive an upload: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    if !crate::core::secret::same_secret(&posted.csrf, &staff.session.csrf) {
        return desk.csrf_refused(Some(staff));
    }
    let mut view = FilesPage {
        folder: posted.folder.clone(),
        name: posted.name.clone(),
        replace: posted.replace,
        ..FilesPage::default()
    };
    let refuse = |view: FilesPage, status: StatusCode, error: String| {
        let view = FilesPage { error, ..view };
        page(desk, staff, status, view)
    };
    let Some(raw) = posted.raw.filter(|_| posted.size > 0) else {
        let error = "Pilih berkas yang akan diunggah.".to_string();
        return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    };
    let Some(folder) = folder_of(&posted.folder) else {
        let error = format!(
            "Folder \"{}\" tidak dapat dipakai. Tulis folder di dalam static/ dengan huruf, angka, dan tanda hubung, misalnya gambar/ atau dokumen/.",
            posted.folder.trim()
        );
        return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    };
    let stem = stem_of(&posted.name, &posted.original);
    if stem.is_empty() {
        let error = "Tulis nama berkas dengan huruf atau angka.".to_string();
        return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    }
    let (detected, limit) = match FileKind::sniff(&posted.head) {
        Some(t @ (FileKind::Jpeg | FileKind::Png)) => (t, MAX_IMAGE),
        Some(t @ FileKind::Pdf) => (t, MAX_PDF),
        None => {
            let error = "Hanya foto JPG atau PNG dan dokumen PDF yang dapat diunggah; jenis berkas lain (misalnya WebP, SVG, HTML, atau program) ditolak. Simpan ulang fotonya sebagai JPG atau PNG, atau dokumennya sebagai PDF.".to_string();
            return refuse(view, StatusCode::UNSUPPORTED_MEDIA_TYPE, error).await;
        }
    };
    if posted.size > limit {
        let error = format!(
            "Berkas ini berukuran {}; {} paling besar {}.",
            format_size(posted.size),
            match detected {
                FileKind::Pdf => "dokumen PDF",
                _ => "foto",
            },
            format_size(limit)
        );
        return refuse(view, StatusCode::PAYLOAD_TOO_LARGE, error).await;
    }
    let kept_type = Sanitizer::kept_type(detected);
    let Some(path) = StaticPath::parse(&format!("{folder}/{stem}.{}", kept_type.extension()))
    else {
        let error = "Nama berkas terlalu panjang. Pilih nama yang lebih pendek.".to_string();
        return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    };
    // Sanitized beside the raw upload, then written into the site.
    let sanitizer = desk.intake.store.sanitizer().clone();
    let sanitized = tokio::task::spawn_blocking(move || {
        let out = tempfile::TempPath::try_from_path(raw.path().with_extension("aman"))?;
        sanitizer.sanitize(detected, raw.path(), &out)?;
        let kept = std::fs::read(&out)?;
        drop(raw);
        Ok::<_, SanitizeError>(kept)
    })
    .await;
    let kept = match sanitized {
        Ok(Ok(kept)) => kept,
        Ok(Err(SanitizeError::Refused(why))) => {
            let error = format!("Berkas tidak disimpan. {}", why.message());
            return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, error).await;
        }
        Ok(Err(SanitizeError::Io(e))) => {
            tracing::error!(target: "loket::desk", "cannot sanitize an upload: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "sanitizing an upload failed: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    let replaced = match publish(desk, &path, kept, posted.replace).await {
        Ok(replaced) => replaced,
        Err(Unpublished::Exists) => {
            let error = format!(
                "Berkas {path} sudah ada. Pilih nama lain, atau centang \"Ganti berkas yang sudah ada\" untuk menggantinya."
            );
            return refuse(view, StatusCode::CONFLICT, error).await;
        }
        Err(Unpublished::Failed(e)) => {
            tracing::error!(target: "loket::desk", "upload of {path} not published: {e}");
            view.error = format!(
                "Berkas {path} tidak dapat disimpan atau situs tidak dapat dibangun ulang; tidak ada yang berubah di situs. Coba lagi; bila tetap gagal, hubungi pengelola server."
            );
            return page(desk, staff, StatusCode::INTERNAL_SERVER_ERROR, view).await;
        }
    };
    let detail = match replaced {
        true => format!("{path} (mengganti berkas lama)"),
        false => path.to_string(),
    };
    desk.audit(&staff.session.name, Action::FileUploaded, None, &detail)
        .await;
    let mut location = format!(
        "{FILES_PATH}?diunggah={}",
        form_urlencoded::byte_serialize(path.as_str().as_bytes()).collect::<String>()
    );
    if replaced {
        location.push_str("&diganti=ya");
    }
    redirect(&location)
}

fn too_large() -> String {
    format!(
        "Berkas terlalu besar: foto paling besar {}, dokumen PDF paling besar {}.",
        format_size(MAX_IMAGE),
        format_size(MAX_PDF)
    )
}

/// Why an upload was not published.
enum Unpublished {
    /// The file exists and was not to be replaced.
    Exists,
    Failed(String),
}

/// Writes `bytes` as `path` and has the server build and serve the site,
/// one publishing at a time (with the pages' [`super::publish`]); a failed
/// build puts back what was there. Whether a file was replaced.
async fn publish(
    desk: &Arc<Desk>,
    path: &StaticPath,
    bytes: Vec<u8>,
    replace: bool,
) -> Result<bool, Unpublished> {
    let _one = desk.publishing.lock().await;
    let (site, p) = (desk.site.clone(), path.clone());
    let written = tokio::task::spawn_blocking(move || {
        let previous = files::read(&site, &p)?;
        if previous.is_some() && !replace {
            return Err(std::io::ErrorKind::AlreadyExists.into());
        }
        files::write(&site, &p, &bytes, replace).map(|()| previous)
    })
    .await
    .map_err(|e| Unpublished::Failed(e.to_string()))?;
    let previous = match written {
        Ok(previous) => previous,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Unpublished::Exists);
        }
        Err(e) => return Err(Unpublished::Failed(e.to_string())),
    };
    if let Err(e) = desk.rebuild_site().await {
        let (site, p) = (desk.site.clone(), path.clone());
        let put_back = tokio::task::spawn_blocking(move || match previous {
            Some(old) => files::write(&site, &p, &old, true),
            None => files::remove(&site, &p),
        })
        .await;
        if !matches!(put_back, Ok(Ok(()))) {
            tracing::error!(target: "loket::desk", "{path} could not be put back: {put_back:?}");
        }
        return Err(Unpublished::Failed(e));
    }
    Ok(previous.is_some())
}

/// `GET /halaman/berkas/static/…`: the file, for the signed-in editor.
async fn serve(desk: &Arc<Desk>, staff: &Staff, rel: &str) -> Response<Body> {
    let Some(path) = StaticPath::parse(rel) else {
        return desk.error_page(Some(staff), messages::STATIC_FILE_UNKNOWN);
    };
    let (site, p) = (desk.site.clone(), path.clone());
    let read = blocking(move || {
        let file = files::open(&site, &p)?;
        if file.metadata()?.len() > MAX_SERVED {
            return Err(std::io::Error::other("too large to serve"));
        }
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut content)?;
        Ok(content)
    })
    .await;
    let content = match read {
        Ok(content) => content,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) || e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) =>
        {
            return desk.error_page(Some(staff), messages::STATIC_FILE_UNKNOWN);
        }
        Err(e) => {
            tracing::error!(target: "loket::desk", "cannot read {path}: {e}");
            return desk.error_page(Some(staff), messages::SERVER_FAULT);
        }
    };
    let mime = match mime_guess::from_path(path.as_str()).first_raw() {
        Some("text/css") => "text/css; charset=utf-8",
        Some("text/javascript" | "application/javascript") => "text/javascript; charset=utf-8",
        Some(m) if m.starts_with("text/") => "text/plain; charset=utf-8",
        Some(m) => m,
        None => "application/octet-stream",
    };
    let mut response = bytes(StatusCode::OK, mime, content);
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Opened as a page (an SVG, say): no script runs on the desk's origin.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self'",
        ),
    );
    response
}
