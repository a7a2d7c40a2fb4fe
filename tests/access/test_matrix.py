"""The access matrix: every route, GET and POST, every role, content at every access level.

Secret markers are written into member-only and staff-only topics and
categories, a deleted topic, a deleted post, a post hidden after flags and
posts held for review (tests/access/world.py). Each role then sends every
route of the app (enumerated from the URL map, so a new route joins the
matrix by itself) the parameters that route reads (tests/access/routes.py),
for every piece of content, with the plugins off and on. No response, nor a
redirect on the way to it, may contain a marker that role must not see.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.access import world as content
from tests.access.routes import BUILD, DESTROY, SESSION, SKIPPED_ENDPOINTS, Request, requests_for
from tests.access.world import MARKERS, ROLES, World

PLUGINS = ["events", "solved"]
_TAG = re.compile(r"<[^>]+>")


@pytest.fixture(params=["core", "plugins"])
def plugins(request) -> list[str]:
    return PLUGINS if request.param == "plugins" else []


@pytest.fixture
def app_config(app_config, plugin_app_config, plugins):
    enabled = plugin_app_config(plugins) if plugins else {}
    # The anonymous page cache is on, as in production (forum/pagecache.py).
    return {**app_config, **enabled, **content.settings(), "PAGE_CACHE_ENABLED": True}


def _searchable(response) -> str:
    """The text a marker may hide in: the body as sent and without tags (search
    highlights split words with <mark>), iCalendar lines unfolded, the headers."""
    body = response.get_data(as_text=True).replace("\r\n ", "").replace("\r\n\t", "")
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    # Upper case: a slug is a title in lower case.
    return "\n".join((body, _TAG.sub("", body), headers)).upper()


def _session(app: Flask, client) -> str:
    """The client's session as text: messages flashed for the next page wait there."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return ""
    return repr(app.session_interface.get_signing_serializer(app).loads(cookie.value)).upper()


@dataclass
class Report:
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    sent: set[tuple[str, str]] = field(default_factory=set)
    broken_secrets: list[str] = field(default_factory=list)
    #: Guests' pages answered from the anonymous page cache.
    cache_hits: int = 0

    def problems(self, app: Flask, plugins: tuple[str, ...]) -> list[str]:
        problems = [f"LEAK {leak}" for leak in self.leaks]
        problems += [f"SERVER ERROR {error}" for error in self.errors]
        problems += [f"SECRET LET OUT by a build request: {name}" for name in self.broken_secrets]
        if not self.cache_hits:
            problems.append("NO PAGE from the anonymous page cache: the matrix did not test it")
        for role in ROLES:
            unseen = [
                marker.text
                for marker in MARKERS
                if marker.must_be_seen_by(role)
                and marker not in self.seen[role]
                and marker.plugin in ("", *plugins)
            ]
            if unseen:
                problems.append(f"NEVER SHOWN to {role}: {', '.join(unseen)}")
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIPPED_ENDPOINTS:
                continue
            for method in sorted(rule.methods & {"GET", "POST"}):
                if (rule.endpoint, method) not in self.sent:
                    problems.append(f"NOT REQUESTED {method} {rule.rule} ({rule.endpoint})")
        return problems


def _login(client, username: str) -> None:
    response = client.post("/login", data={"login": username, "password": content.PASSWORD})
    assert response.status_code == 302, f"{username} could not log in"


def _send(app: Flask, client, role: str, request: Request, report: Report) -> None:
    adapter = app.url_map.bind("localhost")
    path = request.url.split("?")[0]
    report.sent.add((adapter.match(path, method=request.method)[0], request.method))
    # A POST's redirect is not followed (the pages it leads to are in the matrix
    # anyway); what it flashes for the next page is read from the session.
    response = client.open(
        request.url,
        method=request.method,
        data=dict(request.form),
        follow_redirects=request.method == "GET",
    )
    if response.status_code >= 500:
        report.errors.append(f"{role}: {request} -> {response.status_code}")
    for hop in [*response.history, response]:
        cached = hop.headers.get("X-Page-Cache")
        if cached and role != "guest":
            # A member's request neither reads a guest's page nor leaves its own.
            report.leaks.append(f"{role}: {request} -> page cache {cached}")
        report.cache_hits += cached == "hit"
    texts = [(_searchable(hop), hop.location) for hop in [*response.history, response]]
    texts.append((_session(app, client), "the session"))
    # What the request itself named (a topic's slug) may come back: a login
    # link's ?next=, the language form. That tells the asker nothing new.
    echoes = [part.upper() for part in urlsplit(request.url).path.split("/") if len(part) > 3]
    for text, where in texts:
        for echo in echoes:
            text = text.replace(echo, "")
        for marker in MARKERS:
            if marker.text not in text:
                continue
            if marker.may_be_seen_by(role):
                report.seen[role].add(marker)
            else:
                via = f" (via {where})" if where else ""
                report.leaks.append(f"{role}: {request}{via} shows {marker.text} ({marker.kind})")


def _cookieless_guest(app: Flask, planned: list[Request], report: Report) -> None:
    """Every guest GET twice from browsers without any cookie: the second may come
    from the anonymous page cache, and both are searched for markers."""
    for request in planned:
        if request.method == "GET" and not request.url.startswith("/language/"):
            for _ in range(2):
                _send(app, app.test_client(), "guest", request, report)


def _cached_pages(app: Flask, report: Report) -> None:
    """No page in the cache holds what a guest may not see."""
    store = app.extensions["forum.page_cache"]
    for key, entry in list(getattr(store, "pages", {}).items()):
        text = entry.body.decode().upper()
        for marker in MARKERS:
            if marker.text in text and not marker.may_be_seen_by("guest"):
                report.leaks.append(f"the page cache ({key[:12]}) holds {marker.text}")


def run(app: Flask, world: World) -> Report:
    """Send every role's requests, in phases (see tests/access/routes.py)."""
    clients = {role: app.test_client() for role in ROLES}
    for role, account in world.accounts.items():
        _login(clients[role], account.username)
    content.restrict(app, world)
    report = Report()
    planned = {}
    for role in ROLES:
        planned[role], missing = requests_for(app, world.value_sets(role))
        assert not missing, "Give the access matrix a sample for: " + "; ".join(missing)

    def phase(role, method, name):
        for request in planned[role]:
            if request.method == method and (method == "GET" or request.phase == name):
                _send(app, clients[role], role, request, report)

    for role in ROLES:
        # What a role creates (a bookmark, a flag, a reply) is looked at by its GETs.
        phase(role, "POST", BUILD)
        phase(role, "GET", None)
        if role == "guest":
            _cookieless_guest(app, planned[role], report)
    report.broken_secrets = content.secrets_kept(app, world)
    # Staff come last: their decisions (approve, restore, move) let secrets out.
    for role in ROLES:
        phase(role, "POST", DESTROY)
        phase(role, "POST", SESSION)
    _cached_pages(app, report)
    return report


def test_no_role_sees_what_it_may_not(app, make, plugins):
    world = content.build(app, make)
    assert set(world.plugins) == set(plugins)
    report = run(app, world)
    problems = report.problems(app, world.plugins)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
