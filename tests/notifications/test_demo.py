"""The demo content is written through the services, so its members have notifications."""

from forum.demo import DEMO_PASSWORD, load_demo
from forum.extensions import db
from tests.conftest import login


def test_anke_is_told_about_replies_likes_and_mehmets_mention(app, client):
    with app.app_context():
        load_demo()
        from forum.users.models import User

        anke = db.session.scalar(db.select(User).filter_by(username="anke.schulz"))
        db.session.expunge(anke)
    login(client, anke, DEMO_PASSWORD)
    page = client.get("/notifications").get_data(as_text=True)  # Anke reads German
    assert "mehmet.yilmaz hat Sie in „Vorstellungsrunde: Wer ist hier dabei?“ erwähnt." in page
    assert "hat Ihnen in" in page and "gefällt Ihr Beitrag in" in page
    assert client.get("/notifications/count.json").get_json()["unread"] >= 5
