"""``stagebot kb check``: schema, unique ids, sources, templates, colliding phrasings, golden questions."""

import tomllib
from datetime import date
from importlib import resources

from knowledge.base import KnowledgeError, load
from knowledge.figures import render
from knowledge.search import Index
from rules.sources import GUIDES


def golden() -> list[dict[str, str]]:
    """The golden questions shipped with the base: each must reach its entry."""
    text = (resources.files("knowledge") / "data" / "golden.toml.in").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["case"])


def check(today: date) -> tuple[list[str], str]:
    """Every problem found, and a one-line summary."""
    problems: list[str] = []
    try:
        base = load()
    except KnowledgeError as exc:
        return [str(exc)], "Base de connaissances illisible."
    for entry in base.entries:
        try:
            render(entry.answer, today)
        except (KeyError, ValueError, IndexError) as exc:
            problems.append(f"{entry.id} : gabarit invalide ({exc})")
        doc = entry.source.document
        if not (doc in GUIDES or any(word in doc for word in ("Code", "service-public", "décret", "arrêté"))):
            problems.append(f"{entry.id} : source inconnue « {doc} »")
        if (
            entry.figure_year is None
            and any(fig in entry.answer for fig in ("4,5 €", "4,35 €", "3,90 €"))
            and "{taux_gratification}" not in entry.answer
        ):
            problems.append(f"{entry.id} : chiffre légal écrit en dur, utilisez {{taux_gratification}}")
    index = Index(base.entries)
    problems.extend(f"phrasé commun à {a} et {b} : « {q} »" for a, b, q in index.collisions())
    cases = golden()
    for case in cases:
        hits = index.search(case["question"], programme=case.get("programme"), limit=1)
        if not hits or hits[0].entry.id != case["entry"]:
            got = hits[0].entry.id if hits else "rien"
            problems.append(f"question de référence « {case['question']} » → {got}, attendu {case['entry']}")
    problems.extend(
        f"guide {g} sans aucune entrée" for g in GUIDES if not any(g in e.source.document for e in base.entries)
    )
    summary = (
        f"{len(base.entries)} entrées, {sum(len(e.questions) for e in base.entries)} phrasés, "
        f"{len(cases)} questions de référence : {len(problems)} problème(s)."
    )
    return problems, summary
