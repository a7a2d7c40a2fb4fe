"""The topic page's reply form, rendered once and kept, then filled in per page.

The composer (``boards/_reply_box.html``: WTForms fields, their labels, the
toolbar's and upload's labels) costs more to render than all of a page's kept
posts, yet it is the same for every member who may reply apart from four
values: the reader's CSRF token, a fresh submission key (forum/idempotency.py),
and the topic's reply address and draft key. The block is rendered with slots
for those four (NUL characters, which neither escaping nor a translation lets
into a page, as in forum/post_blocks.py) and kept in a bounded per-process LRU;
each page fills in its own values.

The key is everything else the template reads: the language, the link prefix,
whether forms carry a CSRF token, and what the reader may upload
(``upload_options()``, which holds the run-time settings it reads, so a changed
setting makes a new key at once). The WTForms form is only built when the block
is rendered; only an untouched form is kept: a form with data or errors (never
the case on the topic page, which only answers GETs) is rendered as it is.
"""

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape

from forum.boards.forms import ReplyForm
from forum.idempotency import new_key_field
from forum.kept_pages import building, marker
from forum.post_blocks import BlockCache, app_block_cache
from forum.uploads.views import upload_options

_EXTENSION = "forum.reply_box"
_CSRF = "\x00reply-csrf\x00"
_KEY = "\x00reply-key\x00"
_ACTION = "\x00reply-action\x00"
_DRAFT = "\x00reply-draft\x00"
_TEMPLATE = "boards/_reply_box.html"


def box_cache(app) -> BlockCache:
    """Return the app's kept reply forms."""
    return app_block_cache(app, _EXTENSION, "REPLY_BOX_CACHE_KB")


def _untouched(form) -> bool:
    """Whether the form shows nothing of a request: no submitted data, no errors."""
    if form.is_submitted() or form.errors:
        return False
    return not any(field.data for field in form if field.type != "CSRFTokenField")


@pass_context
def reply_box(context) -> Markup:
    """Template global: the topic page's reply form for ``topic`` (the page asks
    only when the reader ``can_reply``)."""
    topic = context["topic"]
    action = url_for("boards.reply", topic_id=topic.id)
    draft_key = f"reply-{topic.id}"
    upload = upload_options()
    key = (
        str(get_locale()),
        request.script_root,
        bool(current_app.config.get("WTF_CSRF_ENABLED", True)),
        tuple(sorted(upload.items())) if upload else None,
    )
    cache = box_cache(current_app._get_current_object())
    block = cache.get(key)
    if block is None:
        # Built only now: constructing the WTForms form cost as much as filling in.
        form = ReplyForm()
        template = context.environment.get_template(_TEMPLATE)
        if not _untouched(form):
            html = template.render(
                form=form, csrf=_token(form), key_field=new_key_field(), action=action,
                draft_key=draft_key,
            )  # fmt: skip
            return Markup(html)  # noqa: S704 (rendered by an autoescaping template)
        block = template.render(
            form=form, csrf=_CSRF, key_field=escape(_KEY), action=_ACTION, draft_key=_DRAFT
        )
        cache.set(key, block)
    if key[2]:
        # The form's token is generate_csrf()'s (kept for the request): no form needed.
        block = block.replace(_CSRF, str(escape(generate_csrf())))
    # A member page being kept (forum/kept_pages.py) gets each reader's key from its slot.
    key_field = marker("reply_key") if building() is not None else str(new_key_field())
    block = (
        block.replace(_KEY, key_field)
        .replace(_ACTION, str(escape(action)))
        .replace(_DRAFT, str(escape(draft_key)))
    )
    return Markup(block)  # noqa: S704 (rendered by an autoescaping template)


def _token(form) -> str:
    # No token field when CSRF protection is off (tests): the template shows none.
    field = getattr(form, "csrf_token", None)
    return (field.current_token if field is not None else None) or ""


def register(app) -> None:
    app.jinja_env.globals["reply_box"] = reply_box
