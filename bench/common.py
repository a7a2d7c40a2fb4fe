"""What the generator, the benchmark and the gunicorn worker share.

The benchmark app is the forum's own ``create_app()`` with a bench config and one
extra route, ``/_bench/ceiling``: the first page of the long topic rendered from
objects held in memory, with no database access. It is the ceiling every page is
compared with.
"""

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
#: The forum's gunicorn settings (gc.freeze in each worker). gunicorn reads
#: ./gunicorn.conf.py after --chdir, and the bench changes into bench/: named explicitly.
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
DATA_DIR = BENCH_DIR / "data"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'bench.sqlite3'}"
#: The instance folder of the benchmark app (never the developer's instance/).
INSTANCE_DIR = DATA_DIR / "instance"

#: Long enough for production mode, which gunicorn runs in (forum/deployment.py).
SECRET_KEY = "bench-secret-key-" * 4
#: The member account the benchmark logs in as (role member, not staff).
BENCH_MEMBER = "bench_member"
CEILING_PATH = "/_bench/ceiling"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_url(cli_value: str | None = None) -> str:
    """Return the database URL: the flag, else $BENCH_DATABASE_URL, else the SQLite file."""
    return cli_value or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


def safe_url(url: str) -> str:
    """Return the URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def bench_config(url: str) -> dict[str, Any]:
    """Return the config the benchmark runs the forum with (in-process and gunicorn)."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET_KEY,
        # CSRF stays on, as in production: a guest page whose form made a token
        # set a cookie and was never cached, which the benchmark did not see
        # with CSRF off (the opportunity page, found in session 7).
        # The benchmark measures reading; nothing is posted, and the rate limiter
        # would otherwise count every request against 127.0.0.1.
        "RATELIMIT_ENABLED": False,
        # The read benchmark needs no search index; rebuilding a missing one in
        # the background would run beside the measured requests.
        "SEARCH_REBUILD_MISSING": False,
    }


def make_app(url: str, extra: dict[str, Any] | None = None):
    """Build the forum app for ``url`` with the bench config and instance folder."""
    from forum import create_app

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return create_app({**bench_config(url), **(extra or {})}, instance_path=str(INSTANCE_DIR))


def schema_drift(app) -> list[str]:
    """Return the tables and columns the models have and the database lacks."""
    import sqlalchemy as sa

    from forum.extensions import db

    with app.app_context():
        inspector = sa.inspect(db.engine)
        existing = set(inspector.get_table_names())
        missing = []
        for name, table in db.metadata.tables.items():
            if name not in existing:
                missing.append(name)
                continue
            columns = {c["name"] for c in inspector.get_columns(name)}
            missing += [f"{name}.{c.name}" for c in table.columns if c.name not in columns]
        return missing


@dataclass
class Targets:
    """The rows the benchmark's pages are built from, found in the data set."""

    member_id: int
    member_username: str
    #: What Flask-Login keeps in the session for the member (``User.get_id()``).
    member_session_id: str
    category_id: int
    category_slug: str
    topic_id: int
    topic_slug: str
    topic_pages: int
    profile_username: str
    #: The organisation with the most opportunities, and the busiest municipality's value.
    organisation_slug: str = ""
    municipality: str = "gifhorn"
    #: ``?before=`` cursors deep into /latest and into the category (DEEP_TOPICS
    #: topics back, or half the list when it is shorter): a window far from the first.
    latest_cursor: str = ""
    category_cursor: str = ""

    def pages(self) -> list[tuple[str, str]]:
        """Return (name, path) for every benchmarked page, ceiling first."""
        topic = f"/t/{self.topic_slug}/{self.topic_id}"
        return [
            ("ceiling", CEILING_PATH),
            ("home", "/"),
            ("latest", "/latest"),
            ("category", f"/c/{self.category_slug}/{self.category_id}"),
            # ?page= keeps a member on the page asked for; without it a member
            # with a read position is redirected to the first unread post.
            ("topic first page", f"{topic}?page=1"),
            ("topic last page", f"{topic}?page={self.topic_pages}"),
            ("profile", f"/u/{self.profile_username}"),
            *self.deep_pages(),
            *self.organisation_pages(),
        ]

    def deep_pages(self) -> list[tuple[str, str]]:
        """Windows far down the lists: keyset pagination keeps them as cheap as the first."""
        pages = []
        if self.latest_cursor:
            pages.append(("latest deep", f"/latest?before={quote(self.latest_cursor)}"))
        if self.category_cursor:
            category = f"/c/{self.category_slug}/{self.category_id}"
            pages.append(("category deep", f"{category}?before={quote(self.category_cursor)}"))
        return pages

    def organisation_pages(self) -> list[tuple[str, str]]:
        """The volunteering exchange's lists and a profile (issue 13's aims)."""
        if not self.organisation_slug:
            return []
        near = f"municipality={self.municipality}"
        return [
            ("organisations", "/organisationen"),
            ("organisations filtered", f"/organisationen?{near}&seeking=y"),
            ("organisations by activity", "/organisationen?sort=activity&page=3"),
            ("organisation profile", f"/o/{self.organisation_slug}"),
            ("opportunities", "/engagement"),
            ("opportunities filtered", f"/engagement?{near}&hours=4"),
        ]


def find_targets(app) -> Targets:
    """Pick the benchmark's pages from the data: the longest public topic and so on."""
    import sqlalchemy as sa

    drift = schema_drift(app)
    if drift:
        raise SystemExit(
            "The bench database is older than the models (missing: "
            + ", ".join(drift[:8])
            + "): run bench/generate.py again."
        )

    from forum.boards.models import Category, ReadLevel, Topic
    from forum.extensions import db
    from forum.users.models import Role, User

    with app.app_context():
        member = db.session.scalar(sa.select(User).where(User.username_lower == BENCH_MEMBER))
        if member is None:
            raise SystemExit(f"no user {BENCH_MEMBER!r}: run bench/generate.py first")
        public = sa.select(Category.id).where(Category.read_level == ReadLevel.PUBLIC)
        topic = db.session.scalar(
            sa.select(Topic)
            .where(Topic.category_id.in_(public), Topic.deleted_at.is_(None))
            .order_by(Topic.posts_count.desc(), Topic.id)
            .limit(1)
        )
        category = db.session.scalar(
            sa.select(Category)
            .where(Category.read_level == ReadLevel.PUBLIC)
            .order_by(Category.topic_count.desc(), Category.id)
            .limit(1)
        )
        author = db.session.scalar(
            sa.select(User)
            .where(User.role == Role.MEMBER)
            .order_by(User.post_count.desc(), User.id)
            .limit(1)
        )
        per_page = app.config["POSTS_PER_PAGE"]
        organisation_slug, municipality = _busiest_organisation()
        listed = sa.select(Topic).where(Topic.deleted_at.is_(None), Topic.pinned_at.is_(None))
        latest_cursor = _deep_cursor(listed)
        category_cursor = _deep_cursor(listed.where(Topic.category_id == category.id))
        return Targets(
            member_id=member.id,
            member_username=member.username,
            member_session_id=member.get_id(),
            category_id=category.id,
            category_slug=category.slug,
            topic_id=topic.id,
            topic_slug=topic.slug,
            topic_pages=max(-(-topic.highest_post_number // per_page), 1),
            profile_username=author.username,
            organisation_slug=organisation_slug,
            municipality=municipality,
            latest_cursor=latest_cursor,
            category_cursor=category_cursor,
        )


#: How far back the deep list pages start (in topics).
DEEP_TOPICS = 3000


def _deep_cursor(query) -> str:
    """The ``before`` cursor of the topic DEEP_TOPICS back in ``query`` by last activity
    (half way down when it has fewer); "" when it has too few for a second window."""
    import sqlalchemy as sa

    from forum.boards.models import Topic
    from forum.extensions import db

    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    if count < 60:
        return ""
    topic = db.session.scalar(
        query.order_by(Topic.bumped_at.desc(), Topic.id.desc())
        .offset(min(DEEP_TOPICS, count // 2))
        .limit(1)
    )
    return f"{topic.bumped_at.isoformat()}_{topic.id}"


def _busiest_organisation() -> tuple[str, str]:
    """The organisation with the most open opportunities and its municipality."""
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.organisations.models import Opportunity, Organisation

    row = db.session.execute(
        sa.select(Organisation.slug, Organisation.municipality)
        .join(Opportunity, Opportunity.organisation_id == Organisation.id)
        .group_by(Organisation.id, Organisation.slug, Organisation.municipality)
        .order_by(sa.func.count().desc(), Organisation.id)
        .limit(1)
    ).first()
    if row is None:
        return "", "gifhorn"
    return row.slug, str(getattr(row.municipality, "value", row.municipality) or "gifhorn")


def install_ceiling(app, targets: Targets) -> None:
    """Add the ceiling route: the topic's first page rendered from memory, no SQL.

    The real topic view renders the page once per person at start-up; its
    template context (the view's objects and what the context processors added)
    is kept, detached from the database, and every ceiling request renders
    ``boards/topic.html`` from it again. Whatever the topic view passes to the
    template, the ceiling passes the same, without anyone keeping this in step.
    """
    from flask import g, session, template_rendered

    from forum.extensions import db

    path = dict(targets.pages())["topic first page"]
    contexts: dict[str, dict] = {}

    def ceiling():
        who = "member" if session.get("_user_id") == targets.member_session_id else "guest"
        context = contexts[who]
        # Flask-Login looks here before it asks the user loader (and the database).
        g._login_user = context["current_user"]
        # Rendered directly: Flask's render_template would run the context
        # processors again, and some of them query.
        return app.jinja_env.get_template("boards/topic.html").render(context)

    app.add_url_rule(CEILING_PATH, "bench_ceiling", ceiling)

    # Routes must exist before the first request, so capture after adding it.
    for who in ("guest", "member"):
        client = app.test_client()
        if who == "member":
            with client.session_transaction() as bench_session:
                bench_session.update({"_user_id": targets.member_session_id, "_fresh": True})
        captured: list[dict] = []

        def record(_sender, template, context, captured=captured, **_extra):
            if template.name == "boards/topic.html":
                captured.append(dict(context))

        with template_rendered.connected_to(record, app):
            response = client.get(path)
            response.close()
        if response.status_code != 200 or not captured:
            raise SystemExit(
                f"the ceiling could not capture {path} as {who} (status {response.status_code})"
            )
        contexts[who] = captured[0]
    with app.app_context():
        # The captured objects now live in memory only: a template touching an
        # attribute that was not loaded fails instead of querying.
        db.session.remove()
    # Fail at start-up, not in the middle of a run (the app turns errors into 500s).
    response = app.test_client().get(CEILING_PATH)
    response.close()
    if response.status_code != 200:
        raise SystemExit(f"the ceiling answers {response.status_code}; see the log above")


def create_forum_app():
    """Gunicorn entry point: the forum as wsgi.py builds it, on the bench database,
    without the benchmark's ceiling route and the page it keeps (~10 MB): the worker
    whose memory the aim is about."""
    url = os.environ.get("FORUM_SQLALCHEMY_DATABASE_URI") or DEFAULT_DATABASE_URL
    return make_app(url)


def create_bench_app():
    """Gunicorn entry point: the bench app for $FORUM_SQLALCHEMY_DATABASE_URI."""
    url = os.environ.get("FORUM_SQLALCHEMY_DATABASE_URI") or DEFAULT_DATABASE_URL
    app = make_app(url)
    install_ceiling(app, find_targets(app))
    return app
