"""No page shows words meant for developers.

A small demo force is built, and every page each role can reach by following links from its
landing page is read as a person reads it (the text, not the markup). None may show a file
name ("docs/boards.md", "POLICY.md"), the linker's "bits", a bare rule code ("R9 fires when"
rather than "serial perpetrator (R9)"), a raw code ("execute_warrant", "not_needed") or a
Python value ("None", "True")."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from vigil.cases.models import Case
from vigil.cases.services import case_open
from vigil.core.models import User
from vigil.demo.data import build_demo
from vigil.people.models import PersonLink
from vigil.people.services import person_create

pytestmark = pytest.mark.django_db

DEVELOPER_WORDS = {
    "a file name": re.compile(r"\b[\w./-]+\.(?:md|py|toml|json|html)\b|\bdocs/"),
    "the policy's file name": re.compile(r"\bPOLICY\b"),
    "the linker's bits": re.compile(r"\bbits?\b"),
    "a bare rule code": re.compile(r"(?<![(\w])R\d{1,2}\b(?!\)|: [a-z])"),
    "a raw code": re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),
    "a Python value": re.compile(r"\b(?:True|False|nan)\b|(?<=[:(] )None\b|\bNone(?=\)|$)"),
}
SKIP = re.compile(r"^/(?:logout|admin|assets)/|chronology\.(?:csv|pdf)|/report/link/")
PER_PATTERN = 2  # pages of one shape (a case, a person) read per role
MAX_PAGES = 60


class _Text(HTMLParser):
    """The text a person reads on the page (not scripts, styles or hidden inputs), and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def read(body: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(body)
    return " ".join(" ".join(parser.parts).split()), parser.links


def developer_words(text: str) -> list[str]:
    return [
        f"{what}: {match.group(0)!r} in …{text[max(0, match.start() - 60) : match.end() + 60]}…"
        for what, pattern in DEVELOPER_WORDS.items()
        for match in pattern.finditer(text)
    ]


def test_the_scanner_finds_what_it_is_for() -> None:
    found = developer_words(
        "The RFGV score (docs/boards.md) per POLICY.md: 2.3 bits. R9 fires. Status: not_needed. Owner: None. "
        "Serial perpetrator (R9) and rule R5: order broken are fine."
    )
    assert [f.split(":")[0] for f in found] == [
        "a file name",
        "a file name",
        "the policy's file name",
        "the linker's bits",
        "a bare rule code",
        "a raw code",
        "a Python value",
    ], found


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def crawl(client: Client, start: list[str]) -> dict[str, str]:
    """Follow same-site links from `start`; the text of each HTML page read, by its URL."""
    pages: dict[str, str] = {}
    seen_shapes: Counter[str] = Counter()
    queue = list(start)
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        if url in pages or SKIP.search(url) or seen_shapes[_shape(url)] >= PER_PATTERN:
            continue
        seen_shapes[_shape(url)] += 1
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.insert(0, response["Location"])
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        text, links = read(response.content.decode())
        pages[url] = text
        for link in links:
            target = urljoin(url, link)
            parts = urlsplit(target)
            if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if local not in pages:
                    queue.append(local)
    return pages


@pytest.fixture
def force(otp_login: Any) -> tuple[dict[str, Client], list[str]]:
    build_demo(cases=8, seed=11, anchor=timezone.localdate() - dt.timedelta(days=1))
    # A second record of one subject, on a new case, so that the matching pages have a pair.
    case = Case.objects.exclude(subject=None).order_by("pk").first()
    assert case is not None and case.subject is not None
    admin = User.objects.get(username="admin")
    first, _, last = case.subject.full_name.partition(" ")
    variant = person_create(actor=admin, full_name=f"{last.upper()}, {first}", born=case.subject.born_text, sex=case.subject.sex)
    case_open(actor=admin, victim=person_create(actor=admin, full_name="Imogen Tarrant"), subject=variant, team=case.team)
    links = [f"/people/links/{link.pk}/" for link in PersonLink.objects.filter(Q(a=variant) | Q(b=variant))]
    assert links, "the variant record was not matched: the test would not read the matching pages"
    clients: dict[str, Client] = {}
    for user in User.objects.filter(username__in=["officer", "supervisor", "inspector", "idva", "analyst"]):
        clients[user.username] = otp_login(Client(), user)
    return clients, [f"/people/{variant.pk}/", *links]


def test_no_page_any_role_reaches_shows_words_meant_for_developers(force: tuple[dict[str, Client], list[str]]) -> None:
    clients, extra = force
    problems: dict[str, list[str]] = {}
    read_pages = 0
    for username, client in clients.items():
        starts = ["/", "/cases/", "/warrants/", "/people/links/review/", "/portal/reports/", "/analyst/cases/", *extra]
        pages = crawl(client, starts)
        read_pages += len(pages)
        for url, text in pages.items():
            found = developer_words(text)
            if found:
                problems[f"{username} {url}"] = found
    public = crawl(Client(), ["/help", "/report", "/login/"])
    for url, text in public.items():
        if found := developer_words(text):
            problems[f"public {url}"] = found
    assert read_pages >= 40, f"only {read_pages} pages were read: the crawl is not reaching the pages"
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())
