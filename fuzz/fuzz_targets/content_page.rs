//! Loading a content page: front matter, Markdown, title, headings, links and
//! the service-standard check must never panic, whatever the bytes.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (page, _diagnostics) = loket::site::content::parse_page(
        Path::new("content/fuzz.md"),
        Path::new("fuzz.md"),
        data.to_vec(),
        None,
    );
    if let Some(page) = page {
        let body = loket::site::markdown::render(page.body.as_deref().unwrap_or_default());
        let _ = loket::site::check::service_components(&page, &body.toc);
    }
});
