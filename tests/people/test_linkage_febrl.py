"""FEBRL loading, errors that name the file and column, linking and scoring, and the
`linkage` management command."""

from __future__ import annotations

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
