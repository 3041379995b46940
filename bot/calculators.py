"""The calculators, described once: the command line, the console and Discord build their commands here.

Each ``Calculator`` names its command on each surface (``stagebot calc gratification`` on the
command line, ``/gratification`` in the console and on Discord), its options with their French
names (console and Discord), their command-line flags (docs/CLI.md), their types, bounds, defaults
and French choice labels, and the function that calls ``rules`` and returns an ``Outcome``: a
title, French text, the contract's JSON object and the rules' own typed result. Adapters only map
their input onto the options and render the outcome; none of them types a calculator again.

Options flagged ``chat=False`` exist only on the command line (a weekly volume, another year's
DDF…); every other option has the same name, type, bounds and choices in the console and on Discord.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from bot import render
from bot.citations import plain
from bot.errors import InputError
from bot.parsing import in_range, parse_date, parse_decimal, parse_int, read_date, read_one, read_period
from knowledge.text import fold
from knowledge.timeline import notes as timeline_notes
from knowledge.timeline import upcoming
from rules import contracts, deadlines, durations, gratification, quota, workstudy
from rules.calendar import MON_FRI, REGIONS, fr_short_date, parse_weekdays
from rules.programmes import Programme, programme, programmes
from rules.sources import Source

DISCORD_TEXT_MAX = 100  # Discord's limit on a description or a choice label


class Kind(Enum):
    """What an option holds, and so how each surface reads it."""

    DATE = "date"  # a day, as typed (year optional: read against today)
    DATES = "dates"  # several days (repeated on the command line, comma-separated elsewhere)
    NUMBER = "number"  # a decimal number, decimal comma accepted
    INTEGER = "integer"
    CHOICE = "choice"  # one of ``choices``
    FLAG = "flag"  # yes or no, no by default
    PROGRAMME = "programme"  # a programme identifier; the user's own by default
    WEEKDAYS = "weekdays"  # mon,tue,…


@dataclass(frozen=True)
class Option:
    """One option of a calculator, the same everywhere it is offered."""

    name: str  # console keyword and Discord option: lower case, no space
    flag: str | None  # command line (docs/CLI.md); None: not on the command line
    kind: Kind
    help: str  # French, at most 100 characters (Discord's limit)
    what: str  # the value's name at the start of a French error: "L'âge"
    required: bool = False
    default: Any = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, French label)
    low: int | None = None  # inclusive bounds of a NUMBER or an INTEGER
    high: int | None = None
    chat: bool = True  # also in the console and on Discord
    exclusive: str | None = None  # command line: options of the same group exclude each other

    def label(self, value: str) -> str:
        """The French label of a choice."""
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class Context:
    """Who asks and when: the programme used when no option names one, and today."""

    programme: str
    today: date


@dataclass(frozen=True)
class Outcome:
    """A calculator's answer, for every adapter to render its own way."""

    title: str
    text: str
    json: dict[str, Any]
    result: Any  # the rules' typed result (GratificationResult, WorkStudyPay…)
    sources: tuple[Source, ...] = ()


Values = dict[str, Any]


@dataclass(frozen=True)
class Calculator:
    """One calculator and its command on every surface."""

    name: str  # console and Discord: "gratification", "alternance salaire"
    cli: tuple[str, ...]  # command line: ("calc", "gratification"), ("dates",)
    help: str  # French, at most 100 characters
    options: tuple[Option, ...]
    compute: Callable[[Values, Context], Outcome]
    # Command line only: the unit is chosen by which flag carries the value (duree --weeks 12).
    unit_flags: Mapping[str, str] = field(default_factory=dict)

    @property
    def chat_options(self) -> tuple[Option, ...]:
        """The options offered in the console and on Discord."""
        return tuple(o for o in self.options if o.chat)

    def option(self, name: str) -> Option:
        """An option by name."""
        return next(o for o in self.options if o.name == name)


# ---- reading values ------------------------------------------------------------------------------
_YES = {"oui", "o", "yes", "y", "true", "vrai", "1"}
_NO = {"non", "n", "no", "false", "faux", "0"}


def _read_one(option: Option, value: object) -> Any:
    if option.kind is Kind.DATES:
        texts = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        return [part.strip() for text in texts for part in str(text).split(",") if part.strip()]
    if option.kind is Kind.DATE:
        return str(value)
    if option.kind is Kind.NUMBER:
        number = parse_decimal(value, option.what) if isinstance(value, str) else Decimal(str(value))
        in_range(number, option.low, option.high, option.what)
        return number
    if option.kind is Kind.INTEGER:
        if isinstance(value, str):
            whole = parse_int(value, option.what)
        elif isinstance(value, int) and not isinstance(value, bool):
            whole = value
        else:
            raise InputError(f"{option.what} doit être un nombre entier (reçu « {value} »).")
        in_range(whole, option.low, option.high, option.what)
        return whole
    if option.kind is Kind.FLAG:
        if isinstance(value, bool):
            return value
        text = fold(str(value))
        if text in _YES or text == fold(option.name):
            return True
        if text in _NO:
            return False
        raise InputError(f"{option.what} : répondez oui ou non (reçu « {value} »).")
    if option.kind is Kind.CHOICE:
        text = str(value).strip()
        for choice, label in option.choices:
            if fold(text) in (fold(choice), fold(label)):
                return choice
        allowed = ", ".join(choice for choice, _ in option.choices)
        raise InputError(f"{option.what} : « {text} » n'est pas une valeur possible ({allowed}).")
    if option.kind is Kind.PROGRAMME:
        return programme(str(value).strip()).id  # French error listing the identifiers
    return parse_weekdays(str(value))  # Kind.WEEKDAYS


def read(calculator: Calculator, raw: Mapping[str, object]) -> Values:
    """Check and convert what an adapter collected (text, or Discord's typed values), by option name."""
    values: Values = {}
    for option in calculator.options:
        value = raw.get(option.name)
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            if option.required:
                raise InputError(f"Il manque {option.what[0].lower()}{option.what[1:]} ({option.name}).")
            values[option.name] = False if option.kind is Kind.FLAG else option.default
            continue
        values[option.name] = _read_one(option, value)
    return values


def run(calculator: Calculator, raw: Mapping[str, object], context: Context) -> Outcome:
    """Read the values and compute: the one call every adapter makes."""
    return calculator.compute(read(calculator, raw), context)


def _day_within(text: str, first: date) -> date:
    """A day of a period: without its year, its first occurrence from the period's first day."""
    found = read_date(text)
    return found if isinstance(found, date) else found.on_or_after(first)


def _programme(values: Values, context: Context) -> Programme:
    return programme(str(values.get("programme") or context.programme))


# ---- the calculators -----------------------------------------------------------------------------
def _gratification(values: Values, context: Context) -> Outcome:
    period = read_period(values["debut"], values["fin"], context.today)
    start, end = period.days
    profile = _programme(values, context)
    result = gratification.compute(
        start,
        end,
        hours_per_day=values["heures_par_jour"],
        hours_per_week=values["heures_par_semaine"],
        weekdays=values["jours"] or MON_FRI,
        region_id=values["region"],
        days_off=[_day_within(text, start) for text in values["jours_off"] or []],
        rate=values["taux"],
        programme=profile,
    )
    payload = render.gratification_json(result, region_id=values["region"], programme_id=profile.id)
    payload["notes"] = [*period.notes, *payload["notes"]]
    return Outcome(
        f"Gratification du {start:%d/%m/%Y} au {end:%d/%m/%Y}",
        "\n".join([*period.notes, render.gratification_text(result, region_id=values["region"])]),
        payload,
        result,
        result.sources,
    )


def _dates(values: Values, context: Context) -> Outcome:
    profile = _programme(values, context)
    since = parse_date(values["depuis"], context.today) if values["depuis"] else context.today
    events = upcoming(profile, since)
    undated = timeline_notes(profile)
    payload = {
        "dates": [
            {
                "date": e.start.isoformat(),
                "end": e.end.isoformat() if e.end else None,
                "label": e.label,
                "where": e.where,
                "source": plain(e.source),
                "when": e.when,
                "exact": e.exact,
            }
            for e in events
        ],
        "notes": list(undated),
    }
    title = f"Dates clés — {profile.name}"
    return Outcome(title, render.dates_text(events, undated), payload, events)


def _echeance(values: Values, context: Context) -> Outcome:
    read = read_one(values["debut"], context.today)
    start = read.days[0]
    steps = deadlines.steps_before(start, _programme(values, context), abroad=values["etranger"], today=context.today)
    text = render.steps_text(steps, start=start, today=context.today)
    return Outcome(
        f"Échéances pour un début le {start:%d/%m/%Y}",
        "\n".join([*read.notes, text]),
        render.steps_json(steps, today=context.today),
        steps,
    )


UNITS = {"heures": "hours", "jours": "days", "semaines": "weeks", "mois": "months"}


def _duree(values: Values, context: Context) -> Outcome:
    del context
    converted = durations.convert(values["valeur"], UNITS[values["unite"]])
    return Outcome(
        "Conversion de durée",
        render.durations_text(converted),
        render.durations_json(converted),
        converted,
        durations.SOURCES,
    )


def _stagiaires(values: Values, context: Context) -> Outcome:
    del context
    found = quota.max_interns(values["effectif"])
    return Outcome("Stagiaires simultanés", render.quota_text(found), render.quota_json(found), found, quota.SOURCES)


def _salaire(values: Values, context: Context) -> Outcome:
    on = parse_date(values["date"], context.today) if values["date"] else context.today
    pay = workstudy.minimum_pay(
        values["contrat"], values["age"], values["annee"], on, qualified=not values["niveau_base"]
    )
    return Outcome("Salaire minimum en alternance", render.pay_text(pay), render.pay_json(pay), pay, pay.sources)


def _contrat_dates(values: Values, context: Context) -> Outcome:
    ddf = parse_date(values["ddf"], context.today) if values["ddf"] else None
    dff = parse_date(values["dff"], context.today) if values["dff"] else None
    window = contracts.window(values["formation"], values["contrat"], ddf=ddf, dff=dff)
    text = render.window_text(window)
    if window.start_latest < context.today:
        body, _, source = text.rpartition("\n")
        passed = (
            f"• Cette fenêtre est passée (nous sommes le {fr_short_date(context.today)}) : pour une autre année, "
            "indiquez son début et sa fin de formation (DDF et DFF)."
        )
        text = f"{body}\n{passed}\n{source}"
    return Outcome("Dates du contrat", text, render.window_json(window), window, (window.source,))


def _clip(text: str) -> str:
    return text if len(text) <= DISCORD_TEXT_MAX else text[: DISCORD_TEXT_MAX - 1] + "…"


def _programme_option(help_text: str) -> Option:
    return Option(
        "programme",
        "--programme",
        Kind.PROGRAMME,
        help_text,
        "Le programme",
        choices=tuple((pid, _clip(f"{p.name} — {p.institution}")) for pid, p in programmes().items()),
    )


@cache
def calculators() -> tuple[Calculator, ...]:
    """Every calculator, in the order the help lists them."""
    region = Option(
        "region",
        "--region",
        Kind.CHOICE,
        "Jours fériés de cette région (France métropolitaine par défaut)",
        "La région",
        default="metropole",
        choices=tuple((r.id, r.label) for r in REGIONS.values()),
    )

    def contract(choices: tuple[tuple[str, str], ...]) -> Option:
        return Option(
            "contrat",
            "--contract",
            Kind.CHOICE,
            "Type de contrat",
            "Le type de contrat",
            required=True,
            choices=choices,
        )

    contract_choices = (
        ("apprentissage", "Contrat d'apprentissage"),
        ("professionnalisation", "Contrat de professionnalisation"),
    )
    return (
        Calculator(
            "gratification",
            ("calc", "gratification"),
            "Jours travaillés, heures et gratification minimale mois par mois",
            (
                Option(
                    "debut",
                    "--start",
                    Kind.DATE,
                    "Premier jour du stage (2026-06-01, 01/06/2026 ou « 1 juin 2026 »)",
                    "Le premier jour",
                    required=True,
                ),
                Option("fin", "--end", Kind.DATE, "Dernier jour du stage, inclus", "Le dernier jour", required=True),
                Option(
                    "heures_par_jour",
                    "--hours-per-day",
                    Kind.NUMBER,
                    "Heures par jour (7 par défaut, 10 au plus)",
                    "Le nombre d'heures par jour",
                    low=1,
                    high=10,
                    exclusive="volume",
                ),
                Option(
                    "heures_par_semaine",
                    "--hours-per-week",
                    Kind.NUMBER,
                    "Heures par semaine, réparties sur les jours travaillés",
                    "Le nombre d'heures par semaine",
                    low=1,
                    high=48,
                    chat=False,
                    exclusive="volume",
                ),
                region,
                Option(
                    "jours_off",
                    "--day-off",
                    Kind.DATES,
                    "Jours non travaillés (congés…) dans la période, séparés par des virgules",
                    "Les jours non travaillés",
                ),
                _programme_option("Programme (le vôtre par défaut) : durée minimale et date limite"),
                Option(
                    "jours",
                    "--weekdays",
                    Kind.WEEKDAYS,
                    "Jours travaillés (mon,tue,wed,thu,fri par défaut)",
                    "Les jours travaillés",
                    chat=False,
                ),
                Option(
                    "taux",
                    "--rate",
                    Kind.NUMBER,
                    "Taux horaire (€/h) au lieu du minimum légal",
                    "Le taux horaire",
                    low=0,
                    high=1000,
                    chat=False,
                ),
            ),
            _gratification,
        ),
        Calculator(
            "dates",
            ("dates",),
            "Les prochaines dates clés de votre programme",
            (
                _programme_option("Programme (le vôtre par défaut)"),
                Option(
                    "depuis",
                    "--from",
                    Kind.DATE,
                    "À partir de ce jour (aujourd'hui par défaut)",
                    "Le premier jour",
                    chat=False,
                ),
            ),
            _dates,
        ),
        Calculator(
            "echeance",
            ("calc", "echeance"),
            "La date limite de chaque démarche avant le début du stage",
            (
                Option("debut", "--start", Kind.DATE, "Premier jour du stage", "Le premier jour", required=True),
                Option("etranger", "--abroad", Kind.FLAG, "Stage à l'étranger", "Stage à l'étranger"),
                _programme_option("Programme (le vôtre par défaut)"),
            ),
            _echeance,
        ),
        Calculator(
            "duree",
            ("calc", "duree"),
            "Convertir une durée en heures, jours de 7 h, semaines de 35 h et mois de 22 jours",
            (
                Option(
                    "valeur",
                    None,
                    Kind.NUMBER,
                    "La durée, dans l'unité choisie",
                    "La durée",
                    required=True,
                    low=0,
                    high=int(durations.MAX_HOURS),
                ),
                Option(
                    "unite",
                    None,
                    Kind.CHOICE,
                    "Unité de la durée",
                    "L'unité",
                    required=True,
                    choices=(
                        ("heures", "heures"),
                        ("jours", "jours de 7 h"),
                        ("semaines", "semaines de 35 h"),
                        ("mois", "mois de 22 jours"),
                    ),
                ),
            ),
            _duree,
            unit_flags={"heures": "--hours", "jours": "--days", "semaines": "--weeks", "mois": "--months"},
        ),
        Calculator(
            "stagiaires",
            ("calc", "stagiaires"),
            "Nombre maximal de stagiaires en même temps dans un organisme",
            (
                Option(
                    "effectif",
                    "--headcount",
                    Kind.INTEGER,
                    "Effectif de l'organisme (nombre de salariés)",
                    "L'effectif",
                    required=True,
                    low=quota.MIN_HEADCOUNT,
                    high=quota.MAX_HEADCOUNT,
                ),
            ),
            _stagiaires,
        ),
        Calculator(
            "alternance salaire",
            ("calc", "alternance-salaire"),
            "Salaire minimum d'un apprenti ou d'un contrat de professionnalisation",
            (
                contract(contract_choices),
                Option(
                    "age",
                    "--age",
                    Kind.INTEGER,
                    "Âge de l'alternant",
                    "L'âge",
                    required=True,
                    low=workstudy.MIN_AGE,
                    high=workstudy.MAX_AGE,
                ),
                Option(
                    "annee",
                    "--year",
                    Kind.INTEGER,
                    "Année du contrat : 1, 2 ou 3 (1 par défaut)",
                    "L'année de contrat",
                    default=1,
                    low=1,
                    high=3,
                ),
                Option(
                    "niveau_base",
                    "--base-level",
                    Kind.FLAG,
                    "Contrat pro : grille de base (55 %/70 %), qui ne concerne pas la MIAGE",
                    "Le niveau de base",
                ),
                Option(
                    "date",
                    "--date",
                    Kind.DATE,
                    "Date du calcul (aujourd'hui par défaut)",
                    "La date du calcul",
                    chat=False,
                ),
            ),
            _salaire,
        ),
        Calculator(
            "alternance dates",
            ("calc", "contrat-dates"),
            "Bornes de début et de fin d'un contrat d'alternance (MIAGE Aix-Marseille)",
            (
                Option(
                    "formation",
                    "--formation",
                    Kind.CHOICE,
                    "Formation",
                    "La formation",
                    required=True,
                    choices=tuple((f.id, f.label) for f in contracts.FORMATIONS.values()),
                ),
                contract((*contract_choices, ("stage-alternance", "Stage en alternance"))),
                Option(
                    "ddf",
                    "--ddf",
                    Kind.DATE,
                    "Début de formation, si autre que celui du guide 2025/2026",
                    "Le début de formation",
                    chat=False,
                ),
                Option(
                    "dff",
                    "--dff",
                    Kind.DATE,
                    "Fin de formation, si autre que celle du guide 2025/2026",
                    "La fin de formation",
                    chat=False,
                ),
            ),
            _contrat_dates,
        ),
    )


def calculator(name: str) -> Calculator:
    """A calculator by its console and Discord name."""
    return next(c for c in calculators() if c.name == name)
