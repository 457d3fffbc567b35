"""`vigil bench gazetteer` on a small file: it loads, loads again, and writes its section."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from vigil.gazetteer.models import Postcode

pytestmark = pytest.mark.django_db


def test_the_bench_loads_twice_and_writes_its_section(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n")
    out = io.StringIO()
    with override_settings(VAR_DIR=tmp_path):
        call_command("bench", "--output", str(doc), "gazetteer", "--rows", "1500", stdout=out)
    assert Postcode.objects.count() == 1500
    text = doc.read_text()
    assert "## Loading the gazetteer into" in text and "1,500 rows of a synthetic ONS Postcode Directory" in text
    assert "| again (every row updated" in text
    with override_settings(VAR_DIR=tmp_path), pytest.raises(Exception, match="already holds a gazetteer"):
        call_command("bench", "--no-write", "gazetteer", "--rows", "10")
