"""The policy's rules in words (`vigil policy show`), written from the loaded file so the
text can never disagree with what the engine does. Each rule and escalator says itself
(`sentence`); this module puts them in order with the risk model and the ladder."""

from __future__ import annotations

from vigil.policy.config import Policy, Step
from vigil.policy.words import due_words, duration, either


def _ladder(steps: tuple[Step, ...], policy: Policy) -> str:
    parts = []
    for step in steps:
        when = "at the due time" if not step.after else f"{duration(step.after)} after it"
        parts.append(f"{when} to level {step.level} ({policy.ladder.level_name(step.level)})")
    return "; ".join(parts)


def describe(policy: Policy) -> str:
    risk = policy.risk
    dash, ls, floor = risk.dash, risk.lethality_screen, risk.repeat_floor
    grading = risk.officer_grading.disagreement
    lines = [
        f"{policy.name}, version {policy.version} ({policy.source or 'in memory'})",
        f"Local time: {policy.timezone_name}",
        "",
        "Risk level of a victim/subject pair: the highest of",
        f"  - the latest DASH: {dash.high} or more yes answers of {dash.questions} is high,"
        f" {dash.medium} to {dash.high - 1} medium, fewer standard;",
        f"  - the latest Lethality Screen: a yes to question {either(ls.any_of)}, or {ls.count} or more"
        f" yeses among questions {ls.count_among[0]} to {ls.count_among[-1]}, is {ls.level}; otherwise it sets nothing;",
        "  - the S-DASH sets no level: each yes is a driver and any yes means stalking is known;",
        f"  - the officer's latest own grading, which may raise the level but never lower it (a lower grading is"
        f" recorded as a disagreement and creates {due_words(grading)});",
        f"  - the escalators below, each holding the pair at {risk.escalator_level} for {risk.escalator_days} days;",
        f"  - the repeat floor: {floor.reports} or more reports about the pair within {floor.window_months} months"
        f" make it at least {floor.level}.",
        "  A level rises as soon as the facts give a higher one; it falls only at a risk assessment, and only as far"
        " as what still holds it up.",
        "",
        "Escalators",
    ]
    rules = [rule for rule in policy.registry if rule.section == "rules" and not rule.extension]
    extensions = [rule for rule in policy.registry if rule.section == "rules" and rule.extension]
    for escalator in (rule for rule in policy.registry if rule.section == "escalators"):
        s = policy.settings_of(escalator)
        off = "" if s.enabled else " (switched off in this policy)"
        lines.append(f"  {escalator.code} {s.title}{off} ({escalator.sentence(s, policy)})")
    lines += ["", "Rules"]
    for rule in rules:
        s = policy.settings_of(rule)
        off = "" if s.enabled else " (switched off in this policy)"
        lines.append(f"  {rule.code} {s.title}{off}: {rule.sentence(s, policy)}")
    if extensions:
        lines += [
            "",
            "Vigil extensions (rules beyond POLICY.md; they act only on the live system's own events, never on a"
            " vigil-timeline/1 file)",
        ]
    for rule in extensions:
        s = policy.settings_of(rule)
        off = "" if s.enabled else " (switched off in this policy)"
        lines.append(f"  {rule.code} {s.title}{off}: {rule.sentence(s, policy)}")
    lines += [
        "",
        "Escalation ladder (an action still open)",
        f"  normal: {_ladder(policy.ladder.normal, policy)}",
        f"  immediate: {_ladder(policy.ladder.immediate, policy)}",
        "",
        "Closing: an action closes done when an officer completes it or an event does what it asked (an arrest or an"
        " executed warrant for arrest_suspect and execute_warrant; a risk assessment for complete_risk_assessment and"
        " review_risk; an order granted for consider_protective_order; a disclosure decision for its request's"
        " dvds_decision); an officer's completion or decline closes every open action of that kind for the pair."
        " Nothing is deleted.",
    ]
    return "\n".join(lines) + "\n"
