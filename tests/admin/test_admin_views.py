"""The admin area: who may enter, settings, texts, questions, templates, watched words, log."""

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.membership.models import MembershipQuestion, RejectionTemplate
from forum.moderation.models import AuditLog, WatchedWord, WatchedWordAction
from forum.review.audit import log_action
from forum.review.words import screen
from forum.site.models import SiteText

ADMIN_ONLY = [
    "/admin/",
    "/admin/settings",
    "/admin/texts",
    "/admin/texts/netiquette",
    "/admin/questions",
    "/admin/rejection-templates",
    "/admin/watched-words",
]


def _log(app, action: str | None = None) -> list[AuditLog]:
    with app.app_context():
        query = sa.select(AuditLog).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
        return entries


# --- Who may enter -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, "applicant", "member", "moderator"])
def test_admin_pages_are_not_found_for_others(client, make, login_as, role):
    if role:
        login_as(make.user("jemand", role=role))
    for path in ADMIN_ONLY:
        assert client.get(path).status_code == 404, path
    response = client.post("/admin/settings", data={"flags_to_hide": "1"})
    assert response.status_code == 404
    # The 404 is the ordinary one: nothing hints at an admin area.
    assert "admin-nav" not in client.get("/admin/settings").get_data(as_text=True)


@pytest.mark.parametrize("role", [None, "applicant", "member"])
def test_log_and_invitations_are_not_found_for_non_staff(client, make, login_as, role):
    if role:
        login_as(make.user("jemand", role=role))
    assert client.get("/admin/log").status_code == 404
    assert client.get("/admin/invitations").status_code == 404


def test_moderator_reads_the_log_and_invites(client, login_as, coordinator):
    login_as(coordinator)
    assert client.get("/admin/log").status_code == 200
    html = client.get("/admin/invitations").get_data(as_text=True)
    assert 'href="/admin/settings"' not in html  # the menu shows only what they may use


def test_admin_sees_every_page(client, login_as, admin):
    login_as(admin)
    for path in [*ADMIN_ONLY, "/admin/log", "/admin/invitations"]:
        assert client.get(path).status_code == 200, path
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)  # footer link


# Settings: tests/admin/test_settings.py


# --- Site texts ----------------------------------------------------------------------------------


def test_text_edits_are_versions(app, client, login_as, admin):
    login_as(admin)
    html = client.get("/admin/texts/netiquette").get_data(as_text=True)
    assert "Freundlich und respektvoll" in html  # the default, ready to edit
    for number in (1, 2):
        response = client.post(
            "/admin/texts/netiquette",
            data={"title": "Netiquette", "raw": f"Regel Nummer **{number}**"},
        )
        assert response.status_code == 302
    with app.app_context():
        versions = db.session.execute(
            sa.select(SiteText.version, SiteText.raw, SiteText.updated_by_id)
            .where(SiteText.key == "netiquette")
            .order_by(SiteText.version)
        ).all()
    assert versions == [
        (1, "Regel Nummer **1**", admin.id),
        (2, "Regel Nummer **2**", admin.id),
    ]
    assert "Regel Nummer <strong>2</strong>" in client.get("/netiquette").get_data(as_text=True)
    assert [entry.details["version"] for entry in _log(app, "edit_site_text")] == [1, 2]
    old = client.get("/admin/texts/netiquette/1")
    assert "Regel Nummer <strong>1</strong>" in old.get_data(as_text=True)
    assert client.get("/admin/texts/netiquette/9").status_code == 404
    assert client.get("/admin/texts/agb").status_code == 404


def test_empty_text_is_refused(app, client, login_as, admin):
    login_as(admin)
    response = client.post("/admin/texts/impressum", data={"title": "Impressum", "raw": ""})
    assert response.status_code == 400
    assert 'value="Impressum"' in response.get_data(as_text=True)
    assert _log(app) == []


# --- Membership questions ------------------------------------------------------------------------


def _question_texts(app) -> list[tuple[str, bool, bool]]:
    from forum.membership.services import list_questions

    with app.app_context():
        return [(q.text, q.required, q.active) for q in list_questions(active_only=False)]


def test_questions_add_edit_order_deactivate(app, client, login_as, admin):
    login_as(admin)
    client.post("/admin/questions", data={"text": "Erste Frage?", "required": "y"})
    client.post("/admin/questions", data={"text": "Zweite Frage?"})
    assert _question_texts(app) == [("Erste Frage?", True, True), ("Zweite Frage?", False, True)]
    with app.app_context():
        first, second = db.session.scalars(
            sa.select(MembershipQuestion.id).order_by(MembershipQuestion.id)
        ).all()

    response = client.post(f"/admin/questions/{second}/move", data={"direction": "up"})
    assert response.status_code == 302
    assert [text for text, *_ in _question_texts(app)] == ["Zweite Frage?", "Erste Frage?"]
    # Moving past the end changes nothing.
    client.post(f"/admin/questions/{second}/move", data={"direction": "up"})
    assert [text for text, *_ in _question_texts(app)] == ["Zweite Frage?", "Erste Frage?"]
    assert (
        client.post(f"/admin/questions/{second}/move", data={"direction": "x"}).status_code == 400
    )

    response = client.post(
        f"/admin/questions/{first}", data={"text": "Erste Frage, neu?", "required": "y"}
    )
    assert response.status_code == 302
    assert ("Erste Frage, neu?", True, False) in _question_texts(app)  # unchecked: not shown
    assert "Erste Frage, neu?" in client.get("/admin/questions").get_data(as_text=True)

    actions = [entry.action for entry in _log(app)]
    assert actions == ["create_question", "create_question", "move_question", "update_question"]
    assert _log(app, "update_question")[0].details["changed"] == {
        "text": "Erste Frage, neu?",
        "active": False,
    }


def test_question_needs_text(client, login_as, admin):
    login_as(admin)
    response = client.post("/admin/questions", data={"text": "", "required": "y"})
    assert response.status_code == 400
    assert "Please enter the question." in response.get_data(as_text=True)
    assert client.get("/admin/questions/999").status_code == 404


# --- Rejection templates -------------------------------------------------------------------------


def test_rejection_templates(app, client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/admin/rejection-templates",
        data={"title": "Nicht aus dem Landkreis", "body": "Das Forum ist für den Landkreis."},
    )
    assert response.status_code == 302
    with app.app_context():
        template_id = db.session.scalar(sa.select(RejectionTemplate.id))
    client.post(
        f"/admin/rejection-templates/{template_id}",
        data={"title": "Außerhalb", "body": "Leider nur für den Landkreis Gifhorn."},
    )
    html = client.get("/admin/rejection-templates").get_data(as_text=True)
    assert "Leider nur für den Landkreis Gifhorn." in html
    assert client.post("/admin/rejection-templates", data={"title": "x"}).status_code == 400

    assert client.post(f"/admin/rejection-templates/{template_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RejectionTemplate)) == 0
    assert [entry.action for entry in _log(app)] == [
        "create_rejection_template",
        "update_rejection_template",
        "delete_rejection_template",
    ]
    assert client.post(f"/admin/rejection-templates/{template_id}/delete").status_code == 404


# --- Watched words -------------------------------------------------------------------------------


def test_watched_words(app, client, login_as, admin):
    login_as(admin)
    assert (
        client.post("/admin/watched-words", data={"word": "Casino", "action": "block"}).status_code
        == 302
    )
    client.post("/admin/watched-words", data={"word": "geld*", "action": "hold"})
    response = client.post("/admin/watched-words", data={"word": "casino", "action": "block"})
    assert response.status_code == 400
    assert "on the list already" in response.get_data(as_text=True)
    assert (
        client.post("/admin/watched-words", data={"word": "x", "action": "explode"}).status_code
        == 400
    )

    with app.app_context():
        found = screen("Online-Casino mit Geldgewinn")
        assert (found.blocked_by, found.held_by) is not None
        assert found.blocked_by.lower() == "casino"
        assert found.held_by.lower() == "geldgewinn"
        word_id = db.session.scalar(
            sa.select(WatchedWord.id).where(WatchedWord.action == WatchedWordAction.BLOCK)
        )
    assert client.post(f"/admin/watched-words/{word_id}/delete").status_code == 302
    with app.app_context():
        assert screen("Casino").blocked_by is None
    assert [entry.action for entry in _log(app)] == [
        "add_watched_word",
        "add_watched_word",
        "remove_watched_word",
    ]


# --- Audit log -----------------------------------------------------------------------------------


def test_log_filters_and_windows(app, client, login_as, admin, coordinator):
    from forum.admin import views
    from forum.users.models import User

    with app.app_context():
        actor_admin = db.session.get(User, admin.id)
        actor_moderator = db.session.get(User, coordinator.id)
        for number in range(views.LOG_PAGE_SIZE + 5):
            log_action(
                actor_admin,
                "close_topic",
                target_type="topic",
                target_label=f"Eintrag {number:03d}",
            )
        log_action(actor_moderator, "pin_topic", target_type="topic", target_label="Angepinnt")
        db.session.commit()

    login_as(coordinator)
    html = client.get("/admin/log").get_data(as_text=True)
    assert "Angepinnt" in html
    # Actions and targets by their names, in the table and the filter.
    assert '<td data-label="Action">Topic pinned</td>' in html
    assert '<span class="muted">Topic</span>' in html
    assert '<option value="close_topic">Topic closed</option>' in html
    assert "Eintrag 000" not in html  # beyond the first window
    assert "Older entries" in html

    html = client.get("/admin/log?action=pin_topic").get_data(as_text=True)
    assert "Angepinnt" in html and "Eintrag 054" not in html
    html = client.get("/admin/log?actor=verwaltung").get_data(as_text=True)
    assert "Angepinnt" not in html and "Eintrag 054" in html
    html = client.get("/admin/log?actor=niemand").get_data(as_text=True)
    assert "There is no user with this name." in html

    with app.app_context():
        fifth = db.session.scalar(
            sa.select(AuditLog.id).where(AuditLog.target_label == "Eintrag 005")
        )
    html = client.get(f"/admin/log?before_id={fifth}").get_data(as_text=True)
    assert "Eintrag 004" in html and "Eintrag 000" in html and "Eintrag 005" not in html
    assert client.get("/admin/log?before_id=abc").status_code == 400


def test_log_is_read_only(client, login_as, admin):
    login_as(admin)
    assert client.post("/admin/log").status_code == 405
    assert client.delete("/admin/log").status_code == 405


def test_every_logged_action_has_a_name():
    """Each action code the code base writes to the log is named in the reader's language."""
    import ast
    from pathlib import Path

    from forum.review.audit import ACTION_LABELS

    def codes(node, assignments) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return codes(node.body, assignments) | codes(node.orelse, assignments)
        if isinstance(node, ast.Name) and node.id in assignments:
            return codes(assignments[node.id], assignments)
        if isinstance(node, ast.JoinedStr) and ast.unparse(node) == "f'flags_{decision}'":
            # resolve_flags checks the decision against this tuple first.
            return {f"flags_{d}" for d in ("agree_hide", "agree_delete", "disagree", "ignore")}
        return {"<not understood: " + ast.unparse(node) + ">"}

    found: dict[str, str] = {}
    for path in (Path(__file__).resolve().parents[2] / "forum").rglob("*.py"):
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef):
                continue
            assignments = {
                target.id: node.value
                for node in ast.walk(function)
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for call in ast.walk(function):
                name = getattr(call, "func", None)
                if isinstance(call, ast.Call) and getattr(name, "id", None) == "log_action":
                    if ast.unparse(call.args[1]) == "f'{item.kind}_{action}'":
                        continue  # a plugin's review decision: named by its kind
                    for code in codes(call.args[1], assignments):
                        found[code] = path.name
    assert len(found) > 30
    assert {code: f for code, f in found.items() if code not in ACTION_LABELS} == {}
