"""Adapter errors, each holding one French sentence for the user, and the exit status it means.

    BotError(Exception)                 exit status 2 unless said otherwise
    ├── InputError          a value typed by the user cannot be read (date, number…)
    ├── ConfigError         config.toml or the environment holds a wrong key or value
    └── ServiceError        exit status 1: StageBot itself, or a server it needs, failed
                            (mailbox unreachable, database unusable, Discord unreachable)

Rule errors (``rules.errors.RuleError``) are bad input too (status 2). The command line turns every
one of them into its sentence and status in one place: ``bot.cli.main``.
"""

import errno
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class BotError(Exception):
    """Base of the adapters' errors; ``str(err)`` is a French sentence."""

    exit_status = EXIT_BAD_INPUT


class InputError(BotError):
    """The user's input cannot be read."""


class ConfigError(BotError):
    """The configuration is wrong; the message names the key."""


class ServiceError(BotError):
    """StageBot or a server it depends on failed: not the user's input."""

    exit_status = EXIT_FAILURE


_OS_REASONS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EEXIST: "le fichier existe déjà",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ELOOP: "trop de liens symboliques",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.ECONNREFUSED: "connexion refusée",
    errno.ETIMEDOUT: "délai dépassé",
    errno.EHOSTUNREACH: "machine injoignable",
    errno.ENETUNREACH: "réseau injoignable",
}


def os_reason(exc: OSError) -> str:
    """The French reason of an operating-system error (never its English ``strerror``)."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if isinstance(exc, UnicodeError):
        return "texte qui n'est pas de l'UTF-8"
    return f"erreur du système n° {exc.errno}" if exc.errno else f"erreur du système ({type(exc).__name__})"


def network_reason(exc: BaseException) -> str:
    """The French reason a connection failed, never a Python class name."""
    import socket  # noqa: PLC0415 - only when a connection failed
    import ssl  # noqa: PLC0415

    if isinstance(exc, socket.gaierror):
        return "nom de serveur inconnu"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "certificat du serveur refusé"
    if isinstance(exc, ssl.SSLError):
        return "échec de la négociation TLS"
    if isinstance(exc, TimeoutError):
        return "délai dépassé"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "connexion coupée par le serveur"
    if isinstance(exc, OSError) and exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    if isinstance(exc, ServiceError):
        return str(exc).rstrip(".")
    code = getattr(exc, "code", None)  # a mail server's reply (aiosmtplib)
    if isinstance(code, int) and code > 0:
        return f"réponse {code} du serveur"
    return "erreur réseau"


_SQLITE_REASONS = (
    ("file is not a database", "ce fichier n'est pas une base SQLite"),
    ("database disk image is malformed", "le fichier est endommagé"),
    ("database is locked", "la base est verrouillée par un autre programme"),
    ("unable to open database file", "impossible d'ouvrir le fichier"),
    ("attempt to write a readonly database", "la base est en lecture seule"),
    ("disk i/o error", "erreur d'entrée-sortie du disque"),
    ("database or disk is full", "le disque est plein"),
    ("no such table", "tables manquantes : le fichier ne vient pas de StageBot"),
)


def sqlite_reason(exc: "sqlite3.Error") -> str:
    """The French reason of an SQLite error."""
    text = str(exc).lower()
    for english, french in _SQLITE_REASONS:
        if english in text:
            return french
    return f"erreur SQLite ({type(exc).__name__})"
