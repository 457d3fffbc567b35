"""The `vigil` command: Django's management commands with Vigil's settings.

`vigil replay FILE`, `vigil demo-data`, `vigil escalate`, `vigil policy …` and Django's own
commands (`vigil migrate`, `vigil runserver`) all go through here; `vigil help` lists them
and `vigil COMMAND --help` explains each.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vigil", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
