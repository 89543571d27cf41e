//! Nothing a citizen can lose (issue 27 §5), over real HTTP on the fixture
//! site: "Cek status" in the menu and on the home page, a receipt reloaded
//! after its code was shown says so, a code typed with a letter codes never
//! use names the ones they do, staff issue a new access code after
//! checking the caller (the old one stops working; audited; mailed), and a
//! staff member whose session ended keeps what they typed.

mod code;
mod public;
mod session;
