#!/usr/bin/env python3
"""A KTP scan for bench/submit.lua that loket's sanitizer accepts.

usage: bench/ktp.py pdf|jpeg BYTES OUT

- pdf: one page holding one grey image of about BYTES bytes (what a phone's
  "scan to PDF" makes); the sanitizer checks it for active content and keeps
  it as it is, so the store's own cost dominates.
- jpeg: a photo of about BYTES bytes (ImageMagick's `convert`), which the
  sanitizer decodes and encodes again: the everyday cost of a photo.
"""
import random
import subprocess
import sys


def pdf(size: int) -> bytes:
    width = 1000
    height = max(1, (size - 1000) // width)
    rng = random.Random(7)
    samples = bytes(rng.randrange(128, 256) for _ in range(width * height))
    content = f"q {width} 0 0 {height} 0 0 cm /Im1 Do Q".encode()
    image = (
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
        f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len(samples)} >>\nstream\n"
    ).encode() + samples + b"\nendstream"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            "/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"
        ).encode(),
        image,
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += f"{i + 1} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def jpeg(size: int, out: str) -> None:
    # Noise compresses badly, so the side that gives about `size` bytes
    # at quality 85 is found by a few tries.
    side = 200
    for _ in range(12):
        subprocess.run(
            ["convert", "-size", f"{side}x{side * 2 // 3}", "xc:", "+noise", "Random",
             "-blur", "0x1", "-quality", "85", out],
            check=True,
        )
        with open(out, "rb") as f:
            got = len(f.read())
        if abs(got - size) < size // 20:
            return
        side = max(16, int(side * (size / got) ** 0.5))


def main() -> None:
    kind, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind == "pdf":
        with open(out, "wb") as f:
            f.write(pdf(size))
    elif kind == "jpeg":
        jpeg(size, out)
    else:
        sys.exit(f"unknown kind {kind!r}: pdf or jpeg")


if __name__ == "__main__":
    main()
