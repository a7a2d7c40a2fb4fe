"""A plugin's sidebar contribution shows once on a page: rendering it does not
ask for the page's sidebar again (it recursed without end and was left out)."""

import logging

from jinja2 import ChoiceLoader, DictLoader

from forum.hookspecs import hookimpl
from forum.plugins import Contribution
from forum.plugins.loading import get_manager


class _SidebarPlugin:
    @hookimpl
    def extra_outlet(self, outlet):
        if outlet == "sidebar":
            return Contribution("sidebar_test.html", {"text": "Termine im Mai"})
        return None


def test_a_sidebar_contribution_shows_once(app, client, caplog):
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"sidebar_test.html": "<p>{{ text }}</p>"}), app.jinja_env.loader]
    )
    get_manager(app).register(_SidebarPlugin(), name="sidebar-test")
    with caplog.at_level(logging.ERROR):
        html = client.get("/netiquette").get_data(as_text=True)
    assert html.count("<p>Termine im Mai</p>") == 1
    assert 'class="sidebar"' in html
    assert not [r for r in caplog.records if "sidebar" in r.getMessage()]
