"""The plugin system: discovery, loading errors, documentation, and one test per hook.

Each test writes small plugins into a folder of its own and builds a real app
with them enabled. ``test_every_hook_is_documented_and_tested`` fails when a
hook in forum/hookspecs.py lacks an example, a section in docs/plugins.md,
or a ``test_hook_<name>`` here.
"""

import inspect
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum import create_app, hookspecs
from forum.extensions import db, init_migrate
from forum.plugins import PluginError, plugin_infos
from tests.conftest import _empty_all_tables

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _forget_plugin_modules():
    """Folder plugins are imported as forum_plugins.<name>; each test writes its own.

    The bundled plugins (the repo's plugins/) stay imported: their models sit
    on the shared declarative base and must be defined once per process.
    """
    bundled = str(ROOT / "plugins")

    def forget():
        for name, module in list(sys.modules.items()):
            source = str(getattr(module, "__file__", None) or "")
            if name.startswith("forum_plugins.") and not source.startswith(bundled):
                del sys.modules[name]
        namespace = sys.modules.get("forum_plugins")
        if namespace is not None:
            namespace.__path__[:] = [path for path in namespace.__path__ if path == bundled]

    forget()
    yield
    forget()


@pytest.fixture
def build(app_config, tmp_path):
    """Return a function that writes plugins and builds an app with them enabled."""
    apps = []

    def _build(plugins: dict[str, str], enabled=None, **config):
        folder = tmp_path / "plugins"
        folder.mkdir(exist_ok=True)
        for name, source in plugins.items():
            (folder / f"{name}.py").write_text(textwrap.dedent(source))
        settings = {
            **app_config,
            "PLUGINS_DIR": str(folder),
            "PLUGINS": list(plugins) if enabled is None else enabled,
            "HOLD_FIRST_POSTS": 0,
            **config,
        }
        app = create_app(settings, instance_path=str(tmp_path / f"instance{len(apps)}"))
        with app.app_context():
            _empty_all_tables()
        apps.append(app)
        return app

    yield _build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def recorder(app):
    """Return the event list of the 'recorder' test plugin."""
    return sys.modules["forum_plugins.recorder"].EVENTS


RECORDER = """
    from forum import hookimpl

    EVENTS = []

    @hookimpl
    def post_created(post, topic, user, extra):
        EVENTS.append(("post_created", post.post_number, user.username, dict(extra)))

    @hookimpl
    def post_edited(post, user, reason):
        EVENTS.append(("post_edited", post.post_number, user.username, reason))

    @hookimpl
    def post_deleted(post, user):
        EVENTS.append(("post_deleted", post.post_number, user.username))

    @hookimpl
    def post_liked(post, topic, user):
        EVENTS.append(("post_liked", post.post_number, topic.id, user.username))

    @hookimpl
    def post_restored(post, user):
        EVENTS.append(("post_restored", post.post_number, user.username))

    @hookimpl
    def topic_created(topic, post, user, extra):
        EVENTS.append(("topic_created", topic.title, dict(extra)))

    @hookimpl
    def topic_closed(topic, user, closed):
        EVENTS.append(("topic_closed", topic.title, closed))

    @hookimpl
    def topic_moved(topic, old_category, new_category):
        EVENTS.append(("topic_moved", old_category.name, new_category.name))

    @hookimpl
    def user_registered(user):
        EVENTS.append(("user_registered", user.username))

    @hookimpl
    def user_approved(user, moderator):
        EVENTS.append(("user_approved", user.username, moderator.username if moderator else None))

    @hookimpl
    def user_suspended(user, moderator, until, reason):
        EVENTS.append(("user_suspended", user.username, reason))

    @hookimpl
    def prepare_topic_list(topics, user):
        EVENTS.append(("prepare_topic_list", len(topics)))
"""


def _client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _login(client, username):
    response = client.post("/login", data={"login": username, "password": "correct horse battery"})
    assert response.status_code == 302


def _world(app):
    """A member, a moderator, a members' category and a topic, built in ``app``."""
    from tests.conftest import Factory

    make = Factory(app)
    member = make.user("mitglied")
    moderator = make.user("koordination", role="moderator")
    category = make.category("Allgemeines", read_level="members")
    other = make.category("Fragen", read_level="members")
    topic = make.topic(member, category, "Ein Thema für Plugins", "Der erste Beitrag.")
    return make, member, moderator, category, other, topic


# --- Discovery and loading ----------------------------------------------------------------


def test_folder_module_and_package_plugins_are_found(build, tmp_path):
    package = tmp_path / "plugins" / "paket"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from forum import hookimpl\nfrom forum_plugins.paket.werte import GRUSS\n"
        "__version__ = '1.2'\n"
        "@hookimpl\ndef register_settings(app):\n    return {'PAKET_GRUSS': GRUSS}\n"
    )
    (package / "werte.py").write_text("GRUSS = 'Moin'\n")
    app = build(
        {
            "modul": "from forum import hookimpl\n@hookimpl\ndef register_settings():\n"
            "    return {'MODUL': 1}\n"
        },
        enabled=["modul", "paket"],
    )
    assert app.config["PAKET_GRUSS"] == "Moin" and app.config["MODUL"] == 1
    infos = {info.name: info for info in plugin_infos(app)}
    assert infos["paket"].version == "1.2" and infos["paket"].enabled
    assert infos["paket"].hooks == ("register_settings",)


def test_entry_point_plugins_are_found(build, tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "forum_ep_demo").mkdir(parents=True)
    (site / "forum_ep_demo" / "__init__.py").write_text(
        "from forum import hookimpl\n@hookimpl\ndef register_settings():\n"
        "    return {'EP_DEMO': 'geladen'}\n"
    )
    dist = site / "forum_ep_demo-0.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: forum-ep-demo\nVersion: 0.3\n")
    (dist / "entry_points.txt").write_text("[forum.plugins]\nepdemo = forum_ep_demo\n")
    monkeypatch.syspath_prepend(str(site))
    app = build({}, enabled=["epdemo"])
    assert app.config["EP_DEMO"] == "geladen"
    info = next(i for i in plugin_infos(app) if i.name == "epdemo")
    assert info.enabled and "forum-ep-demo" in info.source
    sys.modules.pop("forum_ep_demo", None)


def test_disabled_plugins_are_listed_but_not_loaded(build):
    app = build(
        {
            "still": "from forum import hookimpl\n@hookimpl\ndef register_settings():\n"
            "    return {'STILL': True}\n"
        },
        enabled=[],
    )
    assert "STILL" not in app.config
    assert [(i.name, i.enabled) for i in plugin_infos(app)] == [("still", False)]


def test_a_missing_plugin_stops_start_up_with_its_name(build):
    with pytest.raises(PluginError, match="'gibtsnicht'"):
        build({}, enabled=["gibtsnicht"])


def test_an_import_error_stops_start_up_with_the_plugin_name(build):
    with pytest.raises(PluginError, match="'kaputt'"):
        build({"kaputt": "import modul_das_es_nicht_gibt\n"})


def test_a_misspelt_hook_stops_start_up_with_the_plugin_name(build):
    source = "from forum import hookimpl\n@hookimpl\ndef post_creatd(post):\n    pass\n"
    with pytest.raises(PluginError, match=r"'tippfehler'.*post_creatd"):
        build({"tippfehler": source})


def test_a_wrong_return_type_fails_loudly(build):
    source = (
        "from forum import hookimpl\n@hookimpl\ndef register_blueprints(app):\n    return 'x'\n"
    )
    with pytest.raises(TypeError, match="register_blueprints"):
        build({"falsch": source})


def test_later_plugins_run_first_and_the_first_rejection_wins(build, make):
    # pluggy calls the last registered plugin first; PLUGINS order is registration order.
    first = "from forum import hookimpl\nfrom forum.plugins import Reject\n@hookimpl\n" \
        "def validate_post(raw):\n    return Reject('erstes')\n"  # fmt: skip
    second = first.replace("erstes", "zweites")
    app = build({"eins": first, "zwei": second}, enabled=["eins", "zwei"])
    with app.app_context():
        from forum import plugins

        verdict = plugins.validate_post(
            user=None, category=None, topic=None, post=None, title="t", raw="r", extra={}
        )
    assert verdict.message == "zweites"


def test_admin_page_and_cli_list_plugins(build, tmp_path):
    app = build({"recorder": RECORDER})
    from tests.conftest import Factory

    Factory(app).user("verwaltung", role="admin")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _login(client, "verwaltung")
    page = client.get("/admin/plugins").get_data(as_text=True)
    assert "recorder" in page and "post_created" in page
    result = app.test_cli_runner().invoke(args=["plugins"])
    assert result.exit_code == 0 and "recorder" in result.output and "enabled" in result.output


# --- Documentation ---------------------------------------------------------------------------


def _hook_names() -> list[str]:
    return sorted(
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "forum_spec")
    )


def test_every_hook_is_documented_and_tested():
    guide = (ROOT / "docs" / "plugins.md").read_text()
    tests = {name for name in globals() if name.startswith("test_hook_")}
    problems = []
    for name in _hook_names():
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        if "Example::" not in doc or len(doc) < 80:
            problems.append(f"{name}: docstring needs a description and an example")
        if f"`{name}" not in guide:
            problems.append(f"{name}: not described in docs/plugins.md")
        if f"test_hook_{name}" not in tests:
            problems.append(f"{name}: no test_hook_{name} in {__name__}")
    assert not problems, "\n".join(problems)
    assert len(_hook_names()) >= 20
    # The hook module tells plugin authors where this check lives; keep that true.
    here = Path(__file__).resolve().relative_to(ROOT).as_posix()
    assert here in hookspecs.__doc__
    assert "test_every_hook_is_documented_and_tested" in hookspecs.__doc__


# --- One test per hook ------------------------------------------------------------------------


def test_hook_register_settings(build):
    source = "from forum import hookimpl\n@hookimpl\ndef register_settings(app):\n" \
        "    return {'GRUSS': 'Moin', 'SITE_NAME': 'vom Plugin'}\n"  # fmt: skip
    app = build({"gruss": source}, SITE_NAME="vom Betreiber")
    assert app.config["GRUSS"] == "Moin"
    assert app.config["SITE_NAME"] == "vom Betreiber"  # the deployer's value wins


def test_hook_register_blueprints(build):
    source = """
        from flask import Blueprint
        from forum import hookimpl

        bp = Blueprint("hallo", __name__)

        @bp.get("/hallo")
        def hallo():
            return "Hallo vom Plugin"

        @hookimpl
        def register_blueprints(app):
            return [bp]
    """
    app = build({"hallo": source})
    assert app.test_client().get("/hallo").get_data(as_text=True) == "Hallo vom Plugin"
    off = build({"hallo": source}, enabled=[])
    assert off.test_client().get("/hallo").status_code == 404


def test_hook_register_commands(build):
    source = """
        import click
        from forum import hookimpl

        @click.command("winken")
        def winken():
            click.echo("winke winke")

        @hookimpl
        def register_commands(app):
            return [winken]
    """
    app = build({"winken": source})
    result = app.test_cli_runner().invoke(args=["winken"])
    assert result.exit_code == 0 and "winke winke" in result.output


def test_hook_register_migrations(build, tmp_path):
    folder = tmp_path / "pluginmigrations"
    folder.mkdir()
    source = f"from forum import hookimpl\n@hookimpl\ndef register_migrations(app):\n" \
        f"    return {str(folder)!r}\n"  # fmt: skip
    app = build({"tabellen": source})
    init_migrate(app)
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        locations = config.get_main_option("version_locations")
    assert str(folder) in locations and "forum/migrations/versions" in locations


DEFLIST_PLUGIN = """
    from mdit_py_plugins.deflist import deflist_plugin
    from forum import hookimpl

    @hookimpl
    def prepare_markdown(parser):
        parser.use(deflist_plugin)
"""
DEFLIST = "Ehrenamt\n: freiwillig und unbezahlt\n"


def test_hook_prepare_markdown(build):
    app = build({"liste": DEFLIST_PLUGIN})
    with app.app_context():
        tokens = app.extensions["forum.cooker"].parser.parse(DEFLIST)
        assert "dl_open" in [t.type for t in tokens]
        # Without an allowed tag the sanitiser still strips the new elements.
        from forum.markdown import cook

        assert "<dl>" not in cook(DEFLIST) and "freiwillig und unbezahlt" in cook(DEFLIST)


def test_hook_register_allowed_html(build):
    allow = textwrap.dedent(DEFLIST_PLUGIN) + textwrap.dedent(
        """
        @hookimpl
        def register_allowed_html():
            return {"dl": ["class", "onclick", "style"], "dt": [], "dd": []}
        """
    )
    app = build({"liste": allow})
    with app.app_context():
        from forum.markdown import cook

        assert "<dl>" in cook(DEFLIST) and "<dd>" in cook(DEFLIST)
        cleaner = app.extensions["forum.cooker"].cleaner
        html = cleaner.clean('<dl class="x" onclick="alert(1)" style="color:red">a</dl>')
    # Event handlers and inline styles stay forbidden whatever a plugin asks for.
    assert html == '<dl class="x">a</dl>'


VALIDATOR = """
    from forum import hookimpl
    from forum.plugins import Hold, Reject

    @hookimpl
    def validate_post(raw, extra):
        if "verboten" in raw:
            return Reject("Das Wort ist hier nicht erlaubt.")
        if "prüfen" in raw:
            return Hold("vom Plugin angehalten")
        if "absturz" in raw:
            raise RuntimeError("plugin bug")
"""


def test_hook_validate_post(build):
    app = build({"pruefer": VALIDATOR})
    _make, _member, _moderator, _category, _other, topic = _world(app)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _login(client, "mitglied")
    rejected = client.post(f"/t/{topic.id}/reply", data={"raw": "Das ist verboten hier"})
    assert rejected.status_code == 400
    assert "Das Wort ist hier nicht erlaubt." in rejected.get_data(as_text=True)
    crashed = client.post(f"/t/{topic.id}/reply", data={"raw": "Ein absturz passiert"})
    assert crashed.status_code == 400  # fail closed
    assert "could not be checked" in crashed.get_data(as_text=True)
    held = client.post(f"/t/{topic.id}/reply", data={"raw": "Bitte prüfen lassen"})
    assert held.status_code == 302
    with app.app_context():
        from forum.boards.models import Post
        from forum.moderation.models import ReviewItem

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1
        item = db.session.scalar(sa.select(ReviewItem))
        assert item.reason == "plugin:vom Plugin angehalten"


def test_hook_post_created(build):
    app = build({"recorder": RECORDER})
    make, member, _moderator, _category, _other, topic = _world(app)
    make.post(topic, member, "Eine Antwort")
    assert ("post_created", 2, "mitglied", {}) in recorder(app)


def test_hook_post_edited(build):
    app = build({"recorder": RECORDER})
    _make, member, _moderator, _category, _other, topic = _world(app)
    with app.app_context():
        from forum.boards import services
        from forum.boards.models import Post
        from forum.users.models import User

        post = db.session.scalar(sa.select(Post).where(Post.topic_id == topic.id))
        services.edit_post(db.session.get(User, member.id), post, "Neuer Text", reason="Tippfehler")
    assert ("post_edited", 1, "mitglied", "Tippfehler") in recorder(app)


def test_hook_post_liked(build):
    app = build({"recorder": RECORDER})
    make, member, moderator, _category, _other, topic = _world(app)
    reply = make.post(topic, member, "Gefällt bestimmt")
    with app.app_context():
        from forum.boards import services
        from forum.boards.models import Post
        from forum.users.models import User

        mod = db.session.get(User, moderator.id)
        assert services.toggle_like(mod, db.session.get(Post, reply.id))
        assert not services.toggle_like(mod, db.session.get(Post, reply.id))  # taken back
    assert recorder(app).count(("post_liked", 2, topic.id, "koordination")) == 1


def test_hook_post_deleted(build):
    app = build({"recorder": RECORDER})
    make, member, _moderator, _category, _other, topic = _world(app)
    reply = make.post(topic, member, "Wird gelöscht")
    with app.app_context():
        from forum.boards import services
        from forum.boards.models import Post
        from forum.users.models import User

        services.delete_post(db.session.get(User, member.id), db.session.get(Post, reply.id))
    assert ("post_deleted", 2, "mitglied") in recorder(app)


def test_hook_post_restored(build):
    app = build({"recorder": RECORDER})
    make, member, moderator, _category, _other, topic = _world(app)
    reply = make.post(topic, member, "Wird gelöscht und zurückgeholt")
    with app.app_context():
        from forum.boards import services
        from forum.boards.models import Post
        from forum.users.models import User

        mod = db.session.get(User, moderator.id)
        services.delete_post(mod, db.session.get(Post, reply.id))
        services.restore_post(mod, db.session.get(Post, reply.id))
    assert ("post_restored", 2, "koordination") in recorder(app)


def test_hook_topic_created(build):
    app = build({"recorder": RECORDER})
    _make, _member, _moderator, category, _other, _topic = _world(app)
    client = app.test_client()
    _login(client, "mitglied")
    response = client.post(
        "/new-topic",
        data={"category": category.id, "title": "Thema mit Extras", "raw": "Text des Themas",
              "plugin.recorder.farbe": "grün", "nicht_fuer_plugins": "x"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ("topic_created", "Thema mit Extras", {"plugin.recorder.farbe": "grün"}) in recorder(app)


def test_hook_topic_closed(build):
    app = build({"recorder": RECORDER})
    _make, _member, moderator, _category, _other, topic = _world(app)
    with app.app_context():
        from forum.boards.models import Topic
        from forum.moderation.actions import set_closed
        from forum.users.models import User

        set_closed(db.session.get(User, moderator.id), db.session.get(Topic, topic.id), True)
    assert ("topic_closed", "Ein Thema für Plugins", True) in recorder(app)


def test_hook_topic_moved(build):
    app = build({"recorder": RECORDER})
    _make, _member, moderator, _category, other, topic = _world(app)
    with app.app_context():
        from forum.boards.models import Category, Topic
        from forum.moderation.actions import move_topic
        from forum.users.models import User

        move_topic(
            db.session.get(User, moderator.id),
            db.session.get(Topic, topic.id),
            db.session.get(Category, other.id),
        )
    assert ("topic_moved", "Allgemeines", "Fragen") in recorder(app)


def test_hook_user_registered(build):
    app = build({"recorder": RECORDER})
    client = app.test_client()
    response = client.post(
        "/register",
        data={"username": "neuling", "email": "neuling@example.org",
              "password": "ein langes passwort", "password_confirm": "ein langes passwort"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ("user_registered", "neuling") in recorder(app)


def test_hook_user_approved(build):
    app = build({"recorder": RECORDER})
    make, _member, moderator, _category, _other, _topic = _world(app)
    applicant = make.user("bewerberin", role="applicant")
    with app.app_context():
        from forum.membership import applications
        from forum.users.models import User

        item = applications.submit_application(db.session.get(User, applicant.id), [], 1)
        applications.approve_application(db.session.get(User, moderator.id), item)
    assert ("user_approved", "bewerberin", "koordination") in recorder(app)


def test_hook_user_suspended(build):
    app = build({"recorder": RECORDER})
    _make, member, moderator, _category, _other, _topic = _world(app)
    with app.app_context():
        from forum.moderation.actions import suspend_user
        from forum.users.models import User

        suspend_user(
            db.session.get(User, moderator.id), db.session.get(User, member.id), 3, "Beleidigung"
        )
    assert ("user_suspended", "mitglied", "Beleidigung") in recorder(app)


REVIEW_KIND = """
    from flask import Blueprint
    from forum import hookimpl
    from forum.plugins import ReviewKind

    DONE = []
    bp = Blueprint("meldungen", __name__, template_folder="meldungen_templates")

    def dismiss(moderator, item, form):
        DONE.append((moderator.username, item.payload["was"]))

    @hookimpl
    def register_blueprints(app):
        return [bp]

    @hookimpl
    def register_review_kinds():
        return [ReviewKind("meldung", "Gemeldete Veranstaltung", "meldungen/item.html",
                           {"dismiss": ("Erledigt", dismiss)})]
"""


def test_hook_register_review_kinds(build, tmp_path):
    templates = tmp_path / "plugins" / "meldungen_templates" / "meldungen"
    templates.mkdir(parents=True)
    (templates / "item.html").write_text("<p>Gemeldet: {{ item.payload.was }}</p>")
    app = build({"meldungen": REVIEW_KIND})
    _make, _member, _moderator, _category, _other, _topic = _world(app)
    with app.app_context():
        from forum.moderation.services import add_review_item

        item_id = add_review_item("meldung", payload={"was": "Sommerfest"}).id
    client = _client(app)
    _login(client, "koordination")
    page = client.get(f"/review/{item_id}").get_data(as_text=True)
    assert "Gemeldete Veranstaltung" in page and "Gemeldet: Sommerfest" in page
    assert "Erledigt" in page
    assert client.get("/review?kind=meldung").status_code == 200
    response = client.post(f"/review/{item_id}/action/dismiss")
    assert response.status_code == 302
    assert sys.modules["forum_plugins.meldungen"].DONE == [("koordination", "Sommerfest")]
    again = client.post(f"/review/{item_id}/action/dismiss", follow_redirects=True)
    assert "already handled by koordination" in again.get_data(as_text=True)
    assert len(sys.modules["forum_plugins.meldungen"].DONE) == 1


def test_hook_describe_notification(build):
    source = """
        from forum import hookimpl

        @hookimpl
        def describe_notification(kind, data, topic):
            if kind == "dank":
                return f"{data['von']} dankt dir für „{topic.title}“."
            if kind == "kaputt":
                raise RuntimeError("plugin bug")
    """
    app = build({"dank": source})
    _make, member, _moderator, _category, _other, topic = _world(app)
    with app.app_context():
        from forum.notifications.services import notify

        notify(member.id, "dank", topic_id=topic.id, von="Anna")
        notify(member.id, "kaputt", topic_id=topic.id, title=topic.title)
        notify(member.id, "fremd", topic_id=topic.id, title=topic.title)
        db.session.commit()
    client = app.test_client()
    _login(client, "mitglied")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Anna dankt dir für „Ein Thema für Plugins“." in html
    # A failing plugin and a kind nobody describes both get the generic sentence.
    assert html.count("Neues zu „Ein Thema für Plugins“.") == 2


def test_hook_extra_search_fields(build):
    source = """
        from forum import hookimpl

        @hookimpl
        def extra_search_fields(posts):
            return {post_id: "Schützenhalle" for post_id, topic_id, number in posts if number == 1}
    """
    app = build({"ort": source}, SEARCH_BACKEND="whoosh")
    _make, member, _moderator, _category, _other, topic = _world(app)
    with app.app_context():
        from forum.search import services as search
        from forum.users.models import User

        search.reindex(app)
        page = search.search(db.session.get(User, member.id), "Schützenhalle")
    assert [result.topic.id for result in page.results] == [topic.id]
    app.extensions["search"].close()


def test_hook_extra_search_boosts(build):
    source = """
        from forum import hookimpl

        @hookimpl
        def extra_search_boosts(posts, session):
            first = min(topic_id for _post_id, topic_id, _number in posts)
            return {post_id: 5.0 for post_id, topic_id, _number in posts if topic_id == first}
    """
    app = build({"vorne": source}, SEARCH_BACKEND="whoosh")
    make, member, _moderator, category, _other, topic = _world(app)
    newer = make.topic(member, category, "Noch ein Thema für Plugins", "Der erste Beitrag.")
    with app.app_context():
        from forum.search import services as search
        from forum.users.models import User

        search.reindex(app)
        page = search.search(db.session.get(User, member.id), "Beitrag")
    # The boosted older topic first; the factor is capped (backend.MAX_BOOST).
    assert [result.topic.id for result in page.results] == [topic.id, newer.id]
    app.extensions["search"].close()


def test_hook_register_search_filters(build):
    source = """
        from forum import hookimpl
        from forum.boards.models import Topic
        from forum.plugins import SearchFilter

        def laenge(value):
            if value not in ("kurz", "lang"):
                raise ValueError("Nutzen Sie laenge:kurz oder laenge:lang.")
            return Topic.posts_count > 1 if value == "lang" else Topic.posts_count <= 1

        @hookimpl
        def register_search_filters():
            return [SearchFilter("laenge", laenge)]
    """
    app = build({"laenge": source}, SEARCH_BACKEND="whoosh")
    _make, member, _moderator, _category, _other, topic = _world(app)
    with app.app_context():
        from forum.search import services as search
        from forum.search.query import QueryError
        from forum.users.models import User

        reader = db.session.get(User, member.id)
        search.reindex(app)
        assert [r.topic.id for r in search.search(reader, "Plugins laenge:kurz").results] == [
            topic.id
        ]
        assert search.search(reader, "Plugins laenge:lang").results == []
        with pytest.raises(QueryError, match="laenge:kurz"):
            search.search(reader, "Plugins laenge:mittel")
    app.extensions["search"].close()


def test_hook_similar_topics(build):
    source = """
        from forum import hookimpl
        from forum.boards.models import Topic
        from forum.extensions import db

        @hookimpl
        def similar_topics(user, title, limit):
            if title == "Eigene Antwort":
                return db.session.scalars(db.select(Topic).limit(limit)).all()
            return None  # the forum's search answers
    """
    app = build({"aehnlich": source}, SEARCH_BACKEND="whoosh")
    _make, _member, _moderator, category, _other, _topic = _world(app)
    client = _client(app)
    _login(client, "mitglied")

    def check(title):
        data = {"category": category.id, "title": title, "raw": "Text", "similar": "1"}
        return client.post("/new-topic", data=data).get_data(as_text=True)

    assert "Ein Thema für Plugins" in check("Eigene Antwort")
    assert "Ein Thema für Plugins" in check("Plugins")  # the search's own answer
    assert "No similar topics found." in check("Xylophon")
    app.extensions["search"].close()


def test_hook_extra_search_results(build):
    source = """
        from forum import hookimpl
        from forum.plugins import Contribution

        @hookimpl
        def extra_search_results(topics, user):
            return {t.id: Contribution("note.html", {"text": f"<{t.title}>"}) for t in topics}
    """
    app = build({"note": source}, SEARCH_BACKEND="whoosh")
    _folder_template(app, "note.html", "<em class='note'>{{ text }}</em>")
    _make, _member, _moderator, _category, _other, _topic = _world(app)
    client = _client(app)
    _login(client, "mitglied")
    page = client.get("/search", query_string={"q": "Plugins"}).get_data(as_text=True)
    # One contribution under the one result, autoescaped.
    assert page.count("<em class='note'>&lt;Ein Thema für Plugins&gt;</em>") == 1
    assert "1 topic found" in page
    app.extensions["search"].close()


def test_hook_prepare_topic_list(build):
    outlet = """
        from forum.plugins import Contribution

        @hookimpl
        def extra_outlet(outlet, topic):
            if outlet == "topic_list_item":
                return Contribution("outlet.html", {"text": topic.title})
    """
    app = build({"recorder": textwrap.dedent(RECORDER) + textwrap.dedent(outlet)})
    _folder_template(app, "outlet.html", "<span class='p'>{{ text }}</span>")
    make, member, _moderator, category, _other, _topic = _world(app)
    make.topic(member, category, "Noch ein Thema", "Text")
    client = _client(app)
    _login(client, "mitglied")
    page = client.get("/latest").get_data(as_text=True)
    # One call for the whole list, then one contribution per topic row.
    assert recorder(app).count(("prepare_topic_list", 2)) == 1
    assert "<span class='p'>Noch ein Thema</span>" in page
    assert "<span class='p'>Ein Thema für Plugins</span>" in page


def _folder_template(app, name, text):
    folder = Path(app.instance_path) / "plugin-templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    from jinja2 import ChoiceLoader, FileSystemLoader

    app.jinja_loader  # noqa: B018 (make Flask build its loader first)
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, FileSystemLoader(str(folder))])


def test_hook_extra_outlet(build, caplog):
    source = """
        from forum import hookimpl
        from forum.plugins import Contribution

        @hookimpl
        def extra_outlet(outlet, topic, user):
            if outlet == "topic_header":
                return Contribution("kopf.html", {"text": "<b>fett?</b> " + topic.title})
    """
    broken = """
        from forum import hookimpl

        @hookimpl
        def extra_outlet(outlet):
            if outlet == "topic_header":
                raise RuntimeError("plugin bug")
    """
    app = build({"kopf": source, "kaputt": broken})
    _folder_template(app, "kopf.html", "<div class='kopf'>{{ text }}</div>")
    _make, _member, _moderator, _category, _other, topic = _world(app)
    client = app.test_client()
    _login(client, "mitglied")
    response = client.get(f"/t/x/{topic.id}", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<div class='kopf'>&lt;b&gt;fett?&lt;/b&gt; Ein Thema für Plugins</div>" in page
    assert "Plugin 'kaputt' failed in outlet topic_header" in caplog.text


def test_hook_register_nav_links(build):
    source = """
        from forum import hookimpl
        from forum.plugins import NavLink

        @hookimpl
        def register_nav_links(user):
            if user.is_authenticated:
                return [NavLink("Termine", "boards.latest")]
    """
    app = build({"termine": source})
    _world(app)
    client = app.test_client()
    assert "Termine" not in client.get("/latest").get_data(as_text=True)
    _login(client, "mitglied")
    assert '<a href="/latest" aria-current="page">Termine</a>' in client.get("/latest").get_data(
        as_text=True
    )


def test_hook_extra_api_fields(build):
    source = """
        from forum import hookimpl

        @hookimpl
        def extra_api_fields(kind, obj):
            if kind == "topic":
                return {"lieblingsfarbe": "grün", "title": "überschrieben?"}
            if kind == "user":
                return {"verein": "Jugendfeuerwehr"}
    """
    app = build({"felder": source})
    _make, _member, _moderator, _category, _other, topic = _world(app)
    client = _client(app)
    _login(client, "mitglied")
    data = client.get(f"/t/{topic.id}.json").get_json()
    assert data["lieblingsfarbe"] == "grün"
    assert data["title"] == "Ein Thema für Plugins"  # core fields stay
    assert client.get("/u/mitglied.json").get_json()["user"]["verein"] == "Jugendfeuerwehr"


PERMISSIONS = """
    from forum import hookimpl, permissions

    @hookimpl
    def permission_allowed(user, action, obj):
        if action == "kurse.anmelden":
            # A plugin's own action, built on a core rule asked by name.
            return permissions.allowed(user, "topic.read", obj) and not obj.closed
        if action == "topic.read" and obj is not None and "Geheim" in obj.title:
            return False
        if action == "kaputt.typ":
            return "ja"
        if action == "kaputt.fehler":
            raise RuntimeError("plugin bug")
        return None
"""


def test_hook_permission_allowed(build, caplog):
    from forum import permissions
    from forum.boards.models import Topic
    from forum.users.models import User

    app = build({"kurse": PERMISSIONS})
    make, member, _moderator, category, _other, topic = _world(app)
    secret = make.topic(member, category, "Geheime Planung", "Nur für den Vorstand.")
    with app.test_request_context():
        member = db.session.get(User, member.id)
        topic, secret = db.session.get(Topic, topic.id), db.session.get(Topic, secret.id)
        # The built-in rules answer the forum's own actions.
        assert permissions.allowed(member, "topic.read", topic)
        assert not permissions.allowed(None, "topic.read", topic)
        assert permissions.allowed(member, "account.log_in")
        assert not permissions.allowed(None, "account.log_in")
        assert not permissions.allowed(member, "member.moderate", member)
        # A plugin answers first: its own action, and a veto on a core one.
        assert permissions.allowed(member, "kurse.anmelden", topic)
        assert not permissions.allowed(None, "kurse.anmelden", topic)
        assert not permissions.allowed(member, "topic.read", secret)
        assert not permissions.allowed(member, "kurse.anmelden", secret)
        # Nobody answers: refused. A failing plugin refuses too (fail closed).
        assert not permissions.allowed(member, "niemand.weiss", topic)
        assert not permissions.allowed(member, "kaputt.fehler", topic)
        assert "A plugin failed in permission_allowed (kaputt.fehler)" in caplog.text
        with pytest.raises(TypeError, match="permission_allowed"):
            permissions.allowed(member, "kaputt.typ", topic)
