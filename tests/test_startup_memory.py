"""A worker does not load what most requests never use (issue: a worker under 100 MB).

Pillow with the HEIC decoder, feedgen with lxml, icalendar and apispec together
took ~16 MB of every worker's memory at start. They are imported where a
picture, a feed, a calendar or the OpenAPI document is made; the tests of those
features (tests/uploads, tests/api, tests/plugins/test_events.py) prove they still
load when needed. This test proves they stay out of a fresh worker that serves
ordinary pages, with the shipped plugins enabled.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOADED_WHEN_NEEDED = ("PIL", "pillow_heif", "feedgen", "lxml", "icalendar", "apispec")

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from forum import create_app
    from forum.db import db

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "k" * 64,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
        "RATELIMIT_ENABLED": False,
        "PLUGINS": ["events", "solved"],
    }, instance_path=sys.argv[2])
    with app.app_context():
        db.create_all()
    app.extensions["forum.setup"] = {"configured": True}
    client = app.test_client()
    statuses = {}
    for path in ("/", "/latest", "/search?q=Ehrenamt", "/organisationen", "/login"):
        response = client.get(path)
        statuses[path] = response.status_code
        response.close()
    print(json.dumps({
        "statuses": statuses,
        "loaded": sorted({name.split(".")[0] for name in sys.modules}),
    }))
    """
)


def test_a_worker_serving_pages_loads_no_picture_feed_or_calendar_library(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FORUM_RATELIMIT_SINGLE_PROCESS": "true"}
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", _SCRIPT, str(tmp_path / "db.sqlite3"), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["statuses"].values()) <= {200, 302}, report["statuses"]
    assert "forum" in report["loaded"]  # the app really ran in that process
    assert not set(LOADED_WHEN_NEEDED) & set(report["loaded"])
