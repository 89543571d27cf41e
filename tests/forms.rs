//! A form never loses what the citizen typed or chose: the real `loket
//! serve` on a temp copy of the site, over real HTTP. Files over the limit
//! bring the form back with everything typed; accepted files are kept
//! across error rounds; mistakes do not use up the rate limit; a second
//! press of the send button does not make a second record.

mod common;

use common::form::*;
use common::server::Server;
use common::submit::*;
use reqwest::StatusCode;

/// A valid permohonan that differs from others by its `uraian`.
fn distinct_permohonan(n: u32) -> Multipart {
    let uraian = format!("Mohon konsultasi pemasaran, nomor {n}.");
    permohonan_text(&[("uraian", Some(&uraian))]).file(
        "ktp",
        "ktp.jpg",
        "image/jpeg",
        &jpeg(4096, n),
    )
}

// ---------------------------------------------------------------------------
// The rate limit counts accepted submissions only
// ---------------------------------------------------------------------------

#[tokio::test]
async fn forms_sent_back_with_errors_do_not_use_up_the_rate_limit() {
    let server = Server::start_with(&["--rate-limit", "2"]);
    let client = client();
    let url = server.url(PERMOHONAN);
    // Five citizens behind one address make a mistake each.
    for n in 0..5 {
        let form = permohonan_text(&[("nik", Some("12345"))]).file(
            "ktp",
            "ktp.jpg",
            "image/jpeg",
            &jpeg(4096, n),
        );
        let response = post_multipart(&client, &url, form).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{n}");
    }
    // The limit is still whole: two accepted, then no more.
    for n in 0..2 {
        let response = post_multipart(&client, &url, distinct_permohonan(n)).await;
        ticket_from(response).await;
    }
    let response = post_multipart(&client, &url, distinct_permohonan(2)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(yaml_records(&server.data).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_posts_from_one_address_never_pass_the_limit() {
    let server = Server::start_with(&["--rate-limit", "3"]);
    let client = client();
    let url = server.url(PERMOHONAN);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..12 {
        let (client, url) = (client.clone(), url.clone());
        tasks.spawn(async move {
            post_multipart(&client, &url, distinct_permohonan(n))
                .await
                .status()
        });
    }
    let mut accepted = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            StatusCode::SEE_OTHER => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(accepted, 3);
    assert_eq!(yaml_records(&server.data).len(), 3);
}
