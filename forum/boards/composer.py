"""What the composer pages share: rate limits, plugin fields, the preview."""

from collections.abc import Callable
from functools import wraps

from flask import current_app, render_template, request
from flask_login import current_user

from forum import plugins
from forum.errors import BoardError
from forum.extensions import limiter
from forum.site.services import setting

post_limit = limiter.limit(lambda: setting("POST_RATE_LIMIT"), methods=["POST"])
# The live preview asks while someone types, so it gets a roomier bucket of its own.
preview_limit = limiter.limit(
    lambda: current_app.config["PREVIEW_RATE_LIMIT"],
    methods=["POST"],
)


def refuse_silenced(view):
    """A silenced member who opens a composer learns why and until when (403),
    instead of a bare refusal. Whether they may write is permissions' answer;
    this only explains the one reason a member may not."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and current_user.is_member and current_user.is_silenced:
            return render_template("boards/silenced.html", member=current_user), 403
        return view(*args, **kwargs)

    return wrapped


def plugin_fields() -> dict[str, str]:
    """Return the composer's fields that plugins added (named ``plugin.*``)."""
    return {key: value for key, value in request.form.items() if key.startswith("plugin.")}


def composer_outlet(category=None, topic=None, post=None):
    """Render the fields plugins add to the composer."""
    return plugins.render_outlet(
        "composer_fields", user=current_user, category=category, topic=topic, post=post
    )


def render_preview(form) -> str | None:
    """Return cooked HTML when the preview button was pressed (works without JS)."""
    if form.preview.data and form.raw.data:
        from forum.boards.policy import cook_post

        return cook_post(form.raw.data, check_mentions=False)
    return None


def compose(form, submit: Callable, template: str, *, extra_validators=None, stay=False,
            **context):  # fmt: skip
    """Run a composer page: show the preview, or submit and return ``submit()``'s redirect.

    ``stay``: show the form again with what was typed (a step such as
    "check for similar topics"). A refused or invalid submission shows the
    form again with status 400.
    """
    posted = request.method == "POST"
    preview = render_preview(form) if posted else None
    if posted and stay:
        return render_template(template, form=form, preview=preview, **context), 200
    if posted and preview is None and form.validate(extra_validators=extra_validators):
        try:
            return submit()
        except BoardError as error:
            form.form_errors.append(error.message)
    status = 400 if posted and preview is None else 200
    return render_template(template, form=form, preview=preview, **context), status
