#!/usr/bin/env python3
"""The raw rate of fsync'ed file creates on a disk: the ceiling for durable
submissions there. Each create: open a new file, write SIZE bytes, fsync it,
close, fsync the folder. Runs THREADS writers for SECONDS.

The files are left in DIR for the caller to remove after all measurements:
on ext4 without a journal, inodes deleted in the last ~30 s make every
create scan past them, so deleting here would slow whatever runs next.

With DIRECT=1 in the environment the data is written with O_DIRECT (SIZE
must then be a multiple of 4096), bypassing the page cache as loket does.

usage: fsync-rate.py DIR [SECONDS] [THREADS] [SIZE]
"""
import mmap
import os
import sys
import threading
import time


def main():
    folder = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 204800
    os.makedirs(folder, exist_ok=True)
    direct = os.environ.get("DIRECT") == "1"
    data = os.urandom(size)
    if direct:
        # O_DIRECT wants an aligned buffer: an anonymous map is page-aligned.
        aligned = mmap.mmap(-1, size)
        aligned.write(data)
        data = aligned
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | (os.O_DIRECT if direct else 0)
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def writer(k):
        d = os.open(folder, os.O_RDONLY)
        n = 0
        while time.monotonic() < stop:
            path = os.path.join(folder, f"f-{k}-{n}")
            fd = os.open(path, flags, 0o600)
            os.write(fd, data)
            os.fsync(fd)
            os.close(fd)
            os.fsync(d)
            n += 1
        os.close(d)
        counts[k] = n

    ts = [threading.Thread(target=writer, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(f"{sum(counts) / seconds:.0f}")


if __name__ == "__main__":
    main()
