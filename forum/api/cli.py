"""``flask --app forum api-key create|list|revoke``: API keys from the shell."""

import click
from flask.cli import AppGroup

from forum.auth import accounts, api_keys

api_key_cli = AppGroup("api-key", help="API keys for scripts and Discourse clients.")


@api_key_cli.command("create")
@click.option("--description", required=True, help="What the key is for (shown in the list).")
@click.option("--user", "username", default="", help="The user the key acts as; empty: all users.")
@click.option("--read-only", is_flag=True, help="The key may only read.")
def create_command(description: str, username: str, read_only: bool) -> None:
    """Make a key and print it (shown this once; only its digest is stored)."""
    user = None
    if username:
        user = accounts.get_user_by_username(username)
        if user is None:
            raise click.ClickException(f"No user called {username!r}.")
    key, secret = api_keys.create_key(
        description=description, user=user, read_only=read_only, created_by=None
    )
    click.echo(
        f"Key {key.id} ({'read-only' if read_only else 'read and write'}, "
        f"{'user ' + user.username if user else 'all users'}):"
    )
    click.echo(secret)


@api_key_cli.command("list")
def list_command() -> None:
    """List the keys: id, first characters, user, access, last use, description."""
    for key in api_keys.list_keys():
        state = "revoked" if key.is_revoked else ("read-only" if key.read_only else "read-write")
        user = key.user.username if key.user else "(all users)"
        used = key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "never"
        click.echo(f"{key.id}\t{key.truncated}…\t{user}\t{state}\t{used}\t{key.description}")


@api_key_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_command(key_id: int) -> None:
    """Revoke a key: requests with it are refused from now on."""
    key = api_keys.get_key(key_id)
    if key is None:
        raise click.ClickException(f"No key {key_id}.")
    if not api_keys.revoke_key(key):
        click.echo(f"Key {key_id} was revoked already.")
        return
    click.echo(f"Key {key_id} revoked.")
