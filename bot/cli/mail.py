"""``stagebot triage``, ``offer check`` and ``mail once|run|status|retry``: mail files, offers, the mailbox service."""

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import programme_id
from bot.cli.parser import FrenchParser, add_lazy_parser, typed
from bot.errors import ConfigError, InputError

if TYPE_CHECKING:
    from datetime import date

    from bot.settings import MailSettings, Settings

BACKLOG_HELP = (
    "au premier démarrage, que faire des mails déjà présents : process (traiter), file (classer), skip (ignorer)"
)


def register(sub: "argparse._SubParsersAction[FrenchParser]") -> None:
    """``triage``, ``offer`` and ``mail``."""
    add_lazy_parser(
        sub, "triage", help="classer des mails (.eml) comme le fait le service de messagerie", build=_build_triage
    )
    add_lazy_parser(sub, "offer", help="offres de stage, d'alternance et d'emploi", build=_build_offer)
    add_lazy_parser(sub, "mail", help="service de messagerie (IMAP, SMTP)", build=_build_mail)


def _build_triage(parser: FrenchParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FICHIER.eml", help="mails à classer")
    parser.add_argument("--programme", metavar="ID", help="programme de la boîte (défaut : configuration)")
    parser.add_argument("--json", action="store_true", help="JSON, un objet par ligne (docs/CLI.md)")
    parser.set_defaults(func=run_triage)


def _build_offer(parser: FrenchParser) -> None:
    osub = parser.add_subparsers(
        dest="offer", required=True, metavar="ACTION", parser_class=FrenchParser, help="une des actions :"
    )
    check = osub.add_parser("check", help="vérifier des offres (texte ou .eml) contre les règles du programme")
    check.add_argument("files", nargs="+", type=Path, metavar="FICHIER", help="offres à vérifier")
    check.add_argument("--programme", metavar="ID", help="programme des étudiants visés (défaut : configuration)")
    check.add_argument("--json", action="store_true", help="JSON, un objet par ligne (docs/CLI.md)")
    check.set_defaults(func=run_offer_check)


def _build_mail(parser: FrenchParser) -> None:
    from bot.cli.common import limit  # noqa: PLC0415

    msub = parser.add_subparsers(
        dest="mail", required=True, metavar="ACTION", parser_class=FrenchParser, help="une des actions :"
    )
    for name, text in (
        ("once", "traiter les mails en attente (barre de progression, bilan) puis s'arrêter"),
        ("run", "surveiller la boîte en continu (IDLE, ou relève périodique)"),
    ):
        action = msub.add_parser(name, help=text)
        action.add_argument("--backlog", choices=("process", "file", "skip"), help=BACKLOG_HELP)
        action.set_defaults(func=run_mail)
    status = msub.add_parser("status", help="état de la boîte : catégories, mails à vérifier, dernières actions")
    status.add_argument("--json", action="store_true", help="JSON")
    status.add_argument("--limit", type=typed(limit), default=20, metavar="N", help="lignes, de 1 à 1000 (20)")
    status.set_defaults(func=run_mail_status)
    retry = msub.add_parser("retry", help="renvoyer les envois refusés définitivement (une fois la cause corrigée)")
    retry.add_argument(
        "--since", type=typed(_day), metavar="AAAA-MM-JJ", help="seulement les refus depuis ce jour (AAAA-MM-JJ)"
    )
    retry.add_argument("--json", action="store_true", help="JSON")
    retry.set_defaults(func=run_mail)


def _day(text: str) -> "date":
    from bot.parsing import parse_date  # noqa: PLC0415

    return parse_date(text)


def _mail_settings(settings: "Settings") -> "MailSettings":
    from bot.settings import MailSettings  # noqa: PLC0415

    return settings.mail or MailSettings()


def run_triage(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot triage``: the mailbox service's decision for each mail file, in order."""
    from bot.cli.common import read_file, today  # noqa: PLC0415
    from bot.mail import render  # noqa: PLC0415
    from bot.mail.message import read_mail  # noqa: PLC0415
    from bot.mail.triage import decide  # noqa: PLC0415

    mail_settings = _mail_settings(settings)
    if args.programme:
        mail_settings = mail_settings.model_copy(update={"programme": programme_id(args.programme, settings)})
    raws = [(path, read_file(path)) for path in args.files]  # every file readable before any output
    now = today(settings)
    for path, raw in raws:
        mail = read_mail(raw, max_bytes=mail_settings.max_bytes, own=mail_settings.own_addresses)
        decision = decide(mail, mail_settings, settings.default_programme, now)
        if args.json:
            print(json.dumps({"file": str(path), **decision.as_json()}, ensure_ascii=False), flush=True)
        else:
            print(render.decision_text(str(path), decision), flush=True)
    return 0


def run_offer_check(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot offer check``: kind, problems and channel of each offer file, in order."""
    from bot.cli.common import read_file, today  # noqa: PLC0415
    from bot.mail import render  # noqa: PLC0415
    from bot.offers.extract import read_offer_bytes  # noqa: PLC0415

    chosen = programme_id(args.programme, settings)
    mail_settings = _mail_settings(settings)
    raws = [(path, read_file(path)) for path in args.files]
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


def run_mail_status(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot mail status``: the mailbox's state for officers."""
    from bot.mail import render  # noqa: PLC0415
    from bot.mail.records import mailbox_status  # noqa: PLC0415
    from bot.store import Store  # noqa: PLC0415

    store = Store(settings.database)
    try:
        found = mailbox_status(store, limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
    else:
        print(render.mail_status_text(found))
    return 0


def run_mail(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot mail once|run``: the mailbox service."""
    import asyncio  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from bot.cli.common import today  # noqa: PLC0415
    from bot.mail.service import MailService, NeedsBacklogDecision, run_forever, run_once  # noqa: PLC0415
    from bot.store import Store  # noqa: PLC0415

    if settings.mail is None:
        raise ConfigError(
            "Aucune section [mail] dans la configuration : copiez config.example.toml en config.toml "
            "et remplissez sa section [mail]."
        )
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
