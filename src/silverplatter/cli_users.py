"""Commands for users and API tokens: thin adapters over the services."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

# ``cli`` imports this module at its end, once its helpers exist.
from silverplatter import cli as base


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def register(app: typer.Typer) -> None:
    """Add ``silverplatter user …`` and ``silverplatter token …``."""
    from silverplatter.services.audit import Actor

    user_app = typer.Typer(help="Users of the workspace: create, list, change role or password.")
    token_app = typer.Typer(help="API tokens for integrations.")
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    cli_actor = Actor(None, "command line")

    @user_app.command("create")
    def create(
        email: Annotated[str, typer.Option(help="E-mail address; the sign-in name.")],
        name: Annotated[str, typer.Option(help="The name shown in the UI.")],
        role: Annotated[str, typer.Option(help="admin, marketing or sales.")] = "admin",
        password: Annotated[
            str | None, typer.Option(help="Password (asked for when not given).")
        ] = None,
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Create a user, e.g. the first admin."""
        from silverplatter.services.users import create_user

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            secret = _password(password)
            with engine.begin() as connection:
                user = create_user(
                    connection,
                    email=email,
                    name=name,
                    role=role,
                    password=secret,
                    now=base._now(),
                    actor=cli_actor,
                )
            base.console.print(f"Created {user.role} [bold]{user.email}[/]")

    @user_app.command("list")
    def list_(database_url: base.DatabaseOption = None) -> None:
        """List users with their roles."""
        from silverplatter.services.users import list_users

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.connect() as connection:
                users = list_users(connection)
        table = Table(title="Users")
        for column in ("e-mail", "name", "role", "active"):
            table.add_column(column)
        for user in users:
            table.add_row(user.email, user.name, user.role, "yes" if user.active else "no")
        base.console.print(table)

    @user_app.command("set-role")
    def set_role(
        email: Annotated[str, typer.Argument(help="The user's e-mail.")],
        role: Annotated[str, typer.Argument(help="admin, marketing or sales.")],
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Change a user's role (recorded in the audit log; their sessions end)."""
        from silverplatter.services.users import change_role

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                change_role(
                    connection, _user_id(connection, email), role, now=base._now(), actor=cli_actor
                )
            base.console.print(f"{email} is now {role}")

    @user_app.command("password")
    def password_(
        email: Annotated[str, typer.Argument(help="The user's e-mail.")],
        password: Annotated[str | None, typer.Option(help="New password (asked for).")] = None,
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Set a user's password; their sessions end and a lockout is lifted."""
        from silverplatter.services.users import set_password

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            secret = _password(password)
            with engine.begin() as connection:
                set_password(
                    connection,
                    _user_id(connection, email),
                    secret,
                    now=base._now(),
                    actor=cli_actor,
                )
            base.console.print(f"Password set for {email}")

    @token_app.command("create")
    def token_create(
        email: Annotated[str, typer.Option(help="The user the token acts as.")],
        name: Annotated[str, typer.Option(help="What the token is for.")],
        scope: Annotated[
            list[str], typer.Option(help="A permission, e.g. events:write (repeatable).")
        ],
        database_url: base.DatabaseOption = None,
    ) -> None:
        """Issue an API token; it is printed once and stored only as a hash."""
        from silverplatter.services.api_tokens import issue_token

        with base._failures() as stack:
            engine = stack.enter_context(base._workspace(database_url))
            with engine.begin() as connection:
                issued = issue_token(
                    connection,
                    _user_id(connection, email),
                    name=name,
                    scopes=scope,
                    now=base._now(),
                    actor=cli_actor,
                )
            base.console.print(f"Token (shown once): [bold]{issued.token}[/]")


def _user_id(connection: object, email: str) -> int:
    from sqlalchemy import Connection

    from silverplatter.storage.users import user_by_email

    assert isinstance(connection, Connection)
    row = user_by_email(connection, email)
    if row is None:
        raise base.Failure(f"no user with the e-mail {email}")
    return int(row.id)
