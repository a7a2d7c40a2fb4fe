"""The one call site of each hook: call the plugins, check what they return,
and keep a failing plugin from breaking the page where that is safe."""

from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, render_template
from markupsafe import Markup

from forum.kept_pages import building
from forum.plugins.loading import _folder_plugins, get_manager
from forum.plugins.results import (
    Contribution,
    Hold,
    NavLink,
    Reject,
    ReviewKind,
    SearchFilter,
    _flatten,
    _results,
)


def startup_blueprints(app: Flask) -> list:
    from flask import Blueprint

    return _flatten(get_manager(app).hook.register_blueprints(app=app), Blueprint,
                    "register_blueprints")  # fmt: skip


def startup_commands(app: Flask) -> list:
    import click

    return _flatten(get_manager(app).hook.register_commands(app=app), click.Command,
                    "register_commands")  # fmt: skip


def migration_folders(app: Flask) -> list[str]:
    """Return the migration folders of the enabled plugins and of the disabled
    folder plugins (``<plugin>/migrations``): a database that once had a
    plugin's branch must still upgrade after the plugin is turned off."""
    folders = _results(get_manager(app).hook.register_migrations(app=app), str,
                       "register_migrations")  # fmt: skip
    for name, path in _folder_plugins(Path(app.config["PLUGINS_DIR"]).resolve()).items():
        candidate = path.parent / "migrations"
        if name not in app.config["PLUGINS"] and path.name == "__init__.py" and candidate.is_dir():
            folders.append(str(candidate))
    return folders


def markdown_extensions(app: Flask) -> tuple[list[Callable], dict[str, list[str]]]:
    """Return the parser preparers and the extra allowed HTML of the enabled plugins."""
    manager = get_manager(app)
    allowed: dict[str, list[str]] = {}
    for extra in _results(manager.hook.register_allowed_html(), dict, "register_allowed_html"):
        for tag, attributes in extra.items():
            allowed.setdefault(tag, []).extend(attributes)

    if not manager.hook.prepare_markdown.get_hookimpls():
        return [], allowed  # cooking as the forum's own (forum/site/defaults.py)

    def prepare(parser) -> None:
        manager.hook.prepare_markdown(parser=parser)

    return [prepare], allowed


def validate_post(**arguments) -> Reject | Hold | None:
    """Ask every plugin about a post; the first Reject wins, then the first Hold.

    A plugin that raises blocks the write (fail closed).
    """
    from flask_babel import gettext as _

    try:
        verdicts = _results(
            get_manager().hook.validate_post(**arguments), (Reject, Hold), "validate_post"
        )
    except Exception:
        current_app.logger.exception("A plugin failed in validate_post")
        return Reject(_("This post could not be checked. Please try again later."))
    rejections = [v for v in verdicts if isinstance(v, Reject)]
    holds = [v for v in verdicts if isinstance(v, Hold)]
    return (rejections or holds or [None])[0]


def notify_event(event: str, **arguments) -> None:
    """Call an event hook (``post_created``, ``user_approved``, ...) after a commit.

    A plugin that raises here is logged; the change it reacts to has happened.
    """
    hook = getattr(get_manager().hook, event)
    try:
        hook(**arguments)
    except Exception:
        current_app.logger.exception("A plugin failed in %s", event)


def permission_allowed(user, action: str, obj) -> bool:
    """Return the first answer to ``permission_allowed``; no answer and a failing plugin refuse."""
    try:
        answer = get_manager().hook.permission_allowed(user=user, action=action, obj=obj)
    except Exception:
        current_app.logger.exception("A plugin failed in permission_allowed (%s)", action)
        return False
    if answer is None:
        return False
    if not isinstance(answer, bool):
        raise TypeError(f"hook permission_allowed returned {answer!r}, expected bool or None")
    return answer


def api_fields(kind: str, obj, user, data: dict) -> dict:
    """Add the plugins' ``extra_api_fields`` to ``data``; core fields stay."""
    for extra in _results(
        get_manager().hook.extra_api_fields(kind=kind, obj=obj, user=user), dict,
        "extra_api_fields",
    ):  # fmt: skip
        for key, value in extra.items():
            data.setdefault(key, value)
    return data


def review_kinds() -> dict[str, ReviewKind]:
    kinds = _flatten(get_manager().hook.register_review_kinds(), ReviewKind,
                     "register_review_kinds")  # fmt: skip
    return {kind.name: kind for kind in kinds}


def notification_text(kind: str, data: dict, topic) -> str | None:
    """Return a plugin's sentence for a notification kind (``describe_notification``)."""
    try:
        text = get_manager().hook.describe_notification(kind=kind, data=data, topic=topic)
    except Exception:
        current_app.logger.exception("A plugin failed in describe_notification (%s)", kind)
        return None
    return str(text) if text is not None else None


def search_fields(posts: list[tuple[int, int, int]], session) -> dict[int, str]:
    """Return post id -> extra text the plugins want indexed with it."""
    fields: dict[int, str] = {}
    for extra in _results(
        get_manager().hook.extra_search_fields(posts=posts, session=session),
        dict,
        "extra_search_fields",
    ):
        for post_id, text in extra.items():
            fields[post_id] = f"{fields.get(post_id, '')} {text}".strip()
    return fields


def search_boosts(posts: list[tuple[int, int, int]], session) -> dict[int, float]:
    """Return post id -> the product of the plugins' ranking factors for it
    (``extra_search_boosts``)."""
    boosts: dict[int, float] = {}
    for extra in _results(
        get_manager().hook.extra_search_boosts(posts=posts, session=session),
        dict,
        "extra_search_boosts",
    ):
        for post_id, factor in extra.items():
            boosts[post_id] = boosts.get(post_id, 1.0) * float(factor)
    return boosts


def similar_topics(user, title: str, limit: int = 5) -> list:
    """Return up to ``limit`` readable topics like ``title`` (``similar_topics``
    hook; the search answers it), or [] when no answer or it fails."""
    try:
        found = get_manager().hook.similar_topics(user=user, title=title, limit=limit)
    except Exception:
        current_app.logger.exception("similar_topics failed")
        return []
    return list(found or [])[:limit]


def search_result_extras(topics: list, user) -> dict[int, Markup]:
    """Return topic id -> what the plugins show under its search result
    (``extra_search_results``); a failing plugin is left out."""
    manager = get_manager()
    if not topics or not manager.hook.extra_search_results.get_hookimpls():
        return {}
    parts: dict[int, list[str]] = {}
    for implementation in reversed(manager.hook.extra_search_results.get_hookimpls()):
        try:
            arguments = {"topics": topics, "user": user}
            found = implementation.function(
                **{name: value for name, value in arguments.items()
                   if name in implementation.argnames}
            )  # fmt: skip
            for topic_id, contribution in (found or {}).items():
                if not isinstance(contribution, Contribution):
                    raise TypeError(f"extra_search_results gave {contribution!r}")
                html = _render_contribution(contribution)
                parts.setdefault(topic_id, []).append(html)
        except Exception:
            current_app.logger.exception(
                "Plugin %r failed in extra_search_results", implementation.plugin_name
            )
    # Rendered templates (autoescaped), as render_outlet joins them.
    return {topic_id: Markup("").join(map(Markup, html)) for topic_id, html in parts.items()}


def search_filters(app: Flask) -> list[SearchFilter]:
    return _flatten(get_manager(app).hook.register_search_filters(), SearchFilter,
                    "register_search_filters")  # fmt: skip


def nav_links(user) -> list[NavLink]:
    try:
        return _flatten(get_manager().hook.register_nav_links(user=user), NavLink,
                        "register_nav_links")  # fmt: skip
    except Exception:
        current_app.logger.exception("A plugin failed in register_nav_links")
        return []


def prepare_topic_list(topics: list, user) -> None:
    try:
        get_manager().hook.prepare_topic_list(topics=topics, user=user)
    except Exception:
        current_app.logger.exception("A plugin failed in prepare_topic_list")


def topic_list_outlets(topics: list, user) -> dict[int, Markup]:
    """Return topic id -> the plugins' ``topic_list_item`` contributions."""
    if not get_manager().hook.extra_outlet.get_hookimpls():
        return {}
    prepare_topic_list(topics, user)
    return {
        topic.id: render_outlet("topic_list_item", user=user, topic=topic, category=topic.category)
        for topic in topics
    }


OUTLETS = (
    "topic_header",
    "below_first_post",
    "post_footer",
    "topic_list_item",
    "sidebar",
    "user_profile",
    "composer_fields",
    "organisation_profile",
)


def render_outlet(outlet: str, *, user=None, topic=None, post=None, category=None,
                  profile_user=None, organisation=None) -> Markup:  # fmt: skip
    """Render what plugins contribute to ``outlet``; a failing plugin is left out."""
    if outlet not in OUTLETS:
        raise ValueError(f"unknown outlet {outlet!r}")
    manager = get_manager()
    values = {
        "outlet": outlet, "user": user, "topic": topic, "post": post, "category": category,
        "profile_user": profile_user, "organisation": organisation,
    }  # fmt: skip
    parts = []
    # A topic page asks once per post: the arguments each plugin takes, by its names.
    for implementation in reversed(manager.hook.extra_outlet.get_hookimpls()):
        try:
            result = implementation.function(
                **{name: values[name] for name in implementation.argnames if name in values}
            )
            if result is None:
                continue
            if not isinstance(result, Contribution):
                raise TypeError(f"extra_outlet returned {result!r}, expected Contribution")
            if not result.shared and (build := building()) is not None:
                build.not_keepable(f"{implementation.plugin_name}: {outlet}")
            parts.append(_render_contribution(result))
        except Exception:
            current_app.logger.exception(
                "Plugin %r failed in outlet %s", implementation.plugin_name, outlet
            )
    if not parts:
        return Markup("")
    return Markup("").join(Markup(part) for part in parts)  # noqa: S704 (rendered templates)


_RENDERING = "forum_rendering_plugin_contribution"


def _render_contribution(contribution: Contribution) -> str:
    """Render a contribution's template; the page's own plugin parts (links, sidebar)
    are left out of its context (``rendering_a_contribution``)."""
    outer = g.get(_RENDERING, False)
    setattr(g, _RENDERING, True)
    try:
        return render_template(contribution.template, **contribution.context)
    finally:
        setattr(g, _RENDERING, outer)


def rendering_a_contribution() -> bool:
    """Whether a plugin's contribution is being rendered (its context needs no sidebar)."""
    return bool(g.get(_RENDERING, False)) if has_request_context() else False
