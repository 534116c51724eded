"""Reading-grade scores (Flesch-Kincaid and SMOG) that work offline and give the same answer everywhere."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pyphen
from pydantic import BaseModel

from core.nlp.sentences import split_sentences

_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
# E-mail addresses, links and phone numbers are not prose: "referral.office@example.org" would count as
# four long words. Each is scored as one plain word, as bench/bench_report.py does (issue 14).
_NOT_PROSE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "address"),
    (re.compile(r"https?://\S+"), "link"),
    (re.compile(r"\+?\d[\d ()-]{6,}\d"), "number"),
)


class Readability(BaseModel):
    """Grade levels of a text and the counts they come from."""

    flesch_kincaid_grade: float
    smog_grade: float
    words: int
    sentences: int


@lru_cache(maxsize=1)
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=20000)
def count_syllables(word: str) -> int:
    """Return the syllables of one word, counted from its hyphenation points."""
    # Not textstat: version 0.7 imports NLTK (seconds of start-up via scipy/sklearn) and downloads
    # cmudict on first use, which fails offline. Its fallback is pyphen, used here directly, with the
    # same published Flesch-Kincaid and SMOG formulas, so scores do not depend on the network.
    return len(_hyphenator().positions(word.lower())) + 1


def measure_readability(text: str) -> Readability:
    """Return the Flesch-Kincaid grade and SMOG grade of a text (0 for an empty text)."""
    for pattern, word in _NOT_PROSE:
        text = pattern.sub(word, text)
    sentences = max(len(split_sentences(text)), 1)
    words = _WORD_RE.findall(text)
    n_words = len(words)
    if not words:
        return Readability(flesch_kincaid_grade=0.0, smog_grade=0.0, words=0, sentences=0)
    syllables = sum(count_syllables(w) for w in words)
    polysyllables = sum(1 for w in words if count_syllables(w) >= 3)
    fk = 0.39 * (n_words / sentences) + 11.8 * (syllables / len(words)) - 15.59
    smog = 1.043 * math.sqrt(polysyllables * (30 / sentences)) + 3.1291
    return Readability(
        flesch_kincaid_grade=round(max(fk, 0.0), 1),
        smog_grade=round(smog, 1),
        words=n_words,
        sentences=sentences,
    )
