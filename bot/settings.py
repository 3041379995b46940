"""Settings: one pydantic model read from config.toml, secrets overridable from the environment.

Environment variables use the prefix ``STAGEBOT_`` and ``__`` between levels, e.g.
``STAGEBOT_DISCORD__TOKEN``. Nothing is read at import time: call ``load_settings``.
"""

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError, os_reason
from rules.programmes import programmes

DEFAULT_CONFIG = Path("config.toml")
CONFIG_ENV = "STAGEBOT_CONFIG"


OFFER_KINDS = ("stage", "alternance", "emploi")


class DiscordSettings(BaseModel):
    """The Discord bot: connection, officers, channels, limits."""

    model_config = ConfigDict(extra="forbid")
    token: SecretStr | None = None
    guild_id: int | None = Field(default=None, gt=0)  # development server: commands synced there at once
    # Officers: members with this role (name or id), or with the Manage Server permission.
    officer_role: str = "Responsable stages"
    # Offer kind -> channel name where offers are posted.
    channels: dict[str, str] = {
        "stage": "propositions-stages",
        "alternance": "propositions-stages-alternances",
        "emploi": "proposition-emplois-et-stages",
    }
    review_channel: str = "offres-a-valider"  # offers with problems wait there for an officer's decision
    staff_channel: str | None = None  # offers pasted there by officers go through the pipeline
    posts_per_hour: int = Field(default=6, gt=0)  # per channel
    ping_role: str | None = None  # a role to mention with each new offer; none by default
    questions_per_minute: int = Field(default=4, gt=0)  # per user, for mentions and direct messages
    ephemeral: bool = True  # calculator answers visible to the asker only

    @field_validator("channels")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - set(OFFER_KINDS)
        if unknown:
            raise ValueError(f"type d'offre inconnu « {sorted(unknown)[0]} » (stage, alternance, emploi)")
        return value


MAX_IDLE_SECONDS = 29 * 60  # RFC 2177: a client should end IDLE at least every 29 minutes
_CONFIG_ADDRESS = re.compile(r"[^\s@<>,;\"]+@[^\s@<>,;\"]+")

CATEGORY_NAMES = ("offer", "convention", "absence", "incident", "evaluation", "question", "other")


class MailSettings(BaseModel):
    """The internship mailbox: IMAP in, SMTP out, filing, routing and automatic answers."""

    model_config = ConfigDict(extra="forbid")
    # The office's address: answers come from it, and mails from it are never answered.
    address: EmailStr = "stages@example.org"
    # Other addresses of the office (aliases): never answered either.
    aliases: list[EmailStr] = []
    programme: str | None = None  # the programme this mailbox serves; default_programme otherwise
    imap_host: str = "localhost"
    imap_port: int = Field(default=993, gt=0, lt=65536)
    imap_security: Literal["tls", "starttls", "none"] = "tls"
    username: str = ""
    password: SecretStr | None = None
    inbox: str = "INBOX"
    # Extra certificate authority (PEM) trusted for IMAP and SMTP, e.g. the university's own CA.
    ca_file: Path | None = None
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=465, gt=0, lt=65536)
    smtp_security: Literal["tls", "starttls", "none"] = "tls"
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    # draft: answers are filed in `drafts_folder` for an officer to send; send: they are mailed.
    mode: Literal["draft", "send"] = "draft"
    drafts_folder: str = "Triage/Réponses à valider"
    # move: each mail is moved to its category's folder; keywords: it stays and gets a keyword.
    filing: Literal["move", "keywords"] = "move"
    folders: dict[str, str] = {
        "offer": "Triage/Offres",
        "convention": "Triage/Conventions",
        "absence": "Triage/Absences",
        "incident": "Triage/Incidents",
        "evaluation": "Triage/Évaluations",
        "question": "Triage/Questions",
        "other": "Triage/Autres",
        "review": "Triage/À vérifier",
    }
    # Category (or "urgent") -> officer addresses. A category absent here is filed, not routed.
    routing: dict[str, list[EmailStr]] = {}
    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)  # larger mails are kept and flagged, not parsed
    # Characters of text read to classify and answer a mail; the rest stays in the original, which is
    # forwarded untouched. Bounds the work per mail whatever its size.
    max_text_chars: int = Field(default=32 * 1024, ge=1000)
    reply_period_hours: int = Field(default=24, ge=0)  # at most one automatic answer per sender in this period
    # Loop guard: automatic answers per hour, all senders together, and per sender domain.
    replies_per_hour: int = Field(default=30, ge=0)
    replies_per_domain_per_hour: int = Field(default=10, ge=0)
    auto_reply_min_score: float = Field(default=0.7, ge=0, le=1)
    poll_seconds: int = Field(default=60, gt=0)  # polling period when the server has no IDLE
    # IDLE is ended, a NOOP sent and IDLE started again at this period (RFC 2177: at most 29 minutes).
    # A silent connection is noticed within keepalive + LIVENESS_SECONDS (5 s): 9 s (issue 13: 10 s).
    keepalive_seconds: float = Field(default=4, gt=0)
    reconnect_max_seconds: float = Field(default=300, gt=0)  # backoff ceiling after a lost connection
    # SMTP 4xx (or an unreachable server): each refused recipient is tried again after this delay,
    # doubled at each attempt up to smtp_retry_max_seconds, and given up after smtp_give_up_hours.
    smtp_retry_seconds: float = Field(default=60, gt=0)
    smtp_retry_max_seconds: float = Field(default=3600, gt=0)
    smtp_give_up_hours: float = Field(default=48, gt=0)
    batch: int = Field(default=50, gt=0)

    @field_validator("folders")
    @classmethod
    def _known_folders(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - {*CATEGORY_NAMES, "review"}
        if unknown:
            raise ValueError(f"catégorie inconnue « {sorted(unknown)[0]} »")
        return value

    @field_validator("routing")
    @classmethod
    def _known_routes(cls, value: dict[str, list[EmailStr]]) -> dict[str, list[EmailStr]]:
        unknown = set(value) - {*CATEGORY_NAMES, "urgent"}
        if unknown:
            raise ValueError(f"catégorie inconnue « {sorted(unknown)[0]} »")
        for addresses in value.values():
            for address in addresses:
                if not _CONFIG_ADDRESS.fullmatch(address):
                    raise ValueError(f"adresse invalide « {address} » (attendu : nom@domaine)")
        return value

    @field_validator("keepalive_seconds")
    @classmethod
    def _before_idle_timeout(cls, value: float) -> float:
        if value > MAX_IDLE_SECONDS:
            raise ValueError(
                f"au plus {MAX_IDLE_SECONDS} s : un serveur IMAP peut couper une attente IDLE au bout de "
                "30 minutes (RFC 2177)"
            )
        return value

    @property
    def own_addresses(self) -> frozenset[str]:
        """Every address of the office, lower case."""
        return frozenset(a.lower() for a in [self.address, *self.aliases, self.username] if "@" in a)


class Settings(BaseSettings):
    """Everything StageBot reads from config.toml and the environment."""

    model_config = SettingsConfigDict(
        env_prefix="STAGEBOT_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )
    default_programme: str = "paris1-miage"
    timezone: str = "Europe/Paris"
    database: Path = Path("stagebot.sqlite3")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    discord: DiscordSettings = DiscordSettings()
    mail: MailSettings | None = None  # no [mail] section: no mailbox service

    @field_validator("default_programme")
    @classmethod
    def _known_programme(cls, value: str) -> str:
        if value not in programmes():
            raise ValueError(f"programme inconnu, choisissez parmi {', '.join(programmes())}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file (init values), so secrets never need to be in the file.
        del dotenv_settings, file_secret_settings
        return env_settings, init_settings


_MESSAGES = {
    "extra_forbidden": "clé inconnue",
    "missing": "clé obligatoire manquante",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu (sans décimales)",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "bool_parsing": "true ou false attendu",
    "bool_type": "true ou false attendu",
    "string_type": "texte entre guillemets attendu",
    "string_too_short": "texte trop court",
    "string_too_long": "texte trop long",
    "literal_error": "valeur non autorisée",
    "model_type": "section attendue",
    "model_attributes_type": "section attendue",
    "dict_type": "section attendue",
    "list_type": "liste attendue, entre crochets",
    "path_type": "chemin attendu",
    "greater_than": "valeur trop petite",
    "greater_than_equal": "valeur trop petite",
    "less_than": "valeur trop grande",
    "less_than_equal": "valeur trop grande",
}
_BOUNDS = {"gt": "plus de", "ge": "au moins", "lt": "moins de", "le": "au plus"}
_EMAIL_REASONS = (
    ("must have an @-sign", "il manque le @"),
    ("should have a period", "le domaine après le @ doit contenir un point"),
    ("special-use or reserved name", "ce domaine est réservé et ne reçoit pas de courrier"),
    ("before the @-sign", "la partie avant le @ n'est pas valide"),
    ("after the @-sign", "la partie après le @ n'est pas valide"),
)


def _email_reason(message: str) -> str:
    for english, french in _EMAIL_REASONS:
        if english in message:
            return f"adresse e-mail invalide ({french})"
    return "adresse e-mail invalide"


def _number(value: object) -> str:
    return f"{value:g}".replace(".", ",") if isinstance(value, (int, float)) else str(value)


def _french(error: ValidationError) -> str:
    """The first validation error as one French sentence naming the key (never pydantic's English)."""
    first = error.errors()[0]
    parts = [str(part) for part in first["loc"] if not isinstance(part, int)]
    key = ".".join(parts) or "(racine)"
    ctx = first.get("ctx", {})
    kind = first["type"]
    if kind == "value_error" and str(first["msg"]).startswith("value is not a valid email address"):
        reason = f"{_email_reason(str(first['msg']))} : « {first.get('input')} »"
    elif kind == "value_error":
        reason = str(ctx.get("error", "valeur refusée"))
    else:
        reason = _MESSAGES.get(kind, "valeur refusée")
    bounds = [f"{_BOUNDS[name]} {_number(ctx[name])}" for name in _BOUNDS if name in ctx]
    if bounds:
        reason += f" (attendu : {' et '.join(bounds)})"
    if kind == "literal_error":
        reason += f" (attendu : {str(ctx.get('expected', '')).replace(' or ', ' ou ')})"
    return f"Configuration invalide, clé « {key} » : {reason}."


_TOML_WHERE = re.compile(r"^(?P<what>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$")
_TOML_REASONS = (
    ("Invalid value", "valeur illisible (texte entre guillemets, nombre, true/false, [liste])"),
    ("Expected '=' after a key", "« = » attendu après la clé"),
    ("Cannot overwrite a value", "clé définie deux fois"),
    ("Cannot declare", "section définie deux fois"),
    ("Unterminated string", "guillemet fermant manquant"),
    ("Unclosed array", "crochet fermant manquant"),
    ("Invalid statement", "ligne illisible"),
    ("Illegal character", "caractère interdit"),
    ("Expected newline or end of document", "fin de ligne attendue"),
    ("Invalid initial character for a key part", "nom de clé illisible"),
)


def _toml_french(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    found = _TOML_WHERE.match(message)
    what = found["what"] if found else message
    reason = next((french for english, french in _TOML_REASONS if what.startswith(english)), "syntaxe TOML incorrecte")
    if found and found["line"]:
        return f"ligne {found['line']}, colonne {found['column']} : {reason}"
    return f"à la fin du fichier : {reason}"


def config_path(explicit: Path | None = None) -> Path:
    """The configuration file: the option, else $STAGEBOT_CONFIG, else ./config.toml."""
    if explicit is not None:
        return explicit
    return Path(os.environ.get(CONFIG_ENV, str(DEFAULT_CONFIG)))


def load_settings(path: Path | None = None, *, required: bool = False) -> Settings:
    """Read and validate the settings; a missing file means defaults unless ``required``."""
    file = config_path(path)
    named = path is not None or CONFIG_ENV in os.environ
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Le fichier {file} n'est pas un TOML valide, {_toml_french(exc)}.") from None
        except UnicodeDecodeError:
            raise ConfigError(f"Impossible de lire {file} : ce n'est pas un texte UTF-8.") from None
        except OSError as exc:
            raise ConfigError(f"Impossible de lire {file} : {os_reason(exc)}.") from None
    elif required or named:
        # A file named by --config or STAGEBOT_CONFIG must exist; only the implicit ./config.toml may be absent.
        by = "--config" if path is not None else CONFIG_ENV
        raise ConfigError(
            f"Fichier de configuration introuvable : {file} (donné par {by} ; copiez config.example.toml)."
        )
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_french(exc)) from None
