#!/usr/bin/env python3
"""Issue 11's attacks against the release server, two of each at once (a benchmark, not a test).

For each attack a fresh server starts on a fresh SQLite database (so its peak RSS is that
attack's), the attack is sent twice concurrently over loopback, and the script prints the answers'
statuses, the slowest answer's time, the server's CPU seconds and its peak RSS (VmHWM), whether it
still answers /healthz, and the load average. The tests check the answers; this measures them.

    cargo build --release -p finishline --bin finishline
    python3 bench/hostile.py [BINARY]

Only 127.0.0.1 is ever contacted.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/finishline")
MAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "cli", "demo",
                   "policyholders.map.json")
PASSWORD = "bench-hostile-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- hostile files -------------------------------------------------------------------------

def zip_bytes(entries):
    """A zip written by hand, so a part's declared size can lie: entries are
    (name, data_or_chunks, declared_size or None)."""
    out, central = bytearray(), bytearray()
    for name, data, declared in entries:
        chunks = data if isinstance(data, list) else [data]
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed, crc, size = bytearray(), 0, 0
        for c in chunks:
            crc = zlib.crc32(c, crc)
            size += len(c)
            packed += comp.compress(c)
        packed += comp.flush()
        size = declared if declared is not None else size
        n = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size,
                           len(n), 0) + n + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                               len(packed), size, len(n), 0, 0, 0, 0, 0, offset) + n
    cd_at = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                       cd_at, 0)
    return bytes(out)


CT = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
      b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
      b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
      b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
      b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
      b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
      b'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
      b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        b'</Relationships>')
WB = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
      b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
           b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
           b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(rows):
    body = "".join(f'<row r="{r}">{"".join(cell(c + str(r), t) for c, t in cells)}</row>'
                   for r, cells in rows)
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>').encode()


def workbook(sheet_xml, shared=(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                                b'2006/main"></sst>', None)):
    return zip_bytes([("[Content_Types].xml", CT, None), ("_rels/.rels", RELS, None),
                      ("xl/workbook.xml", WB, None), ("xl/_rels/workbook.xml.rels", WB_RELS, None),
                      ("xl/sharedStrings.xml", shared[0], shared[1]),
                      ("xl/worksheets/sheet1.xml", sheet_xml, None)])


HEADER = [("A", "Account Name"), ("B", "Contact Email"), ("C", "Country"), ("D", "Plan")]


def xlsx_rows_backwards():
    return workbook(sheet([(1, HEADER), (3, [("A", "x")]), (2, [("A", "y")])]))


def xlsx_row_gap():
    return workbook(sheet([(1, HEADER), (20_000_000, [("A", "x")])]))


def xlsx_lying_shared_strings():
    one = b"<si><t>" + b"a" * 1000 + b"</t></si>"
    chunk = one * 1024  # ~1 MiB
    chunks = [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    chunks += [chunk] * 1100
    chunks += [b"</sst>"]
    return workbook(sheet([(1, HEADER)]), (chunks, 1 << 20))


def csv_wide_header():
    return ",".join(f"c{i}" for i in range(1_000_000)).encode() + b"\n1\n"


def csv_one_line():
    return b"Account Name,Contact Email\n" + b"a" * (25 * 1024 * 1024 - 200)


def nested_xml():
    depth = 5000
    return (b'<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/'
            b'soap/envelope/"><soapenv:Body>' + b"<a>" * depth + b"</a>" * depth +
            b"</soapenv:Body></soapenv:Envelope>")


def legit_csv(rows=50_000):
    lines = ["Account Name,Contact Email,Country,Plan"]
    for i in range(rows):
        lines.append(f"Company {i},person{i}@example.com,US,Team")
    return ("\n".join(lines) + "\n").encode()


# ---- the server ------------------------------------------------------------------------------

class Server:
    def __init__(self, workdir):
        self.dir = tempfile.mkdtemp(dir=workdir)
        self.url = f"sqlite://{self.dir}/h.sqlite"
        env = {**os.environ, "FINISHLINE_LOG": "error", "FINISHLINE_PASSWORD": PASSWORD}
        run = lambda *a: subprocess.run([BIN, *a, "--database-url", self.url], env=env,
                                        check=True, capture_output=True, text=True).stdout
        run("user", "create", "--email", "h@vendor.test", "--name", "Hal", "--workspace-name",
            "Hostile", "--admin")
        self.token = run("token", "create", "--email", "h@vendor.test", "--name", "b").strip()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{self.port}",
                                      "--database-url", self.url], env=env)
        for _ in range(200):
            if self.healthy():
                break
            time.sleep(0.05)
        handoff = {"customer": "Hostile Co", "sold": "Bench", "contract_date": "2026-03-01",
                   "owner": {"name": "Hal", "email": "h@vendor.test"}}
        self.project = self.call("POST", "/api/v1/projects", json.dumps(handoff).encode(),
                                 "application/json")[1]["project"]["id"]
        with open(MAP, "rb") as f:
            self.map = self.call("POST", f"/api/v1/projects/{self.project}/files?name=map.json",
                                 f.read(), "application/json")[1]["id"]

    def healthy(self):
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def call(self, method, path, body=None, ctype=None, auth=True, timeout=120):
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if ctype:
            req.add_header("content-type", ctype)
        if auth:
            req.add_header("authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw.startswith((b"{", b"[")) else raw
        except urllib.error.HTTPError as e:
            return e.code, e.read()[:300]
        except OSError as e:
            return f"no answer ({e.__class__.__name__})", None

    def cpu(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def at_once(n, fn):
    results, start = [None] * n, time.monotonic()
    times = [0.0] * n

    def one(i):
        results[i] = fn(i)
        times[i] = time.monotonic() - start

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, max(times)


def upload(s, name, body):
    return lambda _i: s.call("POST", f"/api/v1/projects/{s.project}/imports?name={name}"
                             f"&map={s.map}", body, "application/octet-stream")[0]


def salesforce(s, body):
    settings = s.call("GET", "/api/v1/settings/webhook")[1]
    path = settings["salesforce_outbound_path"]
    return lambda _i: s.call("POST", path, body, "text/xml", auth=False)[0]


def bad_logins(s, n=64):
    body = json.dumps({"email": "h@vendor.test", "password": "wrong password!"}).encode()
    me_times = []
    stop = threading.Event()

    def watch_me():
        while not stop.is_set():
            t = time.monotonic()
            s.call("GET", "/api/v1/me")
            me_times.append(time.monotonic() - t)
            time.sleep(0.05)

    w = threading.Thread(target=watch_me)
    w.start()
    res, took = at_once(n, lambda _i: s.call("POST", "/api/v1/auth/login", body,
                                             "application/json", auth=False)[0])
    stop.set()
    w.join()
    return res, took, f"slowest /api/v1/me meanwhile {max(me_times or [0]):.2f} s"


def main():
    with tempfile.TemporaryDirectory() as work:
        attacks = [
            ("xlsx rows going backwards (2 at once)", lambda s: at_once(2, upload(s, "b.xlsx", xlsx_rows_backwards()))),
            ("xlsx 20,000,000-row gap (2 at once)", lambda s: at_once(2, upload(s, "g.xlsx", xlsx_row_gap()))),
            ("xlsx 1.1 GiB shared strings declared 1 MiB (2 at once)", lambda s: at_once(2, upload(s, "z.xlsx", xlsx_lying_shared_strings()))),
            ("CSV 1,000,000-column header (2 at once)", lambda s: at_once(2, upload(s, "w.csv", csv_wide_header()))),
            ("CSV one 25 MiB line (2 at once)", lambda s: at_once(2, upload(s, "l.csv", csv_one_line()))),
            ("Salesforce XML 5,000 deep (2 at once)", lambda s: at_once(2, salesforce(s, nested_xml()))),
            ("64 bad logins at once", lambda s: bad_logins(s)),
            ("64 legit 50,000-row uploads at once", lambda s: at_once(64, upload(s, "ok.csv", legit_csv()))),
        ]
        print("| attack | answers | slowest answer | server CPU | peak RSS | up after |")
        print("|---|---|---:|---:|---:|---|")
        for name, attack in attacks:
            s = Server(work)
            cpu0 = s.cpu()
            out = attack(s)
            res, took = out[0], out[1]
            extra = f"; {out[2]}" if len(out) > 2 else ""
            counts = {}
            for r in res:
                counts[r] = counts.get(r, 0) + 1
            answers = ", ".join(f"{v}× {k}" for k, v in sorted(counts.items(), key=str))
            print(f"| {name} | {answers}{extra} | {took:.2f} s | {s.cpu() - cpu0:.2f} s "
                  f"| {s.peak_rss_mib():.0f} MiB | {'yes' if s.healthy() else 'NO'} |", flush=True)
            s.stop()
    la = os.getloadavg()
    print(f"\nload average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}")


if __name__ == "__main__":
    main()
