"""The policy's rules in words (`vigil policy show`), written from the loaded file so the
text can never disagree with what the engine does."""

from __future__ import annotations

import datetime as dt

from vigil.policy.config import ActionSpec, Policy, Step


def duration(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "at once"
    if seconds % 86400 == 0 and seconds >= 86400 * 7:
        return f"{seconds // 86400} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _action(spec: ActionSpec) -> str:
    return f"{spec.kind} due {duration(spec.due)} after the event ({spec.priority})"


def _words(items: tuple[str, ...]) -> str:
    names = [item.replace("_", " ") for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _ladder(steps: tuple[Step, ...], policy: Policy) -> str:
    parts = []
    for step in steps:
        when = "at the due time" if not step.after else f"{duration(step.after)} after it"
        parts.append(f"{when} to level {step.level} ({policy.ladder.level_name(step.level)})")
    return "; ".join(parts)


def describe(policy: Policy) -> str:
    risk = policy.risk
    rules = policy.rules
    dash, ls, floor = risk.dash, risk.lethality_screen, risk.repeat_floor
    e = policy.escalators
    grading = risk.officer_grading.disagreement
    lines = [
        f"{policy.name}, version {policy.version} ({policy.source or 'in memory'})",
        f"Local time: {policy.timezone_name}",
        "",
        "Risk level of a victim/subject pair: the highest of",
        f"  - the latest DASH: {dash.high} or more yes answers of {dash.questions} is high,"
        f" {dash.medium} to {dash.high - 1} medium, fewer standard;",
        f"  - the latest Lethality Screen: a yes to question {_words(tuple(map(str, ls.any_of)))}, or {ls.count} or more"
        f" yeses among questions {ls.count_among[0]} to {ls.count_among[-1]}, is {ls.level}; otherwise it sets nothing;",
        "  - the S-DASH sets no level: each yes is a driver and any yes means stalking is known;",
        f"  - the officer's latest own grading, which may raise the level but never lower it (a lower grading is"
        f" recorded as a disagreement and creates {_action(grading)});",
        f"  - the escalators below, each holding the pair at {risk.escalator_level} for {risk.escalator_days} days;",
        f"  - the repeat floor: {floor.reports} or more reports about the pair within {floor.window_months} months"
        f" make it at least {floor.level}.",
        "  A level rises as soon as the facts give a higher one; it falls only at a risk assessment, and only as far"
        " as what still holds it up.",
        "",
        "Escalators",
        f"  E1 {e.E1.title} (stalking is known from a {_words(e.E1.stalking_report_categories)} report, DASH question"
        f" {_words(tuple(map(str, dash.stalking_questions)))}, Lethality Screen question"
        f" {_words(tuple(map(str, ls.stalking_questions)))} or any S-DASH yes)",
        f"  E2 {e.E2.title} (DASH {_words(tuple(map(str, e.E2.dash_questions)))}, Lethality Screen"
        f" {_words(tuple(map(str, e.E2.lethality_questions)))}, or intelligence with {e.E2.intelligence_flag})",
        f"  E3 {e.E3.title} (DASH {_words(tuple(map(str, e.E3.dash_questions)))}, Lethality Screen"
        f" {_words(tuple(map(str, e.E3.lethality_questions)))})",
        f"  E4 {e.E4.title} (intelligence with {e.E4.intelligence_flag}: true while the subject is linked to the victim)",
        "",
        "Rules",
    ]
    r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13 = (
        rules.R1,
        rules.R2,
        rules.R3,
        rules.R4,
        rules.R5,
        rules.R6,
        rules.R7,
        rules.R8,
        rules.R9,
        rules.R10,
        rules.R11,
        rules.R12,
        rules.R13,
    )

    def head(code: str, title: str, enabled: bool) -> str:
        return f"  {code} {title}{'' if enabled else ' (switched off in this policy)'}:"

    days = ", ".join(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[d] for d in r2.school_days)
    lines += [
        head("R1", r1.title, r1.enabled)
        + f" a report of {_words(r1.categories)}, or of any category where the victim and suspect are or were"
        f" {_words(r1.relationships)}, creates " + "; ".join(_action(a) for a in r1.actions) + ".",
        head("R2", r2.title, r2.enabled) + f" a report with children present, or with children of {r2.min_age} to"
        f" {r2.max_age} living in the victim's or suspect's household, creates one notify_school per child of that age,"
        f" due at {r2.notify_time:%H:%M} local time on the first school day ({days}) after the report ({r2.priority}).",
        head("R3", r3.title, r3.enabled) + f" when a pair becomes {r3.level}: {_action(r3.safety_plan)};"
        f" {_action(r3.refer_marac)} unless one is open; {_action(r3.consider_protective_order)} unless an order"
        f" protecting the victim from the subject is in force; review_risk every {duration(r3.review_every)} while"
        f" {r3.level} ({r3.review_priority}).",
        head("R4", r4.title, r4.enabled) + f" when a pair becomes {r4.level}: {_action(r4.safety_plan)};"
        f" review_risk every {duration(r4.review_every)} while {r4.level} ({r4.review_priority}).",
        head("R5", r5.title, r5.enabled) + " a breach; a sighting inside an exclusion zone of an order in force, or near a"
        " person protected by a no-contact order; a contact attempt while a no-contact order is in force: flag breach;"
        f" arrest_suspect due {duration(r5.arrest_high.due)} ({r5.arrest_high.priority}) for a high pair, else due"
        f" {duration(r5.arrest.due)} ({r5.arrest.priority}); {_action(r5.review_risk)}.",
        head("R6", r6.title, r6.enabled) + " a warrant issued for a subject linked to any victim: execute_warrant due by"
        " the highest level over the subject's victims ("
        + ", ".join(
            f"{level} {duration(spec.due)} ({spec.priority})" for level, spec in reversed(list(r6.execute_warrant.items()))
        )
        + f"); {_action(r6.victim_contact)} for each victim. While the warrant is outstanding, any sighting of the"
        f" subject makes it {r6.sighting_priority} and due within {duration(r6.sighting_due)} of the sighting.",
        head("R7", r7.title, r7.enabled) + f" an alarm pressed: {_action(r7.priority_response)}.",
        head("R8", r8.title, r8.enabled) + f" the {_ordinal(r8.reports)} report (or later) about the same pair within"
        f" {r8.window_months} months: flag repeat; {_action(r8.refer_marac)} unless one is open.",
        head("R9", r9.title, r9.enabled) + f" one subject named in reports by {r9.victims} or more victims: flag"
        f" serial_perpetrator; {_action(r9.review)}.",
        head("R10", r10.title, r10.enabled) + f" the subject's home, or a place the subject was seen, within"
        f" {r10.distance_m:g} m of the victim's {_words(r10.victim_place_kinds)}: flag proximity once per pair and place;"
        " the distance becomes a driver.",
        head("R11", r11.title, r11.enabled)
        + (" a decline needs a rationale;" if r11.rationale_required else "")
        + f" declining any action of a high pair raises it to level {r11.high_pair_escalation_level}"
        f" ({policy.ladder.level_name(r11.high_pair_escalation_level)}) at once for sign-off.",
        head("R12", r12.title, r12.enabled) + " a sighting of the subject, or a contact attempt by the subject, reported"
        " by someone other than the subject, where the person seen near or contacted (else the person reporting) is"
        f" one of the subject's victims: victim_contact due {duration(r12.victim_contact_high.due)}"
        f" ({r12.victim_contact_high.priority}) when the pair is {risk.high} after the event's other rules, else due"
        f" {duration(r12.victim_contact.due)} ({r12.victim_contact.priority}). If a victim_contact is already open for"
        " the pair, none is added: the open one becomes due at the earlier of the two times and takes the higher"
        " priority.",
        head("R13", r13.title, r13.enabled) + " a disclosure request: dvds_decision for the person at risk"
        f" and the subject, due {duration(r13.dvds_decision.due)} after the request ({r13.dvds_decision.priority}), or"
        f" {duration(r13.dvds_decision_high.due)} ({r13.dvds_decision_high.priority}) when that pair is {risk.high} at"
        " the request. The decision on the request closes it"
        + (
            ", except a decision not to disclose without a rationale, which is recorded and closes nothing."
            if r13.rationale_required
            else "."
        ),
        "",
        "Escalation ladder (an action still open)",
        f"  normal: {_ladder(policy.ladder.normal, policy)}",
        f"  immediate: {_ladder(policy.ladder.immediate, policy)}",
        "",
        "Closing: an action closes done when an officer completes it or an event does what it asked (an arrest or an"
        " executed warrant for arrest_suspect and execute_warrant; a risk assessment for complete_risk_assessment and"
        " review_risk; an order granted for consider_protective_order; a disclosure decision for its request's"
        " dvds_decision); an officer's completion or decline closes every"
        " open action of that kind for the pair. Nothing is deleted.",
    ]
    return "\n".join(lines) + "\n"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
