"""The review export: the case chronology as CSV or PDF, for the IOPC or a Domestic Homicide Review.

One row per chronology entry, which is one audit row, with the row's sequence number and hash
so a reviewer can check every line against `vigil audit verify`. Each export is itself written
to the audit trail: who made it, for which case, which range and kinds, and how many rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigil.audit.chronology import ChronologyFilter, Entry, case_chronology
from vigil.audit.services import audit_record

EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
COLUMNS = [
    "Date and time",
    "Source",
    "What was known",
    "What the policy asked",
    "What was done",
    "By whom",
    "Rationale",
    "Audit row",
    "Audit hash",
]


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str
    rows: int


def _local(entry: Entry) -> str:
    return timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S %Z")


def export_row(entry: Entry) -> list[str]:
    return [
        _local(entry),
        entry.source,
        entry.known,
        entry.asked,
        entry.done,
        entry.by,
        entry.rationale,
        str(entry.seq),
        entry.hash,
    ]


def render_csv(entries: list[Entry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for entry in entries:
        # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
        writer.writerow(["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell for cell in export_row(entry)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_pdf(entries: list[Entry], *, title: str, subtitle: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.doctemplate import LayoutError

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=7, leading=8.5)
    head = cell.clone("head", fontName="Helvetica-Bold")

    def para(text: str, style: Any = cell) -> Any:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    widths = [24, 22, 42, 42, 40, 28, 44, 12, 23]
    header = [para(c, head) for c in COLUMNS[:-1]] + [para("Audit hash (first 12)", head)]
    rows = [header]
    for entry in entries:
        values = export_row(entry)
        values[-1] = values[-1][:12]
        rows.append([para(v) for v in values])
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=8 * mm,
        rightMargin=8 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=title,
        author="Vigil",
        invariant=1,
    )
    story = [para(title, styles["Heading2"]), para(subtitle, styles["BodyText"]), Spacer(1, 4 * mm), table]
    try:
        doc.build(story)
    except LayoutError:  # a single cell taller than a page: fall back to one entry per paragraph
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, author="Vigil", invariant=1)
        story = [para(title, styles["Heading2"]), para(subtitle, styles["BodyText"])]
        story += [para(" | ".join(export_row(e)), cell) for e in entries]
        doc.build(story)
    return buffer.getvalue()


def chronology_export(*, user: Any, case: Any, fmt: str, chrono_filter: ChronologyFilter) -> Export:
    """Build the export from the audit trail and record, in the same transaction, that it was made."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use csv or pdf")
    with transaction.atomic():
        entries = case_chronology(case, chrono_filter, user=user)
        made_at = timezone.localtime()
        title = f"Chronology of case {case.reference}"
        subtitle = (
            f"Built from the audit trail, {chrono_filter.describe()}; entries: {len(entries)}. "
            f"Exported {made_at:%Y-%m-%d %H:%M %Z} by {user.get_full_name() or user.username} ({user.username})."
        )
        content = render_csv(entries) if fmt == "csv" else render_pdf(entries, title=title, subtitle=subtitle)
        audit_record(
            actor=user,
            action="chronology.export",
            obj=case,
            case_id=case.pk,
            new={
                "format": fmt,
                "range": chrono_filter.describe(),
                "from": chrono_filter.start,
                "to": chrono_filter.end,
                "kinds": list(chrono_filter.kinds),
                "rows": len(entries),
                "last_seq": entries[-1].seq if entries else None,
            },
        )
    stamp = made_at.strftime("%Y%m%d-%H%M")
    return Export(
        content=content,
        content_type=EXPORT_FORMATS[fmt],
        filename=f"{case.reference}-chronology-{stamp}.{fmt}",
        rows=len(entries),
    )
