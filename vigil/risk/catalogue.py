"""The risk instruments, read from data files: questions, guidance, source and scoring rule.

Vigil ships DASH, S-DASH and the Lethality Screen in `vigil/risk/instruments/`, worded in
its own paraphrase. A force adds or replaces an instrument by putting a `.toml` or `.json`
file in the directory named by the `VIGIL_INSTRUMENTS_DIR` setting (or environment
variable): a file there with the same `key` replaces the shipped one, for example with the
licensed official wording. Nothing in the code changes.

Every file is checked against the schema below when Django starts (`RiskConfig.ready`); a
problem stops start-up with a message that names the file and the key.
"""

from __future__ import annotations

import functools
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from vigil.core.constants import Instrument as InstrumentKey
from vigil.policy.vocabulary import INSTRUMENTS, QUESTIONS

BUILTIN_DIR = Path(__file__).resolve().parent / "instruments"
SUFFIXES = (".toml", ".json")
WORDINGS = ("paraphrased", "official")


class InstrumentError(ValueError):
    """An instrument file that cannot be used: the message names the file and the key."""


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    guidance: str
    driver: str


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    guidance: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Source:
    publisher: str
    title: str
    version: str
    url: str


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    wording: str
    summary: str
    guidance: str
    source: Source
    rule: str
    reference: str
    sections: tuple[Section, ...]
    path: Path

    @property
    def questions(self) -> dict[int, Question]:
        return {q.number: q for s in self.sections for q in s.questions}

    @property
    def question_count(self) -> int:
        return sum(len(s.questions) for s in self.sections)

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)

    def section_index(self, slug: str) -> int:
        return next(i for i, s in enumerate(self.sections) if s.slug == slug)


# The schema: for each table, its keys and their types. Anything else is an error, so that a
# misspelt key ("gudiance") is caught rather than silently ignored.
_TOP = {"instrument": dict, "source": dict, "scoring": dict, "sections": list}
_INSTRUMENT = {"key": str, "name": str, "wording": str, "summary": str, "guidance": str}
_SOURCE = {"publisher": str, "title": str, "version": str, "url": str}
_SCORING = {"rule": str, "reference": str}
_SECTION = {"slug": str, "title": str, "guidance": str, "questions": list}
_QUESTION = {"number": int, "text": str, "guidance": str, "driver": str}
_OPTIONAL = {"url", "guidance"}


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> InstrumentError:
        return InstrumentError(f"{self.path}: {where}: {message}")

    def table(self, data: Any, schema: Mapping[str, type], where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a table")
        unknown = sorted(set(data) - set(schema))
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}", f"unknown key (allowed: {', '.join(schema)})")
        out: dict[str, Any] = {}
        for name, kind in schema.items():
            if name not in data:
                if name in _OPTIONAL:
                    out[name] = "" if kind is str else kind()
                    continue
                raise self.fail(f"{where}.{name}", "missing")
            value = data[name]
            if kind is int and isinstance(value, bool) or not isinstance(value, kind):
                raise self.fail(f"{where}.{name}", f"must be {kind.__name__}, got {type(value).__name__}")
            if isinstance(value, str) and name not in _OPTIONAL and not value.strip():
                raise self.fail(f"{where}.{name}", "must not be empty")
            out[name] = value.strip() if isinstance(value, str) else value
        return out


def _parse(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        if path.suffix == ".json":
            data = json.loads(raw)
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise InstrumentError(f"{path}: cannot be read: {error}") from error
    if not isinstance(data, dict):
        raise InstrumentError(f"{path}: must hold a table at the top level")
    return data


def load_file(path: Path) -> Instrument:
    """Read and check one instrument file."""
    reader = _Reader(path)
    top = reader.table(_parse(path), _TOP, "file")
    head = reader.table(top["instrument"], _INSTRUMENT, "instrument")
    key = head["key"]
    if key not in InstrumentKey.values:
        raise reader.fail("instrument.key", f"unknown instrument {key!r} (known: {', '.join(InstrumentKey.values)})")
    if head["wording"] not in WORDINGS:
        raise reader.fail("instrument.wording", f"must be one of {', '.join(WORDINGS)}, got {head['wording']!r}")
    source = reader.table(top["source"], _SOURCE, "source")
    scoring = reader.table(top["scoring"], _SCORING, "scoring")
    if scoring["rule"] not in INSTRUMENTS:
        raise reader.fail("scoring.rule", f"unknown rule {scoring['rule']!r} (known: {', '.join(INSTRUMENTS)})")
    if scoring["rule"] != key:
        # The engine scores an assessment by its instrument and question numbers, so a file
        # may not claim another instrument's rule.
        raise reader.fail(
            "scoring.rule", f"the {key!r} instrument is scored by the policy's {key!r} rule, not {scoring['rule']!r}"
        )

    count = QUESTIONS[key]
    sections: list[Section] = []
    seen_numbers: dict[int, str] = {}
    seen_slugs: set[str] = set()
    if not top["sections"]:
        raise reader.fail("sections", "at least one section is needed")
    for s_index, raw_section in enumerate(top["sections"], start=1):
        where = f"sections[{s_index}]"
        section = reader.table(raw_section, _SECTION, where)
        slug = section["slug"]
        if not slug.replace("-", "").isalnum() or slug != slug.lower():
            raise reader.fail(f"{where}.slug", f"use lower-case letters, digits and hyphens, got {slug!r}")
        if slug == "check":
            raise reader.fail(f"{where}.slug", "'check' is reserved for the check-your-answers page")
        if slug in seen_slugs:
            raise reader.fail(f"{where}.slug", f"{slug!r} is used twice")
        seen_slugs.add(slug)
        if not section["questions"]:
            raise reader.fail(f"{where}.questions", "a section needs at least one question")
        questions: list[Question] = []
        for q_index, raw_question in enumerate(section["questions"], start=1):
            q_where = f"{where}.questions[{q_index}]"
            q = reader.table(raw_question, _QUESTION, q_where)
            number = q["number"]
            if not 1 <= number <= count:
                raise reader.fail(f"{q_where}.number", f"{number} is outside 1 to {count}")
            if number in seen_numbers:
                raise reader.fail(f"{q_where}.number", f"question {number} is already in {seen_numbers[number]}")
            seen_numbers[number] = where
            questions.append(Question(number=number, text=q["text"], guidance=q["guidance"], driver=q["driver"]))
        sections.append(Section(slug=slug, title=section["title"], guidance=section["guidance"], questions=tuple(questions)))
    missing = sorted(set(range(1, count + 1)) - set(seen_numbers))
    if missing:
        raise reader.fail("sections", f"questions {', '.join(map(str, missing))} are missing ({key} has {count})")
    return Instrument(
        key=key,
        name=head["name"],
        wording=head["wording"],
        summary=head["summary"],
        guidance=head["guidance"],
        source=Source(**source),
        rule=scoring["rule"],
        reference=scoring["reference"],
        sections=tuple(sections),
        path=path,
    )


def extra_dir() -> str:
    """The force's own instruments directory, if any (VIGIL_INSTRUMENTS_DIR)."""
    return str(settings.VIGIL_INSTRUMENTS_DIR)


def load_directories(directories: Iterable[Path]) -> dict[str, Instrument]:
    """Every instrument in these directories; a later directory replaces an earlier one's
    instrument of the same key. Two files for one key in the same directory is an error."""
    found: dict[str, Instrument] = {}
    for directory in directories:
        if not directory.is_dir():
            raise InstrumentError(f"{directory}: the instruments directory does not exist")
        here: dict[str, Path] = {}
        for path in sorted(directory.iterdir()):
            if path.suffix not in SUFFIXES or path.name.startswith("."):
                continue
            instrument = load_file(path)
            if instrument.key in here:
                raise InstrumentError(f"{path}: instrument.key: {instrument.key!r} is also defined in {here[instrument.key]}")
            here[instrument.key] = path
            found[instrument.key] = instrument
    missing = [key for key in InstrumentKey.values if key not in found]
    if missing:
        raise InstrumentError(f"no instrument file defines {', '.join(missing)}")
    return found


@functools.cache
def _cached(extra: str) -> dict[str, Instrument]:
    return load_directories([BUILTIN_DIR, *([Path(extra)] if extra else [])])


def all_instruments() -> dict[str, Instrument]:
    """The instruments in use, in the order of `vigil.core.constants.Instrument`."""
    loaded = _cached(extra_dir())
    return {key: loaded[key] for key in InstrumentKey.values}


def get_instrument(key: str) -> Instrument | None:
    return all_instruments().get(key)


def clear_cache() -> None:
    _cached.cache_clear()
