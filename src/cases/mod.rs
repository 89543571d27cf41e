//! A submission once it is a case: the record written when it arrives
//! ([`record`]) and read by staff tools ([`records`]), its ticket, the
//! durable store with its sanitized uploads ([`store`], [`sanitize`]), the
//! workflow of the service standard ([`workflow`]) applied under a lock
//! ([`update`]) as an in-place edit of the YAML ([`yaml_edit`]), and what
//! staff and operators run on the records: the inbox, the monthly report,
//! verify, backup and restore, purge.

pub mod access;
pub mod backup;
pub mod channel;
pub mod copies;
pub mod inbox;
pub mod index;
pub mod layout;
pub mod meeting;
pub mod purge;
pub mod recent;
pub mod record;
pub mod records;
pub mod report;
pub mod sanitize;
pub mod store;
pub mod ticket;
mod update;
pub mod verify;
pub mod waiting;
mod workflow;
pub mod yaml_edit;

pub use channel::Channel;
pub use record::{Confidential, HistoryEntry, Meeting, Record, Referral, parse_local_time};
pub use records::{RecordError, find, load_all};
pub use update::{Updated, Version, update};
pub use workflow::{
    FormMove, StatusChange, apply, current, files_complete_text, need_message, parse_files_complete,
};
