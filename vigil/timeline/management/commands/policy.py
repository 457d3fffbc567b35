"""`vigil policy check FILE` (exit 0 valid, 2 invalid naming the key),
`vigil policy show [--file F]` (the rules in words) and
`vigil policy reevaluate [--dry-run] [--as USER]` (the policy in use re-applied to every open
case, each change audited under the named user; a dry run says what would change and writes
nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
        again = sub.add_parser(
            "reevaluate",
            help="re-apply the policy in use to every open case (after the policy file changed)",
            description="Re-apply the policy in use (VIGIL_POLICY, else the shipped policy) to every open case: "
            "actions are created, cancelled with a reason, re-timed or moved up the ladder, risk levels and "
            "flags follow. Nothing is deleted. Every change is audited under the user named by --as.",
        )
        again.add_argument("--dry-run", action="store_true", help="say what would change, in words, and write nothing")
        again.add_argument("--as", dest="as_user", default="", help="the username every change is recorded under")
        again.add_argument("--batch-size", type=int, default=500, help="open cases per transaction (default 500)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "reevaluate":
            self.reevaluate(dry_run=options["dry_run"], as_user=options["as_user"], batch_size=options["batch_size"])
            return
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

    def reevaluate(self, *, dry_run: bool, as_user: str, batch_size: int) -> None:
        from django.contrib.auth import get_user_model

        from vigil.actions.engine_adapter import policy
        from vigil.actions.reevaluation import open_cases_reevaluate

        if batch_size < 1:
            raise CommandError("--batch-size: must be 1 or more")
        actor: Any = None
        if as_user:
            users = get_user_model()
            try:
                actor = users.objects.get(username=as_user, is_active=True)
            except users.DoesNotExist:
                raise CommandError(f"--as: no active user {as_user!r}") from None
        elif not dry_run:
            raise CommandError("--as: name the user the changes are recorded under (or use --dry-run)")
        version = policy().version
        with _ProgressBar(self.stderr, "Re-evaluating open cases") as bar:
            result = open_cases_reevaluate(actor=actor or "dry run", dry_run=dry_run, batch_size=batch_size, progress=bar)
        run = result.run
        if dry_run:
            self.stdout.write(f"Dry run: policy {version} re-applied to {run.cases} open cases would make these changes:")
        else:
            self.stdout.write(f"Policy {version} re-applied to {run.cases} open cases as {actor.username}:")
        for line in result.lines():
            self.stdout.write(f"  {line}")
        if not result.changes:
            self.stdout.write("  none: the stored cases already follow this policy.")
        ending = "Nothing was written." if dry_run else f"{run.audit_rows} audit rows written."
        self.stdout.write(f"In all: {result.summary()}. {ending}")


class _ProgressBar:
    """A progress bar of the open cases done, on a terminal; nothing elsewhere (logs, pipes)."""

    def __init__(self, stream: Any, description: str) -> None:
        self.stream = stream
        self.description = description
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _ProgressBar:
        if getattr(self.stream, "isatty", lambda: False)():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream._out if hasattr(self.stream, "_out") else self.stream),
            )
            self.bar.start()
        return self

    def __call__(self, run: Any) -> None:
        if self.bar is None:
            return
        if self.task is None:
            self.task = self.bar.add_task(self.description, total=run.total_cases)
        self.bar.update(self.task, completed=run.cases)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
