"""Load and validate a policy file into frozen dataclasses.

The policy is data: every rule, number, distance and deadline of POLICY.md lives in a TOML
file (`policies/default.toml` ships with Vigil). A wrong file stops with a message that
names the file, the key and the problem, e.g.
`policies/x.toml: rules.R5.arrest_due_hours: must be a positive number, got -1`.
Unknown keys are errors too, so a misspelt setting cannot be silently ignored.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[2] / "policies" / "default.toml"
POLICY_ENV = "VIGIL_POLICY"

LEVELS = ("standard", "medium", "high")
PRIORITIES = ("immediate", "high", "medium", "low")
ACTION_KINDS = (
    "complete_risk_assessment",
    "review_risk",
    "supervisor_review",
    "safety_plan",
    "database_checks",
    "refer_marac",
    "notify_school",
    "consider_protective_order",
    "arrest_suspect",
    "execute_warrant",
    "victim_contact",
    "priority_response",
    "serial_perpetrator_review",
    "dvds_decision",
)
REPORT_CATEGORIES = (
    "domestic_abuse",
    "stalking",
    "harassment",
    "assault",
    "threats",
    "theft",
    "criminal_damage",
    "sexual_offence",
    "other",
)
RELATIONSHIP_KINDS = ("partner", "ex_partner", "family", "household", "colleague", "acquaintance", "stranger")
PLACE_KINDS = ("home", "work", "school", "other")
DISCLOSURE_ROUTES = ("right_to_ask", "right_to_know")
DISCLOSURE_DECISIONS = ("disclose", "no_disclosure")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PolicyError(ValueError):
    """A policy file that cannot be used, naming the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


# --- the policy as data ---------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    """An action a rule creates: its kind, how long after the event it is due, its priority."""

    kind: str
    due: dt.timedelta
    priority: str


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
class Escalator:
    code: str
    title: str
    dash_questions: tuple[int, ...] = ()
    lethality_questions: tuple[int, ...] = ()
    intelligence_flag: str | None = None
    stalking_report_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Escalators:
    E1: Escalator
    E2: Escalator
    E3: Escalator
    E4: Escalator


@dataclass(frozen=True)
class R1Intake:
    enabled: bool
    title: str
    categories: tuple[str, ...]
    relationships: tuple[str, ...]
    actions: tuple[ActionSpec, ...]


@dataclass(frozen=True)
class R2Children:
    enabled: bool
    title: str
    min_age: int
    max_age: int
    notify_time: dt.time
    school_days: tuple[int, ...]  # Monday is 0
    priority: str


@dataclass(frozen=True)
class R3High:
    enabled: bool
    title: str
    level: str
    safety_plan: ActionSpec
    refer_marac: ActionSpec
    consider_protective_order: ActionSpec
    review_every: dt.timedelta
    review_priority: str


@dataclass(frozen=True)
class R4Medium:
    enabled: bool
    title: str
    level: str
    safety_plan: ActionSpec
    review_every: dt.timedelta
    review_priority: str


@dataclass(frozen=True)
class R5Breach:
    enabled: bool
    title: str
    arrest: ActionSpec
    arrest_high: ActionSpec
    review_risk: ActionSpec


@dataclass(frozen=True)
class R6Warrant:
    enabled: bool
    title: str
    execute_warrant: Mapping[str, ActionSpec]  # by the highest level over the subject's victims
    victim_contact: ActionSpec
    sighting_due: dt.timedelta
    sighting_priority: str


@dataclass(frozen=True)
class R7Alarm:
    enabled: bool
    title: str
    priority_response: ActionSpec


@dataclass(frozen=True)
class R8Repeat:
    enabled: bool
    title: str
    reports: int
    window_months: int
    refer_marac: ActionSpec


@dataclass(frozen=True)
class R9Serial:
    enabled: bool
    title: str
    victims: int
    review: ActionSpec


@dataclass(frozen=True)
class R10Proximity:
    enabled: bool
    title: str
    distance_m: float
    victim_place_kinds: tuple[str, ...]


@dataclass(frozen=True)
class R11Declines:
    enabled: bool
    title: str
    rationale_required: bool
    high_pair_escalation_level: int


@dataclass(frozen=True)
class R12VictimsReport:
    enabled: bool
    title: str
    victim_contact: ActionSpec
    victim_contact_high: ActionSpec  # when the pair is high after the event's other rules


@dataclass(frozen=True)
class R13Disclosure:
    enabled: bool
    title: str
    dvds_decision: ActionSpec
    dvds_decision_high: ActionSpec  # when the pair is high at the request
    rationale_required: bool  # for a decision not to disclose


@dataclass(frozen=True)
class Rules:
    R1: R1Intake
    R2: R2Children
    R3: R3High
    R4: R4Medium
    R5: R5Breach
    R6: R6Warrant
    R7: R7Alarm
    R8: R8Repeat
    R9: R9Serial
    R10: R10Proximity
    R11: R11Declines
    R12: R12VictimsReport
    R13: R13Disclosure


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
    escalators: Escalators
    rules: Rules
    ladder: Ladder
    drivers: Mapping[str, Mapping[int, str]]
    source: str = field(default="", compare=False)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    def driver(self, instrument: str, question: int) -> str:
        return self.drivers.get(instrument, {}).get(question, f"{instrument} question {question}")


# --- reading with named errors ---------------------------------------------------------


class _Table:
    """One TOML table being read: every key taken is remembered so that the keys left
    over can be reported as unknown."""

    def __init__(self, file: str, path: str, data: Any) -> None:
        self.file = file
        self.path = path
        if not isinstance(data, dict):
            raise PolicyError(file, path, f"must be a table, got {_show(data)}")
        self.data: dict[str, Any] = data
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> PolicyError:
        return PolicyError(self.file, self.key(name), problem)

    def raw(self, name: str, default: Any = ...) -> Any:
        self.seen.add(name)
        if name not in self.data:
            if default is ...:
                raise self.error(name, "missing required key")
            return default
        return self.data[name]

    def table(self, name: str) -> _Table:
        return _Table(self.file, self.key(name), self.raw(name))

    def optional_table(self, name: str) -> _Table:
        return _Table(self.file, self.key(name), self.raw(name, {}))

    def string(self, name: str, default: Any = ...) -> str:
        value = self.raw(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {_show(value)}")
        return value

    def boolean(self, name: str, default: Any = ...) -> bool:
        value = self.raw(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {_show(value)}")
        return value

    def positive_number(self, name: str, default: Any = ...) -> float:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise self.error(name, f"must be a positive number, got {_show(value)}")
        return float(value)

    def count(self, name: str, default: Any = ..., minimum: int = 1) -> int:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            word = "a positive whole number" if minimum == 1 else f"a whole number of at least {minimum}"
            raise self.error(name, f"must be {word}, got {_show(value)}")
        return value

    def choice(self, name: str, options: tuple[str, ...], default: Any = ...) -> str:
        value = self.raw(name, default)
        if value not in options:
            raise self.error(name, f"must be one of {', '.join(options)}, got {_show(value)}")
        return str(value)

    def choices(self, name: str, options: tuple[str, ...], default: Any = ...) -> tuple[str, ...]:
        value = self.raw(name, default)
        if not isinstance(value, list) or not value:
            raise self.error(name, f"must be a non-empty list, got {_show(value)}")
        for item in value:
            if item not in options:
                raise self.error(name, f"must list only {', '.join(options)}, got {_show(item)}")
        return tuple(value)

    def questions(self, name: str, highest: int, default: Any = ...) -> tuple[int, ...]:
        value = self.raw(name, default)
        if not isinstance(value, list):
            raise self.error(name, f"must be a list of question numbers, got {_show(value)}")
        for item in value:
            if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= highest:
                raise self.error(name, f"must list question numbers from 1 to {highest}, got {_show(item)}")
        return tuple(value)

    def hours(self, name: str) -> dt.timedelta:
        return dt.timedelta(hours=self.positive_number(name))

    def action(self, kind: str, prefix: str | None = None, *, due_suffix: str = "due_hours") -> ActionSpec:
        stem = prefix or kind
        if due_suffix == "due_minutes":
            due = dt.timedelta(minutes=self.positive_number(f"{stem}_due_minutes"))
        else:
            due = dt.timedelta(hours=self.positive_number(f"{stem}_{due_suffix}"))
        return ActionSpec(kind, due, self.choice(f"{stem}_priority", PRIORITIES))

    def done(self) -> None:
        extra = sorted(set(self.data) - self.seen)
        if extra:
            raise self.error(extra[0], "unknown key")


def _show(value: Any) -> str:
    if value is ...:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def _rule_header(t: _Table) -> tuple[bool, str]:
    return t.boolean("enabled", True), t.string("title", t.path.rsplit(".", 1)[-1])


def _level_map_action(t: _Table, kind: str) -> dict[str, ActionSpec]:
    dues = t.table(f"{kind}_due_hours")
    priorities = t.table(f"{kind}_priority")
    result: dict[str, ActionSpec] = {}
    for level in LEVELS:
        result[level] = ActionSpec(kind, dues.hours(level), priorities.choice(level, PRIORITIES))
    dues.done()
    priorities.done()
    return result


def _steps(t: _Table, name: str) -> tuple[Step, ...]:
    raw = t.raw(name)
    key = t.key(name)
    if not isinstance(raw, list) or not raw:
        raise PolicyError(t.file, key, f"must be a non-empty list of steps, got {_show(raw)}")
    steps: list[Step] = []
    for i, item in enumerate(raw):
        step = _Table(t.file, f"{key}[{i}]", item)
        after = step.raw("after_hours")
        if isinstance(after, bool) or not isinstance(after, int | float) or after < 0:
            raise step.error("after_hours", f"must be a number of hours, zero or more, got {_show(after)}")
        level = step.count("level", minimum=2)
        step.done()
        if steps and (after <= steps[-1].after.total_seconds() / 3600 or level <= steps[-1].level):
            raise step.error("level", "steps must rise in time and in level")
        steps.append(Step(dt.timedelta(hours=after), level))
    return tuple(steps)


def _drivers(t: _Table, instrument: str, questions: int) -> dict[int, str]:
    table = t.optional_table(instrument)
    drivers_table = table.optional_table("drivers")
    table.done()
    result: dict[int, str] = {}
    for key, text in drivers_table.data.items():
        drivers_table.seen.add(key)
        if not key.isdigit() or not 1 <= int(key) <= questions:
            raise drivers_table.error(key, f"must be a question number from 1 to {questions}")
        if not isinstance(text, str) or not text.strip():
            raise drivers_table.error(key, f"must be a non-empty string, got {_show(text)}")
        result[int(key)] = text
    return result


def parse_policy(data: Mapping[str, Any], file: str = "<policy>") -> Policy:
    """Validate parsed TOML into a `Policy`, or raise `PolicyError` naming the key."""
    top = _Table(file, "", dict(data))
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
    dash_questions = d.count("questions")
    dash = DashScoring(dash_questions, d.count("high"), d.count("medium"), d.questions("stalking_questions", dash_questions, []))
    if dash.medium >= dash.high:
        raise d.error("medium", f"must be fewer than risk.dash.high ({dash.high}), got {dash.medium}")
    if dash.high > dash_questions:
        raise d.error("high", f"must be at most the number of questions ({dash_questions}), got {dash.high}")
    d.done()
    ls = r.table("lethality_screen")
    ls_questions = ls.count("questions")
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
    sdash = SdashScoring(sd.count("questions"), sd.boolean("stalking_if_any_yes", True))
    sd.done()
    rf = r.table("repeat_floor")
    repeat_floor = RepeatFloor(rf.count("reports"), rf.count("window_months"), rf.choice("level", LEVELS))
    rf.done()
    og = r.table("officer_grading")
    officer = OfficerGrading(
        ActionSpec(
            og.choice("disagreement_action", ACTION_KINDS),
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

    e = top.table("escalators")
    found: dict[str, Escalator] = {}
    for code in ("E1", "E2", "E3", "E4"):
        et = e.table(code)
        found[code] = Escalator(
            code=code,
            title=et.string("title"),
            dash_questions=et.questions("dash_questions", dash_questions, []),
            lethality_questions=et.questions("lethality_questions", ls_questions, []),
            intelligence_flag=(
                et.choice("intelligence_flag", ("threat_to_kill", "weapons")) if "intelligence_flag" in et.data else None
            ),
            stalking_report_categories=tuple(et.choices("stalking_report_categories", REPORT_CATEGORIES))
            if "stalking_report_categories" in et.data
            else (),
        )
        et.done()
    e.done()
    escalators = Escalators(**found)

    rt = top.table("rules")
    t = rt.table("R1")
    r1 = R1Intake(
        *_rule_header(t),
        categories=t.choices("categories", REPORT_CATEGORIES),
        relationships=t.choices("relationships", RELATIONSHIP_KINDS),
        actions=(t.action("complete_risk_assessment"), t.action("database_checks"), t.action("supervisor_review")),
    )
    t.done()
    t = rt.table("R2")
    notify_raw = t.string("notify_time")
    try:
        notify_time = dt.time.fromisoformat(notify_raw)
    except ValueError as exc:
        raise t.error("notify_time", f"must be a time of day like 09:00, got {notify_raw!r}") from exc
    r2 = R2Children(
        *_rule_header(t),
        min_age=t.count("min_age", minimum=0),
        max_age=t.count("max_age"),
        notify_time=notify_time,
        school_days=tuple(sorted(WEEKDAYS.index(day) for day in t.choices("school_days", WEEKDAYS))),
        priority=t.choice("notify_school_priority", PRIORITIES),
    )
    if r2.min_age > r2.max_age:
        raise t.error("min_age", f"must be at most max_age ({r2.max_age}), got {r2.min_age}")
    t.done()
    t = rt.table("R3")
    r3 = R3High(
        *_rule_header(t),
        level=t.choice("level", LEVELS),
        safety_plan=t.action("safety_plan"),
        refer_marac=t.action("refer_marac"),
        consider_protective_order=t.action("consider_protective_order"),
        review_every=dt.timedelta(days=t.positive_number("review_risk_every_days")),
        review_priority=t.choice("review_risk_priority", PRIORITIES),
    )
    t.done()
    t = rt.table("R4")
    r4 = R4Medium(
        *_rule_header(t),
        level=t.choice("level", LEVELS),
        safety_plan=t.action("safety_plan"),
        review_every=dt.timedelta(days=t.positive_number("review_risk_every_days")),
        review_priority=t.choice("review_risk_priority", PRIORITIES),
    )
    t.done()
    t = rt.table("R5")
    r5 = R5Breach(
        *_rule_header(t),
        arrest=ActionSpec("arrest_suspect", t.hours("arrest_due_hours"), t.choice("arrest_priority", PRIORITIES)),
        arrest_high=ActionSpec("arrest_suspect", t.hours("arrest_due_hours_high"), t.choice("arrest_priority_high", PRIORITIES)),
        review_risk=t.action("review_risk"),
    )
    t.done()
    t = rt.table("R6")
    r6 = R6Warrant(
        *_rule_header(t),
        execute_warrant=_level_map_action(t, "execute_warrant"),
        victim_contact=t.action("victim_contact"),
        sighting_due=t.hours("sighting_due_hours"),
        sighting_priority=t.choice("sighting_priority", PRIORITIES),
    )
    t.done()
    t = rt.table("R7")
    r7 = R7Alarm(*_rule_header(t), priority_response=t.action("priority_response", due_suffix="due_minutes"))
    t.done()
    t = rt.table("R8")
    r8 = R8Repeat(
        *_rule_header(t), reports=t.count("reports"), window_months=t.count("window_months"), refer_marac=t.action("refer_marac")
    )
    t.done()
    t = rt.table("R9")
    r9 = R9Serial(*_rule_header(t), victims=t.count("victims", minimum=2), review=t.action("serial_perpetrator_review"))
    t.done()
    t = rt.table("R10")
    r10 = R10Proximity(
        *_rule_header(t),
        distance_m=t.positive_number("distance_m"),
        victim_place_kinds=t.choices("victim_place_kinds", PLACE_KINDS),
    )
    t.done()
    t = rt.table("R11")
    r11 = R11Declines(
        *_rule_header(t),
        rationale_required=t.boolean("rationale_required", True),
        high_pair_escalation_level=t.count("high_pair_escalation_level", minimum=2),
    )
    t.done()
    t = rt.table("R12")
    r12 = R12VictimsReport(
        *_rule_header(t),
        victim_contact=ActionSpec(
            "victim_contact", t.hours("victim_contact_due_hours"), t.choice("victim_contact_priority", PRIORITIES)
        ),
        victim_contact_high=ActionSpec(
            "victim_contact", t.hours("victim_contact_due_hours_high"), t.choice("victim_contact_priority_high", PRIORITIES)
        ),
    )
    t.done()
    t = rt.table("R13")
    r13 = R13Disclosure(
        *_rule_header(t),
        dvds_decision=ActionSpec(
            "dvds_decision",
            dt.timedelta(days=t.positive_number("dvds_decision_due_days")),
            t.choice("dvds_decision_priority", PRIORITIES),
        ),
        dvds_decision_high=ActionSpec(
            "dvds_decision", t.hours("dvds_decision_due_hours_high"), t.choice("dvds_decision_priority_high", PRIORITIES)
        ),
        rationale_required=t.boolean("no_disclosure_rationale_required", True),
    )
    t.done()
    rt.done()
    rules = Rules(r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13)

    lt = top.table("ladder")
    names_table = lt.optional_table("level_names")
    level_names: dict[int, str] = {}
    for key, text in names_table.data.items():
        names_table.seen.add(key)
        if not key.isdigit():
            raise names_table.error(key, "must be a level number")
        if not isinstance(text, str) or not text.strip():
            raise names_table.error(key, f"must be a non-empty string, got {_show(text)}")
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
        escalators=escalators,
        rules=rules,
        ladder=ladder,
        drivers=drivers,
        source=file,
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
