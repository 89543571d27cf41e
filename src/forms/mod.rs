//! The forms citizens fill in, as the office's files say (`forms/*.yaml`):
//! read and checked by [`registry`] into [`spec`], shown by [`view`], and
//! answers checked by [`validate`]. No form or step is named in Rust.

pub mod registry;
pub mod spec;
pub mod validate;
pub mod view;

pub use registry::Forms;
pub use spec::{FieldType, FormId, FormSpec, StepId, StepSpec};

/// Name of the hidden field that only robots fill in.
pub const HONEYPOT: &str = "situs_web";
/// Name of the hidden field that carries the token of the uploads held from
/// an earlier round with errors ([`store::held`]).
pub const HELD_TOKEN: &str = "draf";
