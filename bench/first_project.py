#!/usr/bin/env python3
"""A new customer from closed-won handoff to every kickoff (G1) item green, walked as a person
would in Chromium at 1280 px, counting actions (a click, a field typed in or a choice picked in
a list; following the link in an email counts as a click). A benchmark of the workspace's
usability, not a test (issue 12, target: at most 30 actions).

Starts the release binary's demo database (`finishline demo --seed-only`, a fresh database),
serves it with mail going to an SMTP sink in this script, and drives Chromium through
chromedriver's WebDriver protocol over plain HTTP (no Python packages needed):

1. closed-won handoff: the sales handoff form, with one over-promise and the customer's people
2. the over-promise resolved (into scope, with what scope says and the plan)
3. the finish line and a success criterion
4. people on both sides (the vendor owner comes from the handoff; the customer's from the form)
5. the customer's decision maker invited by email; the email read from the sink
6. the customer opens the portal from the email
7. the customer's decision maker approves the plan in the portal
8. the rest of kickoff readiness: a data source with a sample requested, risks, not-included
   note; then every G1 item is checked green on the page.

    cargo build --release --bin finishline && python3 bench/first_project.py
    (FINISHLINE_BIN=target/debug/finishline to try it against a debug build)
"""
import base64
import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("FINISHLINE_BIN", os.path.join(ROOT, "target", "release", "finishline"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WIDTH = 1280
# Human pace: a person reads before acting; the count, not the time, is the measure.
PAUSE = float(os.environ.get("FINISHLINE_BENCH_PAUSE", "0.3"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- an SMTP sink -----------------------------------------------------------------------------

MAILS = []


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ESMTP")
        rcpt, data = [], None
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            up = cmd.upper()
            if up.startswith("EHLO"):
                self.reply("250-sink")
                self.reply("250-8BITMIME")
                self.reply("250 SMTPUTF8")
            elif up.startswith(("HELO", "NOOP", "MAIL FROM", "RSET")):
                self.reply("250 ok")
            elif up.startswith("RCPT TO"):
                rcpt.append(cmd.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif up == "DATA":
                self.reply("354 go on")
                lines = []
                while True:
                    l = self.rfile.readline().decode("utf-8", "replace")
                    if l in (".\r\n", ".\n", ""):
                        break
                    lines.append(l[1:] if l.startswith("..") else l)
                MAILS.append({"to": rcpt, "data": "".join(lines)})
                rcpt = []
                self.reply("250 queued")
            elif up == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def mail_body(data):
    head, _, body = data.partition("\r\n\r\n")
    if re.search(r"(?im)^content-transfer-encoding:\s*quoted-printable", head):
        body = body.replace("=\r\n", "").replace("=3D", "=")
    elif re.search(r"(?im)^content-transfer-encoding:\s*base64", head):
        body = base64.b64decode(body).decode()
    return body


# --- WebDriver over HTTP ----------------------------------------------------------------------


class Browser:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={WIDTH},1000"]}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]
        self.actions = 0
        self.log = []

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.read().decode()}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def count(self, what):
        self.actions += 1
        self.log.append(what)
        time.sleep(PAUSE)

    def goto(self, url):
        self.s("POST", "/url", {"url": url})

    def find(self, selector, timeout=10):
        end = time.time() + timeout
        while True:
            try:
                e = self.s("POST", "/element", {"using": "css selector", "value": selector})
                return list(e.values())[0]
            except RuntimeError:
                if time.time() > end:
                    raise RuntimeError(f"no element {selector} on {self.url()}:\n{self.text()[:2000]}")
                time.sleep(0.1)

    def url(self):
        return self.s("GET", "/url")

    def text(self):
        try:
            return self.s("POST", "/execute/sync", {"script": "return document.body.innerText", "args": []})
        except RuntimeError:
            return ""

    def wait_text(self, text, timeout=15):
        end = time.time() + timeout
        while text not in self.text():
            if time.time() > end:
                raise RuntimeError(f"waited for {text!r} on {self.url()}:\n{self.text()[:3000]}")
            time.sleep(0.1)

    def center(self, e):
        # A person scrolls what they want into the middle of the screen, not under the sticky
        # section menu where chromedriver would leave it.
        self.s("POST", "/execute/sync", {"script": "arguments[0].scrollIntoView({block: 'center'})",
                                        "args": [{"element-6066-11e4-a52e-4f735466cecf": e}]})

    def click(self, selector, what=None):
        e = self.find(selector)
        self.center(e)
        self.s("POST", f"/element/{e}/click", {})
        self.count(what or f"click {selector}")

    def type(self, selector, text):
        e = self.find(selector)
        self.center(e)
        self.s("POST", f"/element/{e}/clear", {})
        self.s("POST", f"/element/{e}/value", {"text": text})
        self.count(f"type {selector}")

    def choose(self, select, value):
        self.click(f"{select} option[value='{value}']", f"choose {value} in {select}")

    def value(self, selector):
        e = self.find(selector)
        return self.s("GET", f"/element/{e}/property/value")

    def quit(self):
        try:
            self.s("DELETE", "")
        except RuntimeError:
            pass


def main():
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: cargo build --release --bin finishline (or set FINISHLINE_BIN)")
    port, smtp_port, driver_port = free_port(), free_port(), free_port()
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", smtp_port), SmtpHandler)
    smtp.daemon_threads = True
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    data = tempfile.mkdtemp(prefix="finishline-first-project-")
    seeded = subprocess.run([BIN, "demo", "--seed-only", "--data-dir", data],
                            capture_output=True, text=True, check=True).stdout
    email, password = re.search(r"login: (\S+) / (\S+)", seeded).groups()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [BIN, "serve", "--database-url", f"sqlite://{data}/demo.sqlite", "--listen",
         f"127.0.0.1:{port}", "--smtp-url", f"smtp://127.0.0.1:{smtp_port}",
         "--public-url", base],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = subprocess.Popen([CHROMEDRIVER, f"--port={driver_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    member = customer = None
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1)
                urllib.request.urlopen(f"http://127.0.0.1:{driver_port}/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        member = Browser(driver_port)

        # Signing in is not part of the count (every session starts with it).
        member.goto(base + "/login")
        member.type("input[name=email]", email)
        member.type("input[name=password]", password)
        member.click("form[action='/login'] button[type=submit]")
        member.wait_text("Portfolio")
        member.actions, member.log = 0, []

        # 1. Closed-won handoff, with the customer's people as sales knows them.
        member.click("header nav a[href='/handoff']", "open New handoff")
        member.wait_text("Sales hands the deal over")
        member.type("input[name=customer]", "Larkspur Freight")
        member.type("textarea[name=sold]", "Dispatch and tracking for 25 dispatchers, SSO, import of open loads")
        member.type("input[name=promise_0]", "Two-way sync with their TMS at launch")
        member.choose("select[name=class_0]", "needs_custom_work")
        member.type("input[name=contact_owner_name]", "Rosa Nunez")
        member.type("input[name=contact_owner_email]", "rosa@larkspur.test")
        member.type("input[name=contact_dm_name]", "Amir Haddad")
        member.type("input[name=contact_dm_email]", "amir@larkspur.test")
        member.type("input[name=contact_backup_name]", "Jo Park")
        member.type("input[name=contact_backup_email]", "jo@larkspur.test")
        member.click("form[action='/handoff'] button:not([name])", "Create project")
        member.wait_text("to resolve before kickoff")

        # 2. The over-promise resolved: into scope, with what scope says and the plan.
        form = "form[action$='/actions/resolve_promise']"
        member.type(f"{form} input[name=scope]", "One-way nightly import of loads from the TMS")
        member.type(f"{form} input[name=plan]", "Nightly CSV import in phase one; two-way sync scoped as a change request")
        member.click(f"{form} button[value=into_scope]", "Bring into scope")
        member.wait_text("Promise resolved.")

        # 3. The finish line and a success criterion.
        form = "form[action$='/actions/set_finish_line']"
        member.type(f"{form} textarea[name=text]",
                    "Dispatchers assign every new load in Finishline Freight within 15 minutes of it arriving, for two weeks in a row.")
        member.click(f"{form} button[type=submit]", "Save finish line")
        member.wait_text("Finish line saved.")
        form = "form[action$='/actions/add_criterion']"
        member.type(f"{form} input[name=metric]", "loads assigned within 15 minutes (%)")
        member.type(f"{form} input[name=target]", "95")
        member.type(f"{form} input[name=how_measured]", "weekly dispatch report")
        member.click(f"{form} button[type=submit]", "Add criterion")
        member.wait_text("added.")

        # 4. People on both sides: the vendor owner came with the handoff (the signed-in member,
        #    prefilled), the customer's three people with the handoff form. Checked on the page.
        page = member.text()
        for who in ["Rosa Nunez", "Amir Haddad", "Jo Park"]:
            assert who in page, f"{who} is not on the project page"

        # 5. The customer's decision maker invited by email (the form starts on them).
        form = "form[action$='/invitations']"
        member.click(f"{form} button[type=submit]", "Email an invitation")
        member.wait_text("Invitation emailed to Amir Haddad")
        end = time.time() + 20
        while not any("amir@larkspur.test" in m["to"] for m in MAILS):
            if time.time() > end:
                raise RuntimeError("no invitation email reached the SMTP sink")
            time.sleep(0.1)
        mail = next(m for m in MAILS if "amir@larkspur.test" in m["to"])
        link = re.search(r"(http://\S+/portal/join/fl_inv_[A-Za-z0-9_]+)", mail_body(mail["data"])).group(1)

        # 6. The customer opens the portal from the email, in their own browser.
        customer = Browser(driver_port)
        customer.goto(link)
        customer.count("open the link in the email")
        customer.click("form[action='/portal/join'] button", "Join")
        customer.wait_text("Welcome, Amir Haddad")

        # 7. The customer's decision maker approves the plan in the portal (one button under the
        #    plan they are shown: their tasks, the vendor's milestones, scope and finish line).
        customer.click("form[action='/portal/actions/approve_plan'] button[type=submit]", "Approve this plan")
        customer.wait_text("You approved this plan on")

        # 8. The rest of kickoff readiness, from the "Next gate" list at the top of the page.
        form = "form[action$='/actions/add_data_source']"
        member.type(f"{form} input[name=name]", "Open loads export from the TMS")
        member.click(f"{form} button[type=submit]", "Add source")
        member.wait_text("added.")
        member.click("form[action$='/actions/confirm_no_known_risks'] button", "State that none are known")
        member.wait_text("no risks are known")
        member.click("form[action$='/actions/confirm_nothing_excluded'] button", "Confirm phase one excludes nothing")
        member.wait_text("excludes nothing")
        member.wait_text("every item passes")
        failing = member.s("POST", "/execute/sync", {"script":
            "return [...document.querySelectorAll('#gates .gate')[0].querySelectorAll('li.fail')].map(e => e.innerText)",
            "args": []})
        assert not failing, f"G1 items still failing: {failing}"
        assert "by Amir Haddad on" in member.text(), "the member's page does not show the approval"

        total = member.actions + customer.actions
        print("steps:")
        for who, b in (("member", member), ("customer", customer)):
            for i, what in enumerate(b.log, 1):
                print(f"  {who:8} {i:2}. {what}")
        print(f"member actions:   {member.actions}")
        print(f"customer actions: {customer.actions}")
        print(f"actions: {total} (target <= 30)")
    finally:
        for b in (member, customer):
            if b:
                b.quit()
        driver.terminate()
        server.terminate()
        smtp.shutdown()


if __name__ == "__main__":
    main()
