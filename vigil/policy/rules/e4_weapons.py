"""E4: intelligence that the subject holds or hides weapons, while he is linked to the
victim, raises the pair to high."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vigil.policy.rules.escalator import Escalator, intelligence_flag
from vigil.policy.table import Table, rule_header

if TYPE_CHECKING:
    from vigil.policy.config import Policy


@dataclass(frozen=True)
class Settings:
    enabled: bool
    title: str
    intelligence_flag: str | None


class Weapons(Escalator[Settings]):
    code = "E4"
    events = ("intelligence",)

    @classmethod
    def parse(cls, t: Table) -> Settings:
        settings = Settings(
            *rule_header(t),
            intelligence_flag=intelligence_flag(t),
        )
        t.done()
        return settings

    @classmethod
    def sentence(cls, s: Settings, policy: Policy) -> str:
        return f"intelligence with {s.intelligence_flag}: true while the subject is linked to the victim"

    def intelligence_driver(self, subject: str) -> str:
        return f"intelligence that {self.engine.who(subject)} holds or hides weapons"
