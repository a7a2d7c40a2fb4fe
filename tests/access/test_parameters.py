"""Guard: the matrix's table (tests/access/routes.py) covers every parameter a view reads.

The views' sources are read, not run: from each endpoint's view function on,
through the helpers it calls by name, every ``request.args`` / ``request.form``
/ ``request.values`` read is collected (``.get("x")``, ``["x"]``, ``"x" in``)
together with the fields of every form class built from the request. A read
of every name (``.items()``, ``**request.args``, handing the whole dict on)
needs the route's ``reads_all`` reason. Any read found anywhere else in the
code must be attributed here (``OTHER_READERS``), so none goes unseen.
"""

import ast
import inspect
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import FunctionType, ModuleType

import pytest
from wtforms import Form
from wtforms.fields.core import UnboundField

from forum import create_app
from tests.access.routes import ROUTES, SKIPPED_ENDPOINTS, Route

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("args", "form", "values")
ALL = "*"

#: Reads outside the views' call graphs, and the endpoints they serve.
OTHER_READERS = {
    # The events plugin's composer fields (an outlet hook) keep what was typed.
    ("plugins/events/__init__.py", "_composer"): (
        "boards.new_topic",
        "boards.reply",
        "boards.edit_post",
    ),
    # The organisations' "post as" choice in the composer (an outlet hook) keeps what was chosen.
    ("forum/organisations/hooks.py", "extra_outlet"): ("boards.new_topic",),
    # The preview button does not count against the per-account message limit.
    ("forum/messages/views.py", "_previewing"): ("messages.new", "messages.add_participant"),
    # A repeated form (same submission key) is answered with the first result.
    ("forum/idempotency.py", "wrapper"): (
        "boards.new_topic",
        "boards.reply",
        "boards.edit_post",
        "moderation.flag",
        "membership.join",
        "messages.new",
    ),
    # The CSRF error page of every POST carries what was typed into a fresh
    # form; the matrix runs without CSRF (as the test config does).
    ("forum/errors.py", "csrf_error"): (),
    # The API's own CSRF check (forum/api/auth.py) reads a form's token; the
    # matrix runs without CSRF, so it reads nothing there.
    ("forum/api/auth.py", "authenticate_request"): (),
    # The guests' page cache keeps no search page with a query, and no page asked
    # with parameters it does not read (forum/pagecache.py).
    ("forum/pagecache.py", "_mark_storable"): ("search.search",),
    # Kept member pages (forum/member_pages, registered with the views at start):
    # a page asked with parameters is rendered as ever; the topic page reads its number.
    ("forum/member_pages/slots.py", "member_asking"): (
        "boards.topic",
        "boards.latest",
        "boards.category",
    ),
    ("forum/member_pages/topic.py", "serve"): ("boards.topic",),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app with every plugin: only its views are looked at, no database is used."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "guard",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PLUGINS": ["events", "solved"],
        },
        instance_path=str(tmp_path_factory.mktemp("guard-instance")),
    )


@dataclass(frozen=True)
class Read:
    """One parameter a view reads: from the query string, the form, or either."""

    source: str
    name: str
    where: str

    def covered_by(self, route: Route) -> bool:
        if self.name == ALL:
            return bool(route.reads_all)
        declared = set()
        if self.source in ("args", "values"):
            declared |= {key for query in route.query for key in query}
        if self.source in ("form", "values"):
            declared |= {key for form in route.form for key in form}
        if self.name.startswith(f"{ALL}-"):  # a form prefix known only at run time
            return any(key.endswith(self.name[1:]) for key in declared)
        return self.name in declared


@cache
def _tree(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text(), path)


def _relative(path: str) -> str:
    return str(Path(path).resolve().relative_to(ROOT))


def _function_node(function: FunctionType) -> tuple[str, ast.FunctionDef]:
    path = inspect.getsourcefile(function)
    first = function.__code__.co_firstlineno
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.FunctionDef) and node.name == function.__name__:
            lines = {node.lineno, *(d.lineno for d in node.decorator_list)}
            if first in lines:
                return path, node
    raise LookupError(f"no source for {function.__qualname__}")


def _request_source(node: ast.AST) -> str | None:
    """Return "args", "form" or "values" if ``node`` is ``request.<that>``."""
    if (
        isinstance(node, ast.Attribute)
        and node.attr in SOURCES
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    ):
        return node.attr
    return None


def _form_fields(form_class: type[Form], prefix: str) -> list[str]:
    fields = []
    for attribute in dir(form_class):
        value = getattr(form_class, attribute, None)
        if isinstance(value, UnboundField):
            fields.append(prefix + value.kwargs.get("name", attribute))
    return fields


def _resolve(node: ast.AST, namespace: dict):
    """The object a name or ``module.name`` stands for in the function's module."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        module = namespace.get(node.value.id)
        if isinstance(module, ModuleType):
            return getattr(module, node.attr, None)
    return None


def _form_reads(call: ast.Call, form_class, where: str) -> list[Read]:
    keywords = {k.arg: k.value for k in call.keywords}
    formdata = call.args[0] if call.args else keywords.get("formdata")
    if isinstance(formdata, ast.Constant) and formdata.value is None:
        return []
    if formdata is not None:
        source = _request_source(formdata)
        if source is None:
            return []  # built from data of its own, not from the request
    else:
        from flask_wtf import FlaskForm

        if not issubclass(form_class, FlaskForm):
            return []
        source = "form"  # Flask-WTF reads the submitted form by default
    prefix = keywords.get("prefix")
    if prefix is None:
        prefix_text = ""
    elif isinstance(prefix, ast.Constant):
        prefix_text = f"{prefix.value}-"
    else:
        prefix_text = f"{ALL}-"
    return [Read(source, name, where) for name in _form_fields(form_class, prefix_text)]


def _is_form(value) -> bool:
    return isinstance(value, type) and issubclass(value, Form)


class _Scanner:
    """Collect the reads of a function and of the helpers it calls by name."""

    def __init__(self) -> None:
        self.reads: list[Read] = []
        self.visited: set[tuple[str, int]] = set()
        self.spans: list[tuple[str, int, int]] = []

    def scan(self, function: FunctionType) -> None:
        path, node = _function_node(function)
        self.scan_node(path, node, function.__globals__)

    def scan_node(self, path: str, node: ast.FunctionDef, namespace: dict) -> None:
        if (path, node.lineno) in self.visited:
            return
        self.visited.add((path, node.lineno))
        relative = _relative(path)
        self.spans.append((relative, node.lineno, node.end_lineno))
        local_classes = {
            n.name: n for n in ast.walk(node) if isinstance(n, ast.ClassDef) and n is not node
        }
        handled: set[int] = set()
        for child in ast.walk(node):
            where = f"{relative}:{getattr(child, 'lineno', node.lineno)}"
            if isinstance(child, ast.Call):
                self._call(child, namespace, local_classes, where, handled)
            elif isinstance(child, ast.Subscript) and _request_source(child.value):
                if isinstance(child.slice, ast.Constant):
                    handled.add(id(child.value))
                    self.reads.append(Read(_request_source(child.value), child.slice.value, where))
            elif (
                isinstance(child, ast.Compare)
                and isinstance(child.left, ast.Constant)
                and len(child.comparators) == 1
                and _request_source(child.comparators[0])
            ):
                handled.add(id(child.comparators[0]))
                self.reads.append(
                    Read(_request_source(child.comparators[0]), child.left.value, where)
                )
        for child in ast.walk(node):
            source = _request_source(child)
            if source and id(child) not in handled:
                self.reads.append(Read(source, ALL, f"{relative}:{child.lineno}"))

    def _call(self, call, namespace, local_classes, where, handled) -> None:
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "getlist")
            and _request_source(func.value)
            and call.args
            and _string_value(call.args[0], namespace) is not None
        ):
            handled.add(id(func.value))
            name = _string_value(call.args[0], namespace)
            self.reads.append(Read(_request_source(func.value), name, where))
            return
        target = _resolve(func, namespace)
        if isinstance(func, ast.Name) and func.id in local_classes:
            # A form class made inside the function: its bases' fields at least.
            for base in local_classes[func.id].bases:
                resolved = _resolve(base, namespace)
                if _is_form(resolved):
                    self.reads += _form_reads(call, resolved, where)
            return
        if _is_form(target):
            self.reads += _form_reads(call, target, where)
            if call.args and _request_source(call.args[0]):
                handled.add(id(call.args[0]))
            return
        if isinstance(target, FunctionType) and target.__module__.startswith(
            ("forum.", "forum_plugins.")
        ):
            self.scan(inspect.unwrap(target))


def _reads_by_endpoint(app) -> tuple[dict[str, list[Read]], list[tuple[str, int, int]]]:
    reads, spans = {}, []
    for endpoint, view in app.view_functions.items():
        if endpoint in SKIPPED_ENDPOINTS:
            continue
        scanner = _Scanner()
        scanner.scan(inspect.unwrap(view))
        reads[endpoint] = scanner.reads
        spans += scanner.spans
    return reads, spans


def _scan_other_reader(scanner: _Scanner, path: str, name: str) -> None:
    """Scan the function ``name`` of a source file (nested ones too, like error handlers)."""
    import sys

    full = ROOT / path
    node = next(
        n for n in ast.walk(_tree(str(full))) if isinstance(n, ast.FunctionDef) and n.name == name
    )
    namespace = next(
        (
            vars(module)
            for module in list(sys.modules.values())
            if getattr(module, "__file__", None) and Path(module.__file__).resolve() == full
        ),
        {},
    )
    scanner.scan_node(str(full), node, namespace)


@pytest.fixture(scope="module")
def scanned(app) -> tuple[dict[str, list[Read]], list[tuple[str, int, int]]]:
    """The reads of each endpoint, and the source spans of the functions scanned."""
    return _reads_by_endpoint(app)


def _with_other_readers(reads: dict[str, list[Read]]) -> dict[str, list[Read]]:
    """Return each endpoint's reads, those of OTHER_READERS that serve it included."""
    reads = dict(reads)
    for (path, name), endpoints in OTHER_READERS.items():
        scanner = _Scanner()
        _scan_other_reader(scanner, path, name)
        for endpoint in endpoints:
            reads[endpoint] = reads[endpoint] + scanner.reads
    return reads


def test_the_table_covers_every_parameter_a_view_reads(app, scanned):
    reads = _with_other_readers(scanned[0])
    posted = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = [
        f"{endpoint}: {read.source} {read.name!r} ({read.where})"
        for endpoint, endpoint_reads in sorted(reads.items())
        for read in endpoint_reads
        # A form on a page that only answers GET (the topic's quick reply) reads nothing.
        if not (read.source == "form" and endpoint not in posted)
        and not read.covered_by(ROUTES.get(endpoint, Route()))
    ]
    assert not missing, (
        "Declare these parameters in tests/access/routes.py (ROUTES), so the access matrix "
        "sends them:\n" + "\n".join(sorted(set(missing)))
    )


def test_the_table_declares_nothing_a_view_does_not_read(app, scanned):
    reads = _with_other_readers(scanned[0])
    stale = [endpoint for endpoint in ROUTES if endpoint not in app.view_functions]
    for endpoint, route in ROUTES.items():
        if endpoint not in reads:
            continue
        names = {read.name for read in reads[endpoint]}
        if route.reads_all and ALL not in names and endpoint not in _other_endpoints():
            stale.append(f"{endpoint}: reads_all, but it reads no parameter by other names")
        if route.reads_all:
            continue  # plugin fields and filters pass through without being named
        declared = {key for variants in (route.query, route.form) for v in variants for key in v}
        for key in sorted(declared):
            prefixed = any(n.startswith(f"{ALL}-") and key.endswith(n[1:]) for n in names)
            if "{" not in key and key not in names and not prefixed:
                stale.append(f"{endpoint}: {key!r} is declared but never read")
    assert not stale, "Out of date in tests/access/routes.py:\n" + "\n".join(stale)


def _other_endpoints() -> set[str]:
    return {endpoint for endpoints in OTHER_READERS.values() for endpoint in endpoints}


def _request_reads_in(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(_tree(str(path))) if _request_source(node) is not None]


def test_every_read_of_a_parameter_belongs_to_a_view(scanned):
    spans = list(scanned[1])
    for path, name in OTHER_READERS:
        scanner = _Scanner()
        _scan_other_reader(scanner, path, name)
        spans += scanner.spans
    files = [
        path
        for folder in ("forum", "plugins")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
    ]
    assert len(files) > 50
    unattributed = [
        f"{relative}:{line}"
        for path in files
        for relative in [_relative(str(path))]
        for line in _request_reads_in(path)
        if not any(
            relative == span_path and start <= line <= end for span_path, start, end in spans
        )
    ]
    assert not unattributed, (
        "These reads of request parameters are reached from no view the guard can see; "
        "add them to OTHER_READERS with the endpoints they serve:\n" + "\n".join(unattributed)
    )


def test_the_guard_sees_the_reads_it_must_see(scanned):
    """The scanner finds reads of each shape (or the guard above passes vacuously)."""
    reads = scanned[0]

    def names(endpoint, source=None):
        return {r.name for r in reads[endpoint] if source in (None, r.source)}

    assert {"to", "quote", "reply_to_post_number", "raw", "preview", ALL} <= names("boards.reply")
    assert {"advanced", "q", "page", "words", "before"} <= names("search.search", "args")
    assert {"next", "template", "reason"} <= names("moderation.reject")
    assert {"*-days", "*-reason"} <= names("moderation.restrict_member")
    assert {"netiquette_version", "accept_netiquette"} <= names("membership.join")
    assert {"category", "municipality"} <= names("events.upcoming", "args")
    assert names("boards.index") == set()


def _string_value(node, namespace) -> str | None:
    """Return a parameter name written as a literal or as a module's string constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and isinstance(namespace.get(node.id), str):
        return namespace[node.id]
    return None
