#!/usr/bin/env python3
"""Server CPU spent on posts of a PNG that declares 50 MP in about 6 KB
(issue 24): N posts with a wrong NIK, then N with the text right, then N
of the same PNG padded with a text chunk up to the floor of 512 bytes per
megapixel (an attacker who knows the floor), from one address, against
`loket serve` on the fixture site. Reads the server's
utime + stime from /proc before and after each batch.

usage: bench/decode-flood.py LOKET_BINARY [N]      (docs/security.md)
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXT = {
    "jenis": "konsultasi",
    "nama": "Siti Aminah",
    "nik": "3517015205900001",
    "alamat": "Jl. Merdeka 1, Jombang",
    "telepon": "0812 3456 7890",
    "nama_usaha": "Keripik Bu Siti",
    "bidang_usaha": "Makanan ringan",
    "alamat_usaha": "Pasar Legi, Jombang",
    "uraian": "Mohon konsultasi pemasaran.",
    "persetujuan": "ya",
}


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def sparse_png(width: int, height: int) -> bytes:
    """Interlaced, 1-bit grey, every pixel black."""
    raw = 0
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        cols = max(0, -(-(width - x0) // dx))
        rows = max(0, -(-(height - y0) // dy))
        if cols:
            raw += rows * (1 + -(-cols // 8))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 1)
    idat = zlib.compress(bytes(raw), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def multipart(fields: dict, png: bytes) -> tuple[bytes, str]:
    boundary = "----loketbench"
    out = b""
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    out += f'--{boundary}\r\nContent-Disposition: form-data; name="ktp"; filename="ktp.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
    out += png + f"\r\n--{boundary}--\r\n".encode()
    return out, boundary


def post(port: int, body: bytes, boundary: str) -> int:
    with socket.create_connection(("127.0.0.1", port)) as s:
        head = (
            f"POST /permohonan/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        s.sendall(head.encode() + body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    png = sparse_png(8160, 6120)
    work = tempfile.mkdtemp()
    site = os.path.join(work, "site")
    fixture = os.path.join(REPO, "tests/fixtures/site")
    for name in ["content", "hari-libur"]:
        shutil.copytree(os.path.join(fixture, name), os.path.join(site, name))
    shutil.copy(os.path.join(fixture, "site.yaml"), site)
    for name in ["templates", "static"]:
        shutil.copytree(os.path.join(REPO, name), os.path.join(site, name))
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--root", site, "--data", os.path.join(work, "data"),
         "--addr", f"127.0.0.1:{port}", "--desk-addr", "off", "--rate-limit", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"{binary}: PNG of 8160x6120 pixels in {len(png)} bytes, {n} posts each")
        floor = 8160 * 6120 * 512 // 1_000_000
        padding = chunk(b"tEXt", b"c\0" + b"x" * max(0, floor - len(png)))
        padded = png[:-12] + padding + png[-12:]
        batches = [("wrong NIK", "12345", png), ("text right", TEXT["nik"], png),
                   (f"padded to {len(padded)} bytes, text right", TEXT["nik"], padded)]
        for label, nik, upload in batches:
            body, boundary = multipart({**TEXT, "nik": nik}, upload)
            before = cpu_seconds(server.pid)
            statuses = {post(port, body, boundary) for _ in range(n)}
            spent = cpu_seconds(server.pid) - before
            print(f"  {label}: {spent:.2f} s of server CPU ({spent / n * 1000:.0f} ms a post), statuses {sorted(statuses)}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
