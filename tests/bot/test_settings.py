"""Settings from config.toml with secrets from the environment, errors in French naming the key."""

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert settings.default_programme == "paris1-miage"
    assert settings.discord.token is None


def test_environment_overrides_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "config.toml"
    file.write_text('[discord]\ntoken = "from-file"\n')
    monkeypatch.setenv("STAGEBOT_DISCORD__TOKEN", "from-env")
    settings = load_settings(file)
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == "from-env"
    assert "from-env" not in repr(settings)


@pytest.mark.parametrize(
    ("content", "key"),
    [
        pytest.param('default_programme = "sorbonne"\n', "default_programme", id="unknown-programme"),
        pytest.param('log_levle = "INFO"\n', "log_levle", id="typo"),
        pytest.param('[discord]\nguild_id = "abc"\n', "discord.guild_id", id="bad-int"),
        pytest.param('log_level = "LOUD"\n', "log_level", id="literal"),
    ],
)
def test_wrong_key_or_value_is_named_in_french(tmp_path: Path, content: str, key: str) -> None:
    file = tmp_path / "config.toml"
    file.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(file)
    assert f"« {key} »" in str(caught.value)
    assert str(caught.value).startswith("Configuration invalide")


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    file = tmp_path / "config.toml"
    file.write_text("default_programme = \n")
    with pytest.raises(ConfigError, match="TOML"):
        load_settings(file)
    with pytest.raises(ConfigError, match="introuvable"):
        load_settings(tmp_path / "absent.toml")


def test_debug_logs_never_show_protocol_exchanges() -> None:
    import logging  # noqa: PLC0415

    from bot.cli import CHATTY_LIBRARIES, quiet_libraries  # noqa: PLC0415

    quiet_libraries("DEBUG")
    assert all(logging.getLogger(name).getEffectiveLevel() >= logging.INFO for name in CHATTY_LIBRARIES)
