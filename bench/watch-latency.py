#!/usr/bin/env python3
"""Time from saving one page to its new HTML on disk, in `serve --watch`.

usage: watch-latency.py LOKET_BIN SITE_ROOT [RUNS]
Edits content/posts/page-00042.md RUNS times (each a new marker in its text)
and polls the output file every millisecond until the marker is there.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def main():
    loket, root = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    data = tempfile.mkdtemp(prefix="loket-watch-data-")
    out = os.path.join(root, "public")
    server = subprocess.Popen(
        [loket, "serve", "--watch", "--root", root, "--addr", "127.0.0.1:0", "--desk-addr", "off", "--data", data],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        # loket logs where it listens; then the log is drained (a full pipe
        # would stop the server).
        for line in server.stderr:
            if "Listening on" in line:
                break
        else:
            raise SystemExit("loket serve did not start")
        threading.Thread(target=server.stderr.read, daemon=True).start()
        page = os.path.join(root, "content", "posts", "page-00042.md")
        built = os.path.join(out, "posts", "page-00042", "index.html")
        original = open(page, encoding="utf-8").read()
        times = []
        for i in range(runs):
            marker = f"penanda-{i}-{time.time_ns()}"
            start = time.perf_counter()
            with open(page, "w", encoding="utf-8") as f:
                f.write(original + f"\n\n{marker}\n")
            while True:
                try:
                    if marker in open(built, encoding="utf-8").read():
                        break
                except FileNotFoundError:
                    pass
                time.sleep(0.001)
                if time.perf_counter() - start > 30:
                    raise SystemExit("no rebuild within 30 s")
            times.append((time.perf_counter() - start) * 1000)
            time.sleep(0.2)
        with open(page, "w", encoding="utf-8") as f:
            f.write(original)
        times.sort()
        print(f"save-to-disk latency over {runs} edits: median {statistics.median(times):.0f} ms, "
              f"min {times[0]:.0f} ms, p90 {times[int(0.9 * (len(times) - 1))]:.0f} ms, "
              f"max {times[-1]:.0f} ms, {sum(t >= 100 for t in times)} of {runs} at 100 ms or more "
              f"(includes the watcher's 20 ms debounce)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
