"""`vigil import csv`: the command's words around vigil.api.csv_import."""

from __future__ import annotations

import os
import resource
from typing import Any

from django.core.management.base import BaseCommand

from vigil.api.csv_import import ImportStopped, check_export, import_client, read_export, write_export
from vigil.api.csv_mapping import MAX_EVENTS, MappingError, read_mapping
from vigil.core.progress import counting

SHOWN = 200  # bad rows printed; the count says how many more


def import_csv(command: BaseCommand, options: dict[str, Any]) -> int:
    """Run the import; the exit status (0 done, 2 bad input or a refused batch)."""
    err, out = command.stderr, command.stdout
    try:
        mapping = read_mapping(options["mapping"])
        size = options.get("batch_size") or mapping.batch_size
        if not 1 <= size <= MAX_EVENTS:
            raise MappingError("--batch-size", f"must be from 1 to {MAX_EVENTS}")
        client = import_client(mapping, options.get("client"))
        export = read_export(options["file"], mapping)
    except MappingError as error:
        err.write(f"vigil import csv: mapping {options['mapping']}: {error}")
        return 2
    bad = check_export(client, mapping, export, size=size)
    for row in bad[:SHOWN]:
        err.write(f"{options['file']}: {row}")
    if len(bad) > SHOWN:
        err.write(f"… and {len(bad) - SHOWN:,} more bad rows")
    bad_lines = len({b.line for b in bad})
    summary = (
        f"{export.total:,} rows: {export.total - export.skipped - bad_lines:,} good, {bad_lines:,} bad, "
        f"{export.skipped:,} of record types the mapping skips"
    )
    if options["dry_run"] or bad:
        out.write(
            summary
            + (". Dry run: nothing was written." if options["dry_run"] else ". Nothing was written: mend the rows and run again.")
        )
        return 2 if bad else 0
    started = resource.getrusage(resource.RUSAGE_SELF)
    try:
        with counting(total=len(export.rows), description="Importing", unit="rows") as advance:
            written = write_export(client, mapping, export, size=size, advance=advance)
    except ImportStopped as stopped:
        for row in stopped.bad:
            err.write(f"{options['file']}: {row}")
        err.write(
            f"vigil import csv: a batch was refused ({stopped.problem.detail}); it wrote nothing. "
            f"{stopped.written.recorded:,} rows were written before it: run again once mended, and they are skipped."
        )
        return 2
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = used.ru_utime + used.ru_stime - started.ru_utime - started.ru_stime
    rate = written.rows / written.seconds if written.seconds else 0.0
    out.write(
        f"{summary}. Written as {client.label} (source {mapping.source}): {written.recorded:,} rows recorded in "
        f"{written.batches:,} batches, {written.already:,} already recorded by an earlier run; {written.actions:,} actions "
        f"created. {written.seconds:.1f} s ({rate:,.0f} rows/s), CPU {cpu:.1f} s, load average {os.getloadavg()[0]:.1f}."
    )
    return 0
