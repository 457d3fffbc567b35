"""The minutes of one case's discussion at MARAC, as a PDF (reportlab). The export is audited
by the view that loads the referral (`marac.minutes.export`)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

from vigil.marac.models import Criterion, MaracReferral


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y %H:%M") if moment else ""


def minutes_pdf(referral: MaracReferral, *, children: list[Any]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = body.clone("small", fontSize=8, leading=10)

    def para(text: str, style: Any = body) -> Any:
        return Paragraph(escape(text or "").replace("\n", "<br/>"), style)

    case, meeting = referral.case, referral.meeting
    labels = dict(Criterion.choices)
    title = f"MARAC minutes: case {case.reference}"
    story: list[Any] = [
        para("OFFICIAL-SENSITIVE: for the agencies at the meeting only. Do not forward.", small),
        para(title, styles["Heading1"]),
        para(
            f"Meeting: {meeting} at {meeting.location}" if meeting else "Not yet listed for a meeting",
            body,
        ),
    ]
    if meeting:
        story.append(para("Agencies: " + ", ".join(a.name for a in meeting.agencies.all()), body))
    story += [Spacer(1, 3 * mm), para("The case", styles["Heading2"])]
    facts = [
        ("Victim", f"{case.victim.full_name} (born {case.victim.born_display})"),
        ("Person causing harm", f"{case.subject.full_name} (born {case.subject.born_display})" if case.subject else "Not known"),
        ("Risk level", (case.risk_level or "not assessed").capitalize()),
        ("Children", "; ".join(f"{c.full_name} (born {c.born_display})" for c in children) or "None known to the police"),
        ("Referred", f"{_when(referral.referred_at)} by {referral.referred_by or 'the police'}"),
        ("Repeat MARAC", f"Yes: last listed {_when(referral.last_listed_at)}" if referral.repeat else "No"),
    ]
    table = Table([[para(k, small), para(v, small)] for k, v in facts], colWidths=[45 * mm, 125 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 3 * mm), para("Criteria", styles["Heading2"])]
    for c in referral.criteria:
        story.append(para(f"{labels.get(c['code'], c['code'])}: {c['detail']}", body))
    story += [para("Why it was referred", styles["Heading2"]), para(referral.reason, body)]
    story.append(para("Research by the agencies", styles["Heading2"]))
    research = list(referral.research.select_related("agency"))
    for item in research:
        story.append(para(f"{item.agency} ({_when(item.recorded_at)}): {item.text}", body))
    if not research:
        story.append(para("No agency recorded research.", body))
    story += [para("Discussion", styles["Heading2"]), para(referral.discussion or "Not recorded.", body)]
    story.append(para("Action plan", styles["Heading2"]))
    plan = list(referral.plan.select_related("agency", "owner"))
    if plan:
        rows = [[para(h, small) for h in ("Action", "Agency", "Owner", "Deadline", "Status")]]
        rows += [
            [
                para(a.description, small),
                para(a.agency.name, small),
                para(str(a.owner), small),
                para(_when(a.due_at), small),
                para(a.get_status_display(), small),
            ]
            for a in plan
        ]
        grid = Table(rows, colWidths=[70 * mm, 30 * mm, 30 * mm, 25 * mm, 15 * mm], repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(grid)
    else:
        story.append(para("No actions agreed.", body))
    story += [Spacer(1, 4 * mm), para(f"Produced by Vigil on {_when(timezone.now())}.", small)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=title, author="Vigil", invariant=1
    )
    doc.build(story)
    return buffer.getvalue()
