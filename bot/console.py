"""``stagebot chat``: a console conversation with the same commands as the Discord bot."""

import shlex
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TextIO

from bot import render
from bot.assistant.answer import Answer, ask
from bot.assistant.intents import UNITS
from bot.errors import BotError, InputError
from bot.parsing import parse_date, parse_decimal, parse_int
from knowledge.timeline import upcoming
from rules import deadlines, durations, gratification, quota
from rules.errors import RuleError
from rules.programmes import programme, programmes

HELP = """Commandes :
  /gratification DEBUT FIN [HEURES_PAR_JOUR]   gratification minimale (dates 2026-06-01, 01/06/2026 ou « 1 juin 2026 »)
  /dates                                       dates clés de votre programme
  /echeance DEBUT [etranger]                   date limite de chaque démarche avant le début du stage
  /duree NOMBRE heures|jours|semaines|mois     conversion de durées
  /stagiaires EFFECTIF                         nombre maximal de stagiaires simultanés
  /programme [ID]                              voir ou choisir votre programme
  /historique                                  vos questions de cette session
  /aide, /quitter
Ou posez votre question librement."""


class Console:
    """One conversation: the student's programme, today, and the history."""

    def __init__(
        self, programme_id: str, today: date, *, on_answer: Callable[[str, str, Answer], None] | None = None
    ) -> None:
        self.programme_id = programme_id
        self.today = today
        self.history: list[str] = []
        self.on_answer = on_answer  # e.g. logs what the base could not answer

    def reply(self, line: str) -> str | None:
        """The answer to one line; None means the conversation ends."""
        text = line.strip()
        if not text:
            return ""
        self.history.append(text)
        if not text.startswith("/"):
            answer = ask(text, self.programme_id, self.today)
            if self.on_answer is not None:
                self.on_answer(text, self.programme_id, answer)
            return answer.as_text()
        try:
            words = shlex.split(text[1:])
        except ValueError:
            words = text[1:].split()
        if not words:
            return HELP
        command, args = words[0].lower(), words[1:]
        try:
            return self._command(command, args)
        except (BotError, RuleError) as exc:
            return str(exc)

    def _command(self, command: str, args: list[str]) -> str | None:
        if command in {"quitter", "exit", "quit", "q"}:
            return None
        if command in {"aide", "help", "h"}:
            return HELP
        if command == "historique":
            return "\n".join(f"{i}. {q}" for i, q in enumerate(self.history[:-1], start=1)) or "Aucune question."
        if command == "programme":
            if args:
                self.programme_id = programme(args[0]).id
                return f"Programme choisi : {self.programme_id} ({programme(self.programme_id).name})."
            return f"Programme actuel : {self.programme_id}. Choix : {', '.join(programmes())}."
        if command == "dates":
            return render.dates_text(upcoming(self.programme_id, self.today))
        if command == "gratification":
            if len(args) < 2:
                raise InputError("Usage : /gratification DEBUT FIN [HEURES_PAR_JOUR].")
            start, end = _two_dates(args)
            rest = args[_dates_width(args) :]
            hours = parse_decimal(rest[0], "Le nombre d'heures par jour") if rest else None
            result = gratification.compute(start, end, hours_per_day=hours, programme=programme(self.programme_id))
            return render.gratification_text(result, region_id="metropole")
        if command == "echeance":
            if not args:
                raise InputError("Usage : /echeance DEBUT [etranger].")
            abroad = args[-1].lower().startswith("etranger") or args[-1].lower().startswith("étranger")
            start = parse_date(" ".join(args[:-1] if abroad else args))
            steps = deadlines.steps_before(start, self.programme_id, abroad=abroad)
            return render.steps_text(steps, start=start, today=self.today)
        if command == "duree":
            if len(args) != 2 or args[1].lower() not in UNITS:
                raise InputError("Usage : /duree NOMBRE heures|jours|semaines|mois.")
            value: Decimal = parse_decimal(args[0], "La durée")
            return render.durations_text(durations.convert(value, UNITS[args[1].lower()]))
        if command == "stagiaires":
            if len(args) != 1:
                raise InputError("Usage : /stagiaires EFFECTIF.")
            return render.quota_text(quota.max_interns(parse_int(args[0], "L'effectif")))
        raise InputError(f"Commande inconnue /{command} : tapez /aide.")

    def loop(self, stdin: TextIO, stdout: TextIO) -> int:
        """Read lines until /quitter or end of input."""
        interactive = stdin.isatty()
        stdout.write(f"StageBot ({self.programme_id}). Posez votre question, /aide pour les commandes.\n")
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                stdout.write("Au revoir !\n")
                return 0
            answer = self.reply(line)
            if answer is None:
                stdout.write("Au revoir !\n")
                return 0
            if answer:
                stdout.write(answer + "\n")
            stdout.flush()


def _dates_width(args: list[str]) -> int:
    """How many words the two dates take: 2 for numeric dates, 6 for « 1 juin 2026 » twice."""
    return 6 if len(args) >= 6 and not any(c.isdigit() for c in args[1]) else 2


def _two_dates(args: list[str]) -> tuple[date, date]:
    if _dates_width(args) == 6:
        return parse_date(" ".join(args[0:3])), parse_date(" ".join(args[3:6]))
    return parse_date(args[0]), parse_date(args[1])
