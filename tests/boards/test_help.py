"""Neighbourhood help: requests and offers by municipality, with a status."""

import re

import sqlalchemy as sa

from forum.boards.models import Topic


def _html(response) -> str:
    return response.get_data(as_text=True)


def _url(topic) -> str:
    return f"/t/{topic.slug}/{topic.id}"


def test_help_topic_needs_kind_and_municipality(client, make, login_as, places, scalar):
    login_as(make.user())
    data = {"category": places.help.id, "title": "Einkaufshilfe gesucht", "raw": "Wer kann helfen?"}
    response = client.post("/new-topic", data=data)
    assert response.status_code == 400
    html = _html(response)
    assert "needs a kind" in html
    assert 'value="Einkaufshilfe gesucht"' in html and "Wer kann helfen?" in html
    assert scalar(sa.select(Topic)) is None

    response = client.post(
        "/new-topic", data={**data, "help_kind": "request", "municipality": "brome"}
    )
    assert response.status_code == 302
    topic = scalar(sa.select(Topic))
    assert (topic.help_kind, topic.municipality, topic.help_status) == ("request", "brome", "open")


def test_help_list_filters(client, make, login_as, places):
    author = make.user()
    make.topic(
        author, places.help, title="Suche in Brome", help_kind="request", municipality="brome"
    )
    make.topic(author, places.help, title="Biete in Brome", help_kind="offer", municipality="brome")
    make.topic(
        author, places.help, title="Suche in Gifhorn", help_kind="request", municipality="gifhorn"
    )
    login_as(make.user())
    url = f"/c/nachbarschaftshilfe/{places.help.id}"

    def titles(**args):
        response = client.get(url, query_string=args)
        assert response.status_code == 200
        return sorted(re.findall(r"(?:Suche|Biete) in \w+", _html(response)))

    assert titles() == ["Biete in Brome", "Suche in Brome", "Suche in Gifhorn"]
    assert titles(kind="request") == ["Suche in Brome", "Suche in Gifhorn"]
    assert titles(municipality="brome") == ["Biete in Brome", "Suche in Brome"]
    assert titles(kind="request", municipality="gifhorn") == ["Suche in Gifhorn"]
    assert titles(status="done") == []
    assert titles(status="open", kind="offer") == ["Biete in Brome"]
    # Values not on the list are ignored, not an error.
    assert titles(kind="bogus", municipality="atlantis", status="1' OR 1=1") == [
        "Biete in Brome",
        "Suche in Brome",
        "Suche in Gifhorn",
    ]


def test_help_status_by_author_not_by_others(client, make, login_as, places, fetch):
    author = make.user()
    topic = make.topic(author, places.help, help_kind="request", municipality="meinersen")
    login_as(make.user())
    assert f'action="/t/{topic.id}/help-status"' not in _html(client.get(_url(topic)))
    assert client.post(f"/t/{topic.id}/help-status", data={"status": "done"}).status_code == 403
    assert fetch(Topic, topic.id).help_status == "open"

    client.post("/logout")
    login_as(author)
    assert f'action="/t/{topic.id}/help-status"' in _html(client.get(_url(topic)))
    response = client.post(f"/t/{topic.id}/help-status", data={"status": "arranged"})
    assert response.status_code == 302
    assert fetch(Topic, topic.id).help_status == "arranged"
    assert client.post(f"/t/{topic.id}/help-status", data={"status": "bogus"}).status_code == 400
    assert fetch(Topic, topic.id).help_status == "arranged"
    html = _html(client.get(f"/c/nachbarschaftshilfe/{places.help.id}?status=arranged"))
    assert topic.title in html
