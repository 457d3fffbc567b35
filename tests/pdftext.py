"""The text drawn in a PDF made by ReportLab, for tests that check what an export says."""

from __future__ import annotations

import base64
import re
import zlib


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF's content streams (ReportLab writes literal strings with Tj),
    joined by spaces, so a phrase broken across lines is still found."""
    texts: list[str] = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", content, flags=re.S):
        raw = raw.strip()
        if raw.endswith(b"~>"):  # ReportLab's default: ASCII85, then Flate
            raw = base64.a85decode(raw[:-2])
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        for literal in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", raw, flags=re.S):
            texts.append(literal.replace(rb"\(", b"(").replace(rb"\)", b")").replace(rb"\\", b"\\").decode("latin-1"))
    return " ".join(texts)
