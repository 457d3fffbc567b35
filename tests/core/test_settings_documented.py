"""The README's settings table lists every environment variable the settings read (issue 15:
it listed 14 of 31, without VIGIL_FIELD_KEYS and VIGIL_AUDIT_KEY, which production requires)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A read through config/env.py's helpers or os.environ, with the variable's name as a literal.
READ = re.compile(r"""(?:env_[a-z_]+|os\.environ\.get|os\.environ\[|os\.getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def read_variables() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "config").rglob("*.py"):
        found |= set(READ.findall(path.read_text(encoding="utf-8")))
    return found


def documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0])}


def test_every_variable_the_settings_read_is_in_the_readme() -> None:
    variables = read_variables()
    assert {"VIGIL_FIELD_KEYS", "VIGIL_AUDIT_KEY", "DATABASE_URL", "VIGIL_POLICY"} <= variables
    assert sorted(variables - documented()) == []


def test_the_readme_lists_no_variable_the_settings_do_not_read() -> None:
    assert sorted(documented() - read_variables() - {"DJANGO_SETTINGS_MODULE"}) == []
