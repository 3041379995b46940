"""The vocabulary file: one meaning per variant, patterns that compile; folding."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.text import fold, tokens
from knowledge.vocabulary import VocabularyError, parse, vocabulary


def test_packaged_vocabulary_is_valid() -> None:
    vocab = vocabulary()
    assert vocab.synonyms["distanciel"] == "teletravail"  # no longer also "visio"
    assert "moi" not in vocab.synonyms  # "moi" is a pronoun, not "mois"
    assert vocab.synonyms["accepte"] != vocab.synonyms["interdit"]


def test_a_variant_with_two_meanings_is_refused() -> None:
    text = 'stopwords = ["le"]\nphrases = []\n[synonyms]\na = ["x"]\nb = ["x"]\n'
    with pytest.raises(VocabularyError, match="deux sens"):
        parse(text)


def test_a_bad_pattern_is_refused() -> None:
    with pytest.raises(VocabularyError, match="invalide"):
        parse('stopwords = ["le"]\nphrases = [["(", "x"]]\n[synonyms]\n')


def test_english_meets_french() -> None:
    assert tokens("internship agreement") == tokens("stage convention")
    assert tokens("sick leave") == tokens("maladie")


@given(st.text())
def test_fold_drops_exactly_the_combining_marks(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    assert fold(text) == "".join(c for c in decomposed if not unicodedata.combining(c))
