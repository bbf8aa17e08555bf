#!/usr/bin/env python3
"""Server time of the HTML pages under load (a benchmark, not a test).

Starts the release binary's demo, grows the workspace to 2,000 projects and one project to 200
tasks through the JSON API, then runs wrk (50 connections) against the portfolio page and that
project page with a session cookie, and prints latency percentiles and page weights.

Each page is measured twice: with nothing changing (what the caches are for), and while another
client saves a project every 200 ms through the API, so that the portfolio is gathered and
rendered again five times a second and the project page's own project changes. Last, the
portfolio with every page of every sort asked in turn (bench/portfolio_pages.lua), more pages
than are kept, so requests render: a first pass from a cold start (each project's activity log
replayed once, for the sort by waiting time), then a measured pass.

    cargo build --release --bin finishline && python3 bench/web_pages.py
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

PORT = int(os.environ.get("FINISHLINE_BENCH_PORT", "7987"))
BASE = f"http://127.0.0.1:{PORT}"
PROJECTS = int(os.environ.get("FINISHLINE_BENCH_PROJECTS", "2000"))
TASKS = 200


def call(method, path, body=None, cookie=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if cookie:
        req.add_header("cookie", cookie)
    with urllib.request.urlopen(req) as r:
        return r.headers, json.loads(r.read() or b"null")


def write_every(stop, cookie, projects):
    """Saves one of `projects` every 200 ms (a finish line edit) until `stop` is set."""
    i = 0
    while not stop.wait(0.2):
        pid = projects[i % len(projects)]
        call("POST", f"/api/v1/projects/{pid}/commands",
             {"action": "set_finish_line", "text": f"Agents work the renewal queue in Finishline (edit {i})"},
             cookie=cookie)
        i += 1


def main():
    data = tempfile.mkdtemp()
    demo = subprocess.Popen(
        ["./target/release/finishline", "demo", "--listen", f"127.0.0.1:{PORT}", "--data-dir", data],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        headers, _ = call("POST", "/api/v1/auth/login",
                          {"email": "demo@finishline.local", "password": "finishline-demo"})
        cookie = headers["set-cookie"].split(";")[0]
        _, projects = call("GET", "/api/v1/projects", cookie=cookie)
        items = projects if isinstance(projects, list) else projects.get("projects", projects.get("items", []))
        big = items[0]["id"]
        _, view = call("GET", f"/api/v1/projects/{big}", cookie=cookie)
        owner = view["project"]["people"][0]["id"]
        have = len(view["project"]["tasks"])
        t0 = time.time()
        for i in range(TASKS - have):
            call("POST", f"/api/v1/projects/{big}/commands",
                 {"action": "add_task", "title": f"Bench task {i}", "phase": "Bench", "label": "vendor_task",
                  "owner": owner, "due": "2027-01-15"}, cookie=cookie)
        for i in range(PROJECTS - len(items)):
            call("POST", "/api/v1/projects",
                 {"customer": f"Bench customer {i}", "sold": "Module, 10 seats",
                  "promises": [{"text": "Weekly export", "class": "standard"}],
                  "segment": "smb", "contract_date": "2026-10-01"}, cookie=cookie)
        print(f"seeded {PROJECTS} projects, {TASKS} tasks in one, in {time.time() - t0:.0f}s")
        _, listed = call("GET", "/api/v1/projects?limit=50", cookie=cookie)
        listed = listed if isinstance(listed, list) else listed.get("projects", listed.get("items", []))
        targets = [p["id"] for p in listed if p["id"] != big][:20]
        for name, path, target in [("portfolio (2,000 projects, page 1 of 40)", "/", None),
                                   (f"project page ({TASKS} tasks)", f"/projects/{big}", big)]:
            with urllib.request.urlopen(urllib.request.Request(BASE + path, headers={"cookie": cookie})) as r:
                size = len(r.read())
            for writes in (False, True):
                stop = threading.Event()
                writer = threading.Thread(target=write_every, args=(stop, cookie, [target] if target else targets))
                if writes:
                    writer.start()
                out = subprocess.run(["wrk", "-t2", "-c50", "-d15s", "--latency", "-H", f"Cookie: {cookie}", BASE + path],
                                     capture_output=True, text=True).stdout
                stop.set()
                if writes:
                    writer.join()
                lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
                rps = re.search(r"Requests/sec:\s+(\S+)", out)
                label = "a save every 200 ms" if writes else "no writes"
                print(f"{name}, {label}: {size:,} bytes ({size / 1024:.1f} KiB); p50 {lat.get('50')}, p90 {lat.get('90')}, "
                      f"p99 {lat.get('99')}; {rps.group(1) if rps else '?'} req/s")
        lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "portfolio_pages.lua")
        for label, seconds in [("first pass, from a cold start", 5), ("measured pass", 15)]:
            out = subprocess.run(["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "-s", lua, "-H", f"Cookie: {cookie}", BASE + "/"],
                                 capture_output=True, text=True).stdout
            lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
            rps = re.search(r"Requests/sec:\s+(\S+)", out)
            print(f"portfolio, every page of every sort in turn ({label}): p50 {lat.get('50')}, p90 {lat.get('90')}, "
                  f"p99 {lat.get('99')}; {rps.group(1) if rps else '?'} req/s")
    finally:
        demo.terminate()
        demo.wait()


if __name__ == "__main__":
    sys.exit(main())
