//! What every part uses: dates in WIB and the working-day calendar, the one
//! YAML module, `path:line: message` diagnostics, CSV for spreadsheets,
//! file-system helpers with one rule each, and the shape of a page that
//! says why a request was not served.

pub mod calendar;
pub mod csv;
pub mod dates;
pub mod diagnostic;
pub mod fs;
pub mod notice;
pub mod yaml;
