"""``flask --app forum check``: are the counters kept on rows true?"""

import click
from flask.cli import with_appcontext


@click.command("check")
@click.option("--repair", is_flag=True, help="Set every drifting counter to its true value.")
@with_appcontext
def check_command(repair: bool) -> None:
    """Recompute every counter from the rows it counts; report (or repair) drift.

    Exits with 1 when a counter drifts (or still drifts after --repair), else 0.
    """
    from forum.boards import consistency

    drifts = consistency.repair_drift() if repair else consistency.find_drift()
    if not drifts:
        click.echo("No drift: every counter agrees with its rows.")
        return
    _echo_table(drifts)
    if not repair:
        click.echo(
            f"{len(drifts)} counter(s) drift. `flask --app forum check --repair` sets them "
            "to their true values."
        )
        raise SystemExit(1)
    click.echo(f"Repaired {len(drifts)} counter(s).")
    left = consistency.find_drift()
    if left:
        _echo_table(left)
        click.echo(f"{len(left)} counter(s) still drift (the forum was written to meanwhile?).")
        raise SystemExit(1)
    click.echo("No drift left.")


def _echo_table(drifts) -> None:
    from forum.boards.consistency import show

    rows = [("table", "id", "column", "stored", "true")]
    rows += [(d.table, str(d.row_id), d.column, show(d.stored), show(d.true)) for d in drifts]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        click.echo("  ".join([*cells, row[4]]))
