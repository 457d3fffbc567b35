"""The risk level over time as an accessible SVG chart, drawn on the server (no JavaScript).

The chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`; the desc says
in words what the chart shows, and the page also prints the same data as a table. Colours
are set with presentation attributes, not inline styles, so the page's content security
policy (no inline style) does not strip them. Levels are also told apart by their position
and labels, never by colour alone; reports, breaches and sightings by their shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vigil.core.constants import RiskLevel

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT = 120, 740
BANDS = {RiskLevel.HIGH: 40, RiskLevel.MEDIUM: 95, RiskLevel.STANDARD: 150}
BAND_HALF = 27
MARKER_ROW = 215
COLOURS = {RiskLevel.HIGH: "#d4351c", RiskLevel.MEDIUM: "#f47738", RiskLevel.STANDARD: "#00703c"}
MARKER_NAMES = {"report": "Report", "breach": "Breach", "sighting": "Sighting"}


@dataclass(frozen=True)
class LevelPoint:
    at: dt.datetime
    level: str
    source: str


@dataclass(frozen=True)
class Marker:
    at: dt.datetime
    kind: str  # "report", "breach" or "sighting"
    label: str


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %b %Y %H:%M")


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %b %Y")


def _shape(kind: str, x: float, y: float) -> str:
    if kind == "breach":  # triangle
        d = f"M{x:.1f},{y - 8:.1f} L{x + 8:.1f},{y + 7:.1f} L{x - 8:.1f},{y + 7:.1f} Z"
        return f'<path d="{d}" fill="#d4351c" stroke="#0b0c0c"/>'
    if kind == "sighting":  # diamond
        d = f"M{x:.1f},{y - 8:.1f} L{x + 8:.1f},{y:.1f} L{x:.1f},{y + 8:.1f} L{x - 8:.1f},{y:.1f} Z"
        return f'<path d="{d}" fill="#ffdd00" stroke="#0b0c0c"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#1d70b8" stroke="#0b0c0c"/>'


def describe(points: Sequence[LevelPoint], markers: Sequence[Marker]) -> str:
    """The chart in words, for its `<desc>`."""
    if not points:
        text = "No risk level has been set yet."
    else:
        steps = "; ".join(f"{RiskLevel(p.level).label.lower()} from {_when(p.at)}" for p in points)
        text = f"The risk level was {steps}. It is {RiskLevel(points[-1].level).label.lower()} now."
    counts = {kind: sum(1 for m in markers if m.kind == kind) for kind in MARKER_NAMES}
    marks = ", ".join(f"{n} {MARKER_NAMES[k].lower()}{'' if n == 1 else 's'}" for k, n in counts.items())
    return f"{text} Marked below the levels: {marks}."


def render_risk_chart(
    points: Sequence[LevelPoint], markers: Sequence[Marker], *, now: dt.datetime, chart_id: str = "risk-chart"
) -> SafeString:
    """An SVG of the level over time (a step line across three bands) with events marked."""
    points = sorted(points, key=lambda p: p.at)
    markers = sorted(markers, key=lambda m: m.at)
    moments = [p.at for p in points] + [m.at for m in markers]
    start = min(moments) if moments else now - dt.timedelta(days=30)
    end = max([now, *moments])
    if end - start < dt.timedelta(days=1):
        start = end - dt.timedelta(days=1)
    span = (end - start).total_seconds()

    def x(moment: dt.datetime) -> float:
        return LEFT + (RIGHT - LEFT) * (moment - start).total_seconds() / span

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="vigil-risk-chart" id="{escape(chart_id)}" role="img"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet"'
        f' aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">Risk level over time</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(describe(points, markers))}</desc>',
    ]
    for level, y in BANDS.items():
        parts.append(
            f'<rect x="{LEFT}" y="{y - BAND_HALF}" width="{RIGHT - LEFT}" height="{BAND_HALF * 2}"'
            f' fill="{COLOURS[level]}" fill-opacity="0.08" stroke="#b1b4b6" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{LEFT - 10}" y="{y + 5}" text-anchor="end" font-family="Arial, sans-serif" font-size="15"'
            f' fill="#0b0c0c">{escape(level.label)}</text>'
        )
    parts.append(
        f'<text x="{LEFT - 10}" y="{MARKER_ROW + 5}" text-anchor="end" font-family="Arial, sans-serif" font-size="14"'
        f' fill="#0b0c0c">Events</text>'
    )
    parts.append(f'<line x1="{LEFT}" y1="{MARKER_ROW}" x2="{RIGHT}" y2="{MARKER_ROW}" stroke="#b1b4b6"/>')

    if points:
        path: list[str] = []
        for index, point in enumerate(points):
            y = BANDS[RiskLevel(point.level)]
            x0 = x(point.at)
            path.append(f"{'M' if index == 0 else 'L'}{x0:.1f},{y}")
            x1 = x(points[index + 1].at) if index + 1 < len(points) else RIGHT
            path.append(f"L{x1:.1f},{y}")
        parts.append(f'<path class="vigil-risk-line" d="{" ".join(path)}" fill="none" stroke="#0b0c0c" stroke-width="3"/>')
        for point in points:
            level = RiskLevel(point.level)
            parts.append(
                f'<g class="vigil-risk-change"><title>{escape(f"{level.label} from {_when(point.at)} ({point.source})")}</title>'
                f'<circle cx="{x(point.at):.1f}" cy="{BANDS[level]}" r="5" fill="{COLOURS[level]}" stroke="#0b0c0c"/></g>'
            )
    for marker in markers:
        name = MARKER_NAMES.get(marker.kind, marker.kind)
        parts.append(
            f'<g class="vigil-marker vigil-marker--{escape(marker.kind)}">'
            f"<title>{escape(f'{name}, {_when(marker.at)}: {marker.label}')}</title>"
            f"{_shape(marker.kind, x(marker.at), MARKER_ROW)}</g>"
        )
    axis_y = MARKER_ROW + 35
    parts.append(
        f'<text x="{LEFT}" y="{axis_y}" font-family="Arial, sans-serif" font-size="13" fill="#505a5f">'
        f"{escape(_day(start))}</text>"
    )
    parts.append(
        f'<text x="{RIGHT}" y="{axis_y}" text-anchor="end" font-family="Arial, sans-serif" font-size="13"'
        f' fill="#505a5f">{escape(_day(end))}</text>'
    )
    legend = [("report", "Report"), ("breach", "Breach"), ("sighting", "Sighting")]
    lx = LEFT + 200
    for kind, label in legend:
        parts.append(_shape(kind, lx, axis_y - 5))
        parts.append(
            f'<text x="{lx + 14}" y="{axis_y}" font-family="Arial, sans-serif" font-size="13" fill="#0b0c0c">{label}</text>'
        )
        lx += 100
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number or escaped
