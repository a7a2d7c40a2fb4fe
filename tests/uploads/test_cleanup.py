"""`flask --app forum uploads cleanup`: orphans go after the grace period, used uploads stay."""

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from forum.db import utcnow
from forum.extensions import db
from forum.uploads.models import Upload
from forum.uploads.services import save_avatar, save_upload
from forum.users.models import User
from tests.uploads import pictures


def _files(app) -> set[str]:
    return {p.name for p in Path(app.instance_path, "uploads").rglob("*") if p.is_file()}


def _age_everything(app, hours: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(Upload).values(created_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()


def test_cleanup_removes_only_old_unused_uploads(app, make, runner):
    writer = make.user()
    with app.test_request_context():
        account = db.session.get(User, writer.id)
        used = save_upload(account, pictures.jpeg_with_gps((1000, 500)), "a.jpg", "Bild").upload
        used_key, used_md = used.key, save_upload(account, pictures.png(), "b.png", "x").markdown
        orphan_key = save_upload(
            account, pictures.jpeg_with_gps((900, 900)), "c.jpg", "x"
        ).upload.key
        pdf = save_upload(account, pictures.PDF_WITH_SCRIPT, "flyer.pdf")
        save_avatar(account, pictures.jpeg_with_gps((300, 300)))
        avatar_key = account.avatar_key
    make.topic(author=writer, raw=f"![Bild](upload://{used_key}) und {used_md} und {pdf.markdown}")
    before = _files(app)
    assert orphan_key in before and used_key in before

    # Young orphans stay (the composer's upload not yet posted).
    result = runner.invoke(args=["uploads", "cleanup"])
    assert result.exit_code == 0 and "Removed 0 unused upload(s)" in result.output

    _age_everything(app, 49)
    dry = runner.invoke(args=["uploads", "cleanup", "--dry-run"])
    assert "Would remove 1 unused upload(s)" in dry.output and orphan_key in dry.output
    assert _files(app) == before

    result = runner.invoke(args=["uploads", "cleanup"])
    assert "Removed 1 unused upload(s)" in result.output
    after = _files(app)
    assert orphan_key not in after
    # All sizes of the orphan went, nothing else did.
    assert len(before - after) == 3 and used_key in after and avatar_key in after

    # A member who removes the avatar leaves it to the next cleanup.
    with app.test_request_context():
        from forum.uploads.services import remove_avatar

        remove_avatar(db.session.get(User, writer.id))
    result = runner.invoke(args=["uploads", "cleanup", "--hours", "0"])
    assert "Removed 1 unused upload(s)" in result.output
    assert avatar_key not in _files(app) and used_key in _files(app)


def test_a_held_post_keeps_its_pictures(app, make, runner):
    from forum.boards.services import submit_post

    newcomer = make.user()
    topic = make.topic()
    app.config["UPLOAD_HOLD_POSTS"] = 5
    with app.test_request_context():
        account = db.session.get(User, newcomer.id)
        saved = save_upload(account, pictures.png(), "b.png", "Ein Bild")
        held = submit_post(
            account, db.session.get(type(topic), topic.id), f"Hier: {saved.markdown}"
        )
        assert held.reason == "new_member_upload"
    _age_everything(app, 100)
    result = runner.invoke(args=["uploads", "cleanup"])
    assert "Removed 0 unused upload(s)" in result.output
