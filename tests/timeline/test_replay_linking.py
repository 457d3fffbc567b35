"""Who is who in a replay: records written again without a full date of birth are joined
within the timeline, a namesake is kept apart, and the rules count the joined records as one
person (end to end through `vigil replay FILE --json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.timeline.helpers import replay_json


def _person(
    ref: str, name: str, born: str | None, sex: str, home: str | None = None, aliases: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {"ref": ref, "name": name, "aliases": list(aliases), "born": born, "sex": sex, "home": home}


def _report(at: str, victim: str, suspect: str, category: str = "stalking") -> dict[str, Any]:
    return {
        "at": at,
        "type": "report",
        "victim": victim,
        "suspect": suspect,
        "category": category,
        "reported_by": victim,
        "place": "H1",
        "children_present": [],
    }


def _timeline(tmp_path: Path, people: list[dict[str, Any]], events: list[dict[str, Any]]) -> Path:
    document = {
        "format": "vigil-timeline/1",
        "id": "records-without-dob",
        "title": "The same woman and the same man written down again without a full date of birth",
        "source": "synthetic; every name, place and date is invented",
        "timezone": "Europe/London",
        "people": people,
        "places": [
            {"ref": "H1", "label": "her home", "kind": "home", "person": None, "lat": 50.7192, "lon": -1.8808},
            {"ref": "H2", "label": "his home", "kind": "home", "person": None, "lat": 50.7462, "lon": -1.8808},
            {"ref": "H9", "label": "another home", "kind": "home", "person": None, "lat": 51.5, "lon": -0.12},
        ],
        "relationships": [{"a": "V1", "b": "P1", "kind": "ex_partner", "since": "2018-01-01", "until": "2022-01-01"}],
        "events": events,
        "replay_until": "2022-06-05T09:00",
    }
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_records_without_a_full_date_of_birth_are_one_woman_and_one_man(tmp_path: Path) -> None:
    people = [
        _person("V1", "Maya Okafor", "1992-04-04", "female", "H1"),
        _person("V1b", "Maya Okafor", None, "female"),
        _person("P1", "Stuart Brannigan", "1986-10-21", "male", "H2"),
        _person("P1b", "Stuart Brannigan", "1986", "male"),
        _person("P1c", "Stu Branigan", None, "male"),
    ]
    events = [
        _report("2022-03-01T18:00", "V1", "P1"),
        _report("2022-04-01T18:00", "V1b", "P1"),
        _report("2022-05-01T18:00", "V1", "P1b"),
        _report("2022-06-01T18:00", "V1b", "P1c", "harassment"),
    ]
    answer = replay_json(_timeline(tmp_path, people, events))
    assert [link["refs"] for link in answer["links"]] == [["V1", "V1b"], ["P1", "P1b", "P1c"]]
    assert all("in an account of only 5 records" in link["reason"] for link in answer["links"])
    kinds = [flag["kind"] for flag in answer["flags"]]
    # One woman, so no serial perpetrator; four reports about one pair in three months.
    assert "serial_perpetrator" not in kinds
    assert kinds.count("repeat") == 2
    marac = [a for a in answer["actions"] if a["kind"] == "refer_marac"]
    assert [a["created_at"][:16] for a in marac] == ["2022-05-01T18:00"]
    assert {(r["victim"], r["subject"], r["level"]) for r in answer["risk"]} >= {("V1", "P1", "medium")}


def test_an_undated_record_that_fits_two_men_goes_with_the_one_named_against_the_same_woman(tmp_path: Path) -> None:
    people = [
        _person("V1", "Tamsin Greer", "1996-10-02", "female", "H1"),
        _person("P1", "Marcus Lyle", "1991-03-08", "male", "H2"),
        _person("N1", "Marcus Lyle", "1958-12-02", "male", "H9"),
        _person("V9", "Oren Pask", "1970-01-20", "male", "H9"),
        _person("P1e", "Marc Lisle", None, "male", aliases=("Marcus Lyle",)),
    ]
    events = [
        _report("2022-02-07T20:00", "V1", "P1", "harassment"),
        _report("2022-05-03T14:00", "V9", "N1", "criminal_damage"),
        _report("2022-05-20T18:00", "V1", "P1e"),
    ]
    answer = replay_json(_timeline(tmp_path, people, events))
    assert [link["refs"] for link in answer["links"]] == [["P1", "P1e"]]
    assert "serial_perpetrator" not in [flag["kind"] for flag in answer["flags"]]


def _rivals_timeline(tmp_path: Path, undated_home: str | None, victim_of_undated: str) -> dict[str, Any]:
    """John Smith born 1991 (the suspect of V1's report) lives at H2; another John Smith born
    1958 lives at H5, 30 km away, and is the suspect of V9's report. A third record, John
    Smith with no date of birth, is named by `victim_of_undated` (V3 is nobody else's victim)
    and lives at `undated_home`."""
    people = [
        _person("V1", "Tamsin Greer", "1996-10-02", "female", "H1"),
        _person("V3", "Ruth Alder", "1988-06-14", "female", "H1"),
        _person("P1", "John Smith", "1991-03-08", "male", "H2"),
        _person("N1", "John Smith", "1958-12-02", "male", "H5"),
        _person("V9", "Oren Pask", "1970-01-20", "male", "H5"),
        _person("P1e", "John Smith", None, "male", undated_home),
    ]
    events = [
        _report("2022-02-07T20:00", "V1", "P1", "harassment"),
        _report("2022-05-03T14:00", "V9", "N1", "criminal_damage"),
        _report("2022-05-20T18:00", victim_of_undated, "P1e"),
    ]
    path = _timeline(tmp_path, people, events)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["places"] += [
        {"ref": "H4", "label": "a flat round the corner", "kind": "home", "person": None, "lat": 50.7516, "lon": -1.8808},
        {"ref": "H5", "label": "his home", "kind": "home", "person": None, "lat": 51.0170, "lon": -1.8808},
    ]
    path.write_text(json.dumps(document), encoding="utf-8")
    return replay_json(path)


def test_an_undated_record_sharing_one_mans_home_joins_him_when_the_other_lives_30_km_away(tmp_path: Path) -> None:
    # Named by a victim of neither, so no counterpart favours one of them: the home decides.
    answer = _rivals_timeline(tmp_path, "H2", victim_of_undated="V3")
    links = [link for link in answer["links"] if "P1e" in link["refs"]]
    assert [link["refs"] for link in links] == [["P1", "P1e"]]
    reason = links[0]["reason"]
    assert "homes within 100 m" in reason
    # What decided it, in an officer's words: the home, the other man's distance, why he is
    # another man.
    assert "joined to P1 rather than N1: same home; N1 lives 30.1 km away" in reason
    assert "P1 and N1 are different people: different dates of birth (1958-12-02/1991-03-08)" in reason


def test_an_undated_record_is_left_alone_when_the_evidence_is_not_decisive(tmp_path: Path) -> None:
    # A home 600 m from P1's and 30 km from N1's, no victim in common with either: P1 is the
    # likelier, but not by enough to join them without a person deciding.
    near = _rivals_timeline(tmp_path, "H4", victim_of_undated="V3")
    assert not [link for link in near["links"] if "P1e" in link["refs"]]
    # P1's home, but named by N1's victim: the evidence pulls both ways.
    both_ways = _rivals_timeline(tmp_path, "H2", victim_of_undated="V9")
    assert not [link for link in both_ways["links"] if "P1e" in link["refs"]]
    # No home, named by P1's victim: the shared victim decides.
    victim = _rivals_timeline(tmp_path, None, victim_of_undated="V1")
    assert [link["refs"] for link in victim["links"] if "P1e" in link["refs"]] == [["P1", "P1e"]]
