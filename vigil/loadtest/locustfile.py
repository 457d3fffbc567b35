"""The load test (locust): officers reading boards and cases and recording facts, and portal
users sending reports, against a server on this machine.

Not a Django module: locust runs it in its own process. It reads the credentials written by
`vigil loadtest-seed` (VIGIL_LOAD_CREDENTIALS) and appends one JSON line per accepted write
to VIGIL_LOAD_LOG: a report, a decision or a portal submission, each with a marker of its own,
so a test can check afterwards that nothing accepted was lost or recorded twice.

    locust -f vigil/loadtest/locustfile.py --headless --host https://127.0.0.1:8443 ...

VIGIL_LOAD_OFFICERS and VIGIL_LOAD_PORTAL_USERS say how many of each to run (locust's -u must
be their sum); VIGIL_LOAD_PACE scales every wait between steps (0.2: five times as busy, for a
short fault test that still needs a few writes of each kind), and VIGIL_LOAD_WRITES weights
an officer's writes against the reads (default 1 each for a report and a decision). The server is HTTPS with a
certificate made for the run, so it is not checked.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import urllib3
from locust import HttpUser, between, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

CREDENTIALS = json.loads(open(os.environ["VIGIL_LOAD_CREDENTIALS"], encoding="utf-8").read())  # noqa: SIM115
LOG_PATH = os.environ.get("VIGIL_LOAD_LOG", "")
PACE = float(os.environ.get("VIGIL_LOAD_PACE", "1"))
WRITES = int(os.environ.get("VIGIL_LOAD_WRITES", "1"))  # the weight of a report and of a decision (reads: 12)
_officers: Iterator[dict[str, Any]] = itertools.cycle(CREDENTIALS["officers"])
_accesses: Iterator[dict[str, str]] = iter(CREDENTIALS["accesses"])
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PORTAL_TOKEN = re.compile(r'name="portal_token" value="([^"]+)"')
ACTION_LINK = re.compile(r'href="/actions/(\d+)/')
RECEIPT = re.compile(r"data-portal-receipt>([A-Z0-9-]+)<")


def totp(hex_key: str, at: float | None = None) -> str:
    """The six-digit code of an authenticator for the seed (RFC 6238, 30 s, SHA-1)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _value(found: re.Match[str] | None) -> str:
    return found.group(1) if found else ""


def accepted(kind: str, **fields: Any) -> None:
    """Note a write the server accepted (it answered with the redirect that follows a save)."""
    if LOG_PATH:
        with open(LOG_PATH, "a", encoding="utf-8") as log:
            log.write(json.dumps({"kind": kind, "at": time.time(), **fields}) + "\n")


def saved_to(response: Any, path: str) -> bool:
    """The server saved the write: it answered with the redirect a save makes, to `path` (the
    case, or the portal's receipt). A redirect elsewhere (to sign in, when a session was lost
    to a killed worker) saved nothing, and counting it as accepted would report a lost write."""
    return bool(response.status_code == 302 and urlsplit(response.headers.get("Location", "")).path == path)


def marker(kind: str) -> str:
    return f"LOAD-{kind}-{uuid.uuid4().hex[:12]}"


class Browser(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.verify = False

    def _post(self, path: str, data: dict[str, Any], *, name: str) -> Any:
        """A form sent as a browser sends it: with the page it came from (Django's CSRF check
        on HTTPS compares the Referer with the host)."""
        return self.client.post(
            path, data, name=name, allow_redirects=False, headers={"Referer": f"{self.host}{path}"}, catch_response=True
        )


class OfficerUser(Browser):
    """An officer: the board most of all, cases, and now and then a report or a decision."""

    fixed_count = int(os.environ.get("VIGIL_LOAD_OFFICERS", "50"))
    wait_time = between(1 * PACE, 4 * PACE)

    def on_start(self) -> None:
        super().on_start()
        self.me = next(_officers)
        self.cases: list[int] = self.me["cases"]
        page = self.client.get("/login/", name="sign in")
        token = CSRF_FIELD.search(page.text)
        with self._post(
            "/login/",
            {
                "username": self.me["username"],
                "password": CREDENTIALS["password"],
                "csrfmiddlewaretoken": _value(token),
            },
            name="sign in",
        ) as response:
            if response.status_code != 302:
                response.failure(f"password refused ({response.status_code})")
                return
            response.success()
        page = self.client.get("/login/code/", name="sign in")
        token = CSRF_FIELD.search(page.text)
        with self._post(
            "/login/code/",
            {"code": totp(self.me["totp_hex"]), "csrfmiddlewaretoken": _value(token)},
            name="sign in",
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"code refused ({response.status_code})")

    @task(6)
    def board(self) -> None:
        self.client.get("/board/", name="board")

    @task(2)
    def case_list(self) -> None:
        self.client.get("/cases/", name="case list")

    @task(4)
    def case_page(self) -> None:
        if self.cases:
            self.client.get(f"/cases/{random.choice(self.cases)}/", name="case page")

    @task(WRITES)
    def record_report(self) -> None:
        if not self.cases:
            return
        case = random.choice(self.cases)
        page = self.client.get(f"/cases/{case}/reports/new/", name="report form")
        token = CSRF_FIELD.search(page.text)
        mark = marker("report")
        with self._post(
            f"/cases/{case}/reports/new/",
            {
                "category": "harassment",
                "summary": f"{mark} messages through the night.",
                "csrfmiddlewaretoken": _value(token),
            },
            name="record a report",
        ) as response:
            if saved_to(response, f"/cases/{case}/"):
                response.success()
                accepted("report", case=case, marker=mark)
            else:
                where = response.headers.get("Location", "")
                response.failure(f"report not recorded ({response.status_code}{' to ' + where if where else ''})")

    @task(WRITES)
    def decide(self) -> None:
        board = self.client.get("/board/", name="board")
        actions = ACTION_LINK.findall(board.text)
        if not actions and self.cases:
            # Nothing on their own board (the policy gave their team's actions to the officers
            # the cases were allocated to): an open action on one of their team's cases.
            case = self.client.get(f"/cases/{random.choice(self.cases)}/", name="case page")
            actions = ACTION_LINK.findall(case.text)
        if not actions:
            return
        action = random.choice(actions)
        page = self.client.get(f"/actions/{action}/", name="action page")
        token = CSRF_FIELD.search(page.text)
        mark = marker("decision")
        with self._post(
            f"/actions/{action}/complete/",
            {"note": mark, "csrfmiddlewaretoken": _value(token)},
            name="complete an action",
        ) as response:
            if response.status_code == 302 and not urlsplit(response.headers.get("Location", "")).path.startswith("/login"):
                response.success()
                accepted("decision", action=int(action), marker=mark)
            elif response.status_code in (400, 404):
                response.success()  # someone else closed it first, or it moved to another team: refused, as it should be
            else:
                response.failure(f"decision not recorded ({response.status_code})")


class PortalUser(Browser):
    """A victim or family member with a reference and PIN, sending one report with each."""

    fixed_count = int(os.environ.get("VIGIL_LOAD_PORTAL_USERS", "20"))
    wait_time = between(5 * PACE, 15 * PACE)

    @task
    def send_a_report(self) -> None:
        access = next(_accesses, None)
        if access is None:
            time.sleep(5 * PACE)  # every access used: this user has nothing more to send
            return
        self.client.cookies.clear()
        self.client.get("/report", name="portal sign in")
        with self._post("/report", {"reference": access["reference"], "pin": access["pin"]}, name="portal sign in") as response:
            if response.status_code != 302:
                response.failure(f"reference and PIN refused ({response.status_code})")
                return
            response.success()
        form = self.client.get("/report/what-happened", name="portal form")
        token = PORTAL_TOKEN.search(form.text)
        when = time.localtime(time.time() - 3600)
        mark = marker("portal")
        data = {
            "portal_token": _value(token),
            "kind": "sighting",
            "day": when.tm_mday,
            "month": when.tm_mon,
            "year": when.tm_year,
            "time": time.strftime("%H:%M", when),
            "where": "Outside the newsagent on Mill Lane",
            "seen_by": "reporter",
            "details": mark,
        }
        with self._post("/report/what-happened", data, name="portal report") as response:
            if not saved_to(response, "/report/sent"):
                response.failure(f"report not accepted ({response.status_code})")
                return
            response.success()
        accepted("portal", marker=mark)  # stored: the redirect to the receipt follows the commit
        receipt = self.client.get("/report/sent", name="portal receipt")
        if not RECEIPT.search(receipt.text):
            return
        token = PORTAL_TOKEN.search(receipt.text)
        with self._post("/report/finish", {"portal_token": _value(token)}, name="portal finish") as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"finish refused ({response.status_code})")
