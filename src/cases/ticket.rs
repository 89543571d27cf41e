//! Ticket numbers like `KP-20261127-7KX4`, spelled without letters that
//! sound or look alike, so they survive being read aloud over the phone.

use std::fmt;

use time::Date;

/// No vowels (no accidental words), no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/Q.
const ALPHABET: &[u8; 20] = b"CDFHJKMNPRTVWXY34679";
const RANDOM_LEN: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ticket(String);

impl Ticket {
    /// A new random ticket starting with a form's `prefix` (two capitals)
    /// for a submission received on `date`. Uniqueness is settled by the
    /// store, which never overwrites a record.
    pub fn new(prefix: &str, date: Date) -> std::io::Result<Ticket> {
        let suffix = random_symbols(RANDOM_LEN)?;
        Ok(Ticket(format!(
            "{}-{}-{suffix}",
            prefix,
            crate::core::dates::format_iso(date).replace('-', "")
        )))
    }

    /// Reads a ticket typed by a person or found in a URL; `None` unless it
    /// has exactly the shape this module makes (which form the prefix
    /// belongs to is [`crate::forms::Forms::by_prefix`]'s to say).
    pub fn parse(text: &str) -> Option<Ticket> {
        let text = text.trim().to_ascii_uppercase();
        let mut parts = text.split('-');
        let (prefix, day, suffix) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || prefix.len() != 2
            || !prefix.bytes().all(|b| b.is_ascii_uppercase())
            || day.len() != 8
            || !day.bytes().all(|b| b.is_ascii_digit())
            || suffix.len() != RANDOM_LEN
            || !suffix.bytes().all(is_symbol)
        {
            return None;
        }
        let ticket = Ticket(text.clone());
        ticket.date()?;
        Some(ticket)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two letters of its form.
    pub fn prefix(&self) -> &str {
        self.0.get(0..2).unwrap_or("")
    }

    /// The day the submission was received.
    pub fn date(&self) -> Option<Date> {
        let day = self.0.get(3..11)?;
        let iso = format!("{}-{}-{}", &day[0..4], &day[4..6], &day[6..8]);
        crate::core::dates::parse_iso(&iso).ok()
    }
}

/// `len` symbols of the read-aloud alphabet, each equally likely (also the
/// access codes of [`super::access`]).
pub fn random_symbols(len: usize) -> std::io::Result<String> {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
        // Rejection sampling keeps every symbol equally likely.
        for b in bytes {
            if out.len() < len && usize::from(b) < 240 {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

/// The symbols tickets' suffixes and access codes are made of.
pub fn symbols() -> &'static [u8] {
    ALPHABET
}

/// Whether `symbol` is in the read-aloud alphabet.
pub fn is_symbol(symbol: u8) -> bool {
    ALPHABET.contains(&symbol)
}

impl fmt::Display for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use time::macros::date;

    #[test]
    fn shape_and_round_trip() {
        let t = Ticket::new("KP", date!(2026 - 11 - 27)).unwrap();
        assert!(t.as_str().starts_with("KP-20261127-"), "{t}");
        assert_eq!(t.as_str().len(), 16);
        assert_eq!(Ticket::parse(t.as_str()), Some(t.clone()));
        assert_eq!(Ticket::parse(&t.as_str().to_lowercase()), Some(t.clone()));
        assert_eq!(t.date(), Some(date!(2026 - 11 - 27)));
        assert_eq!(t.prefix(), "KP");
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "",
            "KP-20261127-7QX4", // Q is not in the alphabet
            "KP-20261127-CDF",
            "K1-20261127-CDFH",
            "KPX-20261127-CDFH",
            "KP-20261327-CDFH",
            "KP-20261127-CDFH-1",
            "../../etc/passwd",
        ] {
            assert_eq!(Ticket::parse(bad), None, "{bad}");
        }
        assert!(Ticket::parse("PL-20261231-CDF7").is_some());
        // Any form's two letters: which form has them is the registry's.
        assert!(Ticket::parse("NB-20261231-CDF7").is_some());
    }

    #[test]
    fn not_sequential() {
        let tickets: HashSet<Ticket> = (0..200)
            .map(|_| Ticket::new("PL", date!(2026 - 11 - 27)).unwrap())
            .collect();
        assert!(tickets.len() > 190, "random suffixes rarely repeat");
    }
}
