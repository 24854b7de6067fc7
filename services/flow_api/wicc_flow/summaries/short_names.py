"""Short names for column heads and sentences ("Great Western", not "Great Western
Hospitals NHS Foundation Trust").

The reference data has no short name, so one is derived: the legal suffixes, the
words every trust's name repeats and anything in brackets are dropped, and a name
still longer than a column head allows becomes its initials. The rules are plain so a
reader can tell which organisation is meant, and the full name is always in the
document beside it.
"""

from __future__ import annotations

import re

MAX_LENGTH = 26
# Dropped wherever they stand (whole words, case as written in the reference data).
_NOISE = re.compile(
    r"\b(NHS Foundation Trust|NHS Trust|Foundation Trust|NHS|Hospitals?|University|"
    r"Partnership|Integrated Care Board|ICB|Trust)\b"
)
_BRACKETS = re.compile(r"\([^)]*\)")
_SPACES = re.compile(r"\s+")
_FILLERS = frozenset({"and", "of", "the", "for", "&"})


def short_name(name: str) -> str:
    """`Salisbury NHS Foundation Trust` -> `Salisbury`; a long remainder -> initials
    (`Avon and Wiltshire Mental Health Partnership NHS Trust` -> `AWMH`)."""
    kept = _SPACES.sub(" ", _NOISE.sub(" ", _BRACKETS.sub(" ", name))).strip(" ,-")
    if not kept:
        return name[:MAX_LENGTH]
    if len(kept) <= MAX_LENGTH:
        return kept
    initials = "".join(w[0].upper() for w in kept.split() if w.lower() not in _FILLERS)
    return initials or kept[:MAX_LENGTH]
