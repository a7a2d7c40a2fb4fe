"""The OpenAPI 3.1 document at /openapi.json, built with apispec from the URL map.

Every route of the API blueprint appears (a test fails on one that is not
described here); the operations' parameters and answers are described in
``OPERATIONS`` by endpoint and method. Field lists are those the serializers
write; objects may carry more fields (plugins add theirs).
"""

import re

from flask import Flask, current_app, jsonify

from forum.api.views import bp

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


def _object(required: dict, **extra) -> dict:
    return {"type": "object", "required": list(required), "properties": {**required, **extra}}


SCHEMAS = {
    "Error": _object(
        {"errors": {"type": "array", "items": {"type": "string"}},
         "error_type": {"type": "string"}},
        extras={"type": "object"},
    ),
    "User": _object(
        {"id": {"type": "integer"}, "username": {"type": "string"}, "name": NULLABLE_STRING,
         "avatar_template": {"type": "string"}}
    ),
    "Topic": _object(
        {"id": {"type": "integer"}, "title": {"type": "string"}, "fancy_title": {"type": "string"},
         "slug": {"type": "string"}, "category_id": {"type": "integer"},
         "posts_count": {"type": "integer"}, "reply_count": {"type": "integer"},
         "highest_post_number": {"type": "integer"}, "like_count": {"type": "integer"},
         "views": {"type": "integer"}, "created_at": {"type": "string"},
         "last_posted_at": NULLABLE_STRING, "bumped_at": NULLABLE_STRING,
         "pinned": {"type": "boolean"}, "closed": {"type": "boolean"},
         "archived": {"type": "boolean"}, "visible": {"type": "boolean"}}
    ),
    "Post": _object(
        {"id": {"type": "integer"}, "topic_id": {"type": "integer"},
         "post_number": {"type": "integer"}, "reply_to_post_number": NULLABLE_INT,
         "username": {"type": "string"}, "name": NULLABLE_STRING,
         "created_at": {"type": "string"}, "updated_at": NULLABLE_STRING,
         "cooked": {"type": "string"}, "version": {"type": "integer"},
         "like_count": {"type": "integer"}, "hidden": {"type": "boolean"},
         "deleted_at": NULLABLE_STRING, "topic_slug": {"type": "string"},
         "can_edit": {"type": "boolean"}, "yours": {"type": "boolean"},
         "actions_summary": {"type": "array", "items": {"type": "object"}}},
        raw={"type": "string"},
    ),
    "Category": _object(
        {"id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"},
         "color": {"type": "string"}, "topic_count": {"type": "integer"},
         "post_count": {"type": "integer"}, "position": {"type": "integer"},
         "read_restricted": {"type": "boolean"}, "parent_category_id": NULLABLE_INT,
         "subcategory_ids": {"type": "array", "items": {"type": "integer"}}}
    ),
    "Reviewable": _object(
        {"id": {"type": "integer"}, "type": {"type": "string"},
         "status": {"type": "integer", "enum": [0, 1, 2, 3]}, "created_at": {"type": "string"},
         "version": {"type": "integer"}, "topic_id": NULLABLE_INT, "category_id": NULLABLE_INT,
         "created_by_id": NULLABLE_INT, "target_url": NULLABLE_STRING,
         "bundled_action_ids": {"type": "array", "items": {"type": "string"}},
         "payload": {"type": "object"},
         "reviewable_scores": {"type": "array", "items": {"type": "object"}}}
    ),
    "Notification": _object(
        {"id": {"type": "integer"}, "notification_type": {"type": "integer"},
         "read": {"type": "boolean"}, "created_at": {"type": "string"},
         "topic_id": NULLABLE_INT, "post_number": NULLABLE_INT, "data": {"type": "object"}}
    ),
}  # fmt: skip


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


TOPIC_LIST = _object(
    {"users": _list("User"),
     "topic_list": _object({"topics": _list("Topic"), "more_topics_url": NULLABLE_STRING})}
)  # fmt: skip
TOPIC = {
    "allOf": [
        _ref("Topic"),
        _object(
            {"post_stream": _object(
                {"posts": _list("Post"), "stream": {"type": "array", "items": {"type": "integer"}}}
            )}
        ),
    ]
}  # fmt: skip
SUCCESS = _object({"success": {"type": ["string", "boolean"]}})
NEW_POST = {
    "oneOf": [
        _ref("Post"),
        _object({"action": {"const": "enqueued"}, "pending_post": {"type": "object"}}),
    ]
}
PAGING = [
    {"name": "order", "in": "query", "schema": {"type": "string", "enum": [
        "default", "activity", "created", "views", "posts", "likes"]}},
    {"name": "ascending", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "before", "in": "query", "schema": {"type": "string"}},
]  # fmt: skip
POST_IDS = {
    "name": "post_ids[]",
    "in": "query",
    "schema": {"type": "array", "items": {"type": "integer"}},
    "style": "form",
    "explode": True,
}
TOPIC_PAGE = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]


def _form(properties: dict, required: tuple = ()) -> dict:
    schema = {"type": "object", "properties": properties, "required": list(required)}
    return {
        "content": {
            "application/x-www-form-urlencoded": {"schema": schema},
            "application/json": {"schema": schema},
        }
    }


#: endpoint -> method -> (summary, parameters, answer schema or media type, request body)
OPERATIONS: dict[str, dict[str, tuple]] = {
    "api.latest": {"get": ("Latest topics", PAGING, TOPIC_LIST, None)},
    "api.categories": {"get": ("Categories the viewer may read", [], _object(
        {"category_list": _object({"categories": _list("Category")})}), None)},
    "api.category": {"get": ("A category's topics", PAGING, TOPIC_LIST, None)},
    "api.category_by_id": {"get": ("A category's topics", PAGING, TOPIC_LIST, None)},
    "api.category_show": {"get": ("A category", [], _object({"category": _ref("Category")}), None)},
    "api.topic": {"get": ("A topic with its post stream", TOPIC_PAGE, TOPIC, None)},
    "api.topic_by_slug": {"get": ("A topic with its post stream", TOPIC_PAGE, TOPIC, None)},
    "api.topic_posts": {"get": ("Posts of a topic by id", [POST_IDS], _object(
        {"id": {"type": "integer"}, "post_stream": _object({"posts": _list("Post")})}), None)},
    "api.post": {"get": ("A post (raw for those who may edit it)", [], _ref("Post"), None)},
    "api.user": {"get": ("A user", [], _object({"user": _ref("User")}), None)},
    "api.user_alias": {"get": ("A user", [], _object({"user": _ref("User")}), None)},
    "api.session_current": {"get": ("The person asking (404, empty, for guests)", [], _object(
        {"current_user": _ref("User")}), None)},
    "api.notifications_json": {"get": ("Your notifications", [], _object(
        {"notifications": _list("Notification")}), None)},
    "api.mark_notifications_read": {"put": ("Mark all notifications read", [], SUCCESS, None)},
    "api.create_post": {"post": ("A new topic or a reply", [], NEW_POST, _form({
        "title": {"type": "string"}, "raw": {"type": "string"},
        "category": {"type": "integer"}, "topic_id": {"type": "integer"},
        "reply_to_post_number": {"type": "integer"}}, ("raw",)))},
    "api.update_post": {"put": ("Edit a post", [], _object({"post": _ref("Post")}), _form({
        "post[raw]": {"type": "string"}, "post[edit_reason]": {"type": "string"}},
        ("post[raw]",)))},
    "api.delete_post": {"delete": ("Delete a post", [], SUCCESS, None)},
    "api.post_action": {"post": ("Like (2) or flag (3, 4, 7, 8) a post", [], _ref("Post"), _form({
        "id": {"type": "integer"}, "post_action_type_id": {"type": "integer"},
        "message": {"type": "string"}}, ("id", "post_action_type_id")))},
    "api.topic_status": {"put": ("Close, pin or unlist a topic (staff)", [], _object(
        {"success": {"type": "string"}}), _form({
        "status": {"type": "string", "enum": ["closed", "pinned", "pinned_globally", "visible"]},
        "enabled": {"type": "string", "enum": ["true", "false"]}}, ("status", "enabled")))},
    "api.latest_feed": {"get": ("Feed of the latest topics", [_KEY := {
        "name": "key", "in": "query", "schema": {"type": "string"}}], "feed", None)},
    "api.category_feed": {"get": ("Feed of a category", [_KEY], "feed", None)},
    "api.topic_feed": {"get": ("Feed of a topic", [_KEY], "feed", None)},
    "api.user_feed": {"get": ("Feed of a person's activity", [_KEY], "feed", None)},
    "api.directory_feed": {"get": ("Feed of new and updated organisations", [_KEY, *[
        {"name": name, "in": "query", "schema": {"type": "string"}}
        for name in ("q", "municipality", "field", "seeking")]], "feed", None)},
    "api.organisation_feed": {"get": ("Feed of an organisation's announcements and "
                                      "opportunities", [_KEY], "feed", None)},
    "api.opportunity_feed": {"get": ("Feed of open volunteering opportunities", [_KEY, *[
        {"name": name, "in": "query", "schema": {"type": "string"}}
        for name in ("municipality", "field", "hours", "commitment", "suitable", "kind")]],
        "feed", None)},
    "api.embed_latest": {"get": ("Embeddable list of the latest public topics", [
        {"name": "category", "in": "query", "schema": {"type": "integer"}}], "text/html", None)},
    "api.feed_page": {"get": ("The page with the feed addresses", [], "text/html", None)},
    "api.renew_feed_key": {"post": ("New personal feed addresses (a page's form)", [],
                                    "text/html", None)},
    "api.search_json": {"get": ("Search with the page's filter words", [
        {"name": "q", "in": "query", "schema": {"type": "string"}},
        {"name": "page", "in": "query", "schema": {"type": "integer"}}], _object(
        {"posts": {"type": "array", "items": {"type": "object"}}, "topics": _list("Topic")}),
        None)},
    "api.review_list": {"get": ("The review queue (staff)", [
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": sorted(
            ["pending", "approved", "rejected", "ignored", "all"])}},
        {"name": "type", "in": "query", "schema": {"type": "string"}},
        {"name": "before", "in": "query", "schema": {"type": "integer"}}], _object(
        {"reviewables": _list("Reviewable"), "users": _list("User"),
         "reviewable_actions": {"type": "array", "items": {"type": "object"}},
         "meta": {"type": "object"}}), None)},
    "api.review_perform": {"put": ("Decide a review item (staff)", [
        {"name": "version", "in": "query", "schema": {"type": "integer"}}], _object(
        {"success": {"type": "boolean"}, "transition_to": {"type": "string"},
         "transition_to_id": {"type": "integer"}, "version": {"type": "integer"},
         "reviewable_count": {"type": "integer"}}, created_post_id={"type": "integer"},
        created_post_topic_id={"type": "integer"}), _form({
        "reject_reason": {"type": "string"}, "reason": {"type": "string"},
        "silence_days": {"type": "integer"}}))},
    "api.openapi": {"get": ("This document", [], {"type": "object"}, None)},
}  # fmt: skip

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_ERRORS = {"400", "403", "404", "405", "409", "415", "422", "429"}


def _path_parameters(rule) -> list[dict]:
    parameters = []
    for converter, name in _ARGUMENT.findall(rule.rule):
        if converter == "any":
            continue  # expanded into separate paths
        schema = {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _paths(rule) -> list[str]:
    path = rule.rule
    kinds = re.search(r"<any\(([^)]*)\):(\w+)>", path)
    variants = [path]
    if kinds:
        variants = [
            path.replace(kinds.group(0), kind.strip()) for kind in kinds.group(1).split(",")
        ]
    return [_ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", v) for v in variants]


def _answer(schema) -> dict:
    if schema == "feed":
        content = {"application/rss+xml": {}, "application/atom+xml": {}}
    elif isinstance(schema, str):
        content = {schema: {}}
    else:
        content = {"application/json": {"schema": schema}}
    answers = {"200": {"description": "OK", "content": content}}
    if schema == "text/html":
        answers["302"] = {"description": "Redirect"}
    # A URL no route matches (an id beyond the range, a NUL) gets the forum's 404 page.
    # /session/current.json answers a guest's 404 with an empty text/plain body.
    error = {"application/json": {"schema": _ref("Error")}, "text/html": {}, "text/plain": {}}
    for code in sorted(_ERRORS):
        answers[code] = {"description": "Error", "content": error}
    if isinstance(schema, str):
        # Pages and feeds answer errors as the forum's pages do.
        for code in sorted(_ERRORS):
            answers[code] = {"description": "Error"}
    return answers


def build(app: Flask) -> dict:
    from apispec import APISpec  # only the OpenAPI document needs it

    spec = APISpec(
        title="Forum API (Discourse-compatible)",
        version="1",
        openapi_version="3.1.0",
        info={"description": "See docs/api.md."},
    )
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    spec.components.security_scheme("ApiKey", {"type": "apiKey", "in": "header", "name": "Api-Key"})
    spec.components.security_scheme(
        "ApiUsername", {"type": "apiKey", "in": "header", "name": "Api-Username"}
    )
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] != bp.name:
            continue
        described = OPERATIONS[rule.endpoint]
        for path in _paths(rule):
            operations = {}
            for method, (summary, parameters, schema, body) in described.items():
                operation = {
                    "summary": summary,
                    "operationId": f"{method}_{path}",
                    "parameters": parameters,
                    "responses": _answer(schema),
                    "security": [{}, {"ApiKey": [], "ApiUsername": []}],
                }
                if body is not None:
                    operation["requestBody"] = body
                operations[method] = operation
            spec.path(path=path, operations=operations, parameters=_path_parameters(rule))
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    return jsonify(build(current_app))
