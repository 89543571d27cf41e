//! A port kept for a server a test starts later (a mail relay that is down
//! a while, a proxy), so that nothing else is given it meanwhile.

use std::net::SocketAddr;

use socket2::{Domain, Socket, Type};

/// A port on 127.0.0.1, bound with SO_REUSEADDR but not listening, for as
/// long as this lives. A connection to it is refused, as by a server that
/// is down; the kernel gives it to no other socket, neither a listener on
/// port 0 nor a client's own end; and the server can still bind it, as
/// nginx, Go (Caddy) and Python's asyncio (aiosmtpd) all set SO_REUSEADDR.
pub struct KeptPort(Socket);

impl KeptPort {
    pub fn new() -> KeptPort {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket.set_reuse_address(true).unwrap();
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&any.into()).unwrap();
        KeptPort(socket)
    }

    pub fn port(&self) -> u16 {
        self.0.local_addr().unwrap().as_socket().unwrap().port()
    }
}
