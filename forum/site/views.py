"""Public site pages (netiquette, Impressum, Datenschutz) and the landing page."""

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l

from forum.boards.queries import categories_overview
from forum.site.services import page_text

bp = Blueprint("site", __name__)

#: The landing page's line under the name when SITE_DESCRIPTION is empty.
DEFAULT_DESCRIPTION = _l(
    "The forum for volunteers, clubs and neighbourhood help in the district of Gifhorn"
)


def _render_text(key: str):
    return render_template("site/page.html", text=page_text(key))


@bp.get("/netiquette")
def netiquette():
    return _render_text("netiquette")


@bp.get("/impressum")
def impressum():
    return _render_text("impressum")


@bp.get("/datenschutz")
def privacy():
    return _render_text("privacy")


def landing(user):
    """Render the front page for guests and applicants: what the forum is, how to join."""
    from forum.membership.views import applicant_status, join_url

    return render_template(
        "boards/landing.html",
        about=page_text("about"),
        overviews=categories_overview(user),
        join_url=join_url(user),
        status=applicant_status(user),
        description=current_app.config["SITE_DESCRIPTION"] or DEFAULT_DESCRIPTION,
    )
