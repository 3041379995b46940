"""Programme profiles: each programme's duration bounds, window, refused subjects and contacts.

Every value comes from the programme's guide in ../shared/guides/ and cites its file and section.
The profiles are validated by pydantic when first read.
"""

from datetime import date
from functools import cache
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field

from rules.errors import UnknownProgramme
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
    channels: tuple[str, ...] = ()
    paid_always: bool = False
    paid_always_source: Source | None = None
    # The minimum for a stage offered to the programme's students when it differs from `minimum`
    # (AMU MIAGE: `minimum` is the work-study stage's; a classic end-of-year stage has its own).
    offer_minimum: Duration | None = None


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
            contacts=(
                Contact(
                    role="bureau des stages (adresse unique)",
                    email="miagestages@univ-paris1.fr",
                    source=_p1("Ressources"),
                ),
            ),
            channels=("proposition-emplois-et-stages", "propositions-stages-alternances"),
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
        ),
    )


@cache
def programmes() -> dict[str, Programme]:
    """All programme profiles by identifier (validated once)."""
    return {p.id: p for p in _profiles()}


def programme(programme_id: str) -> Programme:
    """One profile, or a French error listing the known identifiers."""
    try:
        return programmes()[programme_id]
    except KeyError:
        known = ", ".join(programmes())
        raise UnknownProgramme(f"Programme inconnu « {programme_id} » : choisissez parmi {known}.") from None
