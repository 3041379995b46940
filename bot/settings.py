"""Settings: one pydantic model read from config.toml, secrets overridable from the environment.

Environment variables use the prefix ``STAGEBOT_`` and ``__`` between levels, e.g.
``STAGEBOT_DISCORD__TOKEN``. Nothing is read at import time: call ``load_settings``.
"""

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError
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
    address: str = "stages@example.org"
    # Other addresses of the office (aliases): never answered either.
    aliases: list[str] = []
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
    routing: dict[str, list[str]] = {}
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
    keepalive_seconds: float = Field(default=60, gt=0)
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
    def _known_routes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
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
    "bool_parsing": "true ou false attendu",
    "bool_type": "true ou false attendu",
    "string_type": "texte attendu",
    "greater_than": "valeur trop petite",
    "greater_than_equal": "valeur trop petite",
    "less_than": "valeur trop grande",
    "less_than_equal": "valeur trop grande",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "literal_error": "valeur non autorisée",
    "model_type": "section attendue",
    "dict_type": "section attendue",
    "path_type": "chemin attendu",
}


def _french(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(racine)"
    if first["type"] == "value_error":
        reason = str(first.get("ctx", {}).get("error", first["msg"]))
    else:
        reason = _MESSAGES.get(first["type"], "valeur invalide")
    if first["type"] == "literal_error":
        reason += f" (attendu : {first.get('ctx', {}).get('expected', '')})"
    return f"Configuration invalide, clé « {key} » : {reason}."


def config_path(explicit: Path | None = None) -> Path:
    """The configuration file: the option, else $STAGEBOT_CONFIG, else ./config.toml."""
    if explicit is not None:
        return explicit
    return Path(os.environ.get(CONFIG_ENV, str(DEFAULT_CONFIG)))


def load_settings(path: Path | None = None, *, required: bool = False) -> Settings:
    """Read and validate the settings; a missing file means defaults unless ``required``."""
    file = config_path(path)
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Le fichier {file} n'est pas un TOML valide : {exc}.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Impossible de lire {file} : {exc}.") from None
    elif required or path is not None:
        raise ConfigError(f"Fichier de configuration introuvable : {file} (copiez config.example.toml).")
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_french(exc)) from None
