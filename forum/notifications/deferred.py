"""Work that waits until the response has gone out: the fan-out of notifications.

Like ``forum.mail.after_response``, with one difference: a request context
that never produces a response (``test_request_context``, as the demo loader
and scripts use; or a request that ended in an exception) still runs its
tasks, when the context ends. Tasks get an app context (and so a database
session) of their own: pass ids, not rows. Outside a request a task runs at
once (in its own app context too).
"""

from collections.abc import Callable

from flask import after_this_request, current_app, g, has_request_context

_PENDING = "notifications_deferred"


def defer(task: Callable[[], object]) -> None:
    if not has_request_context():
        # At once, but in a session of its own: a failure cannot spoil the caller's.
        _runner(current_app._get_current_object(), [task])()
        return
    pending = g.get(_PENDING)
    if pending is None:
        pending = g.setdefault(_PENDING, [])

        @after_this_request
        def hand_to_response(response):
            tasks = g.pop(_PENDING, [])
            response.call_on_close(_runner(current_app._get_current_object(), tasks))
            return response

    pending.append(task)


def run_left_over(_error: BaseException | None = None) -> None:
    """Run the tasks of a request context that ends without a response."""
    tasks = g.pop(_PENDING, None) if has_request_context() else None
    if tasks:
        _runner(current_app._get_current_object(), tasks)()


def _runner(app, tasks: list[Callable[[], object]]) -> Callable[[], None]:
    def run() -> None:
        for task in tasks:
            with app.app_context():
                try:
                    task()
                except Exception:  # the response is gone; only the log would see it
                    app.logger.exception("Notifying after the response failed")

    return run
