"""Each programme's key dates of the school year, as its guide gives them (day and month only)."""

from dataclasses import dataclass
from datetime import date

from rules.programmes import GUIDE_AMU_ALLSH, GUIDE_AMU_MIAGE, GUIDE_LILLE, GUIDE_PARIS1


@dataclass(frozen=True)
class Event:
    """A yearly event: (month, day) to optional (month, day), label, place, source."""

    start: tuple[int, int]
    label: str
    where: str
    source: str
    end: tuple[int, int] | None = None


_LILLE = f"{GUIDE_LILLE}, Calendrier (quand / où / quoi)"
EVENTS: dict[str, tuple[Event, ...]] = {
    "lille-l3": (
        Event((9, 16), "Présentation des stages", "amphi", _LILLE),
        Event((10, 3), "CV version 1 à déposer", "Moodle", _LILLE),
        Event((10, 10), "Retours sur vos CV (en collectif)", "", _LILLE),
        Event((10, 20), "Journée des Métiers de l'Informatique (JMI)", "Polytech", _LILLE),
        Event((10, 26), "Journée de Simulation d'Entretiens (JSE)", "asso MIAGE", _LILLE),
        Event((11, 15), "Quiz avancement 1 (mi-novembre)", "Moodle", _LILLE),
        Event((11, 23), "JLMI, Journée Lilloise de la MIAGE et de l'Informatique", "asso MIAGE", _LILLE),
        Event((1, 15), "Quiz avancement 2 et ouverture des RDV individuels (mi-janvier)", "Moodle", _LILLE),
        Event((2, 9), "Lilliad Alternance", "Lilliad", _LILLE),
        Event((2, 15), "Quiz avancement 3 (mi-février)", "Moodle", _LILLE),
        Event(
            (3, 1),
            "Pré-convention puis convention et circuit de signatures (début mars)",
            "Moodle, Pstage",
            _LILLE,
            end=(3, 10),
        ),
        Event((4, 11), "Convention signée, début du stage en entreprise", "entreprise", _LILLE),
        Event((6, 19), "Rapport de stage", "Moodle", _LILLE),
        Event((6, 26), "Soutenances", "M5", _LILLE, end=(6, 30)),
        Event((8, 31), "Date limite de fin de stage", "", f"{GUIDE_LILLE}, Durée du stage"),
    ),
    "paris1-miage": (
        Event(
            (6, 1),
            "Fenêtre de stage : de la fin des partiels du S2 au 31 août (2 mois minimum)",
            "entreprise",
            f"{GUIDE_PARIS1}, Modalités",
            end=(8, 31),
        ),
        Event(
            (9, 1),
            "Rapport d'activité et soutenance orale (début septembre)",
            "université",
            f"{GUIDE_PARIS1}, Modalités",
            end=(9, 10),
        ),
    ),
    "amu-miage": (
        Event(
            (5, 15),
            "Ouverture de la validation des missions d'alternance",
            "responsable de l'alternance",
            f"{GUIDE_AMU_MIAGE}, §3.3.1 Le calendrier de validation",
        ),
        Event(
            (9, 1),
            "Début de formation L3I et Master (DDF 2025/2026)",
            "Aix / Marseille",
            f"{GUIDE_AMU_MIAGE}, Tableau 5",
        ),
        Event(
            (10, 25),
            "Fin du processus de validation (fin octobre / début novembre, date exacte communiquée)",
            "",
            f"{GUIDE_AMU_MIAGE}, §3.3.1",
            end=(11, 7),
        ),
        Event(
            (10, 1),
            "Affectation des tuteurs universitaires (octobre, au plus tard début novembre)",
            "",
            f"{GUIDE_AMU_MIAGE}, §4.6",
            end=(11, 7),
        ),
        Event(
            (1, 5),
            "1re visite du tuteur universitaire (janvier/février)",
            "entreprise",
            f"{GUIDE_AMU_MIAGE}, §4.6",
            end=(2, 28),
        ),
        Event(
            (4, 1),
            "2de visite du tuteur universitaire (avril/mai, juin en M2)",
            "entreprise",
            f"{GUIDE_AMU_MIAGE}, §4.6",
            end=(5, 31),
        ),
        Event((7, 3), "Fin de formation L3I (DFF 2025/2026)", "", f"{GUIDE_AMU_MIAGE}, Tableau 5"),
    ),
    "amu-allsh": (
        Event((9, 1), "Début de l'année universitaire (bornage de 13 mois)", "", f"{GUIDE_AMU_ALLSH}, III.i"),
        Event(
            (9, 30), "Fin de l'année universitaire N+1 : le stage doit être terminé", "", f"{GUIDE_AMU_ALLSH}, III.i"
        ),
    ),
}


@dataclass(frozen=True)
class Dated:
    """An event placed on a calendar."""

    start: date
    end: date | None
    label: str
    where: str
    source: str


def upcoming(programme_id: str, since: date, *, months: int = 12) -> list[Dated]:
    """The programme's events from ``since`` over the next ``months`` months, in order."""
    placed: list[Dated] = []
    for year in (since.year, since.year + 1):
        for event in EVENTS[programme_id]:
            start = date(year, *event.start)
            end = date(year, *event.end) if event.end else None
            if end and end < start:
                end = date(year + 1, *event.end) if event.end else None
            last = end or start
            horizon = date(since.year + (since.month - 1 + months) // 12, (since.month - 1 + months) % 12 + 1, 1)
            if last >= since and start < horizon:
                placed.append(Dated(start, end, event.label, event.where, event.source))
    return sorted(placed, key=lambda d: d.start)
