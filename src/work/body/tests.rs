use std::convert::Infallible;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::*;

const IDLE: Duration = Duration::from_secs(30);
const TOTAL: Duration = Duration::from_secs(600);

type Piece = Result<Bytes, io::Error>;

/// A body whose pieces are all there at once.
fn ready_body(pieces: Vec<Bytes>) -> Body<impl Stream<Item = Result<Bytes, Infallible>>> {
    Body::new(
        futures_util::stream::iter(pieces.into_iter().map(Ok)),
        IDLE,
        TOTAL,
    )
}

/// A body fed by hand, and the sender that feeds it (dropping it ends the body).
fn fed_body(
    idle: Duration,
    total: Duration,
) -> (
    mpsc::UnboundedSender<Piece>,
    Body<impl Stream<Item = Piece>>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    (tx, Body::new(stream, idle, total))
}

async fn collect<S: Stream<Item = Result<Bytes, BodyError>> + Unpin>(
    body: &mut S,
) -> Result<Vec<Bytes>, BodyError> {
    let mut out = Vec::new();
    while let Some(piece) = body.next().await {
        out.push(piece?);
    }
    Ok(out)
}

fn joined(pieces: &[Bytes]) -> Vec<u8> {
    pieces.iter().flat_map(|p| p.iter().copied()).collect()
}

#[tokio::test]
async fn one_byte_pieces_are_handed_on_in_batches() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let pieces = data.iter().map(|&b| Bytes::copy_from_slice(&[b])).collect();
    let mut body = ready_body(pieces);
    let delivered = body.delivered();
    let out = collect(&mut body).await.unwrap();
    assert_eq!(joined(&out), data);
    assert_eq!(
        out.len(),
        300_000usize.div_ceil(GATHER),
        "{:?}",
        out.iter().map(Bytes::len).collect::<Vec<_>>()
    );
    assert!(out.iter().all(|p| p.len() <= GATHER + SMALL));
    assert_eq!(delivered.get(), data.len() as u64);
}

#[tokio::test]
async fn large_pieces_go_on_without_a_copy_and_in_order() {
    let large = Bytes::from(vec![7u8; 100_000]);
    let pieces = vec![
        Bytes::from_static(b"ab"),
        Bytes::from_static(b"cd"),
        large.clone(),
        Bytes::from_static(b"ef"),
    ];
    let out = collect(&mut ready_body(pieces)).await.unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(&out[0][..], b"abcd");
    assert_eq!(out[1].as_ptr(), large.as_ptr(), "the large piece itself");
    assert_eq!(out[1].len(), large.len());
    assert_eq!(&out[2][..], b"ef");
}

#[tokio::test]
async fn an_empty_body_is_empty() {
    let out = collect(&mut ready_body(Vec::new())).await.unwrap();
    assert!(out.is_empty());
}

#[tokio::test]
async fn a_broken_connection_is_an_error_and_then_the_end() {
    let stream = futures_util::stream::iter(vec![
        Ok(Bytes::from_static(b"abc")),
        Err(io::Error::other("reset")),
    ]);
    let mut body = Body::new(stream, IDLE, TOTAL);
    assert!(matches!(body.next().await, Some(Err(BodyError::Broken(_)))));
    assert!(body.next().await.is_none());
}

/// Gathered bytes wait for more while the client is slow, and are handed on
/// when the body ends.
#[tokio::test(start_paused = true)]
async fn a_trickle_longer_than_the_idle_timeout_is_read_whole() {
    let (tx, mut body) = fed_body(IDLE, TOTAL);
    let start = Instant::now();
    let feeding = tokio::spawn(async move {
        // A byte every 10 s for 5 minutes: ten times the idle timeout.
        for i in 0..30u8 {
            tx.send(Ok(Bytes::copy_from_slice(&[b'a' + i % 26])))
                .unwrap();
            tokio::time::sleep(IDLE / 3).await;
        }
    });
    let out = collect(&mut body).await.unwrap();
    feeding.await.unwrap();
    assert_eq!(joined(&out).len(), 30);
    assert_eq!(out.len(), 1, "held until the end");
    assert_eq!(start.elapsed(), IDLE * 10);
}

#[tokio::test(start_paused = true)]
async fn a_pause_longer_than_the_idle_timeout_times_out_then() {
    let (tx, mut body) = fed_body(IDLE, TOTAL);
    let start = Instant::now();
    tx.send(Ok(Bytes::from_static(b"a"))).unwrap();
    let sender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(20)).await;
        tx.send(Ok(Bytes::from_static(b"b"))).unwrap();
        // Then nothing, but the connection stays open.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        drop(tx);
    });
    assert!(matches!(body.next().await, Some(Err(BodyError::Timeout))));
    // 30 s after the last byte, not after the first.
    assert_eq!(start.elapsed(), Duration::from_secs(20) + IDLE);
    assert!(body.next().await.is_none(), "ends after the error");
    sender.abort();
}

#[tokio::test(start_paused = true)]
async fn a_body_that_never_starts_times_out_after_the_idle_timeout() {
    let (_tx, mut body) = fed_body(IDLE, TOTAL);
    let start = Instant::now();
    assert!(matches!(body.next().await, Some(Err(BodyError::Timeout))));
    assert_eq!(start.elapsed(), IDLE);
}

#[tokio::test(start_paused = true)]
async fn a_steady_trickle_stops_at_the_overall_deadline() {
    let total = Duration::from_secs(100);
    let (tx, mut body) = fed_body(IDLE, total);
    let start = Instant::now();
    let sender = tokio::spawn(async move {
        loop {
            if tx.send(Ok(Bytes::from_static(b"x"))).is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let result = collect(&mut body).await;
    assert!(matches!(result, Err(BodyError::Timeout)));
    assert_eq!(start.elapsed(), total);
    sender.abort();
}

#[tokio::test(start_paused = true)]
async fn waiting_on_the_reader_is_not_the_clients_pause() {
    let (tx, mut body) = fed_body(IDLE, TOTAL);
    tx.send(Ok(Bytes::from(vec![1u8; 100_000]))).unwrap();
    assert_eq!(body.next().await.unwrap().unwrap().len(), 100_000);
    // The client sends on at once; the reader is busy elsewhere for a minute.
    tx.send(Ok(Bytes::from(vec![2u8; 100_000]))).unwrap();
    drop(tx);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(body.next().await.unwrap().unwrap().len(), 100_000);
    assert!(body.next().await.is_none());
}
