//! The site as staff edit it on the desk (issue 30): the versions and
//! drafts of the files they change ([`versions`]).

pub mod versions;
