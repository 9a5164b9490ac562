"""A tiny OpenID Connect provider on 127.0.0.1, so `st.login` runs its real flow (Authlib's client: discovery,
authorization code with PKCE, token exchange, an RS256 ID token checked against the provider's keys) without
the internet. It signs in whoever it is told to (`OidcStub.email`) without asking, as a test provider does."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.local_server import local_server

CLIENT_ID = "tensions-dashboard"
CLIENT_SECRET = "stub-client-secret"


@dataclass
class OidcStub:
    """The running provider: its address, who it signs in, and the token requests it answered."""

    url: str
    email: str
    key: RSAKey
    codes: dict[str, dict] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"


class _Handler(BaseHTTPRequestHandler):
    stub: OidcStub

    def do_GET(self) -> None:
        address = urlparse(self.path)
        query = {name: values[0] for name, values in parse_qs(address.query).items()}
        if address.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": self.stub.url,
                    "authorization_endpoint": f"{self.stub.url}/authorize",
                    "token_endpoint": f"{self.stub.url}/token",
                    "jwks_uri": f"{self.stub.url}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "scopes_supported": ["openid", "email", "profile"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    "code_challenge_methods_supported": ["S256"],
                }
            )
        elif address.path == "/jwks":
            self._json({"keys": [self.stub.key.as_dict(private=False, kid="stub")]})
        elif address.path == "/authorize" and query.get("client_id") == CLIENT_ID:
            code = secrets.token_urlsafe(16)
            self.stub.codes[code] = query
            self.send_response(302)
            self.send_header(
                "Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            )
            self.end_headers()
        else:
            self._json({"error": "invalid_request"}, status=400)

    def do_POST(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        self.stub.token_requests.append(form)
        asked = self.stub.codes.pop(form.get("code", ""), None)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if (
            urlparse(self.path).path != "/token"
            or asked is None
            or not self._client_authenticated(form)
            or asked.get("code_challenge") != challenge.rstrip(b"=").decode()
            or form.get("redirect_uri") != asked["redirect_uri"]
        ):
            self._json({"error": "invalid_grant"}, status=400)
            return
        now = int(time.time())
        claims = {
            "iss": self.stub.url, "sub": self.stub.email, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
            "nonce": asked.get("nonce"), "email": self.stub.email, "email_verified": True, "name": self.stub.email,
        }  # fmt: skip
        id_token = jwt.encode({"alg": "RS256", "kid": "stub"}, claims, self.stub.key)
        self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                    "id_token": id_token})  # fmt: skip

    def _client_authenticated(self, form: dict[str, str]) -> bool:
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            return base64.b64decode(basic[6:]).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"
        return form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET

    def _json(self, body: object, *, status: int = 200) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def oidc_stub(email: str) -> Iterator[OidcStub]:
    """Serve a provider that signs in `email`, on a free port, for the duration."""
    with local_server(_Handler) as server:
        stub = OidcStub(f"http://127.0.0.1:{server.server_address[1]}", email, RSAKey.generate_key(2048))
        server.RequestHandlerClass = type("Handler", (_Handler,), {"stub": stub})
        yield stub
