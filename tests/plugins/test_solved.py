"""The solved plugin end to end: accepting answers, the quote, list marks,
notifications, search filter words, switching it off and on, query counts."""

import contextlib
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.boards import services as board_services
from forum.boards.models import Category, Post, ReadLevel, Topic
from forum.extensions import db
from forum.notifications.models import Notification
from forum.users.models import User
from tests.conftest import counting_statements, read_settings_once

from .conftest import branch_problems

LONG_ANSWER = "Das Führungszeugnis beantragen Sie im Bürgerbüro. " + "Wort " * 120


@pytest.fixture
def search_backend() -> str:
    """The search backend; the search test runs with each (parametrized)."""
    return "whoosh"


@pytest.fixture
def app_config(app_config, plugin_app_config, search_backend, tmp_path):
    if search_backend == "postgres" and not app_config["SQLALCHEMY_DATABASE_URI"].startswith(
        "postgresql"
    ):
        pytest.skip("the postgres search backend needs a PostgreSQL test database")
    return {
        **app_config,
        **plugin_app_config(["solved"]),
        "SOLVED_CATEGORIES": ["fragen-antworten"],
        "HOLD_FIRST_POSTS": 0,
        "SEARCH_BACKEND": search_backend,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
    }


@pytest.fixture(autouse=True)
def _close_search(app):
    yield
    app.extensions["search"].close()


@dataclass
class Question:
    category: Category
    topic: Topic
    author: User
    answers: list[Post]
    answerers: list[User]


def ask(
    make, category, author=None, title="Wo bekomme ich ein Führungszeugnis?", role="member"
) -> Question:
    author = author or make.user(role=role)
    topic = make.topic(author, category, title, "Ich brauche es für die Jugendarbeit.")
    answerers = [make.user(role=role), make.user(role=role)]
    answers = [
        make.post(topic, answerers[0], LONG_ANSWER),
        make.post(topic, answerers[1], "Beim Kreis gibt es dafür ein Formular."),
    ]
    return Question(category, topic, author, answers, answerers)


@pytest.fixture
def qa(make):
    return make.category("Fragen & Antworten", slug="fragen-antworten", read_level=ReadLevel.PUBLIC)


@pytest.fixture
def chat(make):
    return make.category("Plaudern", slug="plaudern", read_level=ReadLevel.PUBLIC)


@pytest.fixture
def question(make, qa) -> Question:
    return ask(make, qa)


def page_of(app, client, topic) -> str:
    from forum.urls import topic_url

    with app.test_request_context():
        url = topic_url(topic)
    # ?page=1: a returning reader is not sent on to the first unread post.
    response = client.get(url, query_string={"page": 1})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def accepted(app, topic) -> int | None:
    from forum_plugins.solved.services import accepted_post_id

    with app.app_context():
        return accepted_post_id(topic.id)


def accept(client, post, action="accept"):
    return client.post(f"/solved/p/{post.id}/{action}")


# --- Accepting ----------------------------------------------------------------------------


def test_author_accepts_replaces_and_unaccepts(app, client, login_as, question):
    first, second = question.answers
    login_as(question.author)
    page = page_of(app, client, question.topic)
    # One button per reply, none for the question itself.
    assert page.count("Accept as solution") == 2
    assert f"/solved/p/{first.id}/accept" in page and "Solution</span>" not in page

    response = accept(client, first)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{question.topic.id}/2#post_2")
    assert accepted(app, question.topic) == first.id
    page = page_of(app, client, question.topic)
    assert "Post 2 is now the solution." in page
    assert page.count("Accept as solution") == 1
    assert f"/solved/p/{first.id}/unaccept" in page

    # Another reply replaces the first; one solution per topic.
    assert accept(client, second).status_code == 302
    assert accepted(app, question.topic) == second.id
    page = page_of(app, client, question.topic)
    assert f"/solved/p/{first.id}/accept" in page and f"/solved/p/{second.id}/unaccept" in page

    # Accepting the solution again changes nothing.
    assert accept(client, second).status_code == 302
    assert accepted(app, question.topic) == second.id

    assert accept(client, second, "unaccept").status_code == 302
    assert accepted(app, question.topic) is None
    assert "Solution</span>" not in page_of(app, client, question.topic)


def test_moderator_accepts_and_unaccepts(app, client, make, login_as, question):
    login_as(make.user(role="moderator"))
    assert "Accept as solution" in page_of(app, client, question.topic)
    assert accept(client, question.answers[1]).status_code == 302
    assert accepted(app, question.topic) == question.answers[1].id
    assert accept(client, question.answers[1], "unaccept").status_code == 302
    assert accepted(app, question.topic) is None


def test_others_may_not_accept(app, client, make, login_as, question):
    answer = question.answers[0]
    with app.app_context():
        from forum_plugins.solved.services import accept_answer

        accept_answer(db.session.get(User, question.author.id), db.session.get(Post, answer.id))
    # The answerer, another member: no button, and 403 when they try anyway.
    for person in (question.answerers[1], make.user()):
        client.post("/logout")
        login_as(person)
        page = page_of(app, client, question.topic)
        assert "Accept as solution" not in page and "Unmark solution" not in page
        assert "Solution</span>" in page  # the badge is for everyone
        assert accept(client, question.answers[1]).status_code == 403
        assert accept(client, answer, "unaccept").status_code == 403
    assert accepted(app, question.topic) == answer.id


def test_the_first_post_and_deleted_replies_cannot_be_accepted(app, client, make, login_as, qa):
    question = ask(make, qa)
    login_as(question.author)
    with app.app_context():
        first = db.session.scalar(
            sa.select(Post).where(Post.topic_id == question.topic.id, Post.post_number == 1)
        )
        deleted = db.session.get(Post, question.answers[1].id)
        board_services.delete_post(db.session.get(User, question.answerers[1].id), deleted)
        first_id = first.id
    assert client.post(f"/solved/p/{first_id}/accept").status_code == 403
    # A deleted reply is out of sight for the author: 404, like the core's actions.
    assert accept(client, question.answers[1]).status_code == 404
    assert accepted(app, question.topic) is None


def test_guests_are_sent_to_log_in(app, client, question):
    page = page_of(app, client, question.topic)
    assert "Accept as solution" not in page
    response = accept(client, question.answers[0])
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert accepted(app, question.topic) is None


def test_posts_the_user_cannot_read_answer_404(app, client, make, login_as):
    staff_room = make.category("Intern", slug="fragen-antworten", read_level=ReadLevel.STAFF)
    question = ask(make, staff_room, role="moderator")
    login_as(make.user())
    assert accept(client, question.answers[0]).status_code == 404
    assert client.post("/solved/p/999999999/accept").status_code == 404
    assert accepted(app, question.topic) is None


def test_not_in_categories_without_the_plugin(app, client, make, login_as, chat):
    question = ask(make, chat)
    login_as(question.author)
    page = page_of(app, client, question.topic)
    assert "Accept as solution" not in page
    assert accept(client, question.answers[0]).status_code == 404
    assert accepted(app, question.topic) is None


def test_actions_need_the_csrf_token(app, app_config, make, qa):
    question = ask(make, qa)
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', login_page)
    response = client.post(
        "/login",
        data={"login": question.author.username, "password": make.password, "csrf_token": token[1]},
    )
    assert response.status_code == 302
    answer = question.answers[0]
    assert accept(client, answer).status_code == 400
    assert accepted(app, question.topic) is None
    page = page_of(app, client, question.topic)
    token = re.search(
        rf'action="/solved/p/{answer.id}/accept"[^>]*>\s*<input type="hidden" name="csrf_token"'
        r' value="([^"]+)"',
        page,
    )[1]
    response = client.post(f"/solved/p/{answer.id}/accept", data={"csrf_token": token})
    assert response.status_code == 302
    assert accepted(app, question.topic) == answer.id


# --- What readers see -----------------------------------------------------------------------


def test_the_solution_is_quoted_under_the_first_post(app, client, login_as, question):
    answer, answerer = question.answers[0], question.answerers[0]
    login_as(question.author)
    accept(client, answer)
    client.post("/logout")
    page = page_of(app, client, question.topic)
    quote_at = page.index('class="cooked solved-solution"')
    # Below the first post, above the first reply.
    assert page.index('id="post_1"') < quote_at < page.index('id="post_2"')
    quote = page[quote_at : page.index("</aside>", quote_at)]
    assert "Das Führungszeugnis beantragen Sie im Bürgerbüro." in quote
    assert quote.count("Wort") < 100 and "…" in quote  # an excerpt, not the whole post
    assert f'href="/u/{answerer.username}"' in quote or answerer.username in quote
    assert f"/{question.topic.id}/2#post_2" in quote
    # The accepted reply carries the badge for everyone.
    post_2 = page[page.index('id="post_2"') : page.index('id="post_3"')]
    assert "Solution</span>" in post_2


def test_the_quote_is_escaped(app, client, make, login_as, qa):
    question = ask(make, qa)
    tricky = make.post(question.topic, question.answerers[0], "Nimm `<script>alert(1)</script>`")
    login_as(question.author)
    accept(client, tricky)
    page = page_of(app, client, question.topic)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_topic_lists_mark_solved_topics(app, client, make, login_as, qa, chat):
    solved = ask(make, qa, title="Gelöste Frage")
    ask(make, qa, title="Offene Frage")
    login_as(solved.author)
    accept(client, solved.answers[0])
    for url in ("/latest", f"/c/{qa.slug}/{qa.id}"):
        page = client.get(url).get_data(as_text=True)
        rows = {title: row for title, row in _rows(page).items()}
        assert "Solved" in rows["Gelöste Frage"], url
        assert "Solved" not in rows["Offene Frage"], url


def _rows(page: str) -> dict[str, str]:
    """Return topic title -> the HTML of its row in a topic list."""
    rows = page.split('<li class="topic-item')[1:]
    return {re.search(r'<a href="/t/[^"]+">([^<]+)</a>', row)[1]: row for row in rows}


def test_a_deleted_solution_leaves_the_topic_unsolved(app, client, make, login_as, question):
    answer = question.answers[0]
    moderator = make.user(role="moderator")
    login_as(question.author)
    accept(client, answer)
    with app.app_context():
        board_services.delete_post(
            db.session.get(User, moderator.id), db.session.get(Post, answer.id)
        )
    page = page_of(app, client, question.topic)
    assert "solved-solution" not in page
    assert "Solved" not in _rows(client.get("/latest").get_data(as_text=True))[question.topic.title]
    with app.app_context():
        board_services.restore_post(
            db.session.get(User, moderator.id), db.session.get(Post, answer.id)
        )
    # The choice was kept: restoring the post restores the solution.
    assert "solved-solution" in page_of(app, client, question.topic)


# --- Notifications ------------------------------------------------------------------------


def test_the_answerer_is_notified(app, client, make, login_as, qa):
    question = ask(make, qa)
    login_as(question.author)
    accept(client, question.answers[0])
    own = make.post(question.topic, question.author, "Ich habe es selbst gefunden.")
    accept(client, own)  # accepting one's own reply notifies nobody
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Notification).where(Notification.kind == "solution_accepted")
        ).all()
        assert [(n.user_id, n.topic_id, n.data) for n in rows] == [
            (
                question.answerers[0].id,
                question.topic.id,
                {"post_number": 2, "title": question.topic.title},
            )
        ]
    client.post("/logout")
    login_as(question.answerers[0])
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Your answer in “{question.topic.title}” was accepted as the solution." in page
    # The link marks it read on the way to the answer.
    link = re.search(r'href="(/notifications/\d+)">Your answer in', page).group(1)
    assert client.get(link).headers["Location"].endswith(f"/{question.topic.id}/2#post_2")


# --- Search -------------------------------------------------------------------------------


def _search(client, query: str) -> str:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("search_backend", ["whoosh", "postgres"])
def test_search_status_solved_and_unsolved(app, client, make, login_as, qa, chat):
    solved = ask(make, qa, title="Führungszeugnis gelöst")
    ask(make, qa, title="Führungszeugnis offen")
    ask(make, chat, title="Führungszeugnis geplaudert")
    login_as(solved.author)
    accept(client, solved.answers[1])

    page = _search(client, "Führungszeugnis status:solved")
    assert "1 topic found" in page and "gelöst" in page and "offen</a>" not in page
    page = _search(client, "Führungszeugnis status:unsolved")
    # Only topics of the categories where questions can be solved.
    assert "1 topic found" in page and "offen" in page and "geplaudert" not in page
    assert "3 topics found" in _search(client, "Führungszeugnis status:open")
    assert "1 topic found" in _search(client, "status:solved")
    page = _search(client, "Führungszeugnis status:vielleicht")
    assert "Use status:open, status:closed, status:solved or status:unsolved." in page

    # A deleted solution does not count.
    with app.app_context():
        board_services.delete_post(
            db.session.get(User, solved.answerers[1].id), db.session.get(Post, solved.answers[1].id)
        )
    assert "Nothing found." in _search(client, "status:solved")


# --- Switching the plugin off and on --------------------------------------------------------


@contextlib.contextmanager
def app_with(app_config, tmp_path, plugins: list[str]):
    other = create_app({**app_config, "PLUGINS": plugins}, instance_path=str(tmp_path / "other"))
    try:
        yield other
    finally:
        other.extensions["search"].close()
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_turning_the_plugin_off_hides_it_and_keeps_the_data(
    app, app_config, client, login_as, question, tmp_path
):
    answer = question.answers[0]
    login_as(question.author)
    accept(client, answer)

    with app_with(app_config, tmp_path, []) as plain:
        browser = plain.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login_as_in(browser, question.author)
        page = page_of(plain, browser, question.topic)
        assert "solved-solution" not in page and "Accept as solution" not in page
        assert "Solution</span>" not in page
        assert "Solved" not in browser.get("/latest").get_data(as_text=True)
        assert accept(browser, question.answers[1]).status_code == 404
        page = _search(browser, "Führungszeugnis status:solved")
        assert "Use status:open or status:closed." in page
        assert not any(rule.endpoint.startswith("solved.") for rule in plain.url_map.iter_rules())
    # The accepted answer is still stored...
    assert accepted(app, question.topic) == answer.id

    # ...and back when the plugin is on again.
    with app_with(app_config, tmp_path, ["solved"]) as again:
        browser = again.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        page = page_of(again, browser, question.topic)
        assert "solved-solution" in page
        assert "1 topic found" in _search(browser, "status:solved")


def login_as_in(browser, user) -> None:
    from tests.conftest import login

    login(browser, user)


# --- Query counts -------------------------------------------------------------------------


def statements_for(app, client, url: str) -> int:
    with counting_statements(app) as statements:
        response = client.get(url)
        assert response.status_code == 200, url
        count = len(statements)
        response.close()
    return count


def test_pages_do_not_grow_in_queries_with_topics_and_replies(app, client, make, login_as, qa):
    author = make.user()
    answerer = make.user()
    login_as(author)
    read_settings_once(client)

    def grow(topics: int, replies: int) -> Topic:
        with app.test_request_context():
            from forum_plugins.solved.services import accept_answer

            people = [db.session.get(User, author.id), db.session.get(User, answerer.id)]
            category = db.session.get(Category, qa.id)
            existing = db.session.scalars(sa.select(Topic).order_by(Topic.id)).all()
            for number in range(len(existing), topics):
                board_services.create_topic(people[0], category, f"Frage {number}", "Wie geht das?")
            for topic in db.session.scalars(sa.select(Topic).order_by(Topic.id)).all():
                for _number in range(topic.highest_post_number, replies + 1):
                    board_services.create_post(people[1], topic, "So geht das.")
                if topic.id % 2:
                    reply = db.session.scalar(
                        sa.select(Post).where(Post.topic_id == topic.id, Post.post_number == 2)
                    )
                    accept_answer(people[0], reply)
            return db.session.scalar(sa.select(Topic).order_by(Topic.id))

    counts = {}
    for size in (3, 20):
        topic = grow(size, size)
        counts[size] = {
            "latest": statements_for(app, client, "/latest"),
            "category": statements_for(app, client, f"/c/{qa.slug}/{qa.id}"),
            "topic": statements_for(app, client, f"/t/{topic.slug}/{topic.id}?page=1"),
        }
    assert counts[3] == counts[20], counts


# --- Migration --------------------------------------------------------------------------------


def test_the_branch_matches_the_model_and_stands_alone(app):
    assert branch_problems(app, "solved", {"solved_answers"}) == []


@pytest.mark.parametrize("search_backend", ["whoosh", "postgres"])
def test_search_results_quote_the_accepted_answer(app, client, make, login_as, qa):
    solved = ask(make, qa, title="Führungszeugnis beantragt")
    ask(make, qa, title="Führungszeugnis verloren")
    login_as(solved.author)
    accept(client, solved.answers[1])
    page = _search(client, "Führungszeugnis")
    assert "2 topics found" in page
    # Once, under the solved topic, linked to the answer.
    assert page.count("solved-search-answer") == 1
    assert "Beim Kreis gibt es dafür ein Formular." in page
    assert f"#post_{solved.answers[1].post_number}" in page

    # A hidden answer is not quoted to those who may not find it.
    with app.app_context():
        db.session.get(Post, solved.answers[1].id).deleted_at = sa.func.now()
        db.session.commit()
    assert "solved-search-answer" not in _search(client, "Führungszeugnis")


def test_similar_topics_in_the_composer_mark_solved_ones(client, make, login_as, qa):
    solved = ask(make, qa, title="Führungszeugnis beantragt")
    ask(make, qa, title="Führungszeugnis verloren")
    login_as(solved.author)
    accept(client, solved.answers[1])
    data = {"category": qa.id, "title": "Wie bekomme ich ein Führungszeugnis?", "raw": "Entwurf",
            "similar": "1"}  # fmt: skip
    page = client.post("/new-topic", data=data).get_data(as_text=True)
    listed = page[page.index('class="similar-list"') :]
    listed = listed[: listed.index("</ul>")]
    # One of the two listed topics is solved, and it is marked so.
    assert "Führungszeugnis beantragt" in listed and "Führungszeugnis verloren" in listed
    assert listed.count("badge-solved") == 1
    solved_item = next(item for item in listed.split("<li>") if "beantragt" in item)
    assert "badge-solved" in solved_item
