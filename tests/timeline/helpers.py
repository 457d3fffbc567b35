"""Running `vigil replay` end to end, and reading its answer."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO.parent / "shared" / "scenarios"
# Copies of the public scenarios, so a clone on its own still runs every scenario test.
VENDORED = Path(__file__).resolve().parent / "scenarios"
VIGIL = Path(sys.executable).parent / "vigil"
LONDON = ZoneInfo("Europe/London")


def scenario(name: str) -> Path:
    """The public scenario `name`: the shared copy beside the checkout when there is one,
    else the copy kept in tests/timeline/scenarios."""
    for folder in (SCENARIOS, VENDORED):
        path = folder / f"{name}.json"
        if path.exists():
            return path
    raise FileNotFoundError(f"public scenario {name!r} is in neither {SCENARIOS} nor {VENDORED}")


def replay_json(path: Path | str, *args: str) -> dict[str, Any]:
    """`vigil replay FILE --json [args]` through the management command; its parsed answer."""
    out, err = io.StringIO(), io.StringIO()
    call_command("replay", str(path), "--json", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return json.loads(out.getvalue())


def vigil(*args: str) -> subprocess.CompletedProcess[str]:
    """The `vigil` program in a child process (the real entry point, exit status and all)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run([str(VIGIL), *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=120, check=False)


def instant(text: str | None) -> dt.datetime:
    """A datetime of the answer, which must carry its offset, as a UTC instant."""
    assert text is not None
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text} has no offset"
    return moment.astimezone(dt.UTC)


def local(text: str) -> dt.datetime:
    """A Europe/London wall-clock time as a UTC instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(dt.UTC)


def actions(answer: dict[str, Any], kind: str, **match: Any) -> list[dict[str, Any]]:
    return [a for a in answer["actions"] if a["kind"] == kind and all(a.get(k) == v for k, v in match.items())]


def created_at(answer: dict[str, Any], kind: str, moment: dt.datetime, **match: Any) -> list[dict[str, Any]]:
    return [a for a in actions(answer, kind, **match) if instant(a["created_at"]) == moment]
