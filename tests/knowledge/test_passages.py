"""The closest guide passage shown to officers beside an unanswered question."""

from knowledge.passages import nearest_passage


def test_the_passage_naming_what_was_asked_is_found() -> None:
    # 001_3d148830f515fa28.txt (stage abroad): "Convention disponible en plusieurs langues".
    passage = nearest_passage("la convention de stage internationale existe dans d'autres langues ?")
    assert passage is not None
    assert passage.document == "001_3d148830f515fa28.txt"
    assert "langues" in passage.text


def test_no_shared_word_no_passage() -> None:
    assert nearest_passage("zzzz qqqq") is None
