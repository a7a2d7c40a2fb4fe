"""The counts in the header of every page a signed-in reader sees: one statement.

The bell's unread notifications (everyone signed in: a rejected join request
reaches an applicant there); for members the conversations with unread posts
and, on topic pages, the members they ignore (their posts are collapsed).
Each package keeps the rules of its part (forum/notifications/services.py,
forum/messages/queries.py); here the parts are asked together in one UNION
ALL, built once per role (forum/permissions/shapes.py). Asked apart they were
two of the three statements every member page ran before its own (issue 15).

Asked when a page is rendered and kept in ``g`` for the rest of the request,
never longer: a new notification shows on the next page. A view that changes
a count before it renders calls ``forget``.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from forum import permissions
from forum.extensions import db
from forum.messages import queries as messages
from forum.notifications import services as notifications

#: The part of the header's rows (part, value) that counts notifications.
NOTIFICATIONS = 2


@dataclass(frozen=True)
class HeaderCounts:
    #: Whether the reader has messages (members): the header shows the link.
    member: bool
    #: Unread notifications, and conversations with unread posts (0 for
    #: non-members); None when they could not be read (an error page).
    notifications: int | None
    messages: int | None
    ignored: frozenset[int] = frozenset()


def _statement(member: bool, with_ignored: bool):
    def build(reader):
        parts = messages.header_parts(reader, with_ignored=with_ignored) if member else []
        count = notifications.unread_statement(reader).scalar_subquery()
        parts.append(sa.select(sa.literal(NOTIFICATIONS).label("part"), count.label("value")))
        return sa.union_all(*parts) if len(parts) > 1 else parts[0]

    return build


def header_counts(user, *, with_ignored: bool = False) -> HeaderCounts:
    """Return the header's counts of a signed-in ``user`` (one statement); with
    ``with_ignored`` also whom they ignore."""
    member = permissions.is_member(user)
    with_ignored = with_ignored and member
    statement = permissions.shaped(
        f"header.{member}.{with_ignored}", user, _statement(member, with_ignored)
    )
    counts = {messages.UNREAD: 0, NOTIFICATIONS: 0}
    ignored = set()
    for part, value in db.session.execute(statement, permissions.reader_params(user)):
        if part == messages.IGNORED:
            ignored.add(value)
        else:
            counts[part] = value
    return HeaderCounts(
        member=member,
        notifications=counts[NOTIFICATIONS],
        messages=counts[messages.UNREAD],
        ignored=frozenset(ignored),
    )


def current_counts() -> HeaderCounts:
    """The signed-in reader's header counts, asked once per request."""
    if "header_counts" not in g:
        on_topic = has_request_context() and request.endpoint == "boards.topic"
        try:
            g.header_counts = header_counts(current_user, with_ignored=on_topic)
        except SQLAlchemyError:
            # An error page rendered after a failed transaction must still render.
            db.session.rollback()
            g.header_counts = HeaderCounts(permissions.is_member(current_user), None, None)
    return g.header_counts


def forget() -> None:
    """Ask the counts again when the page renders (the view changed one)."""
    g.pop("header_counts", None)


def header_context() -> dict:
    """Give signed-in readers their unread notifications, members their
    conversations with unread posts, and the topic page whom they ignore."""
    # No current user at all outside a request (mails rendered by the CLI).
    if not getattr(current_user, "is_authenticated", False):
        return {"ignored_user_ids": frozenset()}
    counts = current_counts()
    context = {
        "unread_notification_count": counts.notifications,
        "ignored_user_ids": counts.ignored,
    }
    if counts.member:
        context["unread_message_count"] = counts.messages
    return context


def register(app: Flask) -> None:
    app.context_processor(header_context)
