#!/usr/bin/env python3
"""A cold start under a crowd (a benchmark, not a test): issue 11's "50 clients ask for the
1,000-project list at once right after a restart".

Seeds PROJECTS projects of 60 tasks (seed_bench) on SQLite, starts the release server, and sends
CLIENTS concurrent `GET /api/v1/projects?limit=1000` the moment /healthz answers. Prints the time
to the first and the last answer, the server's CPU seconds and peak RSS for that burst, then the
same burst warm, and the load average.

    cargo build --release -p finishline --bin finishline --example seed_bench
    python3 bench/cold_list.py [BINARY]
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/finishline"
SEED = "target/release/examples/seed_bench"
PORT = int(os.environ.get("FINISHLINE_BENCH_PORT", "7988"))
PROJECTS = int(os.environ.get("FINISHLINE_BENCH_PROJECTS", "2000"))
CLIENTS = int(os.environ.get("FINISHLINE_BENCH_CLIENTS", "50"))
BASE = f"http://127.0.0.1:{PORT}"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def burst(token):
    done = []
    lock = threading.Lock()
    start = time.monotonic()

    def one():
        req = urllib.request.Request(BASE + "/api/v1/projects?limit=1000")
        req.add_header("authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            status = r.status
        with lock:
            done.append((time.monotonic() - start, status))

    threads = [threading.Thread(target=one) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(t for t, _ in done)
    ok = sum(1 for _, s in done if s == 200)
    return times[0], times[-1], ok


def main():
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite://{d}/bench.sqlite"
        subprocess.run([SEED, url, str(PROJECTS), "60"], check=True, stdout=subprocess.DEVNULL)
        token = subprocess.run(
            [BIN, "token", "create", "--email", "bench@finishline.local", "--name", "bench",
             "--database-url", url],
            check=True, capture_output=True, text=True).stdout.strip()
        server = subprocess.Popen(
            [BIN, "serve", "--listen", f"127.0.0.1:{PORT}", "--database-url", url],
            env={**os.environ, "FINISHLINE_LOG": "warn"})
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(BASE + "/healthz", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            for label in ("cold", "warm"):
                cpu0 = cpu_seconds(server.pid)
                first, last, ok = burst(token)
                cpu = cpu_seconds(server.pid) - cpu0
                print(f"| {label} | {CLIENTS} × GET /api/v1/projects?limit=1000 ({PROJECTS} projects) "
                      f"| {first:.2f} s | {last:.2f} s | {ok}/{CLIENTS} | {cpu:.2f} s "
                      f"| {peak_rss_mib(server.pid):.0f} MiB |")
        finally:
            server.terminate()
            server.wait()
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
