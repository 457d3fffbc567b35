"""`vigil policy check FILE` (exit 0 valid, 2 invalid naming the key),
`vigil policy show [--file F]` (the rules in words) and
`vigil policy reevaluate [--dry-run] [--as USER] [--resume]` (the policy in use re-applied to
every open case, each change audited under the named user, with a progress bar of clusters
done, their rate and the time left; a dry run says what would change and writes nothing; a
stopped run goes on with --resume, else the worker's escalation job finishes it under the
policy's name)."""

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
        again.add_argument(
            "--resume",
            action="store_true",
            help="go on from where a stopped run stopped: only the clusters it had not reached (and any changed since)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "reevaluate":
            self.reevaluate(
                dry_run=options["dry_run"], as_user=options["as_user"], batch_size=options["batch_size"], resume=options["resume"]
            )
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

    def reevaluate(self, *, dry_run: bool, as_user: str, batch_size: int, resume: bool) -> None:
        from django.contrib.auth import get_user_model

        from vigil.actions.engine_adapter import policy
        from vigil.actions.reevaluation import open_cases_reevaluate

        if batch_size < 1:
            raise CommandError("--batch-size: must be 1 or more")
        if resume and dry_run:
            raise CommandError("--resume: a dry run writes nothing, so there is nothing to resume")
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
            result = open_cases_reevaluate(
                actor=actor or "dry run", dry_run=dry_run, batch_size=batch_size, progress=bar, resume=resume
            )
        run = result.run
        if dry_run:
            self.stdout.write(f"Dry run: policy {version} re-applied to {run.cases} open cases would make these changes:")
        else:
            resumed = f", resuming a stopped run ({run.skipped:,} clusters done before)" if resume else ""
            self.stdout.write(f"Policy {version} re-applied to {run.cases} open cases as {actor.username}{resumed}:")
        for line in result.lines():
            self.stdout.write(f"  {line}")
        if not result.changes:
            self.stdout.write("  none: the stored cases already follow this policy.")
        ending = "Nothing was written." if dry_run else f"{run.audit_rows} audit rows written."
        self.stdout.write(f"In all: {result.summary()}. {ending}")


class _ProgressBar:
    """The clusters done of those the run evaluates, their rate and the time left: a bar on a
    terminal, else (a log, a pipe) a line every `every` seconds and one at the end."""

    def __init__(self, stream: Any, description: str, *, every: float = 10.0) -> None:
        self.stream = stream
        self.description = description
        self.every = every
        self.bar: Any = None
        self.task: Any = None
        self.started: float | None = None
        self.last_line = 0.0
        self.total = 0
        self.done = 0
        self.said = -1  # the clusters done at the last line written

    def __enter__(self) -> _ProgressBar:
        if getattr(self.stream, "isatty", lambda: False)():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("clusters, {task.fields[rate]} a second, {task.fields[left]}"),
                console=Console(file=self.stream._out if hasattr(self.stream, "_out") else self.stream),
            )
            self.bar.start()
        return self

    def rate(self, now: float) -> float:
        elapsed = now - (self.started or now)
        return self.done / elapsed if elapsed > 0 else 0.0

    def left(self, now: float) -> str:
        rate = self.rate(now)
        return f"about {_duration((self.total - self.done) / rate)} left" if rate and self.done < self.total else ""

    def words(self, now: float) -> str:
        rate, left = self.rate(now), self.left(now)
        return ", ".join(
            part
            for part in (f"{self.done:,} of {self.total:,} clusters", f"{rate:,.0f} clusters a second" if rate else "", left)
            if part
        )

    def __call__(self, run: Any) -> None:
        import time

        now = time.monotonic()
        if self.started is None:  # the first call: the clusters are chosen, none evaluated yet
            self.started = self.last_line = now
        self.total, self.done = run.force_clusters - run.skipped, run.clusters
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task(self.description, total=self.total, rate="-", left="time left not known yet")
            self.bar.update(self.task, completed=self.done, rate=f"{self.rate(now):,.0f}", left=self.left(now) or "done")
        elif now - self.last_line >= self.every and self.done:
            self.line(now)

    def line(self, now: float) -> None:
        self.last_line, self.said = now, self.done
        self.stream.write(f"{self.description}: {self.words(now)}\n")

    def __exit__(self, *exc: object) -> None:
        import time

        if self.bar is not None:
            self.bar.stop()
        elif self.started is not None and exc[0] is None and self.said != self.done:
            self.line(time.monotonic())


def _duration(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
