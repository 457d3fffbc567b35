"""FEBRL loading, errors that name the file and column, linking and scoring, and the
`linkage` management command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigil.people.linkage.febrl import (
    COLUMNS,
    FebrlInputError,
    evaluate,
    link_febrl,
    load_febrl,
    load_truth,
    truth_from_ids,
)

HEADER = ", ".join(COLUMNS)
LEFT = [
    "rec-1-org, michaela, neumann, 8, stanley street, miami, winston hills, 4223, nsw, 19151111, 5304218",
    "rec-2-org, courtney, painter, 12, pinkerton circuit, bega flats, richlands, 4560, vic, 19161214, 4066625",
    "rec-3-org, charles, green, 38, salkauskas crescent, kela, dapto, 4566, nsw, 19480930, 4365168",
    "rec-4-org, vanessa, parr, 905, macquoid place, broadbridge manor, south grafton, 2135, sa, 19951119, 9239102",
]
RIGHT = [
    "rec-1-dup-0, micheala, neumann, 8, stanley street, miami, winston hils, 4223, nsw, 19151111, 5304218",
    "rec-2-dup-0, courtney, paynter, 12, pinkerton circuit, , richlands, 4560, vic, 19161412, 4066625",
    "rec-3-dup-0, charles, green, 38, salkauskas cresent, kela, dapto, 4566, nsw, 19480930, 4365186",
    "rec-9-dup-0, ann, other, 1, high street, , leeds, 1000, qld, 19700101, 1111111",
]


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    left = write(tmp_path / "left.csv", HEADER, LEFT)
    right = write(tmp_path / "right.csv", HEADER, RIGHT)
    truth = write(
        tmp_path / "truth.csv", "left_id,right_id", ["rec-1-org,rec-1-dup-0", "rec-2-dup-0,rec-2-org", "rec-3-org,rec-3-dup-0"]
    )
    return left, right, truth


def test_load_strips_spaces_and_keeps_blanks(files: tuple[Path, Path, Path]) -> None:
    right = load_febrl(files[1])
    assert right[1].rec_id == "rec-2-dup-0"
    assert right[1].address_2 == ""
    assert right[1].date_of_birth == "19161412"


def test_missing_file_and_missing_column_are_named(tmp_path: Path) -> None:
    with pytest.raises(FebrlInputError, match="nope.csv: no such file"):
        load_febrl(tmp_path / "nope.csv")
    broken = write(tmp_path / "broken.csv", HEADER.replace("surname", "family_name"), LEFT)
    with pytest.raises(FebrlInputError, match=r"broken.csv: missing column 'surname'"):
        load_febrl(broken)


def test_truth_accepts_either_column_order_and_a_header(files: tuple[Path, Path, Path]) -> None:
    left, right = load_febrl(files[0]), load_febrl(files[1])
    assert load_truth(files[2], left, right) == {
        ("rec-1-org", "rec-1-dup-0"),
        ("rec-2-org", "rec-2-dup-0"),
        ("rec-3-org", "rec-3-dup-0"),
    }
    assert truth_from_ids(left, right) == load_truth(files[2], left, right)


def test_links_the_true_pairs_and_nothing_else(files: tuple[Path, Path, Path]) -> None:
    left, right = load_febrl(files[0]), load_febrl(files[1])
    run = link_febrl(left, right)
    scores = evaluate(run.pairs, truth_from_ids(left, right))
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)


def test_evaluate_counts() -> None:
    scores = evaluate({("a", "1"), ("b", "9")}, {("a", "1"), ("c", "3")})
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (1, 1, 1)
    assert scores.f1 == pytest.approx(0.5)


def test_command_evaluate_prints_the_figures(files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    left, right, truth = files
    call_command("linkage", "evaluate", "--left", str(left), "--right", str(right), "--truth", str(truth))
    out = capsys.readouterr().out
    assert "precision" in out and "recall" in out and "F1" in out and "seconds" in out
    assert "vigil       1.0000  1.0000  1.0000" in out


def test_command_names_the_bad_file_and_exits_2(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.csv", HEADER.replace(", soc_sec_id", ""), [])
    with pytest.raises(CommandError, match="broken.csv: missing column 'soc_sec_id'") as raised:
        call_command("linkage", "evaluate", "--left", str(broken), "--right", str(files[1]), "--truth", str(files[2]))
    assert raised.value.returncode == 2


def test_febrl4_reaches_the_target() -> None:
    """The benchmark's accuracy target (not its timing) as a regression guard."""
    from vigil.people.linkage.bench import run_febrl4

    result = run_febrl4(compare_splink=False)
    assert result["true_pairs"] == 5000
    assert result["vigil"]["f1"] >= 0.99


def test_vigil_bench_febrl_writes_its_section(tmp_path: Path) -> None:
    """`vigil bench febrl` runs FEBRL4 and writes its own section of performance.md, keeping the
    others (Vigil only here: Splink's run is slow for a test; its rendering is checked below)."""
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\n<!-- bench:replay -->\nreplay figures\n<!-- /bench:replay -->\n", encoding="utf-8")
    printed = io.StringIO()
    call_command("bench", "--output", str(out), "febrl", "--runs", "2", "--no-splink", stdout=printed)
    text = out.read_text(encoding="utf-8")
    assert "replay figures" in text and text.count("<!-- bench:febrl -->") == 1
    row = next(line for line in text.splitlines() if line.startswith("| Vigil"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert float(cells[3]) >= 0.99 and len(cells[5].split(", ")) == 2
    assert "F1 ≥ 0.99: met" in text and "Splink was not run" in text
    assert "Wrote the febrl section" in printed.getvalue()
    with pytest.raises(CommandError, match="--runs must be at least 1"):
        call_command("bench", "--no-write", "febrl", "--runs", "0")


def _tool(f1: float, seconds: list[float]) -> dict[str, object]:
    return {"precision": 1.0, "recall": f1, "f1": f1, "seconds_all": seconds}


@pytest.mark.parametrize(
    ("vigil", "splink", "verdict"),
    [
        (_tool(0.9997, [1.0, 0.9, 1.2]), _tool(0.9991, [7.0, 7.2, 9.6]), "in less time: met (Vigil 7.2× faster"),
        (_tool(0.9990, [1.0, 1.0, 1.0]), _tool(0.9991, [7.0, 7.0, 7.0]), "in less time: **not met**"),
        (_tool(0.9997, [8.0, 8.0, 8.0]), _tool(0.9991, [7.0, 7.0, 7.0]), "in less time: **not met** (Vigil 0.9×"),
    ],
)
def test_febrl_section_compares_medians_of_the_same_run(
    vigil: dict[str, object], splink: dict[str, object], verdict: str
) -> None:
    from vigil.people.linkage.bench import render_febrl_section

    summary = {"dataset": "FEBRL4", "left_records": 5000, "right_records": 5000, "true_pairs": 5000, "runs": 3}
    text = render_febrl_section({**summary, "vigil": vigil, "splink": splink}, machine="test machine")
    assert verdict in text and "median of 3 runs" in text and "test machine" in text
    assert text.count("| Splink 5") == 1


def test_bench_febrl_names_a_missing_package_before_running(monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.people.linkage import bench

    real = bench.find_spec
    monkeypatch.setattr(bench, "find_spec", lambda name: None if name == "splink" else real(name))
    with pytest.raises(CommandError, match=r"needs splink .*; or pass --no-splink"):
        call_command("bench", "--no-write", "febrl", "--runs", "1")


def test_every_febrl_run_starts_with_empty_comparison_caches() -> None:
    from vigil.people.linkage import bench, names

    names.compare_surname("Sellars", "Sellers")
    assert names.compare_surname.cache_info().currsize > 0
    bench.clear_comparison_caches()
    assert names.compare_surname.cache_info().currsize == 0
