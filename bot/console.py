"""``stagebot chat``: a console conversation with the same commands as the Discord bot.

The calculators come from the one table (bot/calculators.py), with Discord's names and options:
``/gratification 1 juin 2026 28 août 2026 heures_par_jour=8``, ``/alternance salaire
professionnalisation 24``, ``/dates lille-l3``. Required options may be given in order, any option
as ``nom=valeur``, a yes/no option by its name alone (``etranger``). On a terminal the line is
edited with readline (arrows, history); Ctrl-C or Ctrl-D leave with a goodbye.
"""

import shlex
import sys
from typing import TextIO

from bot.calculators import Calculator, Context, Kind, Option, calculators, run
from bot.core import Core
from bot.errors import BotError, InputError
from bot.parsing import MAX_QUESTION, MONTHS, clean_line, read_question
from knowledge.text import fold
from rules.errors import RuleError
from rules.programmes import programme, programmes

GOODBYE = "Au revoir !"
MAX_LINE = 4 * MAX_QUESTION  # a longer line is read no further: it is refused as too long anyway
QUIT = {"quitter", "exit", "quit", "q"}
HELP_WORDS = {"aide", "help", "h"}


def positional_options(calculator: Calculator) -> list[Option]:
    """The options that may be given without their name: the required ones, then the first optional one."""
    options = [o for o in calculator.chat_options if o.kind is not Kind.FLAG]
    required = [o for o in options if o.required]
    optional = [o for o in options if not o.required]
    return required + optional[:1]


def usage(calculator: Calculator) -> str:
    """``/gratification DEBUT FIN [HEURES_PAR_JOUR] [region=…] …``."""
    in_order = positional_options(calculator)
    words = [f"/{calculator.name}"]
    for option in calculator.chat_options:
        if option.required:
            words.append(option.name.upper())
        elif option in in_order:
            words.append(f"[{option.name.upper()}]")
        elif option.kind is Kind.FLAG:
            words.append(f"[{option.name}]")
        else:
            words.append(f"[{option.name}=…]")
    return " ".join(words)


def help_text() -> str:
    """The list of commands."""
    lines = ["Commandes (les mêmes que sur Discord) :"]
    for calculator in calculators():
        lines.append(f"  {usage(calculator)}")
        lines.append(f"      {calculator.help}")
    lines += [
        "  /programme [ID]  (ou /programme choix ID)",
        f"      voir ou choisir votre programme : {', '.join(programmes())}",
        "  /faq QUESTION  (ou la question seule)",
        "  /historique, /aide [COMMANDE], /quitter",
        "Dates : 2026-06-01, 01/06/2026 ou « 1 juin 2026 » ; sans l'année, la prochaine occurrence.",
        "Options facultatives : nom=valeur (ex. region=alsace-moselle, jours_off=2026-07-13,2026-07-15).",
        "Ou posez votre question librement.",
    ]
    return "\n".join(lines)


def command_help(calculator: Calculator) -> str:
    """One command's options, with their choices."""
    lines = [usage(calculator), calculator.help + "."]
    for option in calculator.chat_options:
        mark = "" if option.required else " (facultatif)"
        lines.append(f"  {option.name}{mark} : {option.help}")
        if option.choices:
            lines.append("      " + ", ".join(f"{value} ({label})" for value, label in option.choices))
    return "\n".join(lines)


def _date_width(words: list[str], start: int) -> int:
    """How many words the date at ``start`` takes: « 1er juin 2026 » is three, « 1 juin » two."""
    first = fold(words[start]).removeprefix("le")
    if start + 1 < len(words) and first.rstrip("er").isdigit() and fold(words[start + 1]).rstrip(".") in MONTHS:
        year = start + 2 < len(words) and len(words[start + 2]) == 4 and words[start + 2].isdigit()
        return 3 if year else 2
    return 1


def assign(calculator: Calculator, words: list[str]) -> dict[str, object]:
    """The console's words mapped onto the calculator's options (by name, by position, flags by name)."""
    options = {option.name: option for option in calculator.chat_options}
    raw: dict[str, object] = {}
    positional: list[str] = []  # the words given without a name, in order
    for word in words:
        name, equals, value = word.partition("=")
        if equals and fold(name) in options:
            raw[fold(name)] = value
        elif fold(word) in options and options[fold(word)].kind is Kind.FLAG:
            raw[fold(word)] = True
        else:
            positional.append(word)
    index = 0
    for option in positional_options(calculator):
        if index >= len(positional):
            break
        if option.name in raw:
            continue
        width = _date_width(positional, index) if option.kind is Kind.DATE else 1
        raw[option.name] = " ".join(positional[index : index + width])
        index += width
    if index < len(positional):
        extra = " ".join(positional[index:])
        raise InputError(f"Trop d'arguments pour /{calculator.name} : « {extra} » en trop. Usage : {usage(calculator)}")
    return raw


class Console:
    """One conversation: the student's programme and the history; questions go to the core (``chat`` channel)."""

    CHANNEL = "chat"

    def __init__(self, core: Core, programme_id: str) -> None:
        self.core = core
        self.programme_id = programme_id
        self.history: list[str] = []
        self.commands = {calculator.name: calculator for calculator in calculators()}

    def reply(self, line: str) -> str | None:
        """The answer to one line; None means the conversation ends."""
        if not clean_line(line):  # arrow keys typed without line editing arrive as escape sequences
            return ""
        try:
            text = read_question(line)  # not UTF-8, or too long: said, not asked nor logged
        except InputError as exc:
            return str(exc)
        self.history.append(text)
        if not text.startswith("/"):
            return self._ask(text)
        try:
            words = shlex.split(text[1:])
        except ValueError:
            words = text[1:].split()
        if not words:
            return help_text()
        try:
            return self._command([fold(words[0]), *words[1:]])
        except (BotError, RuleError) as exc:
            return str(exc)

    def _ask(self, question: str) -> str:
        return self.core.ask(question, self.programme_id, self.CHANNEL).as_text()

    def _command(self, words: list[str]) -> str | None:
        command, args = words[0], words[1:]
        if command in QUIT:
            return None
        if command in HELP_WORDS:
            wanted = " ".join(fold(a) for a in args)
            return command_help(self.commands[wanted]) if wanted in self.commands else help_text()
        if command == "historique":
            return "\n".join(f"{i}. {q}" for i, q in enumerate(self.history[:-1], start=1)) or "Aucune question."
        if command == "faq":
            if not args:
                raise InputError("Usage : /faq QUESTION.")
            return self._ask(" ".join(args))
        if command == "programme":
            return self._programme(args[1:] if args and fold(args[0]) == "choix" else args)
        name = f"{command} {fold(args[0])}" if args and f"{command} {fold(args[0])}" in self.commands else command
        if name in self.commands:
            calculator = self.commands[name]
            rest = args[len(name.split()) - 1 :]
            outcome = run(calculator, assign(calculator, rest), Context(self.programme_id, self.core.today()))
            return outcome.text
        group = [c for c in self.commands if c.startswith(f"{command} ")]
        if group:
            raise InputError(f"Précisez : {', '.join('/' + c for c in group)}.")
        raise InputError(f"Commande inconnue /{command} : tapez /aide.")

    def _programme(self, args: list[str]) -> str:
        if len(args) > 1:
            raise InputError("Usage : /programme [ID].")
        if args:
            self.programme_id = programme(args[0]).id
            return f"Programme choisi : {self.programme_id} ({programme(self.programme_id).name})."
        return f"Programme actuel : {self.programme_id}. Choix : {', '.join(programmes())}."

    def loop(self, stdin: TextIO, stdout: TextIO) -> int:
        """Read lines until /quitter, end of input, Ctrl-D or Ctrl-C; line editing on a terminal."""
        terminal = stdin is sys.stdin and stdin.isatty() and stdout.isatty()
        if hasattr(stdin, "reconfigure"):  # a line that is not UTF-8 is answered, not fatal
            stdin.reconfigure(errors="surrogateescape")
        if terminal:
            import readline  # noqa: F401, PLC0415 - gives input() line editing and history (arrow keys)
        stdout.write(f"StageBot ({self.programme_id}). Posez votre question, /aide pour les commandes.\n")
        stdout.flush()
        try:
            while True:
                if terminal:
                    try:
                        line = input("> ")
                    except EOFError:  # Ctrl-D
                        stdout.write("\n")
                        break
                else:
                    line = stdin.readline(MAX_LINE + 1)
                    if not line:
                        break
                    if len(line) > MAX_LINE and not line.endswith("\n"):
                        # Read no further than needed to refuse it: the rest of the line is skipped.
                        while (rest := stdin.readline(MAX_LINE)) and not rest.endswith("\n"):
                            pass
                answer = self.reply(line)
                if answer is None:
                    break
                if answer:
                    stdout.write(answer + "\n")
                stdout.flush()
        except KeyboardInterrupt:  # Ctrl-C, at the prompt or while an answer is computed
            stdout.write("\n")
        stdout.write(GOODBYE + "\n")
        stdout.flush()
        return 0
