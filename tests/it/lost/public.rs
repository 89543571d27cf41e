//! The public side: the menu, the home page, the receipt and `/cek-status/`.

use reqwest::StatusCode;

use crate::common::case::*;
use crate::common::server::Server;
use crate::common::submit::client;

async fn get(server: &Server, path: &str) -> String {
    let response = client().get(server.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// The main menu of a page (its `<nav class="site-nav">`).
fn menu(page: &str) -> &str {
    let start = page.find("<nav class=\"site-nav\"").expect("a main menu");
    let end = page[start..].find("</nav>").unwrap() + start;
    &page[start..end]
}

#[tokio::test]
async fn cek_status_is_in_the_main_menu_and_on_the_home_page() {
    let server = Server::start();
    for path in ["/", "/permohonan/", "/pengaduan-layanan/"] {
        let page = get(&server, path).await;
        assert!(
            menu(&page).contains("<a href=\"/cek-status/\">Cek status</a>"),
            "{path}: {}",
            menu(&page)
        );
    }
    // The lookup page marks itself as the current item.
    let lookup = get(&server, "/cek-status/").await;
    assert!(
        menu(&lookup).contains("<a href=\"/cek-status/\" aria-current=\"page\">Cek status</a>"),
        "{}",
        menu(&lookup)
    );
    // The home page's text sends a citizen there too.
    let home = get(&server, "/").await;
    let text = home.replace(menu(&home), "");
    assert!(text.contains("href=\"/cek-status/\""), "{home}");
}

#[tokio::test]
async fn reloading_the_receipt_says_the_code_was_shown_before() {
    let server = Server::start();
    let sent = send_request(&server, None).await;
    let cookie = sent.cookie.clone().expect("the one-time cookie");
    let said = "Kode akses sudah ditampilkan sebelumnya; bila belum Anda catat, hubungi kami dengan nomor tiket";
    let (status, _, first) = receipt(&server, &sent.ticket, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(code_on(&first).is_some(), "{first}");
    assert!(!first.contains(said), "{first}");
    // The reload: no code, and it says so instead of leaving it out.
    let (status, _, again) = receipt(&server, &sent.ticket, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(code_on(&again), None, "{again}");
    assert!(again.contains(said), "{again}");
    assert!(again.contains(&sent.ticket), "{again}");
    // Anyone else with the URL is told nothing about the code.
    let (_, _, other) = receipt(&server, &sent.ticket, None).await;
    assert!(
        !other.contains(said) && code_on(&other).is_none(),
        "{other}"
    );
    // The cookie of another ticket says nothing about this one.
    let second = send_request(&server, Some("lain@contoh.id")).await;
    assert_ne!(second.ticket, sent.ticket);
    let (_, _, crossed) = receipt(&server, &second.ticket, Some(&cookie)).await;
    assert!(!crossed.contains(said) && code_on(&crossed).is_none());
}

#[tokio::test]
async fn a_code_with_a_letter_codes_never_use_names_the_ones_they_do() {
    let server = Server::start();
    let sent = send_request(&server, None).await;
    let code = code_of(&server, &sent).await;
    // "O" and "0", "B" and "8" are never in a code.
    let (status, _, page) = look_up(&server, &sent.ticket, "kxm4 0prb", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains(
            "Kode akses hanya memakai huruf C D F H J K M N P R T V W X Y dan angka 3 4 6 7 9"
        ),
        "{page}"
    );
    assert!(
        page.contains("\u{201c}0\u{201d}, \u{201c}B\u{201d}"),
        "{page}"
    );
    assert!(
        !page.contains("terdiri dari 8"),
        "the length is right: {page}"
    );
    // Spaces, dashes and lower case are read as the code.
    let typed = code.to_lowercase().replace(' ', " - ");
    let (status, _, page) = look_up(&server, &sent.ticket, &typed, None).await;
    assert_eq!(status, StatusCode::OK, "{typed}: {page}");
    let spaced: String = code
        .replace(' ', "")
        .chars()
        .flat_map(|c| [c, ' '])
        .collect();
    let (status, _, _) = look_up(&server, &sent.ticket, &spaced, None).await;
    assert_eq!(status, StatusCode::OK, "{spaced}");
}
