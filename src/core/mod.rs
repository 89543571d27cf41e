//! What every part uses: dates in WIB and the working-day calendar, the one
//! YAML module, `path:line: message` diagnostics, CSV for spreadsheets,
//! file-system helpers with one rule each, random tokens and comparing
//! secrets, the one rate limiter, and what both web front-ends
//! share (the shape of a page saying why a request was not served, a
//! body's media type).

pub mod calendar;
pub mod csv;
pub mod dates;
pub mod diagnostic;
pub mod fs;
pub mod limit;
pub mod secret;
pub mod text;
pub mod web;
pub mod yaml;
