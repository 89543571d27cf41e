//! A site page's editor on the desk (issue 30), over real HTTP on the
//! fixture site: preview by the site's own templates, publishing through
//! the running server (the public listener serves the change when the
//! answer comes), versions and the audit log, a page with an error refused,
//! drafts, and two editors on one page.

use std::collections::BTreeMap;

use loket::edit::front::split;
use loket::edit::versions::Versions;
use reqwest::StatusCode;

use super::roles::add_with;
use super::{DeskClient, Page, audited};
use crate::common::server::Server;

const FILE: &str = "content/layanan/fasilitasi-usaha-mikro.md";
const EDITOR: &str = "/halaman/content/layanan/fasilitasi-usaha-mikro.md";
const PUBLIC: &str = "/layanan/fasilitasi-usaha-mikro/";

/// A server on the fixture site whose service page has a front matter key
/// the editor has no field for (it must survive every edit).
fn server() -> Server {
    let server = Server::start_at("2026-12-02 09:00:00");
    let text = server.site().read(FILE);
    let text = text.replacen("weight: 1\n", "weight: 1\nkunci_asing: tetap\n", 1);
    server.site().write(FILE, text);
    server
}

/// Signs in a new penyunting `login` named `full`.
async fn editor(server: &Server, login: &str, full: &str) -> DeskClient {
    add_with(
        server,
        login,
        &["--role", "penyunting", "--full-name", full],
    );
    DeskClient::signed_in(server, login).await
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// What a browser would post from the editor page: every input and
/// textarea of the form `#sunting` (buttons aside), as shown.
fn fields(page: &Page) -> BTreeMap<String, String> {
    let body = &page.body;
    let start = body.find("id=\"sunting\"").expect("the editor's form");
    let form = &body[start..body[start..].find("</form>").unwrap() + start];
    let mut out = BTreeMap::new();
    for chunk in form.split('<').skip(1) {
        let attr = |name: &str| {
            let needle = format!(" {name}=\"");
            chunk.find(&needle).map(|at| {
                let rest = &chunk[at + needle.len()..];
                unescape(&rest[..rest.find('"').unwrap()])
            })
        };
        if chunk.starts_with("input ") {
            out.insert(attr("name").unwrap(), attr("value").unwrap_or_default());
        } else if chunk.starts_with("textarea ") {
            // A browser drops the one line break right after the tag.
            let text = &chunk[chunk.find('>').unwrap() + 1..];
            let text = text.strip_prefix('\n').unwrap_or(text);
            out.insert(attr("name").unwrap(), unescape(text));
        }
    }
    out
}

async fn send(desk: &mut DeskClient, form: &BTreeMap<String, String>, aksi: &str) -> Page {
    let mut pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pairs.push(("aksi", aksi));
    desk.post(EDITOR, &pairs).await
}

async fn public(server: &Server, path: &str) -> String {
    reqwest::get(server.url(path))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_edit_is_previewed_by_the_sites_templates_then_published_and_served() {
    let server = server();
    let mut sari = editor(&server, "sari", "Sari Wulandari").await;
    let page = sari.get(EDITOR).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut form = fields(&page);
    assert_eq!(
        form["judul"],
        "Fasilitasi Konsultasi, Pengaduan dan Penyelesaian Masalah Usaha Mikro"
    );
    assert_eq!(form["decree"], "188.4/457/415.26/2023");
    assert_eq!(form["working_days"], "5");
    assert!(form["lainnya"].contains("kunci_asing: tetap"), "{form:?}");
    assert!(!form["lainnya"].contains("title:"), "{form:?}");
    assert!(form["isi"].contains("## Persyaratan"));
    assert!(page.body.contains("Contekan Markdown"));

    let isi = form["isi"].replace("## Persyaratan", "## Catatan uji 7731\n\n## Persyaratan");
    form.insert("isi".into(), isi);
    form.insert("fee".into(), "Gratis uji".into());

    // The preview: the page by the site's templates, its stylesheet from
    // the desk's static files, the change in it; the public site as it was.
    let preview = send(&mut sari, &form, "pratinjau").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let at = preview.body.find("srcdoc=\"").expect("the preview frame") + 8;
    let doc = unescape(&preview.body[at..at + preview.body[at..].find('"').unwrap()]);
    assert!(doc.contains("<h2 id=\"catatan-uji-7731\">"), "{doc}");
    assert!(doc.contains("Gratis uji"), "{doc}");
    assert!(
        doc.contains("href=\"/halaman/berkas/static/css/site.css\""),
        "{doc}"
    );
    assert!(
        !doc.contains("site.css.") && !doc.contains("\"/css/"),
        "{doc}"
    );
    let mut live = form.clone();
    live.insert("potongan".into(), "1".into());
    let fragment = send(&mut sari, &live, "pratinjau").await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(
        fragment.body.starts_with("<!DOCTYPE html>")
            || fragment.body.starts_with("<!doctype html>"),
        "{}",
        fragment.body
    );
    assert!(fragment.body.contains("<h2 id=\"catatan-uji-7731\">"));
    assert!(!public(&server, PUBLIC).await.contains("catatan-uji-7731"));

    let published = send(&mut sari, &form, "terbitkan").await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    // Served when the answer comes.
    let served = public(&server, PUBLIC).await;
    assert!(served.contains("<h2 id=\"catatan-uji-7731\">"), "{served}");
    assert!(served.contains("Gratis uji"));
    let file = server.site().read(FILE);
    assert!(file.contains("kunci_asing: tetap"), "{file}");
    // The blank line after the front matter is the body's first line: the
    // textarea keeps it (a browser drops the line break after the tag).
    assert!(file.contains("\n---\n\n## Catatan uji 7731"), "{file}");
    assert!(file.contains("updated: 2026-11-27"), "{file}");

    let after = sari.get(published.header("location")).await;
    assert!(
        after.body.contains("Terbit sebagai versi 1"),
        "{}",
        after.body
    );
    assert!(after.body.contains(PUBLIC));

    let history = Versions::new(&server.data).history(FILE).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].author.login, "sari");
    assert_eq!(history[0].author.name, "Sari Wulandari");
    let kept = Versions::new(&server.data).text(FILE, 1).unwrap().unwrap();
    assert_eq!(kept, file);
    let lines = audited(&server.data, "page-published");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].iter().any(|f| f == "sari"), "{lines:?}");
    assert!(
        lines[0].iter().any(|f| f == &format!("{FILE} versi 1")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_page_with_a_broken_front_matter_is_not_published() {
    let server = server();
    let mut sari = editor(&server, "sari", "Sari Wulandari").await;
    let before_file = server.site().read(FILE);
    let before_public = public(&server, PUBLIC).await;
    let mut form = fields(&sari.get(EDITOR).await);
    form.insert("judul".into(), String::new());
    form.insert("lainnya".into(), format!("title: [\n{}", form["lainnya"]));
    form.insert("isi".into(), "Teks baru yang tidak boleh terbit.\n".into());

    for aksi in ["periksa", "terbitkan"] {
        let refused = send(&mut sari, &form, aksi).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{aksi}");
        let body = unescape(&refused.body);
        assert!(body.contains(&format!("{FILE}:")), "{body}");
        assert!(body.contains("front matter tidak sah"), "{body}");
        // What was typed is still there.
        assert!(body.contains("Teks baru yang tidak boleh terbit."));
    }
    assert_eq!(server.site().read(FILE), before_file);
    assert_eq!(public(&server, PUBLIC).await, before_public);
    assert!(
        Versions::new(&server.data)
            .history(FILE)
            .unwrap()
            .is_empty()
    );
    assert!(audited(&server.data, "page-published").is_empty());

    // No button: refused, nothing changed.
    let mut pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pairs.push(("aksi", "hapus"));
    let unknown = sari.post(EDITOR, &pairs).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server.site().read(FILE), before_file);
    let missing = sari.get("/halaman/content/tidak-ada.md").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_draft_is_kept_unpublished_and_offered_again() {
    let server = server();
    let mut sari = editor(&server, "sari", "Sari Wulandari").await;
    let before_file = server.site().read(FILE);
    let mut form = fields(&sari.get(EDITOR).await);
    // Larger than the desk's other forms may be (64 KiB).
    let long = "Paragraf panjang untuk menguji batas formulir.\n\n".repeat(3000);
    let isi = format!("{}\nParagraf draf uji 5521.\n\n{long}", form["isi"]);
    form.insert("isi".into(), isi);
    let saved = send(&mut sari, &form, "draf").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(server.site().read(FILE), before_file);
    assert!(!public(&server, PUBLIC).await.contains("5521"));

    // Another editor, later, is offered the draft and opens it.
    let mut budi = editor(&server, "budi", "Budi Santoso").await;
    let page = budi.get(EDITOR).await;
    assert!(page.body.contains("Sari Wulandari"), "{}", page.body);
    assert!(
        page.body.contains("pada 2 Desember 2026, "),
        "{}",
        page.body
    );
    let opened = fields(&page);
    assert!(opened["isi"].contains("Paragraf draf uji 5521."));
    let published_text = fields(&budi.get(&format!("{EDITOR}?asli=1")).await);
    assert!(!published_text["isi"].contains("5521"));

    // Published from the draft: live, and the draft is gone.
    let published = send(&mut budi, &opened, "terbitkan").await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    assert!(
        public(&server, PUBLIC)
            .await
            .contains("Paragraf draf uji 5521.")
    );
    assert_eq!(Versions::new(&server.data).draft(FILE).unwrap(), None);
    // Only the body changed: the front matter is as it was, line for line
    // (quotes and the comment on complaint_days too).
    let after_file = server.site().read(FILE);
    assert_eq!(split(&after_file).0, split(&before_file).0);
    assert!(before_file.contains("complaint_days: 3 # "));
}

#[tokio::test]
async fn two_editors_on_one_page_neither_loses_text() {
    let server = server();
    let mut sari = editor(&server, "sari", "Sari Wulandari").await;
    let mut budi = editor(&server, "budi", "Budi Santoso").await;
    let mut a = fields(&sari.get(EDITOR).await);
    let mut b = fields(&budi.get(EDITOR).await);
    a.insert("isi".into(), format!("{}\nTeks Sari 1111.\n", a["isi"]));
    b.insert("isi".into(), format!("{}\nTeks Budi 2222.\n", b["isi"]));

    let first = send(&mut sari, &a, "terbitkan").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = send(&mut budi, &b, "terbitkan").await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    let body = unescape(&second.body);
    assert!(body.contains("Sari Wulandari"), "{body}");
    assert!(body.contains("Teks Sari 1111."));
    assert!(body.contains("Teks Budi 2222."));
    assert!(body.contains("disimpan sebagai draf"));

    let file = server.site().read(FILE);
    assert!(file.contains("Teks Sari 1111.") && !file.contains("2222"));
    let served = public(&server, PUBLIC).await;
    assert!(served.contains("Teks Sari 1111.") && !served.contains("2222"));
    let draft = Versions::new(&server.data).draft(FILE).unwrap().unwrap();
    assert_eq!(draft.author.login, "budi");
    assert!(draft.text.contains("Teks Budi 2222."));
    let reopened = fields(&budi.get(EDITOR).await);
    assert!(reopened["isi"].contains("Teks Budi 2222."));

    // Changed on the server itself: said so.
    let mut c = fields(&sari.get(&format!("{EDITOR}?asli=1")).await);
    c.insert("isi".into(), "Teks Sari 3333.\n".into());
    server
        .site()
        .write(FILE, format!("{file}\nDiubah dengan tangan.\n"));
    let third = send(&mut sari, &c, "terbitkan").await;
    assert_eq!(third.status, StatusCode::CONFLICT);
    assert!(
        third.body.contains("diubah langsung di server"),
        "{}",
        third.body
    );
    assert_eq!(
        Versions::new(&server.data).history(FILE).unwrap().len(),
        1,
        "only Sari's first publishing is a version"
    );
}

/// `loket serve --watch` (editing on one's own computer) builds on every
/// change itself; a publish on the desk is served when its answer comes
/// there too, and the watcher's own build of the same change breaks
/// nothing.
#[tokio::test]
async fn a_publish_is_served_in_watch_mode_too() {
    let server = Server::start_with(&["--watch"]);
    let mut sari = editor(&server, "sari", "Sari Wulandari").await;
    let mut form = fields(&sari.get(EDITOR).await);
    let isi = form["isi"].replace("## Persyaratan", "## Catatan pantau 4417\n\n## Persyaratan");
    form.insert("isi".into(), isi);
    let published = send(&mut sari, &form, "terbitkan").await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let served = public(&server, PUBLIC).await;
    assert!(
        served.contains("<h2 id=\"catatan-pantau-4417\">"),
        "{served}"
    );
    assert_eq!(Versions::new(&server.data).history(FILE).unwrap().len(), 1);
}
