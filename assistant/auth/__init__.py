"""Authentication for the API: departments, API keys, staff tokens and rate limits.

``build_authenticator(assistant, signer)`` returns what ``create_app``
installs when no authenticator is given.
"""

from __future__ import annotations

from assistant.auth.authenticator import BearerAuthenticator
from assistant.auth.keys import KeyStore
from assistant.auth.ratelimit import DatabaseBuckets, MemoryBuckets, RateLimiter
from assistant.auth.tokens import TokenSigner, load_or_create_secret
from assistant.settings import Settings


def build_token_signer(settings: Settings) -> TokenSigner:
    """Return the signer of staff tokens, with the secret of the settings or of the data folder."""
    secret = settings.auth_secret
    return TokenSigner(secret.get_secret_value().encode() if secret else load_or_create_secret(settings.data_dir))


def build_authenticator(assistant, signer: TokenSigner | None = None) -> BearerAuthenticator:  # noqa: ANN001
    """Build the key and token authenticator of an assistant's data folder from its settings."""
    settings = assistant.settings
    buckets = DatabaseBuckets(settings.data_dir) if settings.rate_limit_store == "database" else MemoryBuckets()
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst, buckets)
    return BearerAuthenticator(KeyStore(assistant.database), signer or build_token_signer(settings), limiter)


__all__ = ["BearerAuthenticator", "KeyStore", "RateLimiter", "TokenSigner", "build_authenticator", "build_token_signer"]
