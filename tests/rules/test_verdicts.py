"""Verdicts on a student's situation, each against its source."""

from datetime import date
from decimal import Decimal

from rules.offers import OfferFacts
from rules.programmes import programme
from rules.verdicts import Situation, verdicts

ON = date(2026, 11, 23)


def codes(situation: Situation, programme_id: str) -> dict[str, bool]:
    return {v.code: v.ok for v in verdicts(situation, programme(programme_id), ON)}


def test_end_after_31_august_is_refused_paris1() -> None:
    # 000_66ecd3d8874ef3f3.txt, Modalités: the stage ends on 31 August at the latest.
    found = codes(Situation(OfferFacts("stage"), end=date(2027, 9, 15)), "paris1-miage")
    assert found["end_date"] is False
    assert codes(Situation(OfferFacts("stage"), end=date(2027, 8, 31)), "paris1-miage")["end_date"] is True


def test_308_hours_reach_the_minimum_and_are_not_mandatorily_paid() -> None:
    # Code de l'éducation L124-6 / D124-6: more than 308 h makes gratification mandatory.
    found = verdicts(Situation(OfferFacts("stage"), hours=Decimal(308)), programme("paris1-miage"), ON)
    by_code = {v.code: v for v in found}
    assert by_code["duration"].ok
    assert "non obligatoire" in by_code["gratification"].text
    found = verdicts(Situation(OfferFacts("stage"), hours=Decimal(309)), programme("paris1-miage"), ON)
    assert "Gratification obligatoire" in {v.code: v for v in found}["gratification"].text


def test_lille_minimum_and_maximum() -> None:
    # 001_3d148830f515fa28.txt: 12 weeks minimum, 5 months maximum; no unpaid stage.
    assert codes(Situation(OfferFacts("stage", duration_weeks=Decimal(10))), "lille-l3")["duration"] is False
    found = codes(Situation(OfferFacts("stage", duration_weeks=Decimal(26))), "lille-l3")
    assert found["maximum"] is False
    short = verdicts(Situation(OfferFacts("stage", duration_weeks=Decimal(4))), programme("lille-l3"), ON)
    assert "aucun stage non gratifié" in {v.code: v for v in short}["gratification"].text


def test_working_time_limits() -> None:
    # Code du travail L3121-18 (10 h a day), L3121-20 (48 h a week), L3121-16 (break after 6 h).
    situation = Situation(
        OfferFacts("stage"), hours_per_day=Decimal(12), hours_per_week=Decimal(50), continuous_hours=Decimal(8)
    )
    assert codes(situation, "amu-allsh") == {"daily": False, "weekly": False, "break": False}


def test_subject_refusals_come_from_the_offer_check() -> None:
    found = codes(Situation(OfferFacts("stage", not_development=True)), "paris1-miage")
    assert found["not_development"] is False
