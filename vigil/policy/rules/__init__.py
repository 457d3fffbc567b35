"""The policy's rules and escalators, one module each, registered here in one list.

The order is the order in which they act on one event: the escalators first (what raises a
pair's level is known before the rules read it), then R1 to R13, then Vigil's own extensions
beyond POLICY.md (R14). For a sighting, for example:
R5 (is an order broken?), R6 (is a warrant outstanding?), R10 (was he seen near her places?),
then R12 (call her back), which reads the level after all of them. Adding a rule is adding a
module and a line here (docs/adding-a-rule.md).
"""

from __future__ import annotations

from typing import Any

from vigil.policy.rules.base import Rule
from vigil.policy.rules.e1_stalking_breach import StalkingBreach
from vigil.policy.rules.e2_threat_to_kill import ThreatToKill
from vigil.policy.rules.e3_strangulation import Strangulation
from vigil.policy.rules.e4_weapons import Weapons
from vigil.policy.rules.r01_intake import Intake
from vigil.policy.rules.r02_children import Children
from vigil.policy.rules.r03_high import High
from vigil.policy.rules.r04_medium import Medium
from vigil.policy.rules.r05_breach import BreachRule
from vigil.policy.rules.r06_warrant import Warrant
from vigil.policy.rules.r07_alarm import Alarm
from vigil.policy.rules.r08_repeat import Repeat
from vigil.policy.rules.r09_serial import Serial
from vigil.policy.rules.r10_proximity import Proximity
from vigil.policy.rules.r11_declines import Declines
from vigil.policy.rules.r12_victims_report import VictimsReport
from vigil.policy.rules.r13_disclosure import Disclosure
from vigil.policy.rules.r14_partner_concern import PartnerConcernRule

REGISTRY: tuple[type[Rule[Any]], ...] = (
    StalkingBreach,
    ThreatToKill,
    Strangulation,
    Weapons,
    Intake,
    Children,
    High,
    Medium,
    BreachRule,
    Warrant,
    Alarm,
    Repeat,
    Serial,
    Proximity,
    Declines,
    VictimsReport,
    Disclosure,
    PartnerConcernRule,  # a Vigil extension beyond POLICY.md
)

__all__ = ["REGISTRY", "Rule"]
