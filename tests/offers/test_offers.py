"""Offer reading on the labelled set, and the pipeline: de-duplication, review, caps, backlog."""

from datetime import date
from pathlib import Path

import pytest

from bot.offers.pipeline import OfferPipeline
from bot.store import Store

from .labelled import results, scores

TODAY = date(2026, 11, 22)
OFFER = """Offre de stage - Développeur Python/Django
Entreprise : Datalyse
Lieu : Paris 11e
Durée : 4 mois, à partir du 2 juin 2027
Missions : développement d'API REST, tests, revue de code.
Gratification : 4,50 €/h
Contact : jobs@datalyse.fr"""


def test_labelled_offers_kinds_and_decisions() -> None:
    found = results()
    assert len(found) >= 80
    assert any(r.file.endswith(".eml") for r in found) and any(r.file.endswith(".txt") for r in found)
    kinds, forwards, _ = scores(found)
    assert kinds >= 0.95
    assert forwards >= 0.90


@pytest.fixture
def pipeline(tmp_path: Path) -> OfferPipeline:
    return OfferPipeline(Store(tmp_path / "s.sqlite3"), "paris1-miage")


def test_same_offer_twice_in_other_words_is_kept_once(pipeline: OfferPipeline) -> None:
    first = pipeline.submit(OFFER, today=TODAY, source="mail", sender="rh@datalyse.fr")
    assert first.status == "new"
    assert pipeline.submit(OFFER, today=TODAY, source="discord").status == "duplicate"
    reformatted = OFFER.upper().replace("\n", " ; ") + "\nMerci de diffuser !"
    again = pipeline.submit(reformatted, today=TODAY, source="discord")
    assert again.status == "duplicate" and again.fingerprint == first.fingerprint
    other = pipeline.submit(
        OFFER.replace("Python/Django", "Rust embarqué").replace("Datalyse", "Ferris"), today=TODAY, source="mail"
    )
    assert other.status == "new"


def test_problems_go_to_review_and_an_officer_decides(pipeline: OfferPipeline) -> None:
    bad = pipeline.submit(
        "Stage support helpdesk 3 mois, 100% télétravail, gratification légale", today=TODAY, source="mail"
    )
    assert bad.status == "review"
    assert [o.fingerprint for o in pipeline.queue()] == [bad.fingerprint]
    assert pipeline.decide(bad.fingerprint, approve=True, officer="Mme X") == "new"
    assert pipeline.due(posts_per_hour=5)[0].channel == "propositions-stages"
    assert pipeline.decide("0" * 16, approve=False, officer="Mme X") is None


def test_hourly_cap_per_channel(pipeline: OfferPipeline) -> None:
    for host in ("Kiwi", "Orbital", "Nimbus", "Quartz"):
        pipeline.submit(OFFER.replace("Datalyse", host), today=TODAY, source="mail")
    due = pipeline.due(posts_per_hour=3)
    assert len(due) == 3
    for n, offer in enumerate(due):
        pipeline.mark_posted(offer.fingerprint, channel_id=1, message_id=100 + n)
    assert pipeline.due(posts_per_hour=3) == []


def test_withdrawal_and_correction_by_the_sender_edit_the_post(pipeline: OfferPipeline) -> None:
    first = pipeline.submit(OFFER, today=TODAY, source="mail", sender="rh@datalyse.fr")
    pipeline.mark_posted(first.fingerprint, channel_id=1, message_id=42)
    corrected = pipeline.submit(
        "Correction : " + OFFER.replace("4 mois", "6 mois"), today=TODAY, source="mail", sender="claire@datalyse.fr"
    )
    assert corrected.status == "updated" and corrected.fingerprint == first.fingerprint
    assert [o.fingerprint for o in pipeline.to_edit()] == [first.fingerprint]
    pipeline.edited(first.fingerprint)
    closed = pipeline.submit(
        "L'offre est pourvue, merci.\n" + OFFER, today=TODAY, source="mail", sender="rh@datalyse.fr"
    )
    assert closed.status == "closed"
    assert pipeline.to_edit()[0].status == "closed"
    # Someone else cannot close it.
    assert (
        pipeline.submit("offre pourvue " + OFFER, today=TODAY, source="mail", sender="x@gmail.com").status
        == "duplicate"
    )


def test_first_poster_start_holds_the_backlog(pipeline: OfferPipeline) -> None:
    pipeline.submit(OFFER, today=TODAY, source="mail")
    assert pipeline.hold_backlog() == 1
    assert pipeline.due(posts_per_hour=10) == []
    assert pipeline.hold_backlog() == 0  # only the very first start
    pipeline.submit(OFFER.replace("Datalyse", "Nouvelle"), today=TODAY, source="mail")
    assert len(pipeline.due(posts_per_hour=10)) == 1


def test_same_mail_submitted_again_after_a_restart(pipeline: OfferPipeline) -> None:
    pipeline.submit(OFFER, today=TODAY, source="mail", mail_id=7)
    assert pipeline.submit(OFFER, today=TODAY, source="mail", mail_id=7).status == "duplicate"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("Stage dev Java 6 mois à partir de mars 2027, Paris", "start", "mars 2027"),
        ("Internship starting in April 2027, 5 months", "start", "april 2027"),
        ("Stage de 4 mois dès le 2 juin 2027", "start", "2 juin 2027"),
        ("Stage Python\nLieu : Lyon 3e\nGratification : 700 € par mois", "location", "Lyon 3e"),
        ("Stage Python, stipend 1,200 EUR per month", "pay", "1,200 eur per month"),
        ("Stage Go, télétravail 2 jours par semaine", "remote", "2 jour(s) de télétravail par semaine"),
        ("Stage Go, 3 jours de télétravail", "remote", "3 jour(s) de télétravail par semaine"),
        ("Stage Go en hybride", "remote", "télétravail partiel"),
        ("Stage Rust 100% remote", "remote", "100 %"),
        ("Stage Kotlin, candidatures à jobs@acme.fr", "contact", "jobs@acme.fr"),
    ],
)
def test_extraction_of_the_offer_fields(text: str, field: str, value: str) -> None:
    from bot.offers.extract import read_offer  # noqa: PLC0415

    found = read_offer(text, "paris1-miage", TODAY).as_json()[field]
    assert found is not None and (found == value or value in found.lower()), found
