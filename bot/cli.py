"""The ``stagebot`` command line: calculators, and the composition root of the long-running jobs.

Bad input prints one French sentence on standard error and exits 2; a failure of the program
itself exits 1. The JSON shapes are those of ../shared/CLI.md.
"""

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import render
from bot.errors import BotError, ConfigError, InputError
from bot.parsing import parse_date, parse_decimal, parse_int
from bot.settings import Settings, load_settings
from rules import contracts, deadlines, durations, gratification, quota, workstudy
from rules.calendar import REGIONS, parse_weekdays
from rules.errors import RuleError
from rules.programmes import programme, programmes

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1

_ARGPARSE_FR: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.+)", r"argument obligatoire manquant : \1"),
    (
        r"argument (\S+): invalid choice: '?([^' ]+)'? \(choose from (.+)\)",
        r"valeur « \2 » refusée pour \1 (choix : \3)",
    ),
    (r"argument (\S+): expected one argument", r"l'option \1 attend une valeur"),
    (r"unrecognized arguments: (.+)", r"arguments non reconnus : \1"),
    (r"argument (\S+): not allowed with argument (\S+)", r"les options \1 et \2 s'excluent"),
    (r"one of the arguments (.+) is required", r"une de ces options est obligatoire : \1"),
    (r"argument (\S+): (.+)", r"\1 : \2"),
)


class FrenchParser(argparse.ArgumentParser):
    """argparse with its usage errors turned into one French sentence and exit status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_FR:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        sentence = message[0].upper() + message[1:]
        self.exit(EXIT_BAD_INPUT, f"{sentence.rstrip('.')}.\n")


def _typed(parser: Callable[[str], Any]) -> Callable[[str], Any]:
    """Wrap a parser so that argparse shows our French sentence rather than its own."""

    def convert(text: str) -> Any:
        try:
            return parser(text)
        except (InputError, RuleError) as exc:
            raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None

    return convert


def _hours(text: str) -> Decimal:
    return parse_decimal(text, "Le nombre d'heures")


def _rate(text: str) -> Decimal:
    return parse_decimal(text, "Le taux horaire")


def _positive_int(what: str) -> Callable[[str], int]:
    return lambda text: parse_int(text, what)


def build_parser() -> FrenchParser:
    """The whole command tree."""
    parser = FrenchParser(prog="stagebot", description="StageBot : l'assistant des bureaux de stages.")
    parser.add_argument("--config", type=Path, help="fichier de configuration (défaut : ./config.toml)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE", parser_class=FrenchParser)

    calc = sub.add_parser("calc", help="calculateurs (gratification, durées, alternance, échéances…)")
    csub = calc.add_subparsers(dest="calc", required=True, metavar="CALCUL", parser_class=FrenchParser)
    programme_help = f"programme : {', '.join(programmes())} (défaut : celui de la configuration)"

    g = csub.add_parser("gratification", help="jours travaillés, heures et gratification minimale mois par mois")
    g.add_argument("--start", required=True, type=_typed(parse_date), help="premier jour (AAAA-MM-JJ)")
    g.add_argument("--end", required=True, type=_typed(parse_date), help="dernier jour inclus (AAAA-MM-JJ)")
    volume = g.add_mutually_exclusive_group()
    volume.add_argument("--hours-per-day", type=_typed(_hours), help="heures par jour (défaut 7, 10 au plus)")
    volume.add_argument("--hours-per-week", type=_typed(_hours), help="heures par semaine, réparties sur les jours")
    g.add_argument("--weekdays", type=_typed(parse_weekdays), default=None, help="jours travaillés (défaut mon,…,fri)")
    g.add_argument("--day-off", action="append", default=[], type=_typed(parse_date), help="jour non travaillé")
    g.add_argument("--region", choices=list(REGIONS), default="metropole", help="jours fériés de cette région")
    g.add_argument("--rate", type=_typed(_rate), help="taux horaire (€/h) au lieu du minimum légal")
    g.add_argument("--programme", help=programme_help)
    g.add_argument("--json", action="store_true", help="sortie JSON")

    d = csub.add_parser("duree", help="convertir une durée en heures, jours, semaines et mois")
    unit = d.add_mutually_exclusive_group(required=True)
    for name, label in (
        ("hours", "heures"),
        ("days", "jours de 7 h"),
        ("weeks", "semaines de 35 h"),
        ("months", "mois de 22 jours"),
    ):
        unit.add_argument(f"--{name}", type=_typed(_hours), help=f"durée en {label}")
    d.add_argument("--json", action="store_true", help="sortie JSON")

    a = csub.add_parser("alternance-salaire", help="salaire minimum d'un apprenti ou d'un contrat pro")
    a.add_argument("--contract", required=True, choices=["apprentissage", "professionnalisation"])
    a.add_argument("--age", required=True, type=_typed(_positive_int("L'âge")))
    a.add_argument("--year", type=int, choices=[1, 2, 3], default=1, help="année de contrat (1, 2 ou 3)")
    a.add_argument("--date", type=_typed(parse_date), help="date du calcul (défaut : aujourd'hui)")
    a.add_argument("--qualified", action="store_true", help="contrat pro : niveau au moins bac pro")
    a.add_argument("--json", action="store_true", help="sortie JSON")

    c = csub.add_parser("contrat-dates", help="bornes de début et de fin d'un contrat d'alternance (AMU MIAGE)")
    c.add_argument("--formation", required=True, choices=list(contracts.FORMATIONS))
    c.add_argument("--contract", required=True, choices=list(contracts.CONTRACTS))
    c.add_argument("--ddf", type=_typed(parse_date), help="début de formation, si autre que 2025/2026")
    c.add_argument("--dff", type=_typed(parse_date), help="fin de formation, si autre que 2025/2026")
    c.add_argument("--json", action="store_true", help="sortie JSON")

    s = csub.add_parser("stagiaires", help="nombre maximal de stagiaires simultanés")
    s.add_argument("--headcount", required=True, type=_typed(_positive_int("L'effectif")))
    s.add_argument("--json", action="store_true", help="sortie JSON")

    e = csub.add_parser("echeance", help="date limite de chaque démarche avant le début du stage")
    e.add_argument("--start", required=True, type=_typed(parse_date), help="début du stage")
    e.add_argument("--abroad", action="store_true", help="stage à l'étranger")
    e.add_argument("--programme", help=programme_help)
    e.add_argument("--json", action="store_true", help="sortie JSON")

    ask = sub.add_parser("ask", help="poser une question (ou --jsonl : une question JSON par ligne sur l'entrée)")
    ask.add_argument("question", nargs="?", help="la question, entre guillemets")
    ask.add_argument("--programme", help=programme_help)
    ask.add_argument("--json", action="store_true", help="sortie JSON")
    ask.add_argument("--jsonl", action="store_true", help='lire {"question", "programme"} par ligne sur l\'entrée')

    dates = sub.add_parser("dates", help="les dates clés du programme à partir d'un jour")
    dates.add_argument("--programme", help=programme_help)
    dates.add_argument(
        "--from", dest="since", type=_typed(parse_date), help="à partir de ce jour (défaut : aujourd'hui)"
    )
    dates.add_argument("--json", action="store_true", help="sortie JSON")

    sub.add_parser("chat", help="conversation dans la console (mêmes commandes que sur Discord)")
    kb = sub.add_parser("kb", help="base de connaissances")
    kbsub = kb.add_subparsers(dest="kb", required=True, metavar="ACTION", parser_class=FrenchParser)
    kbsub.add_parser("check", help="valider la base (schéma, sources, doublons, gabarits, questions de référence)")
    gaps = kbsub.add_parser("gaps", help="questions sans réponse ou peu sûres, les plus fréquentes d'abord")
    gaps.add_argument("--limit", type=_typed(_positive_int("--limit")), default=20, help="nombre de lignes (20)")
    gaps.add_argument("--programme", help="seulement ce programme")
    gaps.add_argument("--json", action="store_true", help="JSON, une question par ligne")

    triage = sub.add_parser("triage", help="classer des mails (.eml) comme le fait le service de messagerie")
    triage.add_argument("files", nargs="+", type=Path, metavar="FICHIER.eml")
    triage.add_argument("--programme", help="programme de la boîte (défaut : configuration)")
    triage.add_argument("--json", action="store_true", help="JSON, un objet par ligne")
    offer = sub.add_parser("offer", help="offres de stage, d'alternance et d'emploi")
    osub = offer.add_subparsers(dest="offer", required=True, metavar="ACTION", parser_class=FrenchParser)
    ocheck = osub.add_parser("check", help="vérifier des offres (texte ou .eml) contre les règles du programme")
    ocheck.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    ocheck.add_argument("--programme", help="programme des étudiants visés (défaut : configuration)")
    ocheck.add_argument("--json", action="store_true", help="JSON, un objet par ligne")
    mail = sub.add_parser("mail", help="service de messagerie (IMAP, SMTP)")
    msub = mail.add_subparsers(dest="mail", required=True, metavar="ACTION", parser_class=FrenchParser)
    for name, text in (
        ("once", "traiter les mails en attente puis s'arrêter"),
        ("run", "surveiller la boîte en continu"),
    ):
        action = msub.add_parser(name, help=text)
        action.add_argument(
            "--backlog",
            choices=("process", "file", "skip"),
            help="au premier démarrage, que faire des mails déjà présents (process, file, skip)",
        )
    mstatus = msub.add_parser("status", help="état de la boîte : catégories, mails à vérifier, dernières actions")
    mstatus.add_argument("--json", action="store_true", help="JSON")
    mstatus.add_argument("--limit", type=_typed(_positive_int("--limit")), default=20, help="lignes (20)")
    mretry = msub.add_parser("retry", help="renvoyer les envois refusés définitivement (une fois la cause corrigée)")
    mretry.add_argument("--since", type=_typed(parse_date), help="seulement les refus depuis ce jour (AAAA-MM-JJ)")
    mretry.add_argument("--json", action="store_true", help="JSON")
    disc = sub.add_parser("discord", help="bot Discord")
    dsub = disc.add_subparsers(dest="discord", required=True, metavar="ACTION", parser_class=FrenchParser)
    dcommands = dsub.add_parser("commands", help="les commandes telles qu'elles seraient synchronisées")
    dcommands.add_argument("--json", action="store_true", help="JSON")
    run = sub.add_parser("run", help="bot Discord et messagerie (jeton Discord obligatoire)")
    run.add_argument(
        "--console-fallback",
        action="store_true",
        help="sans jeton Discord, ouvrir l'assistant dans la console au lieu d'échouer (commande principale du README)",
    )
    run.add_argument("--backlog", choices=("process", "file", "skip"), help="premier démarrage de la messagerie")
    return parser


# Their DEBUG logs can show protocol exchanges (AUTH lines, gateway payloads): never below INFO.
CHATTY_LIBRARIES = (
    "aiosmtplib",
    "aioimaplib",
    "aioimaplib.aioimaplib",
    "discord.http",
    "discord.gateway",
    "discord.client",
)


def quiet_libraries(level: str) -> None:
    """Keep the network libraries at INFO or above, whatever StageBot's own log level."""
    floor = max(logging.getLevelName(level), logging.INFO)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(floor)


def today(settings: Settings) -> date:
    """Today in the office's time zone (the only clock read; rules receive it as a parameter)."""
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"Configuration invalide, clé « timezone » : fuseau inconnu « {settings.timezone} »."
        ) from None
    return datetime.now(zone).date()


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(text)


def _programme_id(args: argparse.Namespace, settings: Settings) -> str:
    chosen = args.programme or settings.default_programme
    programme(chosen)  # French error for an unknown identifier
    return str(chosen)


def run_calc(args: argparse.Namespace, settings: Settings) -> None:
    """Dispatch one calculator and print its answer."""
    if args.calc == "gratification":
        programme_id = _programme_id(args, settings)
        kwargs: dict[str, Any] = {}
        if args.weekdays is not None:
            kwargs["weekdays"] = args.weekdays
        result = gratification.compute(
            args.start,
            args.end,
            hours_per_day=args.hours_per_day,
            hours_per_week=args.hours_per_week,
            region_id=args.region,
            days_off=args.day_off,
            rate=args.rate,
            programme=programme(programme_id),
            **kwargs,
        )
        _emit(
            args,
            render.gratification_json(result, region_id=args.region, programme_id=programme_id),
            render.gratification_text(result, region_id=args.region),
        )
    elif args.calc == "duree":
        unit = next(name for name in ("hours", "days", "weeks", "months") if getattr(args, name) is not None)
        converted = durations.convert(getattr(args, unit), unit)
        _emit(args, render.durations_json(converted), render.durations_text(converted))
    elif args.calc == "alternance-salaire":
        pay = workstudy.minimum_pay(
            args.contract, args.age, args.year, args.date or today(settings), qualified=args.qualified
        )
        _emit(args, render.pay_json(pay), render.pay_text(pay))
    elif args.calc == "contrat-dates":
        window = contracts.window(args.formation, args.contract, ddf=args.ddf, dff=args.dff)
        _emit(args, render.window_json(window), render.window_text(window))
    elif args.calc == "stagiaires":
        q = quota.max_interns(args.headcount)
        _emit(args, render.quota_json(q), render.quota_text(q))
    elif args.calc == "echeance":
        steps = deadlines.steps_before(args.start, _programme_id(args, settings), abroad=args.abroad)
        now = today(settings)
        _emit(args, render.steps_json(steps, today=now), render.steps_text(steps, start=args.start, today=now))


class QuestionLog:
    """Logs the questions officers should see; opens the store only when one comes."""

    def __init__(self, settings: Settings, channel: str) -> None:
        self.settings = settings
        self.channel = channel
        self._store: Any = None
        self._failed = False

    def __call__(self, question: str, programme_id: str, answer: Any) -> None:
        from bot.assistant.gaps import log_question, needs_review  # noqa: PLC0415
        from bot.store import Store, StoreError  # noqa: PLC0415

        if self._failed or not needs_review(answer):
            return
        try:
            if self._store is None:
                self._store = Store(self.settings.database)
            log_question(self._store, question, programme_id, answer, self.channel)
        except StoreError as exc:
            # The student's answer matters more than the officers' list: say it once, go on.
            self._failed = True
            print(f"{exc} La question n'a pas été enregistrée pour les responsables.", file=sys.stderr)


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    """``stagebot ask``: one question, or JSON lines on standard input."""
    from bot.assistant.answer import ask  # noqa: PLC0415 - the index is only built when asked

    now = today(settings)
    log = QuestionLog(settings, "cli")
    if args.jsonl:
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                question = str(item["question"])
                chosen = str(item.get("programme") or settings.default_programme)
                programme(chosen)
            except (ValueError, KeyError, TypeError, AttributeError):
                raise InputError(f'Ligne {number} illisible : attendu {{"question": "…", "programme": "…"}}.') from None
            answer = ask(question, chosen, now)
            print(json.dumps(answer.as_json(), ensure_ascii=False), flush=True)
            log(question, chosen, answer)
        return 0
    if not args.question:
        raise InputError("Posez une question entre guillemets, ou utilisez --jsonl.")
    chosen = _programme_id(args, settings)
    answer = ask(args.question, chosen, now)
    _emit(args, answer.as_json(), answer.as_text())
    log(args.question, chosen, answer)
    return 0


def run_dates(args: argparse.Namespace, settings: Settings) -> int:
    """``stagebot dates``: the programme's key dates from a day on."""
    from knowledge.timeline import upcoming  # noqa: PLC0415

    since = args.since or today(settings)
    events = upcoming(_programme_id(args, settings), since)
    payload = {
        "dates": [
            {
                "date": e.start.isoformat(),
                "end": e.end.isoformat() if e.end else None,
                "label": e.label,
                "where": e.where,
                "source": e.source,
            }
            for e in events
        ]
    }
    _emit(args, payload, render.dates_text(events))
    return 0


def run_chat(settings: Settings) -> int:
    """``stagebot chat``: the console conversation."""
    from bot.console import Console  # noqa: PLC0415

    console = Console(settings.default_programme, today(settings), on_answer=QuestionLog(settings, "chat"))
    return console.loop(sys.stdin, sys.stdout)


def run_kb_check(settings: Settings) -> int:
    """``stagebot kb check``: validate the knowledge base; status 1 when it has problems."""
    from knowledge.check import check  # noqa: PLC0415

    problems, summary = check(today(settings))
    print(summary)
    for problem in problems:
        print(f"✗ {problem}")
    return EXIT_FAILURE if problems else 0


def run_kb_gaps(args: argparse.Namespace, settings: Settings) -> int:
    """``stagebot kb gaps``: what the base lacks, most frequent first, with the nearest entries."""
    from bot.assistant.gaps import gaps  # noqa: PLC0415
    from bot.store import Store  # noqa: PLC0415

    if args.programme:
        programme(args.programme)
    store = Store(settings.database)
    found = gaps(store, limit=args.limit, programme=args.programme)
    store.close()
    if args.json:
        for gap in found:
            print(json.dumps(gap.as_json(), ensure_ascii=False))
        return 0
    print(render.gaps_text(found))
    return 0


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"Impossible de lire {path} : {exc.strerror or exc}.") from None


def _mail_settings(settings: Settings) -> Any:
    from bot.settings import MailSettings  # noqa: PLC0415

    return settings.mail or MailSettings()


def run_triage(args: argparse.Namespace, settings: Settings) -> int:
    """``stagebot triage``: the mailbox service's decision for each mail file, in order."""
    from bot.mail.message import read_mail  # noqa: PLC0415
    from bot.mail.triage import decide  # noqa: PLC0415

    mail_settings = _mail_settings(settings)
    if args.programme:
        programme(args.programme)
        mail_settings = mail_settings.model_copy(update={"programme": args.programme})
    raws = [(path, _read_file(path)) for path in args.files]  # every file readable before any output
    now = today(settings)
    for path, raw in raws:
        mail = read_mail(raw, max_bytes=mail_settings.max_bytes, own=mail_settings.own_addresses)
        decision = decide(mail, mail_settings, settings.default_programme, now)
        if args.json:
            print(json.dumps({"file": str(path), **decision.as_json()}, ensure_ascii=False), flush=True)
        else:
            print(render.decision_text(str(path), decision), flush=True)
    return 0


def run_offer_check(args: argparse.Namespace, settings: Settings) -> int:
    """``stagebot offer check``: kind, problems and channel of each offer file, in order."""
    from bot.offers.extract import read_offer_bytes  # noqa: PLC0415

    chosen = _programme_id(args, settings)
    mail_settings = _mail_settings(settings)
    raws = [(path, _read_file(path)) for path in args.files]
    now = today(settings)
    for path, raw in raws:
        offer = read_offer_bytes(
            raw,
            chosen,
            now,
            is_mail=path.suffix.lower() == ".eml",
            max_bytes=mail_settings.max_bytes,
            office=mail_settings.own_addresses,
            channels=settings.discord.channels,
        )
        if args.json:
            print(json.dumps({"file": str(path), **offer.as_json()}, ensure_ascii=False), flush=True)
        else:
            print(render.offer_text(str(path), offer), flush=True)
    return 0


class _Bar:
    """A tqdm progress bar on standard error (hidden when it is not a terminal)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        from tqdm import tqdm  # noqa: PLC0415

        self.bar = tqdm(total=total, unit="mail", file=sys.stderr, disable=None, desc="Messagerie")

    def tick(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _ask_backlog(error: Exception) -> str | None:
    """On a terminal, ask the officer what to do with the existing mail; None elsewhere."""
    if not sys.stdin.isatty():
        return None
    print(str(error), file=sys.stderr)
    answer = input("Votre choix (process / file / skip) : ").strip().lower()
    if answer not in {"process", "file", "skip"}:
        raise InputError("Choix inconnu : répondez process, file ou skip.")
    return answer


def run_mail(args: argparse.Namespace, settings: Settings) -> int:
    """``stagebot mail once|run``: the mailbox service."""
    import asyncio  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from bot.mail.service import MailService, NeedsBacklogDecision, run_forever, run_once  # noqa: PLC0415
    from bot.store import Store  # noqa: PLC0415

    if args.mail == "status":
        from bot.mail.service import status  # noqa: PLC0415

        store = Store(settings.database)
        found = status(store, limit=args.limit)
        store.close()
        if args.json:
            print(json.dumps(found, ensure_ascii=False, indent=1))
        else:
            print(render.mail_status_text(found))
        return 0
    if settings.mail is None:
        raise ConfigError("Aucune section [mail] dans config.toml : la messagerie n'est pas configurée.")
    store = Store(settings.database)
    service = MailService(settings, store, today=lambda: today(settings), progress=_Bar())
    if args.mail == "retry":
        from bot.mail.service import retry  # noqa: PLC0415

        try:
            report = asyncio.run(retry(service, args.since))
        finally:
            store.close()
        print(json.dumps(report.as_json(), ensure_ascii=False) if args.json else report.text())
        return 0
    backlog = args.backlog
    try:
        if args.mail == "once":
            try:
                summary = asyncio.run(run_once(service, backlog))
            except NeedsBacklogDecision as exc:
                backlog = _ask_backlog(exc)
                if backlog is None:
                    raise
                summary = asyncio.run(run_once(service, backlog))
            print(summary.text())
            return 0

        async def forever() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            await run_forever(service, backlog, stop)

        asyncio.run(forever())
        print(service.summary.text())
        return 0
    finally:
        store.close()


def _core(settings: Settings, *, memory: bool = False) -> Any:
    from bot.discord.core import Core  # noqa: PLC0415
    from bot.store import Store  # noqa: PLC0415

    # discord.py warns about voice support at start; StageBot has no voice.
    logging.getLogger("discord.client").setLevel(logging.ERROR)
    return Core(settings, Store(":memory:" if memory else settings.database), lambda: today(settings))


def run_discord_commands(args: argparse.Namespace, settings: Settings) -> int:
    """``stagebot discord commands``: the application commands as they would be synced."""
    import discord  # noqa: PLC0415

    from bot.discord.commands import build_tree, commands_json  # noqa: PLC0415

    core = _core(settings, memory=True)  # listing the commands reads and writes nothing
    tree = build_tree(discord.Client(intents=discord.Intents.default()), core)
    found = commands_json(tree)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    for command in found:
        print(f"/{command['name']} — {command['description']}")
        for option in command["options"]:
            mark = "" if option["required"] else " (facultatif)"
            print(f"    {option['name']}{mark} : {option['description']}")
    return 0


def run_main(settings: Settings, args: argparse.Namespace) -> int:
    """The main job: the Discord bot and the mailbox; without a token, a clear error (or the console)."""
    token = settings.discord.token.get_secret_value() if settings.discord.token is not None else ""
    if not token.strip():
        if args.console_fallback:
            print("Aucun jeton Discord configuré (STAGEBOT_DISCORD__TOKEN) : démarrage de l'assistant dans la console.")
            return run_chat(settings)
        raise ConfigError(
            "Aucun jeton Discord : définissez STAGEBOT_DISCORD__TOKEN (ou [discord] token dans config.toml), "
            "ou utilisez « stagebot chat » pour l'assistant dans la console."
        )
    import asyncio  # noqa: PLC0415

    from bot.discord.app import run  # noqa: PLC0415
    from bot.mail.service import MailService, run_once  # noqa: PLC0415

    core = _core(settings)
    service = None
    if settings.mail is not None:
        service = MailService(settings, core.store, today=lambda: today(settings))
        # Fail at start, in one sentence, rather than retry forever on a wrong address or password;
        # this first pass also works what arrived while StageBot was stopped.
        print(asyncio.run(run_once(service, args.backlog)).text())
    logging.getLogger("stagebot").info(
        "démarrage : Discord%s", " et messagerie" if service else " (pas de section [mail] : pas de messagerie)"
    )
    asyncio.run(run(core, token.strip(), service))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stagebot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        quiet_libraries(settings.log_level)
        if args.command == "calc":
            run_calc(args, settings)
            return 0
        if args.command == "ask":
            return run_ask(args, settings)
        if args.command == "dates":
            return run_dates(args, settings)
        if args.command == "chat":
            return run_chat(settings)
        if args.command == "discord":
            return run_discord_commands(args, settings)
        if args.command == "mail":
            return run_mail(args, settings)
        if args.command == "triage":
            return run_triage(args, settings)
        if args.command == "offer":
            return run_offer_check(args, settings)
        if args.command == "kb":
            return run_kb_gaps(args, settings) if args.kb == "gaps" else run_kb_check(settings)
        return run_main(settings, args)  # "run", the only other command
    except (BotError, RuleError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the program itself failed: one sentence, details in the debug log
        logging.getLogger("stagebot").debug("internal error", exc_info=True)
        print(f"Erreur interne de StageBot ({type(exc).__name__}) : signalez-la à l'équipe.", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
