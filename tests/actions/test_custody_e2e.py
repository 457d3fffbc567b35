"""Issue 12 item 6: completing `arrest_suspect` or `execute_warrant` records the arrest (and the
warrant's execution): when, by whom, the custody reference. The policy then closes the other
actions the arrest settles, and the live store stays equal to `vigil replay` of the same
timeline with that arrest in it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.actions.test_acting import _client
from tests.live.compare import differences
from tests.timeline.helpers import scenario
from vigil.actions.escalation import escalate_due
from vigil.actions.live import policy_reevaluate
from vigil.actions.models import Action
from vigil.actions.services import action_complete_by_arrest
from vigil.audit.models import AuditEvent
from vigil.cases.models import JusticeEvent
from vigil.core import times
from vigil.core.constants import ActionKind, ActionStatus
from vigil.timeline.importer import import_timeline, live_answer
from vigil.timeline.replay import replay_file
from vigil.warrants.models import Warrant

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def _timeline(
    tmp_path: Path,
    name: str,
    *,
    until: str,
    extra: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
    keep_until: str | None = None,
) -> Path:
    """warrant-left-unexecuted cut at `keep_until` (its events up to then), with `extra`
    events, replayed until `until`."""
    document = json.loads(scenario("warrant-left-unexecuted").read_text(encoding="utf-8"))
    document["id"] += f"-{name}"
    if keep_until is not None:
        document["events"] = [e for e in document["events"] if e["at"] <= keep_until]
    document["events"] += list(extra)
    document["replay_until"] = until
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _settle(record: Any, until: dt.datetime) -> dict[str, Any]:
    """The live store's answer at `until`, after the escalation job and a last look, as the
    importer ends an import."""
    with times.clock_at(until):
        escalate_due(now=until)
        policy_reevaluate(person_ids=set(record.refs["people"].values()))
    record.replay_until = until
    return live_answer(record)


def _open(kind: str) -> Action:
    return Action.objects.get(kind=kind, status=ActionStatus.OPEN)


def test_executing_the_warrant_from_its_action_equals_replay_with_the_warrant_executed(tmp_path: Path, officer: Any) -> None:
    at = "2022-01-20T09:00"
    loaded = import_timeline(_timeline(tmp_path, "live", until=at), actor=officer)
    action = _open(ActionKind.EXECUTE_WARRANT)
    other_open = set(Action.objects.filter(status=ActionStatus.OPEN).values_list("pk", flat=True))
    with times.clock_at(_local(at)):
        done = action_complete_by_arrest(
            actor=officer, action=action, at=_local(at), arrested_by="PC 4471 Okafor", custody_reference="01/004512/22"
        )
    assert done.status == ActionStatus.DONE and done.decided_by == officer
    assert "custody reference 01/004512/22" in done.rationale and "PC 4471 Okafor" in done.rationale
    warrant = Warrant.objects.get()
    assert (warrant.status, warrant.executed_at, warrant.executed_by, warrant.custody_reference) == (
        "executed",
        _local(at),
        "PC 4471 Okafor",
        "01/004512/22",
    )
    arrest = JusticeEvent.objects.filter(kind="arrest").latest("pk")
    assert (arrest.reported_at, arrest.arrested_by, arrest.custody_reference) == (_local(at), "PC 4471 Okafor", "01/004512/22")
    assert AuditEvent.objects.filter(action="warrant.execute", actor=officer).exists()

    until = "2022-01-24T08:30"
    live = _settle(loaded.record, _local(until))
    executed = [
        {"at": at, "type": "warrant_executed", "warrant": "W1"},
        {"at": at, "type": "arrest", "subject": "P1"},
    ]
    replay = replay_file(_timeline(tmp_path, "replay", until=until, extra=executed))
    assert differences(live, replay) == {}
    # It proves something: without the arrest, replay still has the warrant open.
    assert differences(live, replay_file(_timeline(tmp_path, "none", until=until)))
    closed_with_it = Action.objects.filter(pk__in=other_open, status=ActionStatus.DONE, closed_at=_local(at))
    assert set(closed_with_it.values_list("kind", flat=True)) <= {ActionKind.EXECUTE_WARRANT, ActionKind.ARREST_SUSPECT}


def test_arresting_the_suspect_from_the_action_equals_replay_with_the_arrest(tmp_path: Path, officer: Any) -> None:
    """After the breach of 15 November (R5: arrest him), the officer records the arrest."""
    cut = "2021-11-15T08:20"
    loaded = import_timeline(_timeline(tmp_path, "live", keep_until=cut, until="2021-11-15T12:00"), actor=officer)
    arrests = list(Action.objects.filter(kind=ActionKind.ARREST_SUSPECT, status=ActionStatus.OPEN))
    assert arrests, "the breach raised no arrest action: the test would prove nothing"
    at = _local("2021-11-15T12:00")
    with times.clock_at(at):
        action_complete_by_arrest(
            actor=officer,
            action=arrests[0],
            at=at,
            arrested_by="DC 2210 Marsh",
            custody_reference="01/009981/21",
            note="No comment.",
        )
    assert {a.status for a in Action.objects.filter(pk__in=[a.pk for a in arrests])} == {ActionStatus.DONE}
    assert JusticeEvent.objects.get(kind="arrest").custody_reference == "01/009981/21"

    until = "2021-11-16T12:00"
    live = _settle(loaded.record, _local(until))
    arrest = [{"at": "2021-11-15T12:00", "type": "arrest", "subject": "P1"}]
    replay = replay_file(_timeline(tmp_path, "replay", keep_until=cut, until=until, extra=arrest))
    assert differences(live, replay) == {}


def test_a_bad_arrest_is_refused_naming_the_field_and_nothing_is_saved(tmp_path: Path, officer: Any) -> None:
    at = "2022-01-20T09:00"
    import_timeline(_timeline(tmp_path, "live", until=at), actor=officer)
    action = _open(ActionKind.EXECUTE_WARRANT)
    other = Action.objects.filter(status=ActionStatus.OPEN).exclude(
        kind__in=[ActionKind.EXECUTE_WARRANT, ActionKind.ARREST_SUSPECT]
    )
    arrests, audits = JusticeEvent.objects.count(), AuditEvent.objects.count()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"custody_reference": ""}, "custody_reference", "Enter the custody reference"),
        ({"custody_reference": "<script>"}, "custody_reference", "letters, numbers"),
        ({"arrested_by": "  "}, "arrested_by", "Enter who made the arrest"),
        ({"at": _local("2022-01-03T09:00")}, "at", "after this action was raised"),
        ({"at": _local("2022-01-21T09:00")}, "at", "cannot be in the future"),
    ]
    with times.clock_at(_local(at)):
        for change, field, words in cases:
            kwargs = {"at": _local(at), "arrested_by": "PC 1 Hale", "custody_reference": "01/1/22"} | change
            with pytest.raises(ValidationError) as error:
                action_complete_by_arrest(actor=officer, action=action, **kwargs)
            assert field in error.value.message_dict and words in " ".join(error.value.message_dict[field]), change
        with pytest.raises(ValidationError) as error:
            action_complete_by_arrest(
                actor=officer, action=other.first(), at=_local(at), arrested_by="PC 1 Hale", custody_reference="01/1/22"
            )
        assert "is not completed by an arrest" in str(error.value)
    assert (JusticeEvent.objects.count(), AuditEvent.objects.count()) == (arrests, audits)
    assert Warrant.objects.get().status == "outstanding"
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_action_page_records_the_arrest_on_the_warrant(tmp_path: Path, officer: Any) -> None:
    import_timeline(_timeline(tmp_path, "live", until="2022-01-20T09:00"), actor=officer)
    action = _open(ActionKind.EXECUTE_WARRANT)
    url = reverse("action_detail", args=[action.pk])
    client = _client(officer)
    page = client.get(url).content.decode()
    assert "Record the arrest" in page and "Mark as done" not in page
    assert f"warrant {Warrant.objects.get().reference}" in page
    assert "When was the arrest?" in page and "Custody reference" in page and str(officer) in page  # who, filled in

    now = timezone.localtime() - dt.timedelta(minutes=5)
    form = {
        "arrested_day": now.day,
        "arrested_month": now.month,
        "arrested_year": now.year,
        "arrested_time": now.strftime("%H:%M"),
        "arrested_by": "PC 4471 Okafor",
        "custody_reference": "",
    }
    refused = client.post(reverse("action_complete", args=[action.pk]), form)
    body = refused.content.decode()
    assert refused.status_code == 400 and "govuk-error-summary" in body
    assert 'href="#id_custody_reference"' in body and "Enter the custody reference" in body
    assert not JusticeEvent.objects.filter(custody_reference__gt="").exists()

    bad_date = client.post(reverse("action_complete", args=[action.pk]), form | {"arrested_day": "31", "arrested_month": "2"})
    assert "The date of the arrest must be a real date" in bad_date.content.decode()

    done = client.post(reverse("action_complete", args=[action.pk]), form | {"custody_reference": "01/004512/26"}, follow=True)
    assert "The arrest is recorded (custody reference 01/004512/26)" in done.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.decided_by == officer
    page = client.get(url).content.decode()
    assert "custody reference 01/004512/26" in page and "PC 4471 Okafor" in page
    assert Warrant.objects.get().custody_reference == "01/004512/26"


def test_inside_a_bulk_load_the_arrest_closes_the_action_when_the_policy_runs(tmp_path: Path, officer: Any) -> None:
    """The demo builder records its arrests inside `deferred_policy`: the service must not
    refuse there because the policy has not run yet."""
    from vigil.actions.live import deferred_policy

    at = _local("2022-01-20T09:00")
    import_timeline(_timeline(tmp_path, "live", until="2022-01-20T09:00"), actor=officer)
    action = _open(ActionKind.EXECUTE_WARRANT)
    with times.clock_at(at), deferred_policy():
        action_complete_by_arrest(actor=officer, action=action, at=at, arrested_by="PC 1 Hale", custody_reference="01/7/22")
        action.refresh_from_db()
        assert action.status == ActionStatus.OPEN  # the policy has not run yet
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and "custody reference 01/7/22" in action.rationale
