"""``$BANKCRM_HOME/bankcrm.toml``: the operator's overrides, checked before anything else runs (issue 15.9).

Read by settings.py, so it imports nothing of Django's ORM. Every problem is a ``ConfigError`` whose
message is one line naming the file, the line and the key: a malformed file (TOML syntax), a key
bankcrm does not know (a typo would otherwise be silently ignored and the default used), or a value
of the wrong kind. The known keys and their kinds are the defaults themselves: a section's keys are
those of its default dict, a value must have the default's kind.
"""

import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# DRF's rate syntax (rest_framework.throttling.SimpleRateThrottle.parse_rate): "120/minute".
RATE = re.compile(r"^\s*[1-9][0-9]*\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")


class ConfigError(ImproperlyConfigured):
    """A problem in bankcrm.toml; ``str()`` is the one line the operator sees."""


class Rate(str):
    """Marks a default as a throttle rate ("120/minute"), so values are checked as rates."""


class Decimal_(str):
    """Marks a default as an exact decimal written as text ("0.8"), so values are checked as numbers."""


def _line_of(lines: list[str], section: str, key: str) -> int | None:
    """1-based line of ``key`` inside ``[section]`` (or of the section header when the key is not found)."""
    current, header_line = "", None
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] \t").split("#")[0].strip()
            if current == section:
                header_line = number
            continue
        if current == section and re.match(rf"^\s*{re.escape(key)}\s*=", text):
            return number
    return header_line


def _kind(default) -> str:
    if isinstance(default, Rate):
        return "rate"
    if isinstance(default, Decimal_):
        return "decimal"
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, dict):
        return "table"
    if isinstance(default, list):
        return "list"
    return "text"


def _check_value(value, default, where: str):
    """The value in the default's kind, or ConfigError naming what was expected."""
    kind = _kind(default)
    if kind == "table":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table like {{ {', '.join(f'{k} = …' for k in default)} }}")
        unknown = sorted(set(value) - set(default))
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]}: unknown key; known: {', '.join(default)}")
        return {**default, **{k: _check_value(v, default[k], f"{where}.{k}") for k, v in value.items()}}
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} = {value!r}: expected true or false")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where} = {value!r}: expected a whole number ≥ 0")
        return value
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(f'{where} = {value!r}: expected a number written as text, e.g. "0.8"')
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            raise ConfigError(f'{where} = {value!r}: expected a number ≥ 0 written as text, e.g. "0.8"')
        return str(value)
    if kind == "list":
        # e.g. working_hours = ["08:00", "19:00"]: the same number of texts as the default
        if not isinstance(value, list) or len(value) != len(default) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} = {value!r}: expected a list of {len(default)} texts like {default!r}")
        return value
    if kind == "rate":
        if not isinstance(value, str) or not RATE.match(value):
            raise ConfigError(
                f'{where} = {value!r}: expected a rate like "120/minute" (per second, minute, hour or day)'
            )
        return value.replace(" ", "")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} = {value!r}: expected text")
    return value


def load_overrides(path: Path, defaults: dict[str, dict]) -> dict[str, dict]:
    """The defaults with the file's overrides applied; ConfigError (one line) on any problem."""
    if not path.exists():
        return defaults
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    try:
        conf = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = re.search(r"line (\d+)", message)
        key = ""
        if line and 0 < int(line.group(1)) <= len(lines):
            key = lines[int(line.group(1)) - 1].split("=")[0].strip()
        where = f"{path} line {line.group(1)}" if line else str(path)
        raise ConfigError(f"{where}: not valid TOML near {key!r}: {message}") from None
    merged = {section: dict(values) for section, values in defaults.items()}
    for section, values in conf.items():
        if section not in defaults:
            at = _line_of(lines, section, "")
            raise ConfigError(
                f"{path} line {at or '?'}: unknown section [{section}]; known: {', '.join(f'[{s}]' for s in defaults)}"
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: {section} must be a [{section}] table")
        for key, value in values.items():
            at = _line_of(lines, section, key)
            where = f"{path} line {at or '?'}: {section}.{key}"
            if key not in defaults[section]:
                raise ConfigError(f"{where}: unknown key; known: {', '.join(defaults[section])}")
            merged[section][key] = _check_value(value, defaults[section][key], where)
    return merged
