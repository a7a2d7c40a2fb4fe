"""No 500, ever: every route gets odd values in every field and query parameter.

The routes come from ``app.url_map`` (a new route is covered by itself); URL
variables take real ids from a small data set and huge, negative or odd ones.
The field names come from the real pages: a member's and an admin's GET pages
are read once per test session, and every <form> on them gives its action's
fields (a POST-only route, such as
/p/<id>/like, gets the fields of the form that points at it); the query
parameters the views read by hand (``QUERY_PARAMETERS``) and unknown names are
added. CSRF protection is on, with a valid token in the header, so the forms
really process what they get.

First a sweep sends each route a few of the worst values in every field and a
JSON body of every type; then Hypothesis draws requests: JSON bodies,
integers far outside 32 bits, dates out of range, NUL bytes, lone surrogates
(as the invalid UTF-8 a real client would send), 1 MB strings in form bodies
(not in URLs: servers refuse those long before the app), every search filter
word with odd values, unknown fields. Each role (guest, member, admin) gets
its own run. A response may be anything but a 5xx; an error answer must be
the forum's own page in the reader's language (the client asks for German),
not a bare one. Hypothesis keeps no example database: the data set is
rebuilt each run, so a stored example would not replay.
tests/plugins/test_no_500.py runs the same with the plugins enabled.

Each run draws 150 requests per role (plugins: 100), about 15 s of CPU per
role on SQLite; to search deeper locally, set FORUM_TEST_NO_500_EXAMPLES=2000.
"""

import json
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.boards.models import CategoryKind, Post, ReadLevel
from forum.extensions import db
from forum.routing import MAX_ID

HUGE = "99999999999999999999"
MEGABYTE = "x" * 1_000_000
# Query parameters the views read from request.args by hand, and the search's.
QUERY_PARAMETERS = ["q", "page", "before", "before_id", "category", "status", "kind", "to",
                    "quote", "municipality", "next", "advanced", "words", "username", "after",
                    "order", "actor", "action", "in_title", "in_first", "help_kind",
                    "title"]  # fmt: skip
SEARCH_WORDS = ["in", "status", "before", "after", "order", "topic", "org", "@", "#"]
# Words the analysis treats specially: prefixes, gender forms, hyphens, typos.
SEARCH_FORMS = ["Einkauf*", "*", "ab*", "a**", "Betreuer*innen", "BetreuerInnen", "Lesepat:in",
                "Erste-Hilfe-Kurs", '"Erste-Hilfe*"', "Nachbarschafthilfe", "Kranken",
                "ß*"]  # fmt: skip
# Logging out would turn a member's or admin's run into a guest's one.
SESSION_ENDING = {("auth.logout", "POST")}
NASTY = [HUGE, "\x00<b>x</b>\ud800", "0001-01-01", f"2025-01-01T00:00:00_{HUGE}", MEGABYTE]
ODD_PATH = ["2147483647", "2147483648", HUGE, "-1", "0", "x", "..", "<b>", "\x00", "\ud800"]
FORM = "application/x-www-form-urlencoded"
JSON_BODIES = ["[1,2,3]", "42", '"x"', "null", "true", "1e999", '{"a": {"b": [1, null]}}']


def _odd_text(*, megabyte: bool = False) -> st.SearchStrategy[str]:
    """Odd values; a megabyte only for form bodies (servers refuse such URLs)."""
    fixed = st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0",
            "00",
            "+1",
            "-1",
            "2147483647",
            "2147483648",
            "-2147483649",
            HUGE,
            f"-{HUGE}",
            "9" * 400,
            "1e309",
            "NaN",
            "inf",
            "0.5",
            "0001-01-01",
            "9999-12-31",
            "10000-01-01",
            "2025-02-30",
            "2025-13-45",
            "0000-00-00",
            "1970-01-01T00:00:00+99:00",
            "\x00",
            "a\x00b",
            "\ud800",
            "\udfff",
            "<b>x</b>",
            '"><meta http-equiv=refresh content="0;url=https://example.org/">',
            "<script>alert(1)</script>",
            "²",
            "١٢٣",
            "\u202e",
            "%",
            "%00",
            "../../etc/passwd",
            "true",
            "false",
            "null",
            "[]",
            "{}",
            "on",
            "y",
            "a" * 5000,
            f"-{HUGE}",
            "2147483648",
            f"2025-01-01T00:00:00_{HUGE}",  # list cursors
            "0001-01-01T00:00:00+14:00_1",
        ]
    )
    if megabyte:
        fixed = fixed | st.just(MEGABYTE)
    search = st.builds(
        lambda word, value: f"{word}:{value}" if word not in "@#" else f"{word}{value}",
        st.sampled_from(SEARCH_WORDS),
        fixed | st.text(max_size=12),
    )
    return st.one_of(
        fixed,
        st.text(st.characters(codec=None), max_size=30),  # lone surrogates too
        st.integers().map(str),
        st.dates().map(str),
        search,
        st.lists(search | fixed | st.sampled_from(SEARCH_FORMS), max_size=4).map(" ".join),
    )


def _json() -> st.SearchStrategy[str]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    )
    return values.map(json.dumps) | st.sampled_from(JSON_BODIES)


def _encode(pairs: list[tuple[str, str]]) -> bytes:
    """Form-encode like a client that sends whatever bytes it has (lone surrogates too)."""
    return "&".join(
        f"{quote(k.encode('utf-8', 'surrogatepass'))}={quote(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in pairs
    ).encode()


# --- The routes and their fields ---------------------------------------------------------


class _Forms(HTMLParser):
    """Collect each <form>'s method, action and field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").upper()
            self.forms.append((method, attributes.get("action") or "", set()))
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            self.forms[-1][2].add(attributes.get("name") or "")


@dataclass
class Route:
    endpoint: str
    method: str
    rule: str
    arguments: list[str]
    fields: set[str] = field(default_factory=set)


@dataclass
class World:
    values: dict
    routes: list[Route]


def _path(rule: str, values: dict) -> str:
    """Fill a rule's variables with ``values`` (any strings, percent-encoded)."""

    def fill(match: re.Match) -> str:
        value = str(values[match.group(2)])
        return quote(value.encode("utf-8", "surrogatepass"), safe="")

    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", fill, rule)


def build_world(app, make) -> dict:
    """A small forum: people of each role, content and review items, their ids."""
    from forum.membership import applications
    from forum.membership.models import MembershipQuestion, RejectionTemplate
    from forum.moderation import services as moderation
    from forum.moderation.models import WatchedWord, WatchedWordAction
    from forum.review.held import Draft, hold_post
    from forum.site.services import save_text
    from forum.users.models import User

    admin = make.user("verwalterin", role="admin")
    member = make.user("mitglied", role="member")
    other = make.user("nachbarin", role="member")
    applicant = make.user("bewerber", role="applicant")
    public = make.category("Öffentlich", read_level=ReadLevel.PUBLIC)
    help_category = make.category(
        "Nachbarschaftshilfe", read_level=ReadLevel.MEMBERS, kind=CategoryKind.HELP
    )
    topic = make.topic(member, public, "Ein Thema zum Ausprobieren", "Erster Beitrag.")
    make.post(topic, other, "Eine Antwort.", reply_to_post_number=1)
    help_topic = make.topic(
        member, help_category, "Hilfe beim Einkaufen", "Wer hilft?", help_kind="request",
        municipality="meinersen",
    )  # fmt: skip
    with app.app_context():
        first, reply = db.session.scalars(
            sa.select(Post.id).where(Post.topic_id == topic.id).order_by(Post.post_number)
        ).all()
        held = hold_post(
            db.session.get(User, other.id),
            Draft(raw="Wartet auf Freigabe.", category_id=public.id, topic_id=topic.id),
            "new_member",
        )
        flag = moderation.flag_post(
            db.session.get(User, member.id), db.session.get(Post, reply), "spam"
        )
        join = applications.submit_application(db.session.get(User, applicant.id), [], 1)
        question = MembershipQuestion(text="Wie haben Sie von uns gehört?")
        template = RejectionTemplate(title="Unvollständig", body="Bitte ergänzen.")
        word = WatchedWord(word="verboten", action=WatchedWordAction.BLOCK)
        db.session.add_all([question, template, word])
        save_text("netiquette", "Netiquette", "Seien Sie freundlich.", None)
        db.session.commit()
        return {
            "accounts": {"member": member.username, "admin": admin.username},
            "slug": topic.slug, "topic_id": topic.id, "post_id": reply, "first_post_id": first,
            "post_number": 2, "category_id": public.id, "username": member.username,
            "item_id": [held.id, flag.id, join.id], "question_id": question.id,
            "template_id": template.id, "word_id": word.id, "key": "netiquette", "version": 1,
            "size": 48, "token": "ungueltig", "action": "silence", "help_topic_id": help_topic.id,
        }  # fmt: skip


def _real_values(endpoint: str, arguments, data: dict) -> dict:
    """The data set's values for a route's variables (the first of several)."""
    values = {a: data.get(a, "x") for a in arguments}
    values = {a: v[0] if isinstance(v, list) else v for a, v in values.items()}
    if endpoint == "moderation.lift_restriction":
        values["action"] = "unsilence"
    return values


def discover_routes(app, client, data: dict) -> list[Route]:
    """Every route but static files, with the field names its forms send."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    routes = {
        (rule.rule, method): Route(rule.endpoint, method, rule.rule, sorted(rule.arguments))
        for rule in rules
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    adapter = app.url_map.bind("localhost")
    for rule in rules:
        if "GET" not in rule.methods:
            continue
        path = _path(rule.rule, _real_values(rule.endpoint, rule.arguments, data))
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for method, action, names in parser.forms:
            if method not in ("GET", "POST"):
                continue  # <form method="dialog"> closes a dialog
            target = urlsplit(action).path or path
            matched, _ = adapter.match(target, method=method, return_rule=True)
            if (matched.rule, method) in routes:
                routes[(matched.rule, method)].fields |= names - {""}
    return sorted(routes.values(), key=lambda r: (r.rule, r.method))


# --- Sending ---------------------------------------------------------------------------


def check(response, request: str) -> None:
    """No 5xx; an error answer is the forum's own page in German."""
    assert response.status_code < 500, f"{request} -> {response.status_code}"
    if response.status_code >= 400 and response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        # German unless a request to /language switched it.
        assert re.search(r'<html lang="(de|en)"', page), f"{request}: a bare error page"


def send(client, route: Route, values: dict, query: list, body, content_type: str) -> None:
    path = _path(route.rule, values)
    query_string = _encode(query).decode("ascii")
    if route.method == "GET":
        response = client.get(path, query_string=query_string)
    else:
        response = client.open(
            path, method=route.method, query_string=query_string, data=body,
            content_type=content_type,
        )  # fmt: skip
    shown = body[:200] if isinstance(body, bytes | str) else body
    check(response, f"{route.method} {path}?{query_string[:200]!r} body={shown!r}")


def log_in(app, client, role: str, data: dict) -> None:
    """Log ``role`` in (unless guest) and put a valid CSRF token into the header."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    if role != "guest":
        response = client.post(
            "/login", data={"login": data["accounts"][role], "password": "correct horse battery"}
        )
        assert response.status_code == 302


def _largest(fields: set[str]) -> list[str]:
    """The field most likely to take a long text."""
    for name in ("raw", "body", "text", "bio", "reason", "message", "q"):
        if name in fields:
            return [name]
    return sorted(fields)[:1]


def sweep(client, routes: list[Route], data: dict) -> int:
    """Send every route the worst values in every field, and JSON bodies."""
    sent = 0
    for route in routes:
        if (route.endpoint, route.method) in SESSION_ENDING:
            continue
        real = _real_values(route.endpoint, route.arguments, data)
        for value in NASTY:
            fields = [(name, value) for name in sorted(route.fields) if name != "csrf_token"]
            query = [(name, value) for name in QUERY_PARAMETERS]
            if value is MEGABYTE:
                if route.method == "GET":
                    continue  # servers refuse such URLs (gunicorn at 4 KB)
                # One megabyte per request is enough: the largest text field's.
                fields, query = [(name, value) for name in _largest(route.fields)], []
            send(client, route, real, query, _encode(fields), FORM)
            sent += 1
        for value in ODD_PATH[1::2] if route.arguments else ():
            odd = {a: value for a in route.arguments}
            send(client, route, odd, [], b"", FORM)
            sent += 1
        if route.method != "GET":
            for body in JSON_BODIES[:3]:
                send(client, route, real, [], body, "application/json")
                sent += 1
    return sent


def fuzz(client, routes: list[Route], data: dict, examples: int) -> None:
    """Let Hypothesis draw requests: a route, URL values, parameters and a body."""
    routes = [r for r in routes if (r.endpoint, r.method) not in SESSION_ENDING]
    odd, odd_field = _odd_text(), _odd_text(megabyte=True)

    @st.composite
    def requests(draw):
        route = draw(st.sampled_from(routes))
        values = {}
        for argument in route.arguments:
            real = data.get(argument, "x")
            choices = real if isinstance(real, list) else [real]
            values[argument] = draw(
                st.sampled_from([*choices, *ODD_PATH, MAX_ID, MAX_ID + 1]) | odd
            )
        if route.endpoint == "moderation.lift_restriction" and draw(st.booleans()):
            values["action"] = "unsuspend"
        names = st.sampled_from([*QUERY_PARAMETERS, "unknown", ""]) | st.text(max_size=8)
        query = draw(st.lists(st.tuples(names, odd), max_size=4))
        body, content_type = b"", FORM
        if route.method != "GET":
            kind = draw(st.sampled_from(["form", "form", "form", "json", "other"]))
            if kind == "json":
                body = draw(_json())
                content_type = draw(
                    st.sampled_from(
                        [
                            "application/json",
                            "application/json; charset=utf-8",
                            "application/vnd.api+json",
                        ]
                    )
                )
            elif kind == "other":
                body = draw(st.binary(max_size=200))
                content_type = draw(
                    st.sampled_from(
                        [
                            "text/plain",
                            "multipart/form-data; boundary=x",
                            "multipart/form-data",
                            "application/xml",
                            "",
                        ]
                    )
                )
            else:
                fields = sorted(route.fields - {"csrf_token"}) or ["unknown"]
                names = st.sampled_from(fields) | names
                pairs = draw(st.lists(st.tuples(names, odd_field), max_size=8))
                body = _encode(pairs)
        return route, values, query, body, content_type

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def run(request):
        send(client, *request)

    run()


def examples(default: int) -> int:
    """How many requests Hypothesis draws per role."""
    return int(os.environ.get("FORUM_TEST_NO_500_EXAMPLES", default))


#: The routes found per set of plugins: the forms' fields do not change between runs.
_DISCOVERED: dict[tuple, list[Route]] = {}


def no_500_run(app, role: str, data: dict, *, examples: int) -> None:
    """The whole suite for one role: discover the forms (once), sweep, fuzz."""
    plugins = tuple(app.config["PLUGINS"])
    if plugins not in _DISCOVERED:
        routes = None
        # Every role's forms, so a guest also sends the fields of forms it never sees.
        for who in ("member", "admin"):
            scout = app.test_client()
            log_in(app, scout, who, data)
            found = discover_routes(app, scout, data)
            for route, more in zip(routes or found, found, strict=True):
                route.fields |= more.fields
            routes = routes or found
        assert sum(bool(route.fields) for route in routes) > 20, "no forms were found"
        _DISCOVERED[plugins] = routes
    routes = _DISCOVERED[plugins]
    client = app.test_client()
    log_in(app, client, role, data)
    assert sweep(client, routes, data) > 100
    fuzz(client, routes, data, examples)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.mark.parametrize("role", ["guest", "member", "admin"])
def test_no_request_gets_a_500(csrf_app, make, role):
    no_500_run(csrf_app, role, build_world(csrf_app, make), examples=examples(150))
