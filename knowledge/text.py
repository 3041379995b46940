"""Normalisation of French questions as students type them: accents, elisions, slang, synonyms.

rapidfuzz's default processor keeps accents, so text is folded here before any comparison.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from knowledge.vocabulary import vocabulary
from rules.programmes import programmes

_ELISION = re.compile(r"\b(?:l|d|j|qu|n|s|c|m|t|jusqu|lorsqu|puisqu)['’`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")

_VOCABULARY = vocabulary()
PHRASES = _VOCABULARY.phrases
SYNONYMS = _VOCABULARY.synonyms
STOPWORDS = _VOCABULARY.stopwords


class _CombiningMarks(dict[int, int | None]):
    """A ``str.translate`` table dropping combining marks, filled as characters are met (C speed after)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_COMBINING = _CombiningMarks()


def fold(text: str) -> str:
    """Lower case, accents removed."""
    lowered = text.lower()
    if lowered.isascii():  # most mail and most questions: nothing to decompose
        return lowered
    return unicodedata.normalize("NFKD", lowered).translate(_DROP_COMBINING)


def fold_plain(text: str) -> str:
    """Folded, with straight and curly apostrophes as spaces ("l'offre" reads "l offre"), for phrase rules."""
    return fold(text).replace("'", " ").replace("\u2019", " ")


_STEMMER = snowballstemmer.stemmer("french")


@lru_cache(maxsize=16384)
def stem(token: str) -> str:
    """The French Snowball stem of a folded token ("envoie", "envoyer" -> "envoi"); numbers kept."""
    if token.isdigit() or len(token) < 4:
        return token
    return str(_STEMMER.stemWord(token))


# Words naming a programme or a level (each profile's scope words, stemmed): they scope a question,
# they do not say what it is about.
SCOPE_WORDS = frozenset(stem(word) for profile in programmes().values() for word in profile.scope_words)


@lru_cache(maxsize=1)
def _stemmed_synonyms() -> dict[str, str]:
    # Inflected forms of a variant ("mails", "annonces") reach its canonical word through the stem.
    return {stem(variant): canonical for variant, canonical in SYNONYMS.items() if len(variant) > 3}


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """Content words of a question, before stemming: folded, elisions cut, slang and synonyms mapped,
    stopwords dropped."""
    folded = _ELISION.sub(" ", fold(text))
    folded = _NON_WORD.sub(" ", folded)
    for pattern, replacement in PHRASES:
        folded = pattern.sub(replacement, folded)
    out: list[str] = []
    for raw in folded.split():
        word = SYNONYMS.get(raw) or _stemmed_synonyms().get(stem(raw), raw)
        if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
            continue
        out.append(word)
    return tuple(out)


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """The stems of a question's content words: what the search index compares."""
    return tuple(stem(word) for word in words(text))
