"""Calculator results as the contract's JSON objects (docs/CLI.md) and as French text."""

from datetime import date
from decimal import Decimal
from typing import Any

from bot.citations import cite, plain
from knowledge.timeline import Dated
from rules.calendar import REGIONS, fr_short_date
from rules.contracts import ContractWindow
from rules.deadlines import Step
from rules.durations import SOURCES as DURATION_SOURCES
from rules.durations import Durations
from rules.gratification import GratificationResult, summary_fr
from rules.money import fr_amount, fr_number
from rules.quota import SOURCES as QUOTA_SOURCES
from rules.quota import Quota
from rules.workstudy import WorkStudyPay


def num(value: Decimal) -> float:
    """JSON number for a Decimal (amounts are already rounded to the cent)."""
    return float(value)


def gratification_json(r: GratificationResult, *, region_id: str, programme_id: str | None) -> dict[str, Any]:
    """The ``calc gratification --json`` object."""
    return {
        "working_days": r.working_days,
        "hours": num(r.hours),
        "mandatory": r.mandatory,
        "hourly_rate": num(r.hourly_rate),
        "total_min": num(r.total_min),
        "smoothed_monthly": num(r.smoothed_monthly),
        "months": [
            {
                "month": m.month,
                "days": m.days,
                "hours": num(m.hours),
                "rate": num(m.rate),
                "amount": num(m.amount),
            }
            for m in r.months
        ],
        "warnings": list(r.warnings),
        "sources": [plain(s) for s in r.sources],
        "start": r.start.isoformat(),
        "end": r.end.isoformat(),
        "hours_per_day": num(r.hours_per_day),
        "threshold_day": r.threshold_day.isoformat() if r.threshold_day else None,
        "rate_overridden": r.rate_overridden,
        "region": region_id,
        "programme": programme_id,
        "notes": list(r.notes),
    }


def gratification_text(r: GratificationResult, *, region_id: str) -> str:
    """The calculator's answer for people."""
    lines = [
        f"Stage du {fr_short_date(r.start)} au {fr_short_date(r.end)} ({REGIONS[region_id].label}) :",
        summary_fr(r),
    ]
    if r.mandatory:
        if r.threshold_day:
            lines.append(f"Le seuil de 308 heures est dépassé le {fr_short_date(r.threshold_day)}.")
        label = "taux saisi" if r.rate_overridden else "minimum légal"
        lines.append(f"Mois par mois ({label}) :")
        lines.extend(
            f"  {m.month} : {m.days} j, {fr_number(m.hours)} h × {fr_number(m.rate)} €/h = {fr_amount(m.amount)}"
            for m in r.months
        )
    elif r.months:
        lines.append("Mois par mois : " + ", ".join(f"{m.month} {m.days} j ({fr_number(m.hours)} h)" for m in r.months))
    else:
        lines.append("Aucun jour travaillé sur cette période (week-ends, jours fériés et jours non travaillés ôtés).")
    lines.extend(f"⚠ {w}" for w in r.warnings)
    lines.extend(f"• {n}" for n in r.notes)
    lines.append("Sources : " + " ; ".join(map(cite, r.sources)))
    return "\n".join(lines)


def durations_json(d: Durations) -> dict[str, Any]:
    """The ``calc duree --json`` object."""
    return {
        "hours": num(d.hours),
        "days": num(d.days),
        "weeks": num(d.weeks),
        "months": num(d.months),
        "sources": [plain(s) for s in DURATION_SOURCES],
    }


def durations_text(d: Durations) -> str:
    """Durations for people."""
    return (
        f"{fr_number(d.hours)} heures = {fr_number(d.days)} jours de 7 h = {fr_number(d.weeks)} semaines de 35 h "
        f"= {fr_number(d.months)} mois de 22 jours.\nSources : " + " ; ".join(map(cite, DURATION_SOURCES))
    )


def pay_json(p: WorkStudyPay) -> dict[str, Any]:
    """The ``calc alternance-salaire --json`` object."""
    return {
        "percent_smic": p.percent_smic,
        "smic_hourly": num(p.smic_hourly),
        "monthly_gross": num(p.monthly_gross),
        "basis": p.basis,
        "sources": [plain(s) for s in p.sources],
        "contract": p.contract,
        "age": p.age,
        "year": p.year,
        "warnings": list(p.warnings),
    }


def _of(contract: str) -> str:
    """« d'apprentissage », « de professionnalisation »."""
    return f"d'{contract}" if contract[0] in "aeiou" else f"de {contract}"


def pay_text(p: WorkStudyPay) -> str:
    """Work-study pay for people."""
    lines = [
        f"Contrat {_of(p.contract)}, {p.age} ans : minimum {p.percent_smic} % du SMIC, soit "
        f"{fr_amount(p.monthly_gross)} brut par mois pour 35 h (SMIC {fr_number(p.smic_hourly)} €/h × 151,67 h).",
        f"Base : {p.basis}.",
    ]
    lines.extend(f"⚠ {w}" for w in p.warnings)
    lines.append("Sources : " + " ; ".join(map(cite, p.sources)))
    return "\n".join(lines)


def window_json(w: ContractWindow) -> dict[str, Any]:
    """The ``calc contrat-dates --json`` object."""
    return {
        "ddf": w.ddf.isoformat(),
        "dff": w.dff.isoformat(),
        "start_earliest": w.start_earliest.isoformat(),
        "start_latest": w.start_latest.isoformat(),
        "end_earliest": w.end_earliest.isoformat(),
        "end_latest": w.end_latest.isoformat(),
        "duration": w.duration,
        "formation": w.formation,
        "contract": w.contract,
        "notes": list(w.notes),
        "sources": [plain(w.source)],
    }


def window_text(w: ContractWindow) -> str:
    """Contract windows for people."""
    return "\n".join(
        [
            f"Formation du {fr_short_date(w.ddf)} (DDF) au {fr_short_date(w.dff)} (DFF), contrat : {w.contract}.",
            f"Début du contrat entre le {fr_short_date(w.start_earliest)} et le {fr_short_date(w.start_latest)}.",
            f"Fin du contrat entre le {fr_short_date(w.end_earliest)} et le {fr_short_date(w.end_latest)}.",
            f"Durée : {w.duration}.",
            *(f"• {n}" for n in w.notes),
            f"Source : {cite(w.source)}",
        ]
    )


def quota_json(q: Quota) -> dict[str, Any]:
    """The ``calc stagiaires --json`` object."""
    return {
        "max_interns": q.max_interns,
        "headcount": q.headcount,
        "max_per_tutor": q.per_tutor,
        "sources": [plain(s) for s in QUOTA_SOURCES],
    }


def quota_text(q: Quota) -> str:
    """Trainee quota for people."""
    return (
        f"Avec {q.headcount} salarié(s), l'organisme peut accueillir au plus {q.max_interns} stagiaire(s) en "
        f"même temps (moins de 20 salariés : 3 stagiaires ; à partir de 20 salariés : 15 % de l'effectif, arrondi "
        f"à l'entier supérieur) ; un tuteur suit au plus {q.per_tutor} stagiaires.\nSources : "
        + " ; ".join(map(cite, QUOTA_SOURCES))
    )


def steps_json(steps: list[Step], *, today: date | None = None) -> dict[str, Any]:
    """The ``calc echeance --json`` object."""
    return {
        "steps": [
            {
                "step": s.step,
                "latest": s.latest.isoformat(),
                "source": plain(s.source),
                **({"late": s.latest < today} if today else {}),
            }
            for s in steps
        ]
    }


def steps_text(steps: list[Step], *, start: date, today: date | None = None) -> str:
    """Deadlines for people."""
    lines = [f"Pour un début de stage le {fr_short_date(start)}, au plus tard :"]
    for s in steps:
        late = " (dépassé)" if today and s.latest < today else ""
        lines.append(f"  {fr_short_date(s.latest)}{late} : {s.step} [{cite(s.source)}]")
    return "\n".join(lines)


def dates_text(events: list[Dated], notes: tuple[str, ...] = ()) -> str:
    """Key dates for people, in the guide's words where it gives no exact day."""
    lines = [f"{e.when} : {e.label}" + (f" ({e.where})" if e.where else "") + f" [{cite(e.source)}]" for e in events]
    if not events:
        lines.append("Aucune date clé à venir pour ce programme.")
    lines.extend(f"• {note}" for note in notes)
    return "\n".join(lines)
