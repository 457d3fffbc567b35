"""Load and validate a policy file into frozen dataclasses.

The policy is data: every rule, number, distance and deadline of POLICY.md lives in a TOML
file (`policies/default.toml` ships with Vigil). A wrong file stops with a message that
names the file, the key and the problem, e.g.
`policies/x.toml: rules.R5.arrest_due_hours: must be a positive number, got -1`.
Unknown keys are errors too, so a misspelt setting cannot be silently ignored.

This module reads what belongs to the whole policy (risk levels and instruments, the ladder,
the drivers' words); each rule and escalator reads its own table
(`vigil.policy.rules`, one module each, registered in `REGISTRY`).
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vigil.policy.rules import REGISTRY, Rule
from vigil.policy.table import PRIORITIES, ActionSpec, PolicyError, Table, show
from vigil.policy.vocabulary import QUESTIONS, ActionKind, Instrument, RiskLevel, codes

__all__ = [
    "DEFAULT_POLICY_PATH",
    "LEVELS",
    "POLICY_ENV",
    "PRIORITIES",
    "ActionSpec",
    "Ladder",
    "Policy",
    "PolicyError",
    "RuleSet",
    "load_policy",
    "parse_policy",
    "read_policy_file",
]

DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[2] / "policies" / "default.toml"
POLICY_ENV = "VIGIL_POLICY"

LEVELS = codes(RiskLevel)
T = TypeVar("T")


# --- the policy as data ---------------------------------------------------------------


@dataclass(frozen=True)
class DashScoring:
    questions: int
    high: int
    medium: int
    stalking_questions: tuple[int, ...]


@dataclass(frozen=True)
class LethalityScoring:
    questions: int
    any_of: tuple[int, ...]
    count_among: tuple[int, ...]
    count: int
    level: str
    stalking_questions: tuple[int, ...]


@dataclass(frozen=True)
class SdashScoring:
    questions: int
    stalking_if_any_yes: bool


@dataclass(frozen=True)
class RepeatFloor:
    reports: int
    window_months: int
    level: str


@dataclass(frozen=True)
class OfficerGrading:
    disagreement: ActionSpec


@dataclass(frozen=True)
class RiskSettings:
    levels: tuple[str, ...]
    escalator_level: str
    escalator_days: int
    dash: DashScoring
    lethality_screen: LethalityScoring
    sdash: SdashScoring
    repeat_floor: RepeatFloor
    officer_grading: OfficerGrading

    @property
    def escalator_window(self) -> dt.timedelta:
        return dt.timedelta(days=self.escalator_days)

    @property
    def high(self) -> str:
        """The highest level ("a high pair" in the rules)."""
        return self.levels[-1]

    def rank(self, level: str | None) -> int:
        """0 for no level, then 1, 2, 3 for standard, medium, high."""
        return 0 if level is None else self.levels.index(level) + 1


@dataclass(frozen=True)
class RuleSet:
    """The settings of each rule (or escalator) by its code, in the registry's order.
    `rules.R5` reads one (typed `Any`); `rules.of("R5", Settings)` reads it typed."""

    by_code: Mapping[str, Any]

    def of(self, code: str, kind: type[T]) -> T:
        found = self.by_code[code]
        if not isinstance(found, kind):
            raise TypeError(f"the settings of {code} are {type(found).__name__}, not {kind.__name__}")
        return found

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self.by_code.items())

    def __getitem__(self, code: str) -> Any:
        return self.by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __getattr__(self, code: str) -> Any:
        if code.startswith("_") or code == "by_code":
            raise AttributeError(code)
        try:
            return self.by_code[code]
        except KeyError:
            raise AttributeError(f"the policy has no rule {code}") from None


@dataclass(frozen=True)
class Step:
    after: dt.timedelta
    level: int


@dataclass(frozen=True)
class Ladder:
    normal: tuple[Step, ...]
    immediate: tuple[Step, ...]
    level_names: Mapping[int, str]

    def steps_for(self, priority: str) -> tuple[Step, ...]:
        return self.immediate if priority == "immediate" else self.normal

    def level_name(self, level: int) -> str:
        return self.level_names.get(level, f"level {level}")


@dataclass(frozen=True)
class Policy:
    version: str
    name: str
    timezone_name: str
    risk: RiskSettings
    escalators: RuleSet
    rules: RuleSet
    ladder: Ladder
    drivers: Mapping[str, Mapping[int, str]]
    source: str = field(default="", compare=False)
    # The rule and escalator classes the engine runs, in the order they act on an event.
    registry: tuple[type[Rule[Any]], ...] = field(default=REGISTRY, compare=False)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    def driver(self, instrument: str, question: int) -> str:
        return self.drivers.get(instrument, {}).get(question, f"{instrument} question {question}")

    @cached_property
    def answer_triggers(self) -> dict[str, tuple[tuple[str, frozenset[int]], ...]]:
        """For each instrument, the escalators (switched on) that a yes to one of their
        questions raises: (code, questions), worked out once."""
        found: dict[str, tuple[tuple[str, frozenset[int]], ...]] = {}
        for instrument in QUESTIONS:
            found[instrument] = tuple(
                (code, frozenset(s.answer_questions(instrument)))
                for code, s in self.escalators.items()
                if s.enabled and hasattr(s, "answer_questions") and s.answer_questions(instrument)
            )
        return found

    def settings_of(self, rule: type[Rule[Any]]) -> Any:
        """The settings of a registered rule or escalator."""
        return (self.escalators if rule.section == "escalators" else self.rules)[rule.code]


# --- reading with named errors ---------------------------------------------------------


def _steps(t: Table, name: str) -> tuple[Step, ...]:
    raw = t.raw(name)
    key = t.key(name)
    if not isinstance(raw, list) or not raw:
        raise PolicyError(t.file, key, f"must be a non-empty list of steps, got {show(raw)}")
    steps: list[Step] = []
    for i, item in enumerate(raw):
        step = Table(t.file, f"{key}[{i}]", item)
        after = step.raw("after_hours")
        if isinstance(after, bool) or not isinstance(after, int | float) or after < 0:
            raise step.error("after_hours", f"must be a number of hours, zero or more, got {show(after)}")
        level = step.count("level", minimum=2)
        step.done()
        if steps and (after <= steps[-1].after.total_seconds() / 3600 or level <= steps[-1].level):
            raise step.error("level", "steps must rise in time and in level")
        steps.append(Step(dt.timedelta(hours=after), level))
    return tuple(steps)


def _drivers(t: Table, instrument: str, questions: int) -> dict[int, str]:
    table = t.optional_table(instrument)
    drivers_table = table.optional_table("drivers")
    table.done()
    result: dict[int, str] = {}
    for key, text in drivers_table.data.items():
        drivers_table.seen.add(key)
        if not key.isdigit() or not 1 <= int(key) <= questions:
            raise drivers_table.error(key, f"must be a question number from 1 to {questions}")
        if not isinstance(text, str) or not text.strip():
            raise drivers_table.error(key, f"must be a non-empty string, got {show(text)}")
        result[int(key)] = text
    return result


def _question_count(t: Table, instrument: str) -> int:
    """An instrument's question count: the vocabulary's (timeline format 1). A file may
    state it (`questions = 24`), and then it must agree."""
    count = QUESTIONS[instrument]
    if "questions" in t.data and t.raw("questions") != count:
        raise t.error("questions", f"must be {count}: the {Instrument.words_of(instrument)} has {count} questions")
    t.seen.add("questions")
    return count


def parse_policy(data: Mapping[str, Any], file: str = "<policy>", *, registry: Sequence[type[Rule[Any]]] = REGISTRY) -> Policy:
    """Validate parsed TOML into a `Policy`, or raise `PolicyError` naming the key. Each rule
    and escalator of `registry` reads its own table."""
    top = Table(file, "", dict(data))
    version = top.string("version")
    name = top.string("name", "Vigil safeguarding policy")
    timezone_name = top.string("timezone", "Europe/London")
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise top.error("timezone", f"unknown time zone {timezone_name!r}") from exc

    r = top.table("risk")
    levels = tuple(r.choices("levels", LEVELS))
    if levels != LEVELS:
        raise r.error("levels", f"must be {', '.join(LEVELS)} in that order")
    d = r.table("dash")
    dash_questions = _question_count(d, Instrument.DASH)
    dash = DashScoring(dash_questions, d.count("high"), d.count("medium"), d.questions("stalking_questions", dash_questions, []))
    if dash.medium >= dash.high:
        raise d.error("medium", f"must be fewer than risk.dash.high ({dash.high}), got {dash.medium}")
    if dash.high > dash_questions:
        raise d.error("high", f"must be at most the number of questions ({dash_questions}), got {dash.high}")
    d.done()
    ls = r.table("lethality_screen")
    ls_questions = _question_count(ls, Instrument.LETHALITY_SCREEN)
    lethality = LethalityScoring(
        ls_questions,
        ls.questions("any_of", ls_questions),
        ls.questions("count_among", ls_questions),
        ls.count("count"),
        ls.choice("level", LEVELS, "high"),
        ls.questions("stalking_questions", ls_questions, []),
    )
    if lethality.count > len(lethality.count_among):
        raise ls.error("count", f"must be at most the number of questions in count_among, got {lethality.count}")
    ls.done()
    sd = r.table("sdash")
    sdash = SdashScoring(_question_count(sd, Instrument.SDASH), sd.boolean("stalking_if_any_yes", True))
    sd.done()
    rf = r.table("repeat_floor")
    repeat_floor = RepeatFloor(rf.count("reports"), rf.count("window_months"), rf.choice("level", LEVELS))
    rf.done()
    og = r.table("officer_grading")
    officer = OfficerGrading(
        ActionSpec(
            og.choice("disagreement_action", codes(ActionKind)),
            og.hours("disagreement_due_hours"),
            og.choice("disagreement_priority", PRIORITIES),
        )
    )
    og.done()
    risk = RiskSettings(
        levels=levels,
        escalator_level=r.choice("escalator_level", LEVELS),
        escalator_days=r.count("escalator_days"),
        dash=dash,
        lethality_screen=lethality,
        sdash=sdash,
        repeat_floor=repeat_floor,
        officer_grading=officer,
    )
    r.done()

    sections: dict[str, dict[str, Any]] = {"escalators": {}, "rules": {}}
    for section, found in sections.items():
        table = top.table(section)
        for rule in registry:
            if rule.section == section:
                found[rule.code] = rule.parse(table.optional_table(rule.code) if rule.extension else table.table(rule.code))
        table.done()

    lt = top.table("ladder")
    names_table = lt.optional_table("level_names")
    level_names: dict[int, str] = {}
    for key, text in names_table.data.items():
        names_table.seen.add(key)
        if not key.isdigit():
            raise names_table.error(key, "must be a level number")
        if not isinstance(text, str) or not text.strip():
            raise names_table.error(key, f"must be a non-empty string, got {show(text)}")
        level_names[int(key)] = text
    ladder = Ladder(_steps(lt, "normal"), _steps(lt, "immediate"), level_names)
    lt.done()

    it = top.optional_table("instruments")
    drivers = {
        "dash": _drivers(it, "dash", dash_questions),
        "lethality_screen": _drivers(it, "lethality_screen", ls_questions),
        "sdash": _drivers(it, "sdash", sdash.questions),
    }
    it.done()
    top.done()
    return Policy(
        version=version,
        name=name,
        timezone_name=timezone_name,
        risk=risk,
        escalators=RuleSet(sections["escalators"]),
        rules=RuleSet(sections["rules"]),
        ladder=ladder,
        drivers=drivers,
        source=file,
        registry=tuple(registry),
    )


def read_policy_file(path: str | os.PathLike[str]) -> Policy:
    """Read and validate one policy file."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise PolicyError(name, "", "no such file") from exc
    except IsADirectoryError as exc:
        raise PolicyError(name, "", "is a directory, not a policy file") from exc
    except OSError as exc:
        raise PolicyError(name, "", f"cannot be read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(name, "", f"is not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(name, "", f"not valid TOML: {exc}") from exc
    return parse_policy(data, name)


_cache: dict[tuple[str, float], Policy] = {}


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """The policy in use: `path`, else the file named by VIGIL_POLICY, else the shipped
    default. Cached per file and modification time."""
    chosen = Path(path or os.environ.get(POLICY_ENV) or DEFAULT_POLICY_PATH)
    try:
        stamp = chosen.stat().st_mtime
    except FileNotFoundError as exc:
        raise PolicyError(str(chosen), "", "no such file") from exc
    key = (str(chosen.resolve()), stamp)
    if key not in _cache:
        _cache[key] = read_policy_file(chosen)
    return _cache[key]
