"""Protected personal data: encryption at rest, keyed digests for lookups, masking for display."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    configured = settings.FIELD_ENCRYPTION_KEY
    if configured:
        return Fernet(configured.encode())
    derived = hashlib.sha256(("renshi-field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii") if plain else ""


def decrypt_text(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return ""


def keyed_digest(plain: str) -> str:
    if not plain:
        return ""
    key = hashlib.sha256(("renshi-digest:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, plain.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()


def mask_id_number(plain: str) -> str:
    """110105********1234 style: region code and last four digits only."""
    if not plain:
        return ""
    if len(plain) <= 8:
        return "*" * len(plain)
    return plain[:6] + "*" * (len(plain) - 10) + plain[-4:]


def mask_phone(phone: str) -> str:
    """138****5678."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_email(email: str) -> str:
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return (local[:1] + "***@" + domain) if local else email


def stash_secret_for_next_page(session: Any, key: str, secret: str, **details: Any) -> None:
    """A secret to show once, on the page a POST redirects to (Post/Redirect/Get). Encrypted: the
    session is stored in the database until that page takes it."""
    session[key] = {**details, "secret": encrypt_text(secret)}


def take_stashed_secret(session: Any, key: str, **expected: Any) -> dict[str, Any] | None:
    """The stashed details with the secret in clear, removed from the session; None when nothing is
    waiting or it was stashed for something else (`expected` details differ)."""
    stashed = session.get(key)
    if not stashed or any(stashed.get(name) != value for name, value in expected.items()):
        return None
    del session[key]
    return {**stashed, "secret": decrypt_text(stashed["secret"])}
