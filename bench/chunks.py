#!/usr/bin/env python3
"""Posts one complete permohonan whose KTP is KTP_BYTES long, with HTTP/1.1
chunked transfer encoding in chunks of CHUNK bytes, and checks that the
server answers 303 (stored). Each call sends a different `uraian` and KTP,
so a run is never mistaken for a resend of the one before.

WRITES says how the framed body goes to the socket:
  large  the whole framed body in 256 KB writes (a client that frames
         tiny chunks but sends them in bulk: the server reads them many to
         a segment)
  small  one write per chunk, with TCP_NODELAY (a segment per chunk while
         the server keeps up)

usage: chunks.py HOST:PORT CHUNK WRITES KTP_BYTES SEED
"""
import os
import random
import socket
import sys

BOUNDARY = "----loketBenchChunks"
FIELDS = [
    ("jenis", "konsultasi"),
    ("nama", "Siti Aminah"),
    ("nik", "3517015205900001"),
    ("alamat", "Jl. Merdeka 1, Jombang"),
    ("telepon", "0812 3456 7890"),
    ("nama_usaha", "Keripik Bu Siti"),
    ("bidang_usaha", "Makanan ringan"),
    ("alamat_usaha", "Pasar Legi, Jombang"),
    ("persetujuan", "ya"),
]


def body(ktp_bytes, seed):
    parts = []
    fields = FIELDS + [("uraian", f"Uji potongan kecil, kiriman {seed}.")]
    for name, value in fields:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    ktp = b"\xff\xd8\xff\xe0" + random.Random(seed).randbytes(ktp_bytes - 4)
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="ktp"; filename="ktp.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + ktp
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return b"".join(parts)


def frames(data, chunk):
    """The chunked encoding of `data`, one frame per `chunk` bytes."""
    if chunk == 1:
        # Fast path: 4 million frames would take Python a while one by one.
        out = bytearray(len(data) * 6)
        out[0::6] = b"1" * len(data)
        out[1::6] = b"\r" * len(data)
        out[2::6] = b"\n" * len(data)
        out[3::6] = data
        out[4::6] = b"\r" * len(data)
        out[5::6] = b"\n" * len(data)
        yield bytes(out)
    else:
        for i in range(0, len(data), chunk):
            piece = data[i : i + chunk]
            yield b"%x\r\n" % len(piece) + piece + b"\r\n"
    yield b"0\r\n\r\n"


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    chunk = int(sys.argv[2])
    writes = sys.argv[3]
    ktp_bytes = int(sys.argv[4])
    seed = int(sys.argv[5])
    data = body(ktp_bytes, seed)
    sock = socket.create_connection((host, int(port)))
    head = (
        "POST /permohonan/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    if writes == "large":
        framed = head + b"".join(frames(data, chunk))
        view = memoryview(framed)
        for i in range(0, len(framed), 256 * 1024):
            sock.sendall(view[i : i + 256 * 1024])
    elif writes == "small":
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(head)
        for frame in frames(data, chunk):
            if chunk == 1 and len(frame) > 6:
                view = memoryview(frame)
                for i in range(0, len(frame), 6):
                    sock.sendall(view[i : i + 6])
            else:
                sock.sendall(frame)
    else:
        sys.exit(f"WRITES is large or small, not {writes!r}")
    response = b""
    while b"\r\n" not in response:
        got = sock.recv(4096)
        if not got:
            break
        response += got
    status = response.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 303 " not in status:
        sys.exit(f"expected 303, got {status!r}")


if __name__ == "__main__":
    main()
