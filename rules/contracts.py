"""Start and end windows of work-study contracts at the AMU MIAGE (guide Tableau 5).

Source: 002_1b58e6cf34c82c9d.txt, §3.3.2 "Remplir la fiche de validation de mission", Tableau 5
("Récapitulatif des durées et dates selon les années/types de contrats/conventions"), 2025/2026.
DDF/DFF: first and last day (inclusive) of the training; DDC/DFC: first and last day of the contract.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from rules.calendar import fr_short_date
from rules.errors import InvalidPeriod, UnknownValue
from rules.sources import GUIDE_AMU_MIAGE, Source, source

TABLE5 = source(GUIDE_AMU_MIAGE, "§3.3.2, Tableau 5")
VALIDATION_CALENDAR = source(GUIDE_AMU_MIAGE, "§3.3.1 Le calendrier de validation")
TABLE5_NOTE23 = source(GUIDE_AMU_MIAGE, "§3.3.2, Tableau 5, note 23")
CONTRACTS = ("apprentissage", "professionnalisation", "stage-alternance")


@dataclass(frozen=True)
class Formation:
    """A training the contract is attached to, with its 2025/2026 first and last day."""

    id: str
    label: str
    ddf: date
    dff: date
    duration_contract: str  # apprenticeship and professionalisation
    duration_stage: str  # stage en alternance (counted date to date, Tableau 5 note 22)
    source: Source


FORMATIONS: dict[str, Formation] = {
    f.id: f
    for f in (
        # Tableau 5, column "L3I MIAGE 2025/2026".
        Formation(
            "l3i",
            "L3I parcours MIAGE 2025/2026",
            date(2025, 9, 1),
            date(2026, 7, 3),
            "1 an",
            "entre 6 mois et 1 an",
            TABLE5,
        ),
        # Tableau 5, column "Master MIAGE 2025/2027" (contract over the two years).
        Formation(
            "master",
            "Master MIAGE 2025/2027 (M1 et M2)",
            date(2025, 9, 1),
            date(2027, 9, 3),
            "2 ans",
            "entre 6 mois et 1 an, chaque année du Master",
            TABLE5,
        ),
        # Tableau 5 note 23: "le M1 MIAGE 2025/2026 se terminera officiellement le 02/09/2026 (inclus)".
        Formation(
            "m1",
            "M1 MIAGE 2025/2026",
            date(2025, 9, 1),
            date(2026, 9, 2),
            "1 an",
            "entre 6 mois et 1 an",
            TABLE5_NOTE23,
        ),
        # Tableau 5, column "M2 MIAGE 2025/2026".
        Formation(
            "m2",
            "M2 MIAGE 2025/2026",
            date(2025, 9, 4),
            date(2026, 9, 4),
            "1 an",
            "entre 6 mois et 1 an",
            TABLE5,
        ),
    )
}

# (months before DDF, months after DDF) allowed for the contract start, Tableau 5.
START_WINDOW_MONTHS = {
    "apprentissage": (3, 3),  # DDF − 3 mois ≤ DDC ≤ DDF + 3 mois
    "professionnalisation": (2, 3),  # DDF − 2 mois ≤ DDC ≤ DDF + 3 mois
    "stage-alternance": (0, 3),  # DDF ≤ DDC ≤ DDF + 3 mois
}
END_AFTER_DFF_MONTHS = 2  # contracts: DFF ≤ DFC ≤ DFF + 2 mois; stage: DFC ≤ DFF
STAGE_MIN_MONTHS = 6  # stage en alternance: between 6 months and 1 year, date to date


@dataclass(frozen=True)
class ContractWindow:
    """The allowed bounds of a contract's first and last day."""

    formation: str
    contract: str
    ddf: date
    dff: date
    start_earliest: date
    start_latest: date
    end_earliest: date
    end_latest: date
    duration: str
    notes: tuple[str, ...]
    source: Source


def formation(formation_id: str) -> Formation:
    """The formation, or a French error naming the known ones."""
    try:
        return FORMATIONS[formation_id]
    except KeyError:
        raise UnknownValue(
            f"Formation inconnue « {formation_id} » : choisissez parmi {', '.join(FORMATIONS)}."
        ) from None


OTHER_YEAR = timedelta(days=92)  # a training differing from the guide's by more than a term: another year


def window(formation_id: str, contract: str, *, ddf: date | None = None, dff: date | None = None) -> ContractWindow:
    """Contract date window for a formation, optionally with another year's DDF and DFF."""
    form = formation(formation_id)
    if contract not in CONTRACTS:
        raise UnknownValue(f"Contrat inconnu « {contract} » : {', '.join(CONTRACTS)}.")
    first = ddf or form.ddf
    last = dff or form.dff
    # One date of another school year paired with the guide's other one gives a training of the
    # wrong length ("--dff 2027-07-01" with the guide's DDF of 2025: 22 months): both are needed then.
    mismatched = (ddf is None) != (dff is None) and abs((last - first) - (form.dff - form.ddf)) > OTHER_YEAR
    if last <= first or mismatched:
        # Name what was given: a DDF alone is compared with the guide's DFF, not with a DFF typed by nobody.
        if dff is None:
            relation = "suit" if last <= first else "ne va pas avec"
            raise InvalidPeriod(
                f"Le début de formation (DDF) du {fr_short_date(first)} {relation} la fin de formation du guide "
                f"({form.label} : {fr_short_date(form.dff)}) : indiquez aussi la fin de formation (DFF)."
            )
        if ddf is None:
            relation = "précède" if last <= first else "ne va pas avec"
            raise InvalidPeriod(
                f"La fin de formation (DFF) du {fr_short_date(last)} {relation} le début de formation du guide "
                f"({form.label} : {fr_short_date(form.ddf)}) : indiquez aussi le début de formation (DDF)."
            )
        raise InvalidPeriod("La fin de formation (DFF) doit suivre le début de formation (DDF).")
    before, after = START_WINDOW_MONTHS[contract]
    start_earliest = first - relativedelta(months=before)
    start_latest = first + relativedelta(months=after)
    notes = [
        "Le contrat commence au moins une semaine après la validation de la mission par le responsable de "
        "l'alternance, avant la fin du processus de validation et après la proclamation des jurys.",
        "Il se termine avant le début de formation de l'année suivante en cas de poursuite d'études.",
    ]
    if contract == "stage-alternance":
        end_latest = last
        end_earliest = start_earliest + relativedelta(months=STAGE_MIN_MONTHS) - timedelta(days=1)
        duration = form.duration_stage
        notes.append("Durée comptée de date à date : au moins 6 mois à partir du début réel de la convention.")
    else:
        end_earliest = last
        end_latest = last + relativedelta(months=END_AFTER_DFF_MONTHS)
        duration = form.duration_contract
    return ContractWindow(
        formation=form.id,
        contract=contract,
        ddf=first,
        dff=last,
        start_earliest=start_earliest,
        start_latest=start_latest,
        end_earliest=end_earliest,
        end_latest=end_latest,
        duration=duration,
        notes=tuple(notes),
        source=form.source,
    )
