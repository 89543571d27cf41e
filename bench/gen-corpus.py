#!/usr/bin/env python3
"""Generates the same N Markdown pages for loket and for Hugo.

Each page: front matter with title and date; about 600 words with headings,
lists, a table, links to other pages and a code block. Both sites get an
equivalent minimal template set: one page template, a section list, a home
page and a 404 page (Hugo: taxonomies and RSS off; both write a sitemap).

usage: gen-corpus.py N OUT_DIR    -> OUT_DIR/loket and OUT_DIR/hugo
"""
import os
import random
import sys

WORDS = (
    "usaha mikro koperasi layanan pemohon petugas berkas konsultasi pengaduan "
    "pertemuan kesepakatan lokasi dokumentasi laporan hasil biaya waktu hari "
    "kerja produk pemasaran modal pelatihan izin kemasan harga pasar desa "
    "kecamatan kabupaten jombang warga pelaku penjualan pembukuan keuangan"
).split()


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def body(rng, i, n):
    links = [rng.randrange(n) for _ in range(3)]
    parts = []
    for s in range(4):
        parts.append(f"## Bagian {s + 1} {words(rng, 2)}\n")
        parts.append(words(rng, 60).capitalize() + ".\n")
        parts.append(words(rng, 50).capitalize() + ".\n")
    parts.append("- " + words(rng, 8) + "\n- " + words(rng, 8) + "\n- " + words(rng, 8) + "\n")
    parts.append("1. " + words(rng, 6) + "\n2. " + words(rng, 6) + "\n")
    parts.append("| Kolom | Nilai | Catatan |\n|---|---|---|\n")
    for r in range(4):
        parts.append(f"| {words(rng, 1)} | {rng.randrange(1000)} | {words(rng, 3)} |\n")
    parts.append(
        "\nLihat juga "
        + ", ".join(f"[halaman {l}](/posts/page-{l:05d}/)" for l in links)
        + ".\n"
    )
    parts.append("```\nfn main() {\n    println!(\"halaman %d\");\n}\n```\n" % i)
    parts.append(words(rng, 80).capitalize() + ".\n")
    return "\n".join(parts)


LOKET_TEMPLATES = {
    "page.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>\n<body><main><h1>{{ page.title }}</h1>\n{{ page.content | safe }}\n</main></body></html>\n",
    "section.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>\n<body><main><h1>{{ page.title }}</h1>\n<ul>{% for c in section.children %}<li><a href=\"{{ c.url }}\">{{ c.title }}</a></li>{% endfor %}</ul>\n</main></body></html>\n",
    "index.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ site.title }}</title></head>\n<body><main><h1>{{ site.title }}</h1>\n{{ page.content | safe }}\n</main></body></html>\n",
    "404.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>\n<body><main><h1>{{ page.title }}</h1></main></body></html>\n",
}

HUGO_LAYOUTS = {
    "_default/single.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body><main><h1>{{ .Title }}</h1>\n{{ .Content }}\n</main></body></html>\n",
    "_default/list.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body><main><h1>{{ .Title }}</h1>\n<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>\n</main></body></html>\n",
    "index.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{{ .Site.Title }}</title></head>\n<body><main><h1>{{ .Site.Title }}</h1>\n{{ .Content }}\n</main></body></html>\n",
    "404.html": "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>404</title></head>\n<body><main><h1>Halaman tidak ditemukan</h1></main></body></html>\n",
}

LOKET_SITE = """title: "Korpus"
base_url: "http://127.0.0.1:8080"
office: {name: "Dinas", address: "Jombang", phone: "(0321) 861494"}
contact: {phone: "(0321) 8491519", whatsapp: "082139751135", email: "a@b.id"}
"""

HUGO_CONFIG = """baseURL = "http://127.0.0.1:8080/"
title = "Korpus"
languageCode = "id"
disableKinds = ["taxonomy", "term", "RSS"]
buildFuture = true
[markup.goldmark.renderer]
unsafe = true
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(42)
    loket, hugo = os.path.join(out, "loket"), os.path.join(out, "hugo")
    write(os.path.join(loket, "site.yaml"), LOKET_SITE)
    for name, text in LOKET_TEMPLATES.items():
        write(os.path.join(loket, "templates", name), text)
    write(os.path.join(hugo, "config.toml"), HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        write(os.path.join(hugo, "layouts", name), text)
    home = "Korpus uji kecepatan.\n"
    write(os.path.join(loket, "content", "_index.md"), "---\ntitle: Beranda\n---\n" + home)
    write(os.path.join(hugo, "content", "_index.md"), "---\ntitle: Beranda\n---\n" + home)
    section = "---\ntitle: Tulisan\n---\nSemua tulisan.\n"
    write(os.path.join(loket, "content", "posts", "_index.md"), section)
    write(os.path.join(hugo, "content", "posts", "_index.md"), section)
    for i in range(n):
        text = body(rng, i, n)
        day = 1 + i % 28
        title = f"Halaman {i} {words(rng, 3)}"
        write(
            os.path.join(loket, "content", "posts", f"page-{i:05d}.md"),
            f"---\ntitle: \"{title}\"\nupdated: 2026-11-{day:02d}\n---\n{text}",
        )
        write(
            os.path.join(hugo, "content", "posts", f"page-{i:05d}.md"),
            f"---\ntitle: \"{title}\"\ndate: 2026-11-{day:02d}\n---\n{text}",
        )


if __name__ == "__main__":
    main()
