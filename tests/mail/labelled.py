"""The labelled mail set (tests/data/mails): accuracy and confusion matrix of the triage."""

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.mail.classify import CATEGORIES
from bot.mail.message import read_mail
from bot.mail.triage import Decision, decide
from bot.settings import MailSettings

FOLDER = Path(__file__).parent.parent / "data" / "mails"
TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class Result:
    file: str
    expected: str
    urgent: bool
    decision: Decision


def results() -> list[Result]:
    """The triage of every labelled mail."""
    settings = MailSettings(address="stages@example.org")
    out = []
    with (FOLDER / "labels.csv").open() as f:
        for row in csv.DictReader(f):
            mail = read_mail((FOLDER / row["file"]).read_bytes(), own=settings.own_addresses)
            out.append(
                Result(
                    row["file"],
                    row["category"],
                    row["urgent"] == "urgent",
                    decide(mail, settings, "paris1-miage", TODAY),
                )
            )
    return out


def confusion(found: list[Result]) -> str:
    """The confusion matrix as a Markdown table (rows: expected, columns: decided)."""
    counts = Counter((r.expected, r.decision.category) for r in found)
    head = "| attendu \\ décidé | " + " | ".join(CATEGORIES) + " |"
    lines = [head, "|" + "---|" * (len(CATEGORIES) + 1)]
    for expected in CATEGORIES:
        lines.append(f"| {expected} | " + " | ".join(str(counts[(expected, c)] or "") for c in CATEGORIES) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    found = results()
    right = sum(r.expected == r.decision.category for r in found)
    print(f"{right}/{len(found)} = {right / len(found):.1%}")
    print(confusion(found))
    for r in found:
        if (
            r.expected != r.decision.category
            or (r.urgent and not r.decision.urgent)
            or (r.decision.urgent and not r.urgent)
        ):
            print(
                r.file,
                r.expected,
                "urgent" if r.urgent else "",
                "->",
                r.decision.category,
                "urgent" if r.decision.urgent else "",
                r.decision.reasons[:4],
            )
