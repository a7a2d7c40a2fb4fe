"""Run-time settings: each process keeps a copy while the settings generation
stands, and a change shows on the next request (this process or another); a
content write leaves the copy alone (a page's statement count stays fixed)."""

import sqlalchemy as sa

from forum import create_app, pagecache
from forum.extensions import db
from forum.site import services
from forum.site.models import SiteSetting
from tests.conftest import counting_statements


def _setting_reads(statements: list[str]) -> int:
    return sum("FROM site_settings" in s for s in statements)


def _site_name_shown(client) -> str:
    return client.get("/netiquette").get_data(as_text=True)


def test_a_request_reads_no_settings_while_the_generation_stands(app, client):
    client.get("/netiquette")
    with counting_statements(app) as statements:
        client.get("/netiquette")
    assert _setting_reads(statements) == 0


def test_a_content_write_keeps_the_copy(app, client, make):
    """A new topic bumps the guest pages' generation, not the settings'."""
    client.get("/netiquette")
    make.topic()
    with counting_statements(app) as statements:
        client.get("/netiquette")
    assert _setting_reads(statements) == 0


def test_a_committed_change_shows_on_the_next_request(app, client):
    assert "Zweiter Name" not in _site_name_shown(client)
    with app.test_request_context():
        services.set_setting("SITE_NAME", "Zweiter Name")
        db.session.commit()
    assert "Zweiter Name" in _site_name_shown(client)


def test_a_change_by_another_process_shows_once_it_bumps_the_generation(app, client):
    """Another process writes the table and bumps the shared settings generation;
    this process's copy is stale from then on (the guest pages' bump is not enough)."""
    assert "Dritter Name" not in _site_name_shown(client)
    # Written past this session's listeners, as another process would.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            sa.insert(SiteSetting.__table__).values(key="SITE_NAME", value="Dritter Name")
        )
    # Not yet bumped: this process still shows its copy (what it would show
    # for a moment before the other process's commit hook runs).
    assert "Dritter Name" not in _site_name_shown(client)
    pagecache.bump(app)
    assert "Dritter Name" not in _site_name_shown(client)
    pagecache.bump(app, pagecache.SETTINGS)
    assert "Dritter Name" in _site_name_shown(client)


def test_a_lost_bump_is_outlived_by_the_copy_s_age(app, client, monkeypatch):
    assert "Vierter Name" not in _site_name_shown(client)  # the process copy exists
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            sa.insert(SiteSetting.__table__).values(key="SITE_NAME", value="Vierter Name")
        )
    assert "Vierter Name" not in _site_name_shown(client)
    monkeypatch.setattr(pagecache, "PROCESS_COPY_SECONDS", 0)
    assert "Vierter Name" in _site_name_shown(client)


def test_a_setting_written_in_a_request_is_not_seen_by_others_before_the_commit(app, client):
    _site_name_shown(client)  # the process copy exists
    with app.test_request_context():
        services.set_setting("SITE_NAME", "Nicht gespeichert")
        assert services.setting("SITE_NAME") == "Nicht gespeichert"
        db.session.rollback()
    assert "Nicht gespeichert" not in _site_name_shown(client)


def test_without_the_page_cache_every_request_reads_the_table(app_config, tmp_path):
    app = create_app(
        {**app_config, "PAGE_CACHE_ENABLED": False}, instance_path=str(tmp_path / "other")
    )
    app.extensions["forum.setup"] = {"configured": True}
    client = app.test_client()
    client.get("/netiquette")
    with counting_statements(app) as statements:
        client.get("/netiquette")
    assert _setting_reads(statements) == 1
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
