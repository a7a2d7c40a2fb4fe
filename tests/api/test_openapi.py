"""/openapi.json describes every API route; schemathesis finds no 500 and no
answer that breaks the document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from forum.api import openapi
from forum.auth import api_keys
from forum.extensions import db


def test_the_document_covers_every_api_route(app, client):
    document = client.get("/openapi.json")
    assert document.headers["Content-Type"] == "application/json; charset=utf-8"
    data = document.get_json()
    assert data["openapi"] == "3.1.0"
    api_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert {r.endpoint for r in api_rules} == set(openapi.OPERATIONS)
    for rule in api_rules:
        for path in openapi._paths(rule):
            methods = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
            assert methods <= set(data["paths"][path]), path


@pytest.fixture
def fuzzed(app, make):
    public = make.category("Ehrenamt entdecken", read_level="public")
    members = make.category("Allgemeines", read_level="members")
    author = make.user("anna")
    topic = make.topic(author, public, "Lesepaten gesucht", "Wer liest vor?")
    make.post(topic, make.user("bernd"), "Ich helfe gern.", reply_to_post_number=1)
    make.topic(author, members, "Internes Thema", "Nur Mitglieder.")
    with app.app_context():
        key = api_keys.create_key(
            description="Fuzz", user=db.session.merge(author), read_only=True, created_by=None
        )[1]
    return {"Api-Key": key}


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _fuzz(app, operation, header_sets, failures):
    @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy())
    def run(case):
        for headers in header_sets:
            try:
                case.call_and_validate(app=app, headers=headers, checks=CHECKS)
            except Exception as error:  # collected and reported together below
                failures.append(f"{operation.method} {operation.path}: {error}"[:800])
                return

    run()


def test_schemathesis_finds_no_server_error_and_no_schema_break(app, fuzzed):
    schema = schemathesis.openapi.from_dict(openapi.build(app))
    failures: list[str] = []
    for result in schema.get_all_operations():
        _fuzz(app, result.ok(), (None, fuzzed), failures)
    assert not failures, "\n".join(failures[:10])
