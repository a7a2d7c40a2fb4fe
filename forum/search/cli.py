"""``flask --app forum search ...``: reindex, status, process-outbox."""

import click
from flask import current_app
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    from forum.search import services

    total = services.post_count()
    backend = services.get_backend().name
    with click.progressbar(length=total, label=f"Indexing {total} posts ({backend})") as bar:
        count = services.reindex(current_app._get_current_object(), progress=bar.update)
    click.echo(f"Indexed {count} posts.")


@search_cli.command("status")
def status_command() -> None:
    """Compare documents in the index with posts in the database."""
    from forum.search import services

    status = services.index_status()
    click.echo(f"Backend:            {status.backend}")
    click.echo(f"Posts in database:  {status.posts}")
    click.echo(f"Documents in index: {status.documents}")
    click.echo(f"Pending updates:    {status.pending}")
    if status.failed_attempts:
        click.echo(f"Failed attempts:    {status.failed_attempts} (see the log)")
    if status.in_step:
        click.echo("The index is in step with the database.")
    elif status.needs_rebuild:
        click.echo(
            "The index was built by an older version of the forum: run "
            "`flask --app forum search reindex`."
        )
        raise SystemExit(1)
    elif status.posts and not status.documents and not status.pending:
        click.echo("The index is missing or empty: run `flask --app forum search reindex`.")
        raise SystemExit(1)
    else:
        click.echo(
            "The index is behind: run `flask --app forum search process-outbox` "
            "or `flask --app forum search reindex`."
        )
        raise SystemExit(1)


@search_cli.command("process-outbox")
def process_outbox_command() -> None:
    """Apply pending index updates (after an index failure)."""
    from forum.search.outbox import pending_count, process_outbox

    applied = process_outbox(current_app._get_current_object())
    left = pending_count()
    click.echo(f"Applied {applied} pending updates; {left} left.")
    if left:
        raise SystemExit(1)
