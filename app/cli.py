"""The `parley` command: serve, db, demo, users, tokens, keys, mail, data, event."""

import base64
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from app.config import ROOT, VAR, get_settings

app = typer.Typer(help="Parley: bilateral civil-society dialogue events.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demonstration data.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
keys_app = typer.Typer(help="Data-encryption keys.", no_args_is_help=True)
mail_app = typer.Typer(help="The e-mail outbox.", no_args_is_help=True)
data_app = typer.Typer(help="Personal data: retention.", no_args_is_help=True)
event_app = typer.Typer(help="Whole events: the archive that moves one between instances.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"), (demo_app, "demo"), (users_app, "users"), (tokens_app, "tokens"), (keys_app, "keys"), (mail_app, "mail"),
    (data_app, "data"), (event_app, "event"),
):
    app.add_typer(sub, name=name)

console = Console()


@contextmanager
def session() -> Iterator[Session]:
    """One transaction for the whole command: committed at the end, or nothing at all."""
    from app.db import session_factory

    db = session_factory()()
    try:
        yield db
        db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def _fail(message: str) -> None:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """Serve Parley over HTTP."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app", factory=True, host=host, port=port, workers=workers, reload=reload,
        proxy_headers=True, forwarded_allow_ips="127.0.0.1", access_log=False,
    )


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    return Config(str(ROOT / "alembic.ini"))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Migrate the database to the newest schema (or REVISION)."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. -1 or base.")) -> None:
    """Migrate the database back to REVISION."""
    from alembic import command

    command.downgrade(_alembic_config(), revision)


@demo_app.command("load")
def demo_load() -> None:
    """Load the Peace Bridge demonstration (running it again changes nothing)."""
    from app import demo

    with session() as db:
        password = demo.load(db)
    if password is None:
        typer.echo("Demo data was already there.")
        return
    typer.echo("Demo data loaded. Demo accounts (shown once), each with the password " + password + ":")
    for role, email in demo.DEMO_STAFF.items():
        typer.echo(f"  {email}  ({role})")


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="E-mail address, used to sign in."),
    password: str = typer.Option(..., help="Password (8 to 128 characters, not a common one)."),
    name: str = typer.Option("", help="Full name (defaults to the e-mail address)."),
    admin: bool = typer.Option(False, "--admin", help="Make the account an administrator."),
) -> None:
    """Create an account."""
    from pydantic import ValidationError

    from app.accounts import service
    from app.accounts.schemas import UserCreate
    from app.errors import FieldError

    try:
        data = UserCreate(email=email, full_name=name or email, password=password, is_admin=admin)
        with session() as db:
            user = service.create_user(db, actor=service.system_actor(), data=data)
            user_id = user.id
    except ValidationError as exc:
        _fail("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors()))
    except FieldError as exc:
        _fail(exc.message)
    console.print(f"Account {user_id} created for {email.strip().lower()}.")


@users_app.command("ensure-admin")
def users_ensure_admin(email: str = typer.Option("admin@example.org", help="E-mail of the account.")) -> None:
    """Create an administrator if there is none, and print its password once."""
    from app.accounts import service

    password = "-".join(secrets.token_hex(3) for _ in range(4))
    with session() as db:
        created = service.ensure_administrator(db, email=email, password=password)
    if created:
        typer.echo(f"Administrator created. Sign in as {email} with the password {password}")
        typer.echo("(This is shown once: note it now, and change it on your account page.)")


@tokens_app.command("create")
def tokens_create(
    email: str = typer.Option(..., help="Whose token: it acts with their permissions."),
    name: str = typer.Option("command line", help="What the token is for."),
) -> None:
    """Create an API token and print it (it is shown only this once)."""
    from app.accounts import service

    with session() as db:
        user = service.get_by_email(db, email)
        if user is None:
            _fail(f"No account has the e-mail address {email}.")
        raw = service.create_api_token(db, actor=service.system_actor(), user=user, name=name[:100])
    typer.echo(raw)


@keys_app.command("generate")
def keys_generate(key_id: str = typer.Argument(..., help="A short name for the key, e.g. 2027a.")) -> None:
    """Print a new data-encryption key to put first in PARLEY_DATA_KEYS."""
    typer.echo(f"{key_id}:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every encrypted value under the newest key."""
    from app import crypto
    from app.accounts import service
    from app.registrations import service as registrations

    with session() as db:
        count = service.reencrypt_secrets(db)
        documents = registrations.reencrypt_documents(db)
    console.print(f"{count} value(s) re-encrypted under key {crypto.keyring().current}.")
    console.print(f"{documents} travel document(s) re-encrypted under key {crypto.keyring().current}.")


@data_app.command("purge")
def data_purge() -> None:
    """Erase the travel documents and other sensitive fields of every event whose retention
    period is over (PARLEY_RETENTION_DAYS after its last day). Running it again changes nothing."""
    from app.accounts.service import system_actor
    from app.registrations import service

    done: list[tuple[int, str, int]] = []
    with session() as db:
        actor = system_actor()
        for event in service.events_due_for_purge(db):
            done.append((event.id, event.title, service.purge_event(db, actor=actor, event=event)))
    if not done:
        typer.echo("No event is due for purging.")
    for event_id, title, count in done:
        typer.echo(f"Event {event_id} “{title}”: erased the personal data of {count} registration(s).")


@mail_app.command("send")
def mail_send() -> None:
    """Queue the itinerary change notices that are due, and deliver the e-mails waiting in the
    outbox now (a cron job running this does what the server's delivery thread does)."""
    from app.itineraries import changes as itinerary_changes
    from app.mail import service

    with session() as db:
        itinerary_changes.send_due_notices(db)
    with session() as db:
        sent = service.deliver_pending(db, limit=1000)
    console.print(f"{sent} message(s) sent.")


@event_app.command("export")
def event_export(
    event_id: int = typer.Argument(..., help="The event's id (the number in its address)."),
    file: Path = typer.Argument(..., help="Where to write the archive: FILE.json, or FILE.json.gz to compress it."),
) -> None:
    """Write an event and everything that belongs to it to an archive file.

    Import it with `parley event import` on another instance. Travel-document numbers stay
    encrypted, under this instance's current data key, which the other instance needs too.
    """
    from app import crypto
    from app.accounts.service import system_actor
    from app.archive import service
    from app.errors import NotFound
    from app.events import service as events_service

    try:
        with session() as db:
            actor = system_actor()
            event = events_service.get_for_viewer(db, viewer=actor, event_id=event_id)
            archive = service.export_archive(db, actor=actor, event=event)
            _write_private(file, service.encode(archive, compress=file.name.endswith(".gz")))
            title = event.title
    except NotFound:
        _fail(f"No event has the id {event_id}.")
    except service.ArchiveError as exc:
        _fail(exc.message)
    except OSError as exc:
        _fail(f"The archive cannot be written to {file}: {exc.strerror or exc}.")
    records = sum(len(rows) for rows in archive["records"].values())
    documents = sum(1 for row in archive["records"]["registration"] if row["doc_number"] is not None)
    typer.echo(f"Event {event_id} “{title}” exported to {file}: {records} records.")
    typer.echo(
        f"{documents} travel document(s) encrypted under data key {crypto.keyring().current}: the importing "
        "instance needs that key in PARLEY_DATA_KEYS. The file holds personal data: keep it safe."
    )


def _write_private(path: Path, content: bytes) -> None:
    """Written readable by its owner only: an archive holds personal data."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


@event_app.command("import")
def event_import(file: Path = typer.Argument(..., help="An archive made by `parley event export` (.json or .json.gz).")) -> None:
    """Import an event archive as a new event, with everything that belonged to it.

    All of it or nothing: an archive that is malformed, from another version of Parley, encrypted
    with a data key this instance lacks, or whose event is here already is refused.
    """
    from app.accounts.service import system_actor
    from app.archive import service

    try:
        with file.open("rb") as handle:
            raw = handle.read(service.MAX_BYTES + 1)
    except OSError as exc:
        _fail(f"The archive cannot be read from {file}: {exc.strerror or exc}.")
    try:
        with session() as db:
            result = service.import_archive(db, actor=system_actor(), data=service.read(raw))
            event_id, title = result.event.id, result.event.title
    except service.ArchiveError as exc:
        _fail(exc.message)
    created = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in result.created.items())
    typer.echo(f"Imported as event {event_id} “{title}”: {created}.")
    if result.reused:
        reused = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in result.reused.items())
        typer.echo(f"Found here already: {reused}.")
    if result.skipped_grants:
        typer.echo(f"{result.skipped_grants} staff or coordinator role(s) left out: no account here has their e-mail address.")
    if result.unknown_accounts:
        typer.echo(f"{result.unknown_accounts} account(s) named in the archive are not on this instance.")
    typer.echo(f"{result.documents} travel document(s) re-encrypted under this instance's key.")


def main() -> None:
    from app.logging import configure_logging

    VAR.mkdir(exist_ok=True)
    configure_logging(get_settings().log_level)
    app()

