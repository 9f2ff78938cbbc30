"""Spotify accounts service (`spotify-accounts/`): `POST api/token` and `GET authorize`. Handlers only.

Grants: client_credentials (an app token, no refresh token), refresh_token (a new access token and no new
refresh token) and authorization_code (access + refresh token; codes come from `authorize` and work once).
Client authentication: Basic header, or client_id + client_secret in the form.
"""

from __future__ import annotations

import base64
import binascii
import threading
from urllib.parse import urlencode

from worker.sandbox.core import Abort, Mount, Request, Response, route
from worker.sandbox.tokens import SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET, sign, unsign
from worker.sandbox.world import World


class SpotifyAccounts:
    def __init__(self, world: World) -> None:
        self.world = world
        self._used_codes: set[str] = set()
        self._issued = 0
        self._lock = threading.Lock()

    def mount(self) -> Mount:
        return Mount(
            prefix="spotify-accounts/",
            name="spotify-accounts",
            error=self.error,
            not_found=lambda _request: self.error(404, "Not found"),
            routes=[route("POST", "api/token", self.token), route("GET", "authorize", self.authorize)],
        )

    @staticmethod
    def error(status: int, description: str, error: str = "") -> Response:
        code = error or ("server_error" if status >= 500 else "invalid_request")
        return Response.json(status, {"error": code, "error_description": description})

    def fail(self, error: str, description: str) -> Abort:
        return Abort(self.error(400, description, error))

    def token(self, request: Request, _: dict[str, str]) -> Response:
        form = request.form()
        self.authenticate_client(request, form)
        grant_type = form.get("grant_type", "")
        if grant_type == "client_credentials":
            return self.issue(user=False, scope="", refresh_token=None)
        if grant_type == "refresh_token":
            payload = unsign(form.get("refresh_token", ""))
            if payload is None or payload.get("kind") != "refresh":
                raise self.fail("invalid_grant", "Invalid refresh token")
            return self.issue(user=True, scope=str(payload["scope"]), refresh_token=None)
        if grant_type == "authorization_code":
            scope = self.redeem(form.get("code", ""), form.get("redirect_uri", ""))
            return self.issue(user=True, scope=scope, refresh_token=sign({"kind": "refresh", "scope": scope}))
        raise self.fail("unsupported_grant_type", "grant_type parameter is missing or unsupported")

    def authenticate_client(self, request: Request, form: dict[str, str]) -> None:
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        header = request.header("authorization")
        if header.startswith("Basic "):
            try:
                client_id, _, client_secret = base64.b64decode(header[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise self.fail("invalid_client", "Invalid client") from exc
        if client_id != SPOTIFY_CLIENT_ID or client_secret != SPOTIFY_CLIENT_SECRET:
            raise self.fail("invalid_client", "Invalid client" if client_id else "Invalid client secret")

    def redeem(self, code: str, redirect_uri: str) -> str:
        payload = unsign(code)
        with self._lock:
            if payload is None or payload.get("kind") != "code" or code in self._used_codes:
                raise self.fail("invalid_grant", "Invalid authorization code")
            if payload["redirect_uri"] != redirect_uri:
                raise self.fail("invalid_grant", "Invalid redirect URI")
            self._used_codes.add(code)
        return str(payload["scope"])

    def issue(self, user: bool, scope: str, refresh_token: str | None) -> Response:
        ttl = self.world.options.token_ttl_s
        token = self.world.tokens.issue(user, scope, self.world.clock(), ttl)
        body: dict[str, object] = {"access_token": token, "token_type": "Bearer", "expires_in": ttl}
        if user:
            body["scope"] = scope
        if refresh_token is not None:
            body["refresh_token"] = refresh_token
        return Response.json(200, body)

    def authorize(self, request: Request, _: dict[str, str]) -> Response:
        query = request.query
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != SPOTIFY_CLIENT_ID:
            return Response(400, b"INVALID_CLIENT: Invalid client", (("Content-Type", "text/plain"),))
        if not redirect_uri.startswith(("http://127.0.0.1", "https://")):
            return Response(400, b"INVALID_CLIENT: Invalid redirect URI", (("Content-Type", "text/plain"),))
        state = {"state": query["state"]} if "state" in query else {}
        if query.get("response_type") != "code":
            return Response.redirect(
                f"{redirect_uri}?{urlencode({'error': 'unsupported_response_type', **state})}"
            )
        with self._lock:
            self._issued += 1
            serial = self._issued
        code = sign(
            {"kind": "code", "redirect_uri": redirect_uri, "scope": query.get("scope", ""), "n": serial}
        )
        return Response.redirect(f"{redirect_uri}?{urlencode({'code': code, **state})}")
