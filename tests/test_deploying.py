"""README's "Deploying for real": its commands on an empty database, then the first
start in the browser, end with a forum a guest can read."""

import re
import shlex
from pathlib import Path

from forum import create_app
from forum.admin import setup
from forum.extensions import db

README = Path(__file__).resolve().parents[1] / "README.md"
PASSWORD = "ein langes geheimes passwort"


def _section() -> str:
    text = README.read_text()
    start = text.index("## Deploying for real")
    return text[start : text.index("\n## ", start + 1)]


def _flask_commands(section: str) -> list[list[str]]:
    """The section's `flask --app forum ...` command lines, as CLI arguments."""
    commands = []
    for line in section.splitlines():
        words = shlex.split(line.strip()) if line.startswith("    ") else []
        if words and words[0].endswith("/flask") and words[1:3] == ["--app", "forum"]:
            commands.append(words[3:])
    return commands


def test_readme_keeps_the_two_set_up_commands():
    text = README.read_text()
    assert "    make run     #" in text and "    make test    #" in text
    assert "gunicorn" in _section()


def test_deploying_for_real_from_an_empty_database(tmp_path):
    commands = _flask_commands(_section())
    assert [c[0] for c in commands] == ["init", "create-admin"]
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 40, "WTF_CSRF_ENABLED": False,
         "RATELIMIT_ENABLED": False, "SEARCH_INDEX_DIR": str(tmp_path / "index"),
         "MAIL_SERVER": None},
        instance_path=str(tmp_path / "instance"),
    )  # fmt: skip
    runner = app.test_cli_runner()
    try:
        for arguments in commands:
            result = runner.invoke(args=arguments, input=f"{PASSWORD}\n{PASSWORD}\n")
            assert result.exit_code == 0, result.output
        username = commands[1][1]

        guest = app.test_client()
        guest.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert "This forum is being set up" in guest.get("/").get_data(as_text=True)

        admin = app.test_client()
        admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login = admin.post("/login", data={"login": username, "password": PASSWORD})
        assert login.status_code == 302
        first = admin.get("/")
        assert first.headers["Location"].endswith("/admin/setup/site")
        steps = {
            "site": {"name": "Ehrenamt im Kreis", "description": "Für alle, die helfen."},
            "legal": {"organisation": "Landkreis Gifhorn", "address": "Schlossplatz 1",
                      "email": "ehrenamt@example.org"},
            "membership": {"approval_required": "y", "questions": "\n".join(
                setup.DEFAULT_QUESTIONS), "netiquette": "Freundlich bleiben."},
        }  # fmt: skip
        for step, data in steps.items():
            response = admin.post(f"/admin/setup/{step}", data=data)
            assert response.status_code == 302, (step, response.get_data(as_text=True))
        form = admin.get("/admin/setup/categories").get_data(as_text=True)
        data = {}
        for field in re.findall(r'name="(\w+_(?:name|description|read_level))"', form):
            starter = next(s for s in setup.STARTERS if field.startswith(s.key + "_"))
            value = getattr(starter.data, field[len(starter.key) + 1 :])
            data[field] = value
            data[f"{starter.key}_include"] = "y"
        assert admin.post("/admin/setup/categories", data=data).status_code == 302

        page = guest.get("/").get_data(as_text=True)
        assert "Ehrenamt im Kreis" in page and "Für alle, die helfen." in page
        public = [s.data for s in setup.STARTERS if s.data.read_level == "public"]
        private = [s.data for s in setup.STARTERS if s.data.read_level != "public"]
        assert [c.name for c in public] == ["Ehrenamt entdecken", "Fragen & Antworten"]
        for category in public:
            assert category.name.replace("&", "&amp;") in page
            assert f'href="/c/{category.slug}/' in page
        for category in private:
            assert f'href="/c/{category.slug}/' not in page
        assert "Landkreis Gifhorn" in guest.get("/impressum").get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.remove()
            if "search" in app.extensions:
                app.extensions["search"].close()
            db.engine.dispose()
