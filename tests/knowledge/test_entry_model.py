"""The entry classifier (knowledge/entry_model.py): shipped in step with the base, reproducible, and
used by the answering engine as a second opinion."""

from datetime import date

import pytest

from bot.assistant.answer import AGREED, LIKELY, SURE, ask
from knowledge.base import load
from knowledge.entry_model import MODEL_PATH, OUT_OF_SCOPE, EntryModel, digest, features, shipped
from knowledge.entry_model import load as load_model
from knowledge.model import Entry
from knowledge.search import Index
from rules.programmes import programme
from rules.sources import Source

TODAY = date(2026, 11, 23)
PARIS1 = programme("paris1-miage")


def test_the_shipped_model_was_trained_from_the_packaged_base() -> None:
    model = load_model()
    retrain = "base modifiée : relancez .venv/bin/python -m knowledge.train_entries"
    assert model.digest == digest(load().entries), retrain
    assert shipped(model.digest) is not None
    assert shipped("another base") is None  # an edited base falls back to the search alone


@pytest.mark.slow
def test_training_reproduces_the_shipped_model() -> None:
    from knowledge.train_entries import fit  # noqa: PLC0415 - scikit-learn, dev extra

    fresh = EntryModel.from_json(fit())
    shipped_model = load_model(MODEL_PATH)
    assert fresh.digest == shipped_model.digest
    assert fresh.weights.keys() == shipped_model.weights.keys()
    drift = max(
        abs(a[1] - b[1])
        for feature, pairs in fresh.weights.items()
        for a, b in zip(pairs, shipped_model.weights[feature], strict=False)
    )
    assert drift < 1e-3, "relancez .venv/bin/python -m knowledge.train_entries"


def test_a_typo_keeps_most_features() -> None:
    right, typo = set(features("gratification")), set(features("gratificaton"))
    assert len(right & typo) / len(right) > 0.6
    assert "w:gratification" in right and "c:gra" in right
    assert "b:la gratif" in features("La gratif'")  # folded, apostrophes as spaces


def test_rank_keeps_to_the_allowed_entries() -> None:
    model = load_model()
    question = "c'est combien la gratification minimum par heure ?"
    best = model.rank(question, limit=1)[0][0]
    others = [e.id for e in load().entries if e.id != best]
    assert all(entry_id != best for entry_id, _ in model.rank(question, others, limit=3))


def _entry(entry_id: str, questions: tuple[str, ...], answer: str) -> Entry:
    return Entry(
        id=entry_id,
        programmes=("all",),
        questions=questions,
        answer=answer,
        source=Source(document="004_05e47703f26282db.txt", section="Test"),
    )


BASE = [
    _entry(
        "loi/rapport",
        (
            "quand rendre le rapport de stage",
            "date limite du rapport",
            "le rapport de stage se rend quand",
            "dépôt du mémoire de stage",
        ),
        "Le rapport se rend le 19 juin.",
    ),
    _entry(
        "loi/soutenance",
        (
            "quand a lieu la soutenance",
            "date de la soutenance de stage",
            "soutenance orale du stage quand",
            "passage devant le jury",
        ),
        "Les soutenances ont lieu du 26 au 30 juin.",
    ),
    _entry(
        "loi/assurance",
        (
            "quelle assurance pour le stage",
            "attestation de responsabilité civile",
            "faut-il une assurance",
            "assurance responsabilite civile stage",
        ),
        "Une attestation de responsabilité civile est demandée.",
    ),
]


def test_an_agreed_match_is_answered_below_the_bar_and_the_classifier_decides_a_disagreement_when_sure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("sklearn")
    from knowledge.train_entries import fit  # noqa: PLC0415

    index = Index(BASE)
    trained = fit(BASE, questions=[])  # the three entries' phrasings alone
    model = EntryModel.from_json(trained)
    question = "mon memoire je le depose a quelle date au plus tard ?"
    hits = index.search(question, programme="paris1-miage", limit=2)
    assert hits[0].entry.id == "loi/rapport"
    assert model.rank(question, limit=1)[0][0] == "loi/rapport"

    # The same search scores, placed in each band by moving the bars around the observed score.
    score = hits[0].score
    import bot.assistant.answer as engine  # noqa: PLC0415

    monkeypatch.setattr(engine, "AGREED", score - 0.01)
    monkeypatch.setattr(engine, "LIKELY", score + 0.01)
    monkeypatch.setattr(engine, "SURE", score + 0.02)
    monkeypatch.setattr(engine, "SEARCH_ALONE", score + 0.03)
    monkeypatch.setattr(engine, "SEARCH_CERTAIN", score + 0.04)
    agreed = ask(question, PARIS1, TODAY, search_index=index, entry_model=model)
    assert agreed.answered and agreed.entry_id == "loi/rapport" and agreed.band == "likely"
    assert "19 juin" in agreed.answer
    alone = ask(question, PARIS1, TODAY, search_index=index)  # the search alone refuses it
    assert not alone.answered

    # A classifier sure of another entry answers with it, the search's entry offered beside it.
    disagreeing = EntryModel.from_json({**trained, "intercepts": [0.0, 50.0, 0.0]})  # reads "soutenance"
    decided = ask(question, PARIS1, TODAY, search_index=index, entry_model=disagreeing)
    assert decided.answered and decided.entry_id == "loi/soutenance" and decided.band == "likely"
    assert "quand rendre le rapport de stage" in decided.suggestions
    # Unsure of it, neither wins: refused, with the classifier's reading offered first.
    monkeypatch.setattr(engine, "PICK_PROBABILITY", 1.01)
    refused = ask(question, PARIS1, TODAY, search_index=index, entry_model=disagreeing)
    assert not refused.answered
    assert refused.suggestions[0] == "quand a lieu la soutenance"


def test_a_question_read_as_out_of_scope_is_refused_unless_the_search_is_certain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("sklearn")
    from knowledge.train_entries import fit  # noqa: PLC0415

    index = Index(BASE)
    outside = [
        (OUT_OF_SCOPE, q)
        for q in ("la cafet est ouverte le samedi", "resultats des partiels de bdd", "ou garer mon velo a la fac")
    ]
    model = EntryModel.from_json(fit(BASE, questions=outside))
    assert OUT_OF_SCOPE in model.entry_ids
    question = "la cafet du campus ferme a quelle heure le samedi ?"
    assert model.read(question, index.applicable_ids("paris1-miage")).out_of_scope >= 0.5
    assert not ask(question, PARIS1, TODAY, search_index=index, entry_model=model).answered
    # rank() never offers the out-of-scope class as an entry.
    assert all(entry_id != OUT_OF_SCOPE for entry_id, _ in model.rank(question, limit=5))


def test_the_bars_are_ordered() -> None:
    assert AGREED < LIKELY < SURE
