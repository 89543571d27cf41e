//! The channel a case came in by (issue 27): the one list of them, their
//! ids as records, filters and reports write them, and the labels staff
//! and readers see. A record without `channel:` came in on the web (the
//! only channel before the desk could record cases).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How a case reached the office.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// The site's own form.
    #[default]
    Web,
    /// Face to face, at the office.
    InPerson,
    /// The complaint box.
    Box,
    Phone,
    WhatsApp,
    Email,
    /// SP4N-LAPOR!, with its own tracking number.
    Lapor,
    SocialMedia,
}

impl Channel {
    /// Every channel, in the order staff choose them and reports list them.
    pub const ALL: [Channel; 8] = [
        Channel::Web,
        Channel::InPerson,
        Channel::Box,
        Channel::Phone,
        Channel::WhatsApp,
        Channel::Email,
        Channel::Lapor,
        Channel::SocialMedia,
    ];

    /// The id written in records and typed in filters.
    pub fn id(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::InPerson => "langsung",
            Channel::Box => "kotak-aduan",
            Channel::Phone => "telepon",
            Channel::WhatsApp => "whatsapp",
            Channel::Email => "surel",
            Channel::Lapor => "lapor",
            Channel::SocialMedia => "media-sosial",
        }
    }

    /// How staff and readers of the report see it.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Web => "Situs web",
            Channel::InPerson => "Datang langsung",
            Channel::Box => "Kotak aduan",
            Channel::Phone => "Telepon",
            Channel::WhatsApp => "WhatsApp",
            Channel::Email => "Surel",
            Channel::Lapor => "SP4N-LAPOR!",
            Channel::SocialMedia => "Media sosial",
        }
    }

    /// Whether a case of this channel carries its own tracking number
    /// (SP4N-LAPOR!'s).
    pub fn has_tracking_number(self) -> bool {
        self == Channel::Lapor
    }

    /// The ids, for a message naming them ("web, langsung, …").
    pub fn ids() -> String {
        Channel::ALL.map(Channel::id).join(", ")
    }
}

/// A channel id that is not one of [`Channel::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("saluran \"{0}\" tidak dikenal; pilih salah satu: {ids}", ids = Channel::ids())]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(s: &str) -> Result<Channel, UnknownChannel> {
        let s = s.trim();
        Channel::ALL
            .into_iter()
            .find(|c| c.id() == s)
            .ok_or_else(|| UnknownChannel(s.to_string()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_reads_back_and_others_are_refused() {
        for c in Channel::ALL {
            assert_eq!(c.id().parse::<Channel>(), Ok(c));
        }
        let e = "fax".parse::<Channel>().unwrap_err();
        assert!(e.to_string().contains("kotak-aduan"), "{e}");
    }
}
