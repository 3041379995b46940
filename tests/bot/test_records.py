"""The repositories of bot/records/: each kind of record written and read back as a dataclass."""

from datetime import UTC, date, datetime
from pathlib import Path

from bot.offers.extract import read_offer
from bot.records.answers import Answers, EntryFeedback, GivenAnswer
from bot.records.meta import Meta
from bot.records.offers import OfferRecords, OfferStatus
from bot.records.programmes import ProgrammeChoices
from bot.records.questions import LoggedQuestion, Questions
from bot.store import Store

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OFFER = """Offre de stage - Développeur Python/Django
Entreprise : Datalyse
Lieu : Paris 11e
Durée : 4 mois, à partir du 2 juin 2027
Gratification : 4,50 €/h
Contact : jobs@datalyse.fr"""


def test_programme_choices_are_replaced_not_added(tmp_path: Path) -> None:
    choices = ProgrammeChoices(Store(tmp_path / "s.sqlite3"))
    assert choices.of_user(1) is None and choices.of_guild(7) is None
    choices.choose(1, "lille-l3", NOW)
    choices.choose(1, "amu-allsh", NOW)
    choices.set_guild(7, "paris1-miage")
    choices.set_guild(7, "lille-l3")
    assert (choices.of_user(1), choices.of_user(2), choices.of_guild(7)) == ("amu-allsh", None, "lille-l3")


def test_the_asker_salt_is_kept_across_restarts(tmp_path: Path) -> None:
    first = Meta(Store(tmp_path / "s.sqlite3")).asker_salt()
    again = Meta(Store(tmp_path / "s.sqlite3"))
    assert again.asker_salt() == first and len(first) == 32
    assert again.put_once("k", "a") == "a" and again.put_once("k", "b") == "a"
    assert again.has("k") and again.get("absent") is None


def test_only_the_asker_votes_and_the_least_helpful_come_first(tmp_path: Path) -> None:
    answers = Answers(Store(tmp_path / "s.sqlite3"))

    def given(asker: str, entry: str | None) -> int:
        return answers.add(GivenAnswer(NOW.isoformat(), "discord", asker, "lille-l3", "q ?", entry, 0.9))

    good, bad, other, refused = given("a", "duree"), given("a", "gratif"), given("b", "gratif"), given("a", None)
    assert answers.vote(good, "a", True) and answers.vote(bad, "a", False)
    assert not answers.vote(other, "a", True)  # not the asker
    assert answers.vote(refused, "a", False)  # counted, but a refusal has no entry to blame
    assert answers.feedback(10) == [EntryFeedback("gratif", 2, 0, 1), EntryFeedback("duree", 1, 1, 0)]


def test_logged_questions_come_back_typed(tmp_path: Path) -> None:
    questions = Questions(Store(tmp_path / "s.sqlite3"))
    logged = LoggedQuestion(
        NOW.isoformat(), "chat", "lille-l3", "piscine ?", "piscin", False, 0.21, None, (("a", 0.4),)
    )
    questions.add(logged)
    questions.add(LoggedQuestion(NOW.isoformat(), "cli", "amu-allsh", "x", "x", True, 0.5, "e", (("e", 0.51234),)))
    assert questions.logged("lille-l3") == [logged]
    assert questions.logged()[1].nearest == (("e", 0.512),)  # kept to three decimals


def test_offer_records_decode_their_details(tmp_path: Path) -> None:
    offers = OfferRecords(Store(tmp_path / "s.sqlite3"))
    offer = read_offer(OFFER, "paris1-miage", date(2026, 11, 22))
    offers.add(
        offer,
        at=NOW,
        status=OfferStatus.NEW,
        source="mail",
        mail_id=3,
        sender="rh@datalyse.fr",
        signature="s",
        text=OFFER,
    )
    record = offers.get(offer.fingerprint)
    assert record is not None and record == offers.from_mail(3)
    assert record.status is OfferStatus.NEW and record.first_seen == "2026-11-22T09:30:00+00:00"
    assert (record.details.company, record.details.location, record.details.text) == ("Datalyse", "Paris 11e", OFFER)
    assert record.details.duration_weeks is not None and record.details.signature == "s"
    assert [r.fingerprint for r in offers.to_post()] == [offer.fingerprint]
    offers.mark_posted(offer.fingerprint, 1, 42, NOW)
    assert offers.posted_since(NOW) == {record.channel: 1}
    offers.correct(offer.fingerprint, offer, signature="t", status=OfferStatus.POSTED, needs_edit=True)
    [edited] = offers.to_edit()
    assert edited.details.text == "" and edited.details.signature == "t" and edited.message_id == 42
    assert offers.close(offer.fingerprint) and not offers.close(offer.fingerprint)
    assert offers.latest(OfferStatus.CLOSED, 5)[0].status is OfferStatus.CLOSED
    assert not offers.announced(offer.fingerprint)
    offers.announce(offer.fingerprint, 9)
    assert offers.announced(offer.fingerprint)
