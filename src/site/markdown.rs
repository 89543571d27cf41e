//! Markdown to HTML with pulldown-cmark, collecting what the checks need
//! (heading ids, links with their lines) in the same single pass.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::site::content::slugify;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A link or image target as written, with its 1-based line in the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub dest: String,
    pub line: usize,
    pub is_image: bool,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// Every heading, in order; each has an id that anchors can point at.
    pub toc: Vec<TocEntry>,
    pub links: Vec<LinkRef>,
}

/// The first heading of a document, used as the page title when front matter
/// has none.
pub struct LeadingHeading {
    pub text: String,
    /// Byte offset just past the heading, when it is the document's first block
    /// (then it is the title and is left out of the body).
    pub end: Option<usize>,
}

pub fn leading_heading(body: &str) -> Option<LeadingHeading> {
    let mut parser = Parser::new_ext(body, options()).into_offset_iter();
    let mut first_block = true;
    while let Some((event, range)) = parser.next() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                let mut text = String::new();
                for (inner, inner_range) in parser.by_ref() {
                    match inner {
                        Event::Text(t) | Event::Code(t) => text.push_str(&t),
                        Event::End(TagEnd::Heading(_)) => {
                            let end = first_block.then(|| range.end.max(inner_range.end));
                            return Some(LeadingHeading {
                                text: text.trim().to_string(),
                                end,
                            });
                        }
                        _ => {}
                    }
                }
                return None;
            }
            Event::Start(_) => first_block = false,
            _ => {}
        }
    }
    None
}

/// Line numbers of byte offsets met in increasing order: counts the
/// newlines since the last one asked about.
struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl Lines<'_> {
    fn line_of(&mut self, offset: usize) -> usize {
        if offset < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        let newlines =
            memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.offset..offset]).count();
        self.offset = offset;
        self.line += newlines;
        self.line
    }
}

/// What a pass over the events collects for the checks.
struct Collected<'a> {
    lines: Lines<'a>,
    toc: Vec<TocEntry>,
    links: Vec<LinkRef>,
    used_ids: HashSet<String>,
}

impl Collected<'_> {
    fn note_link(&mut self, event: &Event, at: usize) {
        let (dest, is_image) = match event {
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            _ => return,
        };
        self.links.push(LinkRef {
            dest: dest.to_string(),
            line: self.lines.line_of(at),
            is_image,
        });
    }

    /// Gives the heading whose events are `heading` its id (the one written
    /// in the Markdown, or one made from its text) and notes it in the toc.
    fn name_heading(&mut self, heading: &mut [Event]) {
        let mut text = String::new();
        for event in heading.iter() {
            if let Event::Text(t) | Event::Code(t) = event {
                text.push_str(t);
            }
        }
        let Some(Event::Start(Tag::Heading { level, id, .. })) = heading.first_mut() else {
            return;
        };
        let chosen = match id {
            Some(given) => given.to_string(),
            None => unique_id(&slugify(&text), &self.used_ids),
        };
        *id = Some(CowStr::from(chosen.clone()));
        self.used_ids.insert(chosen.clone());
        self.toc.push(TocEntry {
            level: *level as u8,
            id: chosen,
            title: text.trim().to_string(),
        });
    }
}

/// Renders `markdown` to HTML as its events stream by: only a heading's
/// events wait, until its text gives it an id.
pub fn render(markdown: &str) -> Rendered {
    let mut collected = Collected {
        lines: Lines {
            text: markdown,
            offset: 0,
            line: 1,
        },
        toc: Vec::new(),
        links: Vec::new(),
        used_ids: HashSet::new(),
    };
    let mut parser = Parser::new_ext(markdown, options()).into_offset_iter();
    let mut waiting = Vec::<Event>::new().into_iter();
    let events = std::iter::from_fn(|| {
        if let Some(event) = waiting.next() {
            return Some(event);
        }
        let (event, range) = parser.next()?;
        collected.note_link(&event, range.start);
        if !matches!(event, Event::Start(Tag::Heading { .. })) {
            return Some(event);
        }
        let mut heading = vec![event];
        for (event, range) in parser.by_ref() {
            collected.note_link(&event, range.start);
            let end = matches!(event, Event::End(TagEnd::Heading(_)));
            heading.push(event);
            if end {
                break;
            }
        }
        collected.name_heading(&mut heading);
        waiting = heading.into_iter();
        waiting.next()
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html, events);
    Rendered {
        html,
        toc: collected.toc,
        links: collected.links,
    }
}

fn unique_id(base: &str, used: &HashSet<String>) -> String {
    let base = if base.is_empty() { "bagian" } else { base };
    if !used.contains(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !used.contains(candidate))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_ids() {
        let r = render("## Biaya / Tarif\n\ntext\n\n## Biaya / Tarif\n\n## Custom {#own}\n");
        let ids: Vec<&str> = r.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["biaya-tarif", "biaya-tarif-2", "own"]);
        assert!(
            r.html
                .contains(r#"<h2 id="biaya-tarif">Biaya / Tarif</h2>"#),
            "{}",
            r.html
        );
    }

    #[test]
    fn links_carry_lines() {
        let r = render("a\n\nsee [x](/a/) and\n![img](/i.png)\n");
        assert_eq!(r.links.len(), 2);
        assert_eq!((r.links[0].dest.as_str(), r.links[0].line), ("/a/", 3));
        assert_eq!((r.links[1].dest.as_str(), r.links[1].line), ("/i.png", 4));
        assert!(r.links[1].is_image);
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new[^1]\n\n[^1]: note\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn leading_heading_is_the_title() {
        let h = leading_heading("# Judul Halaman\n\nisi\n").unwrap();
        assert_eq!(h.text, "Judul Halaman");
        assert_eq!(h.end, Some(16));
        let h = leading_heading("intro\n\n## Later\n").unwrap();
        assert_eq!((h.text.as_str(), h.end), ("Later", None));
        assert!(leading_heading("no heading").is_none());
    }
}
