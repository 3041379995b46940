"""Programme profiles: each programme's duration bounds, window, refused subjects, contacts, how a mail
names it, the words that scope a question to it, its key dates and its deadline steps.

Resolve a profile once where an identifier comes in (a setting, an option, a mail) and pass the
``Programme`` down: every rule takes the profile, never the identifier.

Every value comes from the programme's guide in ../shared/guides/ and cites its file and section.
The profiles are validated by pydantic when first read.
"""

import re
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field

from rules import deadlines, keydates
from rules.deadlines import Step
from rules.errors import UnknownProgramme
from rules.keydates import Event
from rules.sources import GUIDE_AMU_ALLSH, GUIDE_AMU_MIAGE, GUIDE_LILLE, GUIDE_PARIS1, Source


class Duration(BaseModel):
    """A duration bound, in hours of presence or in calendar units counted date to date."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    value: int = Field(gt=0)
    unit: Literal["hours", "weeks", "months"]
    label: str
    source: Source

    def satisfied_by(self, start: date, end: date, hours: float) -> bool:
        """Whether a stage from start to end (inclusive) with these hours reaches this bound."""
        if self.unit == "hours":
            return hours >= self.value
        after_end = end + relativedelta(days=1)
        if self.unit == "weeks":
            return after_end >= start + relativedelta(weeks=self.value)
        return after_end >= start + relativedelta(months=self.value)

    def exceeded_by(self, start: date, end: date, hours: float) -> bool:
        """Whether a stage goes beyond this bound (used for maximums)."""
        if self.unit == "hours":
            return hours > self.value
        after_end = end + relativedelta(days=1)
        delta = relativedelta(weeks=self.value) if self.unit == "weeks" else relativedelta(months=self.value)
        return after_end > start + delta


class MonthDay(BaseModel):
    """A yearly deadline such as 31 August, with its source."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    label: str
    source: Source

    def in_school_year_of(self, day: date) -> date:
        """This deadline in the school year that starts on the 1 September on or before ``day``."""
        first_year = day.year if day.month >= 9 else day.year - 1
        return date(first_year + 1, self.month, self.day)


class Refusal(BaseModel):
    """A subject or host the programme refuses, with the offer-check code it maps to."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: Literal["remote_only", "not_development", "independent_host", "other"]
    label: str
    source: Source


class Contact(BaseModel):
    """Who to write to for what."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    role: str
    email: str
    source: Source


class Programme(BaseModel):
    """One programme's rules as its guide states them."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    name: str
    institution: str
    guide: str
    minimum: Duration | None
    maximum: Duration | None
    last_day: MonthDay | None
    refusals: tuple[Refusal, ...]
    contacts: tuple[Contact, ...]
    accepted: str | None = None  # the subjects the guide asks for, said beside a refused one
    channels: tuple[str, ...] = ()
    paid_always: bool = False
    paid_always_source: Source | None = None
    # The minimum for a stage offered to the programme's students when it differs from `minimum`
    # (AMU MIAGE: `minimum` is the work-study stage's; a classic end-of-year stage has its own).
    offer_minimum: Duration | None = None
    # How a mail names the programme: phrases matched as whole words in its folded text (accents off,
    # apostrophes as spaces), and the sender domains of its students ("univ-lille.fr" and subdomains).
    mentions: tuple[str, ...] = ()
    sender_domains: tuple[str, ...] = ()
    # A programme sharing its university's domain with another claims a mail from it only when named.
    domain_needs_mention: bool = False
    # When a mail names several programmes, the lowest rank wins (the more specific name first).
    mention_rank: int = 0
    # Words naming the programme or its level: they scope a question, they do not say what it is about.
    scope_words: tuple[str, ...] = ()
    key_dates: tuple[Event, ...] = ()
    undated: tuple[str, ...] = ()  # what the guide leaves undated, said once under the key dates
    deadline_steps: Callable[[date, bool], list[Step]]

    def mentioned_in(self, folded: str) -> bool:
        """Whether a folded text (knowledge.text.fold_plain) names this programme."""
        return bool(self.mentions) and _whole_words(self.mentions).search(folded) is not None

    def has_sender(self, domain: str) -> bool:
        """Whether a sender's domain (lower case) is one of this programme's students'."""
        return any(domain == own or domain.endswith("." + own) for own in self.sender_domains)


@cache
def _whole_words(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(phrases) + r")\b")


def _p1(section: str) -> Source:
    return Source(document=GUIDE_PARIS1, section=section)


def _lille(section: str) -> Source:
    return Source(document=GUIDE_LILLE, section=section)


def _amu(section: str) -> Source:
    return Source(document=GUIDE_AMU_MIAGE, section=section)


def _allsh(section: str) -> Source:
    return Source(document=GUIDE_AMU_ALLSH, section=section)


def _profiles() -> tuple[Programme, ...]:
    return (
        Programme(
            id="paris1-miage",
            name="MIAGE L3 (formation classique)",
            institution="Université Paris 1 Panthéon-Sorbonne",
            guide=GUIDE_PARIS1,
            minimum=Duration(value=308, unit="hours", label="2 mois minimum (308 h)", source=_p1("Modalités")),
            maximum=None,
            last_day=MonthDay(month=8, day=31, label="fin du stage au plus tard le 31 août", source=_p1("Modalités")),
            refusals=(
                Refusal(code="not_development", label="documentation", source=_p1("Modalités")),
                Refusal(code="not_development", label="administration de site internet", source=_p1("Modalités")),
                Refusal(code="not_development", label="gestion des tickets d'incidents", source=_p1("Modalités")),
                Refusal(code="not_development", label="support utilisateurs", source=_p1("Modalités")),
                Refusal(
                    code="not_development",
                    label="administration machine, réseau ou système",
                    source=_p1("Modalités"),
                ),
                Refusal(code="remote_only", label="100 % télétravail", source=_p1("Modalités")),
                Refusal(code="independent_host", label="stage chez un indépendant", source=_p1("Modalités")),
            ),
            accepted="développement en informatique dans une vraie entreprise",  # 000, Modalités: "Sujets OK"
            contacts=(
                Contact(
                    role="bureau des stages (adresse unique)",
                    email="miagestages@univ-paris1.fr",
                    source=_p1("Ressources"),
                ),
            ),
            channels=("proposition-emplois-et-stages", "propositions-stages-alternances"),
            mentions=("paris ?1", "pantheon", "sorbonne", "univ-paris1"),
            sender_domains=("univ-paris1.fr", "pantheonsorbonne.fr"),
            mention_rank=2,
            scope_words=("miage",),
            key_dates=keydates.PARIS1_MIAGE,
            undated=keydates.PARIS1_MIAGE_UNDATED,
            deadline_steps=deadlines.paris1_steps,
        ),
        Programme(
            id="lille-l3",
            name="L3 Informatique et L3 MIAGE (UE Stage commune)",
            institution="Université de Lille",
            guide=GUIDE_LILLE,
            minimum=Duration(value=12, unit="weeks", label="12 semaines minimum", source=_lille("Durée du stage")),
            maximum=Duration(value=5, unit="months", label="5 mois maximum", source=_lille("Convention de stage")),
            # The guide prints "le 31 août 2022": the day is kept, the year follows the school year.
            last_day=MonthDay(
                month=8,
                day=31,
                label="date limite de fin de stage : 31 août",
                source=_lille("Durée du stage"),
            ),
            refusals=(
                Refusal(
                    code="remote_only",
                    label="télétravail complet ou stage chez l'étudiant",
                    source=_lille("Hors situation sanitaire spécifique"),
                ),
                Refusal(
                    code="independent_host",
                    label="entreprise que l'étudiant vient de créer",
                    source=_lille("Hors situation sanitaire spécifique"),
                ),
                Refusal(
                    code="not_development",
                    label="mission qui n'est pas du développement (ex. web sans BD ni framework)",
                    source=_lille("Proposition d'un stage par une entreprise"),
                ),
                Refusal(
                    code="other",
                    label="pas d'informaticien dans la société",
                    source=_lille("Proposition d'un stage par une entreprise"),
                ),
            ),
            contacts=(
                Contact(
                    role="suivi des stages (toutes correspondances)",
                    email="SuiviStage-L3info@univ-lille.fr",
                    source=_lille("Stage de licence 3"),
                ),
                # The extraction prints "Ravien.stamper": the cover names Flavien Stamper.
                Contact(
                    role="responsable des stages (avenants)",
                    email="Flavien.stamper@univ-lille.fr",
                    source=_lille("Conditions (prolonger la durée du stage)"),
                ),
                Contact(
                    role="BAIP campus Cité scientifique",
                    email="baip-campus-citescientifique@univ-lille.fr",
                    source=_lille("Comment trouver un stage"),
                ),
            ),
            paid_always=True,
            paid_always_source=_lille("Conditions : aucun stage non gratifié, sauf MEEF, SNEE et étranger"),
            mentions=("lille", "univ-lille", "villeneuve d ascq"),
            sender_domains=("univ-lille.fr",),
            mention_rank=1,
            scope_words=("l3", "lille", "licence", "miage"),
            key_dates=keydates.LILLE_L3,
            undated=keydates.LILLE_L3_UNDATED,
            deadline_steps=deadlines.lille_steps,
        ),
        Programme(
            id="amu-miage",
            name="MIAGE en alternance (L3I, M1, M2)",
            institution="Aix-Marseille Université",
            guide=GUIDE_AMU_MIAGE,
            minimum=Duration(
                value=6,
                unit="months",
                label="stage en alternance : 6 mois minimum (date à date)",
                source=_amu("§3.3.2, Tableau 5"),
            ),
            maximum=Duration(
                value=12,
                unit="months",
                label="stage en alternance : 1 an maximum (date à date)",
                source=_amu("§3.3.2, Tableau 5"),
            ),
            offer_minimum=Duration(
                value=8,
                unit="weeks",
                label="stage classique de fin d'année : au moins 8 semaines",
                source=_amu("§2.2 Rythmes de formation"),
            ),
            last_day=None,
            refusals=(
                Refusal(
                    code="remote_only",
                    label="télétravail au-delà d'une tolérance ponctuelle de 25 %",
                    source=_amu("§3.3.2, En pratique : présentiel vs distanciel"),
                ),
            ),
            contacts=(),
            mentions=("aix", "marseille", "amu", "univ-amu"),
            sender_domains=("univ-amu.fr",),
            mention_rank=4,
            scope_words=("amu", "miage", "l3"),
            key_dates=keydates.AMU_MIAGE,
            undated=keydates.AMU_MIAGE_UNDATED,
            deadline_steps=deadlines.amu_miage_steps,
        ),
        Programme(
            id="amu-allsh",
            name="Faculté ALLSH (formation initiale)",
            institution="Aix-Marseille Université",
            guide=GUIDE_AMU_ALLSH,
            minimum=None,
            maximum=Duration(
                value=924,
                unit="hours",
                label="924 heures de présence effective au plus",
                source=_allsh("III.iii Durée du stage"),
            ),
            last_day=MonthDay(
                month=9,
                day=30,
                label="fin de l'année universitaire : 30 septembre",
                source=_allsh("III.i Bornage de l'année universitaire"),
            ),
            refusals=(),
            contacts=(
                Contact(
                    role="bureau formation professionnelle et alternance",
                    email="allsh-bfp@univ-amu.fr",
                    source=_allsh("II. Le rôle des différents services"),
                ),
            ),
            mentions=("allsh", "lettres arts", "sciences humaines"),
            sender_domains=("univ-amu.fr",),
            domain_needs_mention=True,  # an AMU address is the MIAGE's unless the mail names ALLSH
            mention_rank=3,
            scope_words=("allsh", "amu", "licence"),
            key_dates=keydates.AMU_ALLSH,
            deadline_steps=deadlines.allsh_steps,
        ),
    )


@cache
def programmes() -> dict[str, Programme]:
    """All programme profiles by identifier (validated once)."""
    return {p.id: p for p in _profiles()}


def by_mention_rank() -> tuple[Programme, ...]:
    """The profiles in the order a mail's mentions are tried."""
    return tuple(sorted(programmes().values(), key=lambda p: p.mention_rank))


def programme(programme_id: str) -> Programme:
    """One profile, or a French error listing the known identifiers."""
    try:
        return programmes()[programme_id]
    except KeyError:
        known = ", ".join(programmes())
        raise UnknownProgramme(f"Programme inconnu « {programme_id} » : choisissez parmi {known}.") from None
