"""Adapter errors, each holding one French sentence for the user.

    BotError(Exception)
    ├── InputError          a value typed by the user cannot be read (date, number…)
    └── ConfigError         config.toml or the environment holds a wrong key or value

Rule errors (``rules.errors.RuleError``) are translated in the same place: ``bot.cli.main``.
"""


class BotError(Exception):
    """Base of the adapters' errors; ``str(err)`` is a French sentence."""


class InputError(BotError):
    """The user's input cannot be read."""


class ConfigError(BotError):
    """The configuration is wrong; the message names the key."""
