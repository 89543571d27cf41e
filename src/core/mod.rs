//! What every part uses: dates in WIB and the working-day calendar, the one
//! YAML module, `path:line: message` diagnostics, CSV for spreadsheets, and
//! file-system helpers with one rule each.

pub mod calendar;
pub mod csv;
pub mod dates;
pub mod diagnostic;
pub mod fs;
pub mod yaml;
