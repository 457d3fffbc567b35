"""`vigil policy check FILE` (exit 0 valid, 2 invalid naming the key) and
`vigil policy show [--file F]` (the rules in words)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigil.policy.config import PolicyError, load_policy, read_policy_file
from vigil.policy.describe import describe


class Command(BaseCommand):
    help = "Check a policy file, or show the policy in use in words."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="subcommands")
        check = sub.add_parser("check", help="validate a policy file (exit 2 naming the key if it is wrong)")
        check.add_argument("file")
        show = sub.add_parser("show", help="print the policy's rules in words")
        show.add_argument("--file", help="a policy file (default: VIGIL_POLICY, else the shipped policy)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "check":
                policy = read_policy_file(options["file"])
                self.stdout.write(f"{options['file']}: valid policy, version {policy.version}")
                return
            policy = read_policy_file(options["file"]) if options.get("file") else load_policy()
            text = describe(policy)
        except PolicyError as error:
            self.stderr.write(f"vigil policy: {error}")
            raise SystemExit(2) from None
        self.stdout.write(text, ending="")
