"""Public site pages: netiquette, Impressum, Datenschutz."""

from flask import Blueprint, render_template

from forum.site.services import init_app, page_text, site_name

bp = Blueprint("site", __name__)
bp.record_once(lambda state: init_app(state.app))


@bp.app_context_processor
def site_identity():
    # The name an admin set (first start, settings) over the configured one.
    return {"site_name": site_name}


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
