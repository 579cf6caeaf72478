"""A small OpenID Connect provider on 127.0.0.1, for signing in to the app in browser tests.

``st.login`` (Authlib underneath) meets a real provider here: discovery, the authorization
endpoint (it signs in ``provider.user`` at once and sends the browser back with a code), the
token endpoint (an RS256 ID token with the request's nonce, checked by Authlib against the keys
endpoint) and the keys. Nothing leaves the machine.

::

    with FakeOIDC() as provider:
        provider.user = {"sub": "alice", "email": "alice@example.com"}
        secrets = provider.auth_secrets(redirect_uri=f"http://127.0.0.1:{port}/oauth2callback")
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

HOST = "127.0.0.1"
CLIENT_ID = "kantu-tests"
CLIENT_SECRET = "kantu-tests-secret"


class FakeOIDC:
    """The provider; ``user`` is who signs in next (its claims go in the ID token)."""

    def __init__(self) -> None:
        self.user: dict[str, Any] = {"sub": "someone", "email": "someone@example.com"}
        self._key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        self._codes: dict[str, tuple[dict[str, Any], str | None]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, 0), _handler(self))
        self.issuer = f"http://{HOST}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOIDC:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def auth_secrets(self, redirect_uri: str) -> dict[str, str]:
        """Return the ``[auth]`` secrets section that signs in through this provider."""
        return {
            "redirect_uri": redirect_uri,
            "cookie_secret": secrets.token_hex(16),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "server_metadata_url": f"{self.issuer}/.well-known/openid-configuration",
        }

    def discovery(self) -> dict[str, Any]:
        """The provider's metadata (``/.well-known/openid-configuration``)."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Sign ``user`` in; return where the browser goes next (the app, with a code)."""
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = (dict(self.user), query.get("nonce"))
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str]) -> dict[str, Any] | None:
        """Exchange a code (once) for tokens; None for an unknown code."""
        with self._lock:
            found = self._codes.pop(form.get("code", ""), None)
        if found is None:
            return None
        user, nonce = found
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 600, **user}
        if nonce:
            claims["nonce"] = nonce
        id_token = jwt.encode({"alg": "RS256", "kid": self._key.kid}, claims, self._key)
        return {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 600,
            "id_token": id_token,
        }

    def jwks(self) -> dict[str, Any]:
        """The public key that signs the ID tokens."""
        public = self._key.as_dict(private=False)
        return {"keys": [{**public, "use": "sig", "alg": "RS256"}]}


def _handler(provider: FakeOIDC) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet in test output
            return

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize" and "redirect_uri" in query:
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            tokens = provider.token(form) if urlsplit(self.path).path == "/token" else None
            if tokens is None:
                self._json(400, {"error": "invalid_grant"})
            else:
                self._json(200, tokens)

    return Handler
