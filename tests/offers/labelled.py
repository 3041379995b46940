"""The labelled offer set (tests/data/offers): kinds, forwarding decisions and problem codes."""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.offers.extract import Offer, read_offer_bytes

FOLDER = Path(__file__).parent.parent / "data" / "offers"
TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Result:
    file: str
    kind: str
    forward: bool
    problems: frozenset[str]
    offer: Offer


def read(path: Path, programme: str) -> Offer:
    """The offer in a labelled file, read as `stagebot offer check` reads it."""
    return read_offer_bytes(path.read_bytes(), programme, TODAY, is_mail=path.suffix == ".eml")


def results() -> list[Result]:
    """Every labelled offer with what StageBot decided."""
    with (FOLDER / "labels.csv").open(encoding="utf-8") as f:
        return [
            Result(
                row["file"],
                row["kind"],
                row["forward"] == "oui",
                frozenset(p for p in row["problems"].split(";") if p),
                read(FOLDER / row["file"], row["programme"]),
            )
            for row in csv.DictReader(f)
        ]


def scores(found: list[Result]) -> tuple[float, float, float]:
    """Share of right kinds, right forwarding decisions, exact problem sets."""
    n = len(found)
    return (
        sum(r.offer.kind == r.kind for r in found) / n,
        sum(r.offer.forward == r.forward for r in found) / n,
        sum({p.code for p in r.offer.problems} == r.problems for r in found) / n,
    )


if __name__ == "__main__":
    found = results()
    kinds, forwards, problems = scores(found)
    print(f"{len(found)} offres : type {kinds:.1%}, décision {forwards:.1%}, problèmes exacts {problems:.1%}")
    for r in found:
        codes = {p.code for p in r.offer.problems}
        if r.offer.kind != r.kind or r.offer.forward != r.forward or codes != r.problems:
            expected = f"{r.kind}/{r.forward}/{sorted(r.problems)}"
            print(f"{r.file}: attendu {expected} ; obtenu {r.offer.kind}/{r.offer.forward}/{sorted(codes)}")
