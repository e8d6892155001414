"""Named reviewer tokens: ``rasd token create NAME`` / ``list`` / ``revoke``.

A token is 32 random bytes (URL-safe base64), shown once when created; the store keeps only its
sha256 (``reviewer_tokens.token_sha256``), so a leaked database does not leak tokens. A revoked
token stops working at once (``revoked_at`` is set; the row stays, so the name stays reserved
and the review history keeps meaning). The API records the token's name as the reviewer.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update

from . import schema
from .db import Store

__all__ = ["TokenError", "TokenInfo", "create_token", "hash_token", "list_tokens", "reviewer_for", "revoke_token"]

NAME_RE = re.compile(r"^[\w.@-]{1,128}$")
"""Reviewer names: letters, digits, ``_ . @ -`` (1–128 characters)."""
RESERVED = frozenset({"token", "admin"})
"""Names kept for the ``rasd serve`` admin token."""


class TokenError(ValueError):
    """A token operation that cannot be done (bad or duplicate name, unknown name)."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> str:
    """The hex sha256 of a token (what the store keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str) -> str:
    """Create reviewer ``name``'s token and return it (the only time it is available)."""
    if not NAME_RE.match(name):
        raise TokenError(f"invalid reviewer name {name!r}: use letters, digits, '_', '.', '@', '-' (≤ 128)")
    if name.lower() in RESERVED:
        raise TokenError(f"the name {name!r} is reserved for the server's admin token")
    t = schema.reviewer_tokens
    token = secrets.token_urlsafe(32)
    with store.begin() as conn:
        if conn.execute(select(t.c.id).where(func.lower(t.c.name) == name.lower())).first() is not None:
            raise TokenError(f"a token named {name!r} already exists (revoked names stay reserved)")
        conn.execute(insert(t).values(name=name, token_sha256=hash_token(token), created_at=datetime.now(UTC)))
    return token


def list_tokens(store: Store) -> list[TokenInfo]:
    """Every reviewer token (active and revoked), by name."""
    t = schema.reviewer_tokens
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.c.name, t.c.created_at, t.c.revoked_at).order_by(t.c.name)).all()
    return [TokenInfo(r.name, r.created_at, r.revoked_at) for r in rows]


def revoke_token(store: Store, name: str) -> bool:
    """Revoke reviewer ``name``'s token; ``False`` when it was already revoked. Unknown name: error."""
    t = schema.reviewer_tokens
    with store.begin() as conn:
        row = conn.execute(select(t.c.id, t.c.revoked_at).where(t.c.name == name)).first()
        if row is None:
            raise TokenError(f"no token named {name!r}")
        if row.revoked_at is not None:
            return False
        conn.execute(update(t).where(t.c.id == row.id).values(revoked_at=datetime.now(UTC)))
    return True


def reviewer_for(store: Store, token: str) -> str | None:
    """The name of the active reviewer token ``token``, else ``None`` (looked up by its hash)."""
    t = schema.reviewer_tokens
    with store.engine.connect() as conn:
        return conn.execute(
            select(t.c.name).where(t.c.token_sha256 == hash_token(token), t.c.revoked_at.is_(None))
        ).scalar_one_or_none()


def any_active(store: Store) -> bool:
    """True when at least one reviewer token is active."""
    t = schema.reviewer_tokens
    with store.engine.connect() as conn:
        return conn.execute(select(t.c.id).where(t.c.revoked_at.is_(None)).limit(1)).first() is not None
