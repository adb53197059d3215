"""Configuration: a mistake in config.toml stops jalon at start with a message naming the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jalon.__main__ import main
from jalon.config import ConfigError, load, parse_duration, parse_size

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_config_loads() -> None:
    """The config.toml shipped at the root is valid as it stands."""
    settings = load(ROOT / "config.toml")
    assert settings.gateway.domain and settings.smtp.port > 0


def test_unknown_key_is_named(tmp_path: Path) -> None:
    """A typo in a key is refused, with the full key in the message."""
    with pytest.raises(ConfigError, match=r"unknown key 'smtp\.prot'"):
        load(write(tmp_path, "[smtp]\nprot = 25\n"))


def test_bad_port_is_named(tmp_path: Path) -> None:
    """A port out of range is refused before anything listens."""
    with pytest.raises(ConfigError, match=r"bad value for 'smtp\.port'"):
        load(write(tmp_path, "[smtp]\nport = 70000\n"))


def test_bad_duration_is_named(tmp_path: Path) -> None:
    """'3 jours' is not a duration jalon understands, and says so."""
    with pytest.raises(ConfigError, match=r"bad value for 'scheduler\.interval'.*bad duration"):
        load(write(tmp_path, '[scheduler]\ninterval = "3 jours"\n'))


def test_bad_size_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"smtp\.max_message_size"):
        load(write(tmp_path, '[smtp]\nmax_message_size = "big"\n'))


def test_durations_and_sizes_read_as_people_write_them() -> None:
    assert parse_duration("90s") == dt.timedelta(seconds=90)
    assert parse_duration("4h") == dt.timedelta(hours=4)
    assert parse_duration("-5d") == dt.timedelta(days=-5)
    assert parse_size("25MB") == 25_000_000
    assert parse_size("10MiB") == 10 * 1024 * 1024


def test_jalon_config_environment_variable_picks_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JALON_CONFIG points at the file to use when --config is not given."""
    path = write(tmp_path, '[gateway]\ndomain = "factures.example.org"\n')
    monkeypatch.setenv("JALON_CONFIG", str(path))
    assert load().gateway.domain == "factures.example.org"


def test_cli_stops_with_the_key_in_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`jalon --config bad.toml db upgrade` exits with a message naming the key, not a traceback."""
    path = write(tmp_path, '[database]\nurl = "mysql://nope"\n')
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(path), "db", "upgrade"])
    assert "database.url" in str(stopped.value)


def test_secrets_are_not_read_from_the_file(tmp_path: Path) -> None:
    """A password in config.toml is refused: only the name of an environment variable is accepted."""
    with pytest.raises(ConfigError, match=r"unknown key 'outbound\.password'"):
        load(write(tmp_path, '[outbound]\npassword = "hunter2"\n'))
