//! The token-level check: the file read as a PDF reader's lexer reads it.
//!
//! Literal strings (nested parentheses, backslash escapes), hex strings and
//! comments are skipped as wholes, so `stream`, `endstream` or `%` inside
//! them are text, not keywords, and nothing after them is hidden. Every
//! name outside them is judged ([`super::judge`]); the value after `/AA`
//! and `/OpenAction` is the next token, even after a comment. Stream data
//! is skipped as a reader skips it: `/Length` bytes if it is a direct
//! integer and `endstream` follows there, otherwise up to the next
//! `endstream`. Data holding an object header is read as tokens instead
//! (an object the cross-reference table can point to). A stream whose
//! dictionary says `/ObjStm` or has `/First` is an object stream: it must
//! be one plain FlateDecode within the inflation budget, and its objects
//! are read as tokens too.
//!
//! Work is linear in the file and the inflated bytes: the next `endstream`
//! and the next object header are looked up again only once passed.
#![deny(clippy::indexing_slicing)]

use super::{
    Name, OBJECT_STREAM_NAMES, Refused, Value, find, find_object, inflate, is_regular, is_white,
    judge, read_name,
};

#[derive(Debug)]
enum Token {
    Name(Name),
    DictOpen,
    DictClose,
    /// A keyword or number: its bytes are `data[start..end]`.
    Word {
        start: usize,
        end: usize,
    },
    /// A string, array bracket or stray delimiter.
    Other,
}

#[derive(Clone)]
struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.data.get(at).copied()
    }

    fn next_token(&mut self) -> Option<Token> {
        loop {
            let b = self.byte(self.pos)?;
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                // A comment runs to the end of the line.
                self.pos += self
                    .data
                    .get(self.pos..)?
                    .iter()
                    .position(|&b| b == b'\r' || b == b'\n')
                    .unwrap_or(self.data.len() - self.pos);
            } else {
                break;
            }
        }
        let start = self.pos;
        let b = self.byte(start)?;
        let token = match (b, self.byte(start + 1)) {
            (b'(', _) => {
                self.skip_literal_string();
                Token::Other
            }
            (b'<', Some(b'<')) => {
                self.pos += 2;
                Token::DictOpen
            }
            (b'<', _) => {
                // A hex string runs to the next `>`.
                self.pos = find(self.data, b">", start).map_or(self.data.len(), |at| at + 1);
                Token::Other
            }
            (b'>', Some(b'>')) => {
                self.pos += 2;
                Token::DictClose
            }
            (b'/', _) => {
                let (name, end) = read_name(self.data, start);
                self.pos = end;
                Token::Name(name)
            }
            _ if is_regular(b) => {
                let len = self
                    .data
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&b| is_regular(b))
                    .count();
                self.pos += len;
                Token::Word {
                    start,
                    end: self.pos,
                }
            }
            _ => {
                self.pos += 1;
                Token::Other
            }
        };
        Some(token)
    }

    /// Skips `( … )` from its opening parenthesis: balanced parentheses
    /// nest, a backslash escapes the next byte. Unterminated, it runs to
    /// the end.
    fn skip_literal_string(&mut self) {
        let mut depth = 0_usize;
        while let Some(b) = self.byte(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
        self.pos = self.data.len();
    }

    /// What follows a name, for [`judge`]: a dictionary, an empty one, or
    /// something else.
    fn peek_value(&self) -> Value {
        let mut ahead = self.clone();
        match ahead.next_token() {
            Some(Token::DictOpen) => match ahead.next_token() {
                Some(Token::DictClose) => Value::EmptyDictionary,
                _ => Value::Dictionary,
            },
            _ => Value::Other,
        }
    }

    fn word(&self, start: usize, end: usize) -> &[u8] {
        self.data.get(start..end).unwrap_or_default()
    }
}

/// What the latest top-level dictionary of an object says about the
/// stream that may follow it.
#[derive(Default)]
struct StreamDictionary {
    /// `/Length` as a direct integer.
    length: Option<usize>,
    /// A `/Length` was seen.
    length_seen: bool,
    /// `/Type /ObjStm` or a `/First` key.
    object_stream: bool,
    /// Every name is one an object stream's dictionary may have.
    readable: bool,
    /// How many FlateDecode filters it names.
    flate: usize,
}

/// Checks `data` token by token. `top` is the whole file (with streams);
/// otherwise `data` is an object stream's inflated objects. `budget` is
/// what object streams may still inflate to.
pub(super) fn check(data: &[u8], budget: &mut usize, top: bool) -> Result<(), Refused> {
    let mut lexer = Lexer { data, pos: 0 };
    let mut depth = 0_usize;
    let mut dictionary: Option<StreamDictionary> = None;
    // The name before the current token at depth 1, and whether the token
    // before that was `/Length`.
    let mut after_length = false;
    let mut next_end = Cache::default();
    let mut next_object = Cache::default();
    while let Some(token) = lexer.next_token() {
        let was_after_length = std::mem::take(&mut after_length);
        match token {
            Token::Name(name) => {
                let name = name.as_slice();
                judge(name, || lexer.peek_value())?;
                if let Some(found) = dictionary.as_mut().filter(|_| depth > 0) {
                    found.object_stream |= name == b"ObjStm" || (depth == 1 && name == b"First");
                    found.readable &= OBJECT_STREAM_NAMES.contains(&name);
                    if name == b"FlateDecode" || name == b"Fl" {
                        found.flate += 1;
                    }
                    after_length = depth == 1 && name == b"Length";
                }
            }
            Token::DictOpen => {
                if depth == 0 {
                    dictionary = Some(StreamDictionary {
                        readable: true,
                        ..StreamDictionary::default()
                    });
                }
                depth += 1;
            }
            Token::DictClose => depth = depth.saturating_sub(1),
            Token::Word { start, end } => {
                let word = lexer.word(start, end);
                if was_after_length && depth == 1 {
                    let length = std::str::from_utf8(word).ok().and_then(|w| w.parse().ok());
                    if let Some(found) = dictionary.as_mut() {
                        // `/Length 12 0 R` is indirect: no direct length.
                        // Two of them, which readers may take either of:
                        // none, so the data ends at the first `endstream`.
                        let direct = length.filter(|_| !is_reference(&lexer));
                        found.length = direct.filter(|_| !found.length_seen);
                        found.length_seen = true;
                    }
                }
                if word == b"obj" {
                    depth = 0;
                    dictionary = None;
                }
                if top && depth == 0 && word == b"stream" {
                    let found = dictionary.take().unwrap_or_default();
                    let start = data_start(data, end);
                    let length_end =
                        found
                            .length
                            .and_then(|n| start.checked_add(n))
                            .filter(|&at| {
                                let rest = data.get(at..).unwrap_or_default();
                                let white = rest.iter().take_while(|&&b| is_white(b)).count();
                                rest.get(white..)
                                    .is_some_and(|r| r.starts_with(b"endstream"))
                            });
                    let Some(end) = length_end.or_else(|| {
                        next_end.at_or_after(start, |from| find(data, b"endstream", from))
                    }) else {
                        return Err(Refused::BrokenPdf);
                    };
                    if next_object
                        .at_or_after(start, |from| find_object(data, from))
                        .is_some_and(|at| at < end)
                    {
                        // An object inside what would be stream data: read
                        // on through it as tokens.
                        lexer.pos = start;
                        continue;
                    }
                    if found.object_stream {
                        object_stream(&found, data.get(start..end).unwrap_or_default(), budget)?;
                    }
                    lexer.pos = end + b"endstream".len();
                }
            }
            Token::Other => {}
        }
    }
    Ok(())
}

/// Inflates an object stream within `budget` and checks its objects.
fn object_stream(
    found: &StreamDictionary,
    stream: &[u8],
    budget: &mut usize,
) -> Result<(), Refused> {
    if !found.readable || found.flate > 1 {
        return Err(Refused::UncheckablePdf);
    }
    if found.flate == 0 {
        return check(stream, budget, false);
    }
    let objects = inflate(stream, budget)?;
    check(&objects, budget, false)
}

/// Whether the tokens after the current one are `<generation> R`.
fn is_reference(lexer: &Lexer) -> bool {
    let mut ahead = lexer.clone();
    let generation = matches!(ahead.next_token(), Some(Token::Word { start, end })
        if lexer.word(start, end).iter().all(u8::is_ascii_digit));
    generation
        && matches!(ahead.next_token(), Some(Token::Word { start, end }) if lexer.word(start, end) == b"R")
}

/// Where stream data starts after the keyword ending at `keyword_end`:
/// after one end of line.
fn data_start(data: &[u8], keyword_end: usize) -> usize {
    match data.get(keyword_end..keyword_end + 2) {
        Some([b'\r', b'\n']) => keyword_end + 2,
        Some([b'\n' | b'\r', _]) => keyword_end + 1,
        _ if data.get(keyword_end) == Some(&b'\n') => keyword_end + 1,
        _ => keyword_end,
    }
}

/// The latest answer of a forward search, reused while it is still ahead.
#[derive(Default)]
struct Cache {
    /// Searched from here, and what was found.
    last: Option<(usize, Option<usize>)>,
}

impl Cache {
    fn at_or_after(
        &mut self,
        from: usize,
        search: impl FnOnce(usize) -> Option<usize>,
    ) -> Option<usize> {
        match self.last {
            Some((searched, found)) if searched <= from && found.is_none_or(|at| at >= from) => {
                found
            }
            _ => {
                let found = search(from);
                self.last = Some((from, found));
                found
            }
        }
    }
}
