"""Identity resolution for Vigil: pure Python, no Django.

Joins the records of one human being written differently across reports (nicknames,
misspellings, surname first, aliases, partial or swapped dates of birth), says why in plain
words, and never links automatically two records whose dates of birth or given names
disagree. See docs/linkage.md.
"""

from vigil.people.linkage.blocking import blocking_keys, candidates
from vigil.people.linkage.person import (
    PERSON_MODEL,
    LinkGroup,
    MatchResult,
    PersonRecord,
    closed_set_prior,
    link_records,
    score_pair,
)

__all__ = [
    "PERSON_MODEL",
    "LinkGroup",
    "MatchResult",
    "PersonRecord",
    "blocking_keys",
    "candidates",
    "closed_set_prior",
    "link_records",
    "score_pair",
]
