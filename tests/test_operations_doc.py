"""The gunicorn command lines in the docs start the forum: each names an app gunicorn can load."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "docs" / "operations.md", ROOT / "README.md"]
#: A gunicorn app target: module:attr, or module:factory().
TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(\))?")


def gunicorn_commands(text: str) -> list[list[str]]:
    """Return the arguments after `gunicorn` of every command line that names an app."""
    text = re.sub(r"\\\n\s*", " ", text)  # shell (and systemd) continuation lines
    commands = []
    for line in text.splitlines():
        spans = re.findall(r"`([^`]*gunicorn[^`]*)`", line) or [line]
        for span in spans:
            try:
                words = shlex.split(span.strip())
            except ValueError:  # prose with an apostrophe, not a command
                continue
            starts = [i for i, word in enumerate(words) if word.split("/")[-1] == "gunicorn"]
            if starts:
                arguments = words[starts[0] + 1 :]
                if any(TARGET.fullmatch(word) for word in arguments):
                    commands.append(arguments)
    return commands


def _target(arguments: list[str]) -> str:
    return next(word for word in arguments if TARGET.fullmatch(word))


def test_the_systemd_unit_and_the_docs_name_wsgi_app():
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    [exec_start] = [line for line in text.splitlines() if "ExecStart=" in line]
    assert "gunicorn" in exec_start
    targets = [_target(command) for command in gunicorn_commands(text)]
    assert "wsgi:app" in targets


def test_finds_commands_in_code_blocks_and_inline():
    text = (
        "    ExecStart=/x/bin/gunicorn -w 4 \\\n        nowhere:app\n"
        "Run `gunicorn 'a.b:make()'`, with two workers."
    )
    assert gunicorn_commands(text) == [["-w", "4", "nowhere:app"], ["a.b:make()"]]


COMMANDS = sorted(
    {
        (path.name, " ".join(command))
        for path in DOCS
        for command in gunicorn_commands(path.read_text(encoding="utf-8"))
    }
)


@pytest.mark.parametrize(("doc", "command"), COMMANDS)
def test_gunicorn_loads_the_app_the_docs_name(doc, command, tmp_path):
    """`gunicorn --check-config` imports the app as the real start would, then exits."""
    env = {
        **os.environ,
        "FORUM_INSTANCE_PATH": str(tmp_path / "instance"),
        "FORUM_SECRET_KEY": "a" * 64,
        "FORUM_BASE_URL": "https://forum.example.org",
        "FORUM_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    }
    arguments = shlex.split(command)
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{doc}: gunicorn {command}\n{result.stderr[-3000:]}"
