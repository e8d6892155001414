"""``rasd serve``: the REST API over a store (registered in ``cli.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .cli_store import DbOption, _error, _open
from .store import DEFAULT_URL

__all__ = ["read_token", "serve_command"]


def read_token(token_file: Path | None) -> str | None:
    """The API token: the first line of ``token_file`` when given, else ``$RASD_TOKEN``, else ``None``."""
    if token_file is not None:
        lines = token_file.read_text(encoding="utf-8").splitlines()
        token = lines[0].strip() if lines else ""
        if not token:
            raise ValueError(f"token file {token_file} is empty")
        return token
    return os.environ.get("RASD_TOKEN", "").strip() or None


def serve_command(
    db: DbOption = DEFAULT_URL,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token_file: Annotated[
        Path | None,
        typer.Option(help="File whose first line is the bearer token writes need (else $RASD_TOKEN)."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="Allow this browser origin (CORS); repeatable. Off by default.")
    ] = None,
    extract_workers: Annotated[
        int, typer.Option(min=0, help="Processes extracting posted articles (0: in the request's thread).")
    ] = 1,
    max_pending: Annotated[
        int, typer.Option(min=1, help="Article posts handled at once; more are answered 503 with Retry-After.")
    ] = 4,
) -> None:
    """Serve the REST API (events, fused events, aggregates, article search, reviews) over a store.

    Reads are open, so keep the default loopback host or put a proxy in front. Writes
    (POST /api/articles, POST /api/events/{id}/review) need `Authorization: Bearer <token>`,
    the token coming from --token-file or $RASD_TOKEN; without one, writes are refused (403).
    Posted articles are extracted on --extract-workers processes; beyond --max-pending posts at
    once the answer is 503 with Retry-After, so reads stay fast.
    The OpenAPI schema is at /openapi.json and interactive docs at /docs.

    Example:

        RASD_TOKEN=s3cret rasd serve --db sqlite:///rasd.db --port 8000
    """
    import uvicorn

    from .web import create_app

    try:
        token = read_token(token_file)
    except (OSError, ValueError) as exc:
        _error(f"cannot read the token: {exc}")
        raise typer.Exit(2) from exc
    store = _open(db)
    if token is None:
        typer.echo("rasd: no API token (--token-file or $RASD_TOKEN): writes are disabled", err=True)
    app = create_app(
        store, token=token, allow_origins=cors_origin or None, extract_workers=extract_workers, max_pending=max_pending
    )
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    finally:
        store.close()
