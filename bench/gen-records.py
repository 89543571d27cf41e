#!/usr/bin/env python3
"""Generates N stored submissions for the staff tools' benchmark.

Records are laid out as the server stores them, data/submissions/YYYY/MM/DD/
TICKET.yaml, each with its attachment folder (TICKET/ with a small stand-in
for the KTP photo or complaint files: the tools never read them), with the
real field names and the heading comment of a record the server writes, and
about 1.5 KB each. Received over the three years before --until (default
2026-12-31), about 80% requests (konsultasi or pengaduan) and 20% complaints
about the service; older cases are mostly closed (selesai, ditolak), recent
ones are spread over every status, with history entries to match.

usage: gen-records.py N DATA_DIR [--until YYYY-MM-DD]
"""
import datetime as dt
import os
import random
import sys

ALPHABET = "CDFHJKMNPRTVWXY34679"
FIRST = "Siti Budi Agus Dewi Sri Bambang Rina Joko Wahyu Ani Eko Yuni Hadi Lestari Slamet Nur Putri Rudi Ayu Teguh".split()
LAST = "Aminah Santoso Wijaya Rahayu Lestari Prasetyo Hidayat Kusuma Susanti Nugroho Wati Saputra Utami Setiawan".split()
USAHA = "Keripik Tempe|Batik Tulis|Kopi Bubuk|Tahu Takwa|Kerajinan Bambu|Jahit Busana|Warung Soto|Madu Hutan|Kue Basah|Sabun Herbal".split("|")
BIDANG = "Makanan ringan|Kerajinan|Minuman|Makanan olahan|Konveksi|Kuliner|Pertanian".split("|")
DESA = "Candimulyo Jombatan Kepanjen Sengon Mojongapit Tambakrejo Pulo Kaliwungu Denanyar Plandi".split()
URAIAN = [
    "Mohon pendampingan untuk mengurus Nomor Induk Berusaha dan sertifikat halal produk kami.",
    "Kami kesulitan memasarkan produk secara daring dan ingin konsultasi tentang pemasaran.",
    "Pembeli besar belum membayar tagihan tiga bulan; mohon bantuan mediasi dengan pihak pembeli.",
    "Ingin mengetahui cara menyusun pembukuan sederhana agar bisa mengajukan modal usaha.",
    "Kemasan produk sering rusak saat dikirim; mohon saran kemasan yang lebih baik dan murah.",
]
ISI = [
    "Antrean di loket terlalu lama dan tidak ada nomor antrean.",
    "Petugas belum membalas pesan WhatsApp saya selama seminggu.",
    "Informasi persyaratan di papan pengumuman berbeda dengan di situs web.",
    "Terima kasih atas pelayanan yang cepat; mohon ruang tunggu diberi kipas.",
]
RESULTS = [
    "Konsultasi: perizinan NIB dan sertifikat halal",
    "Konsultasi: pemasaran daring melalui lokapasar",
    "Mediasi: kesepakatan pembayaran bertahap",
    "Konsultasi: pembukuan sederhana",
    "Ditolak: berkas tidak lengkap setelah dua kali diminta",
]


def q(text):
    return "'" + text.replace("'", "''") + "'"


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S+07:00")


def add_working_days(day, n):
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def record(rng, ticket, kind, jenis, received, status, age_days):
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    due = add_working_days(received.date(), 5)
    lines = [
        f"# {ticket} · {'Permohonan' if kind == 'permohonan' else 'Pengaduan layanan'}",
        f"# Diterima {stamp(received)}. Jangan ubah ticket, kind, received_at dan attachments.",
        f"ticket: {ticket}",
        f"kind: {kind}",
        f"received_at: {stamp(received)}",
        f"status: {status}",
        f"response_due: '{due}'",
        f"completion_due: '{due}'" if kind == "permohonan" else "completion_due: null",
        "fields:",
    ]
    phone = f"08{rng.randrange(10**9, 10**10)}"
    if kind == "permohonan":
        nik = f"3517{rng.randrange(10**11, 10**12)}"
        lines += [
            f"  jenis: {jenis}",
            f"  nama: {q(name)}",
            f"  nik: '{nik}'",
            f"  alamat: Jl. Mawar No. {rng.randrange(1, 200)}, {rng.choice(DESA)}, Jombang",
            f"  telepon: '{phone}'",
            f"  email: {name.split()[0].lower()}{rng.randrange(100)}@contoh.id",
            f"  nama_usaha: {q(rng.choice(USAHA) + ' ' + name.split()[0])}",
            f"  bidang_usaha: {rng.choice(BIDANG)}",
            f"  alamat_usaha: Dusun {rng.choice(DESA)} RT {rng.randrange(1, 9):02d} RW {rng.randrange(1, 9):02d}",
            f"  uraian: {q(' '.join(rng.sample(URAIAN, 3)))}",
            f"  termohon_nama: {q('CV ' + rng.choice(LAST)) if jenis == 'pengaduan' else q('')}",
            f"  termohon_kontak: {q('08' + str(rng.randrange(10**9, 10**10))) if jenis == 'pengaduan' else q('')}",
            "  persetujuan: ya",
            "normalized:",
            f"  nik: '{nik}'",
            f"  telepon: '+62{phone[1:]}'",
            "attachments:",
            "- field: ktp",
            "  stored_name: ktp.jpg",
            f"  original_name: IMG_{rng.randrange(10**7, 10**8)}.jpg",
            f"  size: {rng.randrange(150_000, 450_000)}",
            "  type: image/jpeg",
            f"  sha256: {rng.getrandbits(256):064x}",
        ]
    else:
        lines += [
            f"  nama: {q(name)}",
            f"  kontak: '{phone}'",
            f"  isi: {q(rng.choice(ISI))}",
            "  persetujuan: ya",
            "normalized:",
            f"  kontak: '+62{phone[1:]}'",
            "attachments: []",
        ]
    history = []
    responded = completed = None
    if status != "baru":
        responded = received + dt.timedelta(hours=rng.randrange(2, 60))
        history.append(f"- at: {stamp(responded)}\n  status: diperiksa\n  by: budi\n  berkas: lengkap\n  note: 'Berkas lengkap; pemohon dihubungi lewat telepon untuk jadwal.'")
    if status == "pertemuan-dijadwalkan":
        meet = responded + dt.timedelta(days=3)
        history.append(
            f"- at: {stamp(responded)}\n  status: pertemuan-dijadwalkan\n  by: budi\n"
            f"  meeting:\n    at: {meet.strftime('%Y-%m-%d')} 10:00\n    place: Kantor Dinkopum"
        )
    result = None
    if status in ("selesai", "ditolak", "konsultasi-diberikan"):
        completed = responded + dt.timedelta(hours=rng.randrange(1, 24 * min(10, max(1, age_days))))
        result = RESULTS[4] if status == "ditolak" else rng.choice(RESULTS[:4])
        history.append(f"- at: {stamp(completed)}\n  status: {status}\n  by: sri\n  note: {q(result)}")
    lines.append("history:" if history else "history: []")
    lines += history
    if responded:
        lines.append(f"first_response_at: {stamp(responded)}")
    if status in ("selesai", "ditolak"):
        lines.append(f"completed_at: {stamp(completed)}")
        lines.append(f"result: {q(result)}")
    return "\n".join(lines) + "\n"


def main():
    n, data = int(sys.argv[1]), sys.argv[2]
    until = dt.date.fromisoformat(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--until" else dt.date(2026, 12, 31)
    rng = random.Random(19)
    start = until - dt.timedelta(days=3 * 365)
    total = 0
    seen = set()
    for i in range(n):
        day = start + dt.timedelta(days=(i * 3 * 365) // n)
        received = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(seconds=rng.randrange(9 * 3600))
        kind = "permohonan" if rng.random() < 0.8 else "pengaduan-layanan"
        jenis = rng.choice(["konsultasi", "konsultasi", "pengaduan"])
        age = (until - day).days
        if age > 60:
            status = rng.choices(["selesai", "ditolak", "baru", "diperiksa"], [90, 8, 1, 1])[0]
        else:
            status = rng.choice(["baru", "diperiksa", "konsultasi-diberikan", "pertemuan-dijadwalkan", "selesai", "ditolak"])
        if kind == "pengaduan-layanan" and status in ("konsultasi-diberikan", "pertemuan-dijadwalkan"):
            status = "selesai"
        prefix = "KP" if kind == "permohonan" else "PL"
        ticket = None
        while ticket is None or ticket in seen:
            ticket = f"{prefix}-{day.strftime('%Y%m%d')}-" + "".join(rng.choice(ALPHABET) for _ in range(4))
        seen.add(ticket)
        folder = os.path.join(data, "submissions", day.strftime("%Y"), day.strftime("%m"), day.strftime("%d"))
        os.makedirs(os.path.join(folder, ticket), exist_ok=True)
        text = record(rng, ticket, kind, jenis, received, status, age)
        total += len(text)
        with open(os.path.join(folder, ticket + ".yaml"), "w", encoding="utf-8") as f:
            f.write(text)
        if kind == "permohonan":
            with open(os.path.join(folder, ticket, "ktp.jpg"), "wb") as f:
                f.write(b"\xff\xd8\xff\xe0 stand-in")
    os.chmod(data, 0o700)
    print(f"{n} records, {total / n:.0f} bytes each on average, in {data}")


if __name__ == "__main__":
    main()
