"""The server's authenticator: API keys and staff tokens from the Authorization header."""

from __future__ import annotations

import logging

from fastapi import Request

from assistant.access import AuthenticationError, Caller
from assistant.auth.keys import HOW_TO_GET_A_KEY, KEY_PREFIX, KeyStore
from assistant.auth.ratelimit import RateLimiter
from assistant.auth.tokens import TOKEN_PREFIX, TokenSigner

log = logging.getLogger(__name__)


class BearerAuthenticator:
    """Turn ``Authorization: Bearer KEY_OR_TOKEN`` into a Caller, then apply its rate limit."""

    def __init__(self, keys: KeyStore, tokens: TokenSigner, limiter: RateLimiter | None = None) -> None:
        self.keys = keys
        self.tokens = tokens
        self.limiter = limiter

    def authenticate(self, request: Request) -> Caller:
        # An endpoint may depend on require() more than once; count the request once.
        known: Caller | None = getattr(request.state, "authenticated_caller", None)
        if known is not None:
            return known
        credential = bearer_credential(request)
        try:
            caller = self._caller(credential)
        except AuthenticationError as exc:
            log.info("authentication failed: %s", str(exc).split(";")[0])
            raise
        if self.limiter is not None:
            self.limiter.check(caller.principal)
        request.state.authenticated_caller = caller
        return caller

    def _caller(self, credential: str) -> Caller:
        if credential.startswith(KEY_PREFIX):
            return self.keys.authenticate(credential)
        if credential.startswith(TOKEN_PREFIX):
            return self.tokens.verify(credential)
        raise AuthenticationError(f"the credential is neither an API key nor a staff token; {HOW_TO_GET_A_KEY}")


def bearer_credential(request: Request) -> str:
    """Return the credential of an ``Authorization: Bearer`` header, or raise AuthenticationError."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if not header:
        raise AuthenticationError(f"this endpoint needs a credential; {HOW_TO_GET_A_KEY}")
    if scheme.lower() != "bearer" or not credential.strip():
        raise AuthenticationError(f"the Authorization header must read 'Bearer KEY'; {HOW_TO_GET_A_KEY}")
    return credential.strip()
