"""Each programme's key dates, as its guide gives them, and nothing the guide does not give.

A guide dates an event in one of three ways, and StageBot keeps the difference:
- a day and a month that come back every school year ("16 sept", "31 août"): placed in each year;
- words for a part of a month ("mi-novembre", "début mars", "janvier/février"): kept in the guide's
  words, bounded by thirds of a month (début = 1–10, mi = 11–20, fin = 21–last day);
- a date of one school year only (AMU Tableau 5: DDF 01/09/2025, DFF 03/07/2026): kept in that year
  and never carried over to the next one, for which the guide says nothing.
Each programme's profile (rules/programmes.py) holds its events and what its guide leaves undated;
knowledge/timeline.py places them on a calendar.
"""

import calendar
from dataclasses import dataclass

from rules.contracts import TABLE5, TABLE5_NOTE23, VALIDATION_CALENDAR
from rules.sources import GUIDE_AMU_ALLSH, GUIDE_AMU_MIAGE, GUIDE_LILLE, GUIDE_PARIS1, Source, source

MonthDay = tuple[int, int]


@dataclass(frozen=True)
class Event:
    """An event as the guide dates it.

    ``start``/``end``: (month, day) of a yearly event, exact or bounding the guide's words;
    ``words``: the guide's words when it gives no exact day; ``year``: the one year of an event the
    guide dates once (then ``start`` and ``end`` are in that year, ``end`` possibly the next).
    """

    start: MonthDay
    label: str
    where: str
    source: Source
    end: MonthDay | None = None
    words: str | None = None
    year: int | None = None


def _third(word: str, month: int) -> tuple[MonthDay, MonthDay]:
    """Début, mi or fin of a month as a span of days (a leap year's February is never assumed)."""
    last = calendar.monthrange(2001, month)[1]
    first_day, last_day = {"début": (1, 10), "mi": (11, 20), "fin": (21, last)}[word]
    return (month, first_day), (month, last_day)


def _words(words: str, label: str, where: str, source: Source, start: MonthDay, end: MonthDay) -> Event:
    return Event(start, label, where, source, end=end, words=words)


_LILLE = source(GUIDE_LILLE, "Calendrier (quand / où / quoi)")
_MID_NOV, _MID_JAN, _MID_FEB, _EARLY_MAR = _third("mi", 11), _third("mi", 1), _third("mi", 2), _third("début", 3)
_AMU_TUTORS = source(GUIDE_AMU_MIAGE, "§4.6 Tuteurs universitaires et visites en entreprise")
LILLE_L3: tuple[Event, ...] = (
    Event((9, 16), "Présentation des stages", "amphi", _LILLE),
    Event((10, 3), "CV version 1 à déposer", "Moodle", _LILLE),
    Event((10, 10), "Retours sur vos CV (en collectif)", "", _LILLE),
    Event((10, 20), "Journée des Métiers de l'Informatique (JMI)", "Polytech", _LILLE),
    Event((10, 26), "Journée de Simulation d'Entretiens (JSE)", "asso MIAGE", _LILLE),
    _words("mi-novembre", "Quiz avancement 1", "Moodle", _LILLE, *_MID_NOV),
    Event((11, 23), "JLMI, Journée Lilloise de la MIAGE et de l'Informatique", "asso MIAGE", _LILLE),
    _words("mi-janvier", "Quiz avancement 2 et ouverture des RDV individuels", "Moodle", _LILLE, *_MID_JAN),
    Event((2, 9), "Lilliad Alternance", "Lilliad", _LILLE),
    _words("mi-février", "Quiz avancement 3", "Moodle", _LILLE, *_MID_FEB),
    _words(
        "début mars",
        "Pré-convention (Moodle) puis convention et circuit de signatures (Pstage)",
        "Moodle, Pstage",
        _LILLE,
        *_EARLY_MAR,
    ),
    Event((4, 11), "Convention signée, début du stage en entreprise", "entreprise", _LILLE),
    Event((6, 19), "Rapport de stage", "Moodle", _LILLE),
    Event((6, 26), "Soutenances", "M5", _LILLE, end=(6, 30)),
    Event((8, 31), "Date limite de fin de stage", "", source(GUIDE_LILLE, "Durée du stage")),
)
PARIS1_MIAGE: tuple[Event, ...] = (
    # The window opens "à la fin des partiels du deuxième semestre", a day the guide does not give.
    Event(
        (8, 31),
        "Fin de la fenêtre de stage, ouverte à la fin des partiels du deuxième semestre (2 mois minimum)",
        "entreprise",
        source(GUIDE_PARIS1, "Modalités"),
    ),
    _words(
        "début septembre",
        "Rapport d'activité et soutenance orale",
        "université",
        source(GUIDE_PARIS1, "Modalités"),
        *_third("début", 9),
    ),
)
AMU_MIAGE: tuple[Event, ...] = (
    # Dated for 2025/2026 only: "à partir du 15 Mai 2025", Tableau 5's DDF and DFF.
    Event((5, 15), "Ouverture de la validation des missions d'alternance", "", VALIDATION_CALENDAR, year=2025),
    Event((9, 1), "Début de formation L3I, M1 et Master 2025/2027 (DDF)", "", TABLE5, year=2025),
    Event((9, 4), "Début de formation M2 (DDF 2025/2026)", "", TABLE5, year=2025),
    Event((7, 3), "Fin de formation L3I (DFF 2025/2026)", "", TABLE5, year=2026),
    Event((9, 2), "Fin de formation M1 (DFF 2025/2026)", "", TABLE5_NOTE23, year=2026),
    Event((9, 4), "Fin de formation M2 (DFF 2025/2026)", "", TABLE5, year=2026),
    Event((9, 3), "Fin de formation du Master 2025/2027 (DFF)", "", TABLE5, year=2027),
    # Every year, in the guide's words.
    _words(
        "fin octobre / début novembre",
        "Fin du processus de validation des missions (date exacte communiquée aux étudiants)",
        "",
        VALIDATION_CALENDAR,
        _third("fin", 10)[0],
        _third("début", 11)[1],
    ),
    _words(
        "courant octobre, au plus tard début novembre",
        "Affectation des tuteurs universitaires",
        "",
        _AMU_TUTORS,
        (10, 1),
        _third("début", 11)[1],
    ),
    _words("janvier/février", "1re visite du tuteur universitaire", "entreprise", _AMU_TUTORS, (1, 1), (2, 28)),
    _words(
        "avril/mai",
        "2de visite du tuteur universitaire (voire juin pour les M2)",
        "entreprise",
        _AMU_TUTORS,
        (4, 1),
        (5, 31),
    ),
)
AMU_ALLSH: tuple[Event, ...] = (
    Event((9, 1), "Début de l'année universitaire (bornage de 13 mois)", "", source(GUIDE_AMU_ALLSH, "III.i")),
    Event(
        (9, 30),
        "Fin de l'année universitaire N+1 : le stage doit être terminé",
        "",
        source(GUIDE_AMU_ALLSH, "III.i"),
    ),
)
# What the guide leaves undated, said once under the programme's dates.
PARIS1_MIAGE_UNDATED = (
    "Le guide ne date pas la fin des partiels du deuxième semestre : voyez le calendrier de la formation.",
)
LILLE_L3_UNDATED = (
    "Le calendrier du guide donne des jours sans année (« 11 avril », « 19 juin ») : ils sont reportés "
    "sur chaque année à titre indicatif et peuvent tomber un week-end ; les dates de l'année sont sur "
    "le cours Moodle « [L3 Info] Stage ».",
)
AMU_MIAGE_UNDATED = (
    "Le guide ne donne les dates de formation (DDF, DFF) et l'ouverture des validations que pour "
    "l'année 2025/2026 (Master 2025/2027) : celles des années suivantes seront communiquées par la formation.",
)
