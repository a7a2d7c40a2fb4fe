"""One-click unsubscribe (RFC 8058): a link in every notification and summary mail.

GET shows what the link turns off and a button; POST turns it off. The POST
needs no login and no CSRF token: the signed token in the URL is the proof,
and mail programs send ``List-Unsubscribe=One-Click`` to the same address.
"""

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l

from forum.extensions import csrf
from forum.mailing import services

bp = Blueprint("mailing", __name__)

CHOICE_NAMES = {
    "reply": _l("mails when someone replies to you or quotes you"),
    "mention": _l("mails when someone mentions you"),
    "message": _l("mails about personal messages"),
    "watched": _l("mails about topics and categories you watch"),
    "digest": _l("the summary of popular topics"),
}


@bp.route("/email/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    found = services.user_and_choice(token) if len(token) <= 200 else None
    if found is None:
        abort(404)
    user, choice = found
    if request.method == "POST":
        services.unsubscribe(user, choice)
        if request.form.get("List-Unsubscribe") == "One-Click":
            return "", 200
        done = True
    else:
        done = not services.is_subscribed(user, choice)
    return render_template(
        "mailing/unsubscribe.html", user=user, what=CHOICE_NAMES[choice], done=done
    )
