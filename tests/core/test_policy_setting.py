"""The live system reads the policy file named by the VIGIL_POLICY setting, and a file that
does not validate stops start-up (a Django system check) with the key and the problem named,
instead of failing the first fact an officer records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from vigil.actions import engine_adapter

DEFAULT = Path(settings.BASE_DIR) / "policies" / "default.toml"


@pytest.fixture(autouse=True)
def _fresh_policy() -> Iterator[None]:
    engine_adapter.policy.cache_clear()
    yield
    engine_adapter.policy.cache_clear()


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "force.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_live_policy_is_the_file_the_setting_names(tmp_path: Path) -> None:
    assert engine_adapter.policy().risk.dash.high == 14
    force = _copy(tmp_path, "high = 14 ", "high = 15 ")
    with override_settings(VIGIL_POLICY=str(force)):  # the change itself clears the kept policy
        assert engine_adapter.policy().risk.dash.high == 15
        assert engine_adapter.check_policy() == []
    assert engine_adapter.policy().risk.dash.high == 14


def test_the_check_reads_the_file_without_swapping_the_policy_in_use(tmp_path: Path) -> None:
    force = _copy(tmp_path, "high = 14 ", "high = 15 ")
    with override_settings(VIGIL_POLICY=str(force)):
        assert engine_adapter.policy().risk.dash.high == 15
        force.write_text(force.read_text(encoding="utf-8").replace("high = 15 ", "high = 16 "), encoding="utf-8")
        assert engine_adapter.check_policy() == []
        assert engine_adapter.policy().risk.dash.high == 15  # kept until the restart


def test_a_bad_policy_file_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    broken = _copy(tmp_path, "medium = 10 ", "medium = 20 ")
    with override_settings(VIGIL_POLICY=str(broken)):
        errors = engine_adapter.check_policy()
        assert [e.id for e in errors] == ["vigil.E002"]
        assert "risk.dash.medium" in errors[0].msg and str(broken) in errors[0].msg
        with pytest.raises(SystemCheckError, match=r"risk\.dash\.medium"):
            call_command("check")


def test_a_missing_policy_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with override_settings(VIGIL_POLICY=str(missing)):
        errors = engine_adapter.check_policy()
        assert len(errors) == 1 and "no such file" in errors[0].msg and str(missing) in errors[0].msg


def test_a_directory_or_a_file_that_is_not_text_is_named_not_a_traceback(tmp_path: Path) -> None:
    binary = tmp_path / "policy.toml"
    binary.write_bytes(b"\xff\xfe\x00 not text")
    for path in (tmp_path, binary):
        with override_settings(VIGIL_POLICY=str(path)):
            errors = engine_adapter.check_policy()
            assert [e.id for e in errors] == ["vigil.E002"] and str(path) in errors[0].msg


def test_the_assessment_scoring_reads_the_same_live_policy(tmp_path: Path) -> None:
    from vigil.risk.preview import score

    fourteen = {n: "yes" if n <= 14 else "no" for n in range(1, 25)}
    force = _copy(tmp_path, "high = 14 ", "high = 15 ")
    with override_settings(VIGIL_POLICY=str(force)):
        assert score("dash", fourteen).level == "medium"
    assert score("dash", fourteen).level == "high"
