"""Readers of the sample deployment files under deploy/, for the tests that keep them honest."""

from __future__ import annotations

import ast
import configparser
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS_PY = ROOT / "src" / "trustroom" / "settings.py"
ENV_EXAMPLE = DEPLOY / "trustroom.env.example"
GRANIAN_ENV = DEPLOY / "granian.env"
NGINX_CONF = DEPLOY / "nginx" / "trustroom.conf"
UNITS = {name: DEPLOY / "systemd" / f"trustroom-{name}.service" for name in ("web", "worker", "beat")}
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list", "env_hostname"}
_ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def variables_settings_read() -> set[str]:
    """Every environment variable settings.py reads through trustroom.env's readers."""
    found = set()
    for node in ast.walk(ast.parse(SETTINGS_PY.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ENV_READERS:
            first = node.args[0]
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), ast.dump(node)
            found.add(first.value)
    return found


def env_file(path: Path, *, include_commented: bool = False) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (quotes removed); `#KEY=value` lines,
    which show a default, only with include_commented."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        match = _ASSIGNMENT.match(line.strip())
        if match is None or (line.startswith("#") and not include_commented):
            continue
        raw = match.group(2).strip()
        values[match.group(1)] = shlex.split(raw)[0] if raw else ""
    return values


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def unit_values(path: Path, section: str, key: str) -> list[str]:
    """All values of a key that may repeat (configparser keeps only the last one)."""
    values, current = [], ""
    for line in path.read_text().splitlines():
        if line.startswith("["):
            current = line.strip("[] ")
        elif current == section and line.startswith(f"{key}="):
            values.append(line.split("=", 1)[1])
    return values


def nginx_directives(text: str) -> list[tuple[str, list[str]]]:
    """(name, arguments) of every directive in order, block openers (`server`, `location /`) included."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";{}")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    directives: list[tuple[str, list[str]]] = []
    words: list[str] = []
    for token in lexer:
        if token in {";", "{", "}"} or set(token) <= set(";{}"):
            if words:
                directives.append((words[0], words[1:]))
            words = []
        else:
            words.append(token)
    assert not words, f"unterminated directive {words}"
    return directives
