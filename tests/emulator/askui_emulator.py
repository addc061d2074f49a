#!/usr/bin/env python3
"""An emulator of AskUI's Workspaces API access-token calls, for tests and
demos. Python 3 standard library only.

Implements, after ../shared/reference/askui-credentials.md:
  POST   /api/v1/workspaces/{ws}/access-tokens          201 / 404 / 422
  GET    /api/v1/workspaces/{ws}/access-tokens          200
  DELETE /api/v1/workspaces/{ws}/access-tokens/{id}     204 / 404
  POST   /api/v1/workspaces/{ws}/access-tokens/lookup   200 / 401 / 403 / 404
with "Authorization: Basic base64(token)". The store keeps only SHA-256
hashes of token strings. The parent credential (given at start) may manage
tokens; tokens it minted may authenticate (e.g. lookup) but get 403 when
they try to manage tokens. Expired and deleted tokens get 401 at once.

Also:
  GET /broker/credential      a credential broker (docs/broker-protocol.md):
                              bearer token or TLS client certificate.
  GET /doc/NAME               a file of --doc-dir (else, for "policy", a
                              fixed document), with an ETag; 304 on
                              If-None-Match.
  /_emulator/...              control, loopback only, never faulted:
    GET  counters             {"calls": {"create": n, ...}, "total": n,
                              "connections": TLS connections accepted}
    GET  issued               {"tokens": [every token string handed out]}
    POST fault                {"mode": ..., "count": n, ...}; mode "none"
                              clears. Modes: status (with "status", and "seconds" to answer late), 429
                              (with "retry_after": "2" or "date:3"), stall
                              (with "seconds"), slow (1 byte per second),
                              huge (10 MiB; "content_length": true/false),
                              redirect (to http://), malformed (with
                              "variant": truncated, notjson, wrongtype,
                              baduuid, badtime), drop (close, no answer),
                              answer (create only: the token IS created,
                              then the answer is spoiled as "variant"
                              says: badtoken, emptytoken, notoken,
                              nocreated, baduuid, noid, notjson,
                              truncated, never, later; or, with
                              "expires_in": seconds (may be negative), the
                              token is created with that expiry and the
                              answer tells it truthfully).
                              body (with "status" and "json": any value,
                              or "raw": text, "latin1": true to send it
                              as Latin-1 bytes: answered as is), many
                              ("n" well-formed tokens in a list answer),
                              keep (delete only: answered "status",
                              default 204, the token is NOT deleted),
                              gone (delete only: the token is deleted,
                              answered 404, as when someone else was
                              quicker).
                              "only": CALL limits any fault to that call
                              (create, list, ...); others pass untouched.
    GET  tokens               {"tokens": [{"id", "name", "createdAt",
                              "expiresAt"}, ...]}: what the store holds
                              (expired ones too), parent excluded
    GET  deleted              {"tokens": [{..., "deletedAt"}, ...]}: the
                              tokens deleted through the API, in order
    POST reset                zero the counters, clear the fault
    POST expire               {"id": ...}: make that token expired now
    POST seed                 {"name": ..., "expires_in": seconds or null
                              (never expires), "created_ago": seconds}:
                              store a token as if made in AskUI Hub (by
                              someone else); answers {"id": ...}

HTTPS only, on 127.0.0.1, an ephemeral port written to --port-file (so
tests never race for ports), one thread per connection.
"""

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKENS_RE = re.compile(r"^/api/v1/workspaces/([^/]+)/access-tokens(?:/([^/]+))?$")
UUID4_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I
)
MAX_BODY = 64 * 1024
CLIENT_CN = "askcred-test-client"


def now():
    return time.time()


def rfc3339(t):
    """Like pydantic: microseconds and a Z."""
    if t is None:
        return None
    return (
        datetime.fromtimestamp(t, tz=timezone.utc)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


def parse_rfc3339(s):
    if not isinstance(s, str) or "T" not in s.upper():
        raise ValueError("not a date-time")
    d = datetime.fromisoformat(s.replace("z", "Z"))
    if d.tzinfo is None:
        raise ValueError("no time zone")
    return d.timestamp()


def sha256(s):
    return hashlib.sha256(s.encode()).hexdigest()


def validation_error(loc, msg, typ="value_error"):
    return {"detail": [{"loc": loc, "msg": msg, "type": typ}]}


class Store:
    """Tokens by id: hash, name, times, may_manage. Counters, issued
    strings (for the tests' leak checks) and the fault switch."""

    def __init__(self, workspace, parent_token, broker_token):
        self.lock = threading.Lock()
        self.workspace = workspace
        self.tokens = {}
        self.deleted = []
        self.issued = []
        self.calls = {}
        self.total = 0
        self.connections = 0
        self.fault = None
        self.broker_hash = sha256(broker_token) if broker_token else None
        self.parent_id = str(uuid.uuid4())
        self.tokens[self.parent_id] = {
            "hash": sha256(parent_token),
            "name": "parent",
            "createdAt": now(),
            "expiresAt": None,
            "manage": True,
        }

    def count(self, what):
        with self.lock:
            self.calls[what] = self.calls.get(what, 0) + 1
            self.total += 1

    def take_fault(self, what):
        with self.lock:
            f = self.fault
            if f is None or f.get("only", what) != what:
                return None
            if f.get("count", -1) > 0:
                f["count"] -= 1
                if f["count"] == 0:
                    self.fault = None
            return dict(f)

    def find(self, token):
        """The live token with this string, or None."""
        h = sha256(token)
        with self.lock:
            for tid, t in self.tokens.items():
                if secrets.compare_digest(t["hash"], h):
                    if t["expiresAt"] is not None and t["expiresAt"] <= now():
                        return None
                    return tid, t
        return None

    def mint(self, name, expires_at):
        token = secrets.token_urlsafe(16)  # 22 URL-safe base64 characters
        tid = str(uuid.uuid4())
        rec = {
            "hash": sha256(token),
            "name": name,
            "createdAt": now(),
            "expiresAt": expires_at,
            "manage": False,
        }
        with self.lock:
            self.tokens[tid] = rec
            self.issued.append(token)
        return tid, rec, token


def public(tid, t):
    return {
        "id": tid,
        "name": t["name"],
        "createdAt": rfc3339(t["createdAt"]),
        "expiresAt": rfc3339(t["expiresAt"]),
    }


def spoiled(answer, variant):
    """The body of a create answer spoiled as variant says (the token
    itself was created)."""
    pt = answer["privateToken"]
    if variant == "badtoken":
        answer["tokenString"] = "bad\ntoken"
    elif variant == "emptytoken":
        answer["tokenString"] = ""
    elif variant == "notoken":
        del answer["tokenString"]
    elif variant == "nocreated":
        del pt["createdAt"]
    elif variant == "baduuid":
        pt["id"] = "not-a-uuid"
    elif variant == "noid":
        del pt["id"]
    elif variant == "never":
        pt["expiresAt"] = None
    elif variant == "later":
        pt["expiresAt"] = rfc3339(now() + 86400)
    text = json.dumps(answer).encode()
    if variant == "notjson":
        return b"<html><body>Created</body></html>"
    if variant == "truncated":
        return text[: len(text) // 2]
    return text


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "askui-emulator/1"
    # Headers and body go out in separate writes; without TCP_NODELAY,
    # Nagle plus delayed ACK would add 40 ms to every answer.
    disable_nagle_algorithm = True

    # ---- plumbing --------------------------------------------------------
    def log_message(self, fmt, *args):
        # Paths and statuses only: never headers or bodies.
        sys.stderr.write("emulator: %s\n" % (fmt % args))

    def send_json(self, status, obj, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def json_body(self):
        try:
            obj = json.loads(self.body or b"null")
        except ValueError:
            return None, validation_error(["body"], "JSON decode error", "json_invalid")
        if not isinstance(obj, dict):
            return None, validation_error(["body"], "Input should be a valid dictionary", "dict_type")
        return obj, None

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")

    # ---- routing ---------------------------------------------------------
    def route(self, method):
        try:
            self.body = self.read_body()
        except ValueError:
            self.close_connection = True
            return self.send_json(413, {"detail": "Request body too large"})
        path = self.path.split("?", 1)[0]
        if path.startswith("/_emulator/"):
            return self.control(method, path[len("/_emulator/"):])
        store = self.server.store
        m = TOKENS_RE.match(path)
        if path == "/broker/credential" and method == "GET":
            what = "broker"
        elif path.startswith("/doc/") and method == "GET":
            what = "document"
        elif m and m.group(2) is None and method in ("GET", "POST"):
            what = "list" if method == "GET" else "create"
        elif m and m.group(2) == "lookup" and method == "POST":
            what = "lookup"
        elif m and m.group(2) is not None and method == "DELETE":
            what = "delete"
        else:
            store.count("other")
            return self.send_json(404, {"detail": "Not Found"})
        store.count(what)
        fault = store.take_fault(what)
        if fault and self.faulted(fault, what):
            return
        if what == "broker":
            return self.broker()
        if what == "document":
            return self.document()
        self.tokens_call(what, m.group(1), m.group(2))

    def authenticated(self):
        """(id, record) of the Basic credential, or None after answering
        401."""
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            self.send_json(401, {"detail": "Not authenticated"})
            return None
        try:
            token = base64.b64decode(auth[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            self.send_json(401, {"detail": "Invalid authentication credentials"})
            return None
        found = self.server.store.find(token)
        if found is None:
            self.send_json(401, {"detail": "Invalid authentication credentials"})
        return found

    def path_ws(self):
        return TOKENS_RE.match(self.path.split("?", 1)[0]).group(1)

    def tokens_call(self, what, ws, tail, fault=None):
        store = self.server.store
        if not UUID4_RE.match(ws):
            return self.send_json(
                422, validation_error(["path", "workspace_id"], "Input should be a valid UUID", "uuid_parsing")
            )
        who = self.authenticated()
        if who is None:
            return
        if ws.lower() != store.workspace.lower():
            return self.send_json(404, {"detail": [{"msg": "Workspace membership not found"}]})
        if what == "lookup":
            return self.lookup()
        if not who[1]["manage"]:
            return self.send_json(403, {"detail": "Not allowed to manage access tokens"})
        if what == "create":
            return self.create(fault)
        if what == "list":
            with store.lock:
                items = [public(tid, t) for tid, t in store.tokens.items()]
            return self.send_json(200, items)
        with store.lock:
            gone = store.tokens.pop(tail, None)
            if gone is not None:
                store.deleted.append(dict(public(tail, gone), deletedAt=rfc3339(now())))
        if gone is None:
            return self.send_json(404, {"detail": "Access token not found"})
        self.send_json(204, None)

    def create(self, fault=None):
        body, bad = self.json_body()
        if bad:
            return self.send_json(422, bad)
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            return self.send_json(
                422, validation_error(["body", "name"], "String should have 1 to 128 characters", "string_too_long")
            )
        exp = body.get("expiresAt")
        if exp is not None:
            try:
                exp = parse_rfc3339(exp)
            except ValueError:
                return self.send_json(
                    422, validation_error(["body", "expiresAt"], "Input should be a valid datetime", "datetime_parsing")
                )
            if exp <= now():
                return self.send_json(
                    422, validation_error(["body", "expiresAt"], "Expiry must be in the future")
                )
        if fault is not None and "expires_in" in fault:
            exp = now() + float(fault["expires_in"])
        tid, rec, token = self.server.store.mint(name, exp)
        answer = {"privateToken": public(tid, rec), "tokenString": token}
        if fault is None or "expires_in" in fault:
            return self.send_json(201, answer)
        body = spoiled(answer, fault.get("variant", "badtoken"))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def lookup(self):
        body, bad = self.json_body()
        if bad:
            return self.send_json(422, bad)
        token = body.get("accessToken")
        if not isinstance(token, str) or not token:
            # Like FastAPI, but without echoing the input.
            return self.send_json(422, validation_error(["body", "accessToken"], "Field required", "missing"))
        found = self.server.store.find(token)
        if found is None:
            return self.send_json(404, {"detail": "Access token not found"})
        self.send_json(200, {"accessTokenId": found[0]})

    def broker(self):
        store = self.server.store
        auth = self.headers.get("Authorization") or ""
        ok = False
        if auth.startswith("Bearer ") and store.broker_hash is not None:
            ok = secrets.compare_digest(sha256(auth[7:]), store.broker_hash)
        if not ok:
            cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
            subject = dict(x[0] for x in (cert or {}).get("subject", ()))
            ok = subject.get("commonName") == CLIENT_CN
        if not ok:
            return self.send_json(401, {"detail": "Not authenticated"})
        tid, rec, token = store.mint("broker", now() + 3600)
        self.send_json(
            200,
            {
                "workspace_id": store.workspace,
                "token": token,
                "token_id": tid,
                "expires_at": rfc3339(rec["expiresAt"]),
            },
        )

    def document(self):
        """/doc/NAME: the file NAME of --doc-dir (a test writes its policy
        and signature there), else for "policy" a fixed document; with an
        ETag, answering 304 to If-None-Match (the policy's conditional
        GET)."""
        name = self.path.split("?", 1)[0][len("/doc/"):]
        body = None
        if self.server.doc_dir and re.match(r"^[A-Za-z0-9._-]+$", name) and not name.startswith("."):
            try:
                with open(os.path.join(self.server.doc_dir, name), "rb") as f:
                    body = f.read()
            except OSError:
                body = None
        if body is None and name == "policy":
            body = json.dumps({"version": 1, "rules": []}).encode()
        if body is None:
            return self.send_json(404, {"detail": "no such document"})
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # ---- faults ----------------------------------------------------------
    def faulted(self, f, what):
        """Play fault f. True when the request is answered (or dropped)."""
        mode = f.get("mode")
        if mode == "status":
            # "seconds": the answer comes that long after the request.
            self.sleep(float(f.get("seconds", 0)))
            self.send_json(int(f.get("status", 503)), {"detail": "Service unavailable (emulated)"})
        elif mode == "429":
            ra = str(f.get("retry_after", "1"))
            if ra.startswith("date:"):
                ra = formatdate(now() + int(ra[5:]), usegmt=True)
            self.send_json(429, {"detail": "Too many requests"}, {"Retry-After": ra})
        elif mode == "stall":
            self.sleep(float(f.get("seconds", 30)))
            self.close_connection = True
        elif mode == "slow":
            body = json.dumps({"detail": "slow " + "." * 200}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.trickle(body)
        elif mode == "huge":
            self.huge(bool(f.get("content_length", False)))
        elif mode == "redirect":
            port = self.server.server_address[1]
            self.send_json(302, None, {"Location": "http://127.0.0.1:%d%s" % (port, self.path)})
        elif mode == "malformed":
            self.malformed(f.get("variant", "truncated"), what)
        elif mode == "drop":
            self.close_connection = True
        elif mode == "answer" and what == "create":
            self.tokens_call(what, self.path_ws(), None, f)
        elif mode == "body":
            if "raw" in f:
                body = f["raw"].encode("latin-1" if f.get("latin1") else "utf-8")
            else:
                body = json.dumps(f.get("json")).encode()
            self.send_response(int(f.get("status", 200)))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif mode == "many":
            t = rfc3339(now())
            items = [
                {"id": str(uuid.uuid4()), "name": "many-%d" % i, "createdAt": t, "expiresAt": None}
                for i in range(int(f.get("n", 20000)))
            ]
            self.send_json(200, items)
        elif mode == "keep" and what == "delete":
            self.send_json(int(f.get("status", 204)), None)
        elif mode == "gone" and what == "delete":
            # Deleted by someone else just before: gone, and a 404.
            with self.server.store.lock:
                self.server.store.tokens.pop(self.path.split("?", 1)[0].rsplit("/", 1)[1], None)
            self.send_json(404, {"detail": "Access token not found"})
        else:
            return False
        return True

    def sleep(self, seconds):
        end = now() + seconds
        while now() < end and not self.server.stopping.is_set():
            time.sleep(0.05)

    def trickle(self, body):
        try:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                self.sleep(1.0)
                if self.server.stopping.is_set():
                    break
        except OSError:
            pass
        self.close_connection = True

    def huge(self, with_length):
        size = 10 * 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if with_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        chunk = b" " * 65536
        try:
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass
        self.close_connection = True

    def malformed(self, variant, what):
        good = {
            "privateToken": {
                "id": str(uuid.uuid4()),
                "name": "x",
                "createdAt": rfc3339(now()),
                "expiresAt": None,
            },
            "tokenString": "not-a-real-token-000000",
        }
        status = 201 if what == "create" else 200
        if variant == "truncated":
            body = b'{"privateToken": {"id": "'
        elif variant == "notjson":
            body = b"<html><body>Bad gateway</body></html>"
        else:
            if variant == "wrongtype":
                good["privateToken"]["id"] = 12345
            elif variant == "baduuid":
                good["privateToken"]["id"] = "not-a-uuid"
            elif variant == "badtime":
                good["privateToken"]["createdAt"] = "yesterday"
            body = json.dumps(good).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # ---- control ---------------------------------------------------------
    def control(self, method, what):
        store = self.server.store
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            return self.send_json(403, {"detail": "control is loopback only"})
        if method == "GET" and what == "counters":
            with store.lock:
                return self.send_json(
                    200, {"calls": dict(store.calls), "total": store.total, "connections": store.connections}
                )
        if method == "GET" and what == "tokens":
            with store.lock:
                items = [public(tid, t) for tid, t in store.tokens.items() if tid != store.parent_id]
            return self.send_json(200, {"tokens": items})
        if method == "GET" and what == "deleted":
            with store.lock:
                return self.send_json(200, {"tokens": list(store.deleted)})
        if method == "GET" and what == "issued":
            with store.lock:
                return self.send_json(200, {"tokens": list(store.issued)})
        # No body is an empty object: "emuctl.py ... POST reset" sends none.
        body, bad = self.json_body() if method == "POST" and self.body else ({}, None)
        if bad:
            return self.send_json(422, bad)
        if method == "POST" and what == "fault":
            with store.lock:
                store.fault = None if body.get("mode") in (None, "none") else body
            return self.send_json(200, {"fault": store.fault})
        if method == "POST" and what == "reset":
            with store.lock:
                store.calls, store.total, store.fault = {}, 0, None
                store.connections = 0
            return self.send_json(200, {})
        if method == "POST" and what == "expire":
            with store.lock:
                t = store.tokens.get(body.get("id", ""))
                if t is not None:
                    t["expiresAt"] = now() - 1
            return self.send_json(200 if t else 404, {})
        if method == "POST" and what == "seed":
            exp = body.get("expires_in")
            tid, rec, _token = store.mint(str(body.get("name", "seeded")), None if exp is None else now() + float(exp))
            with store.lock:
                rec["createdAt"] = now() - float(body.get("created_ago", 0))
            return self.send_json(200, {"id": tid})
        self.send_json(404, {"detail": "no such control"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, ctx, store):
        super().__init__(addr, Handler)
        self.ctx = ctx
        self.store = store
        self.stopping = threading.Event()
        self.doc_dir = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a
        # client that stalls its handshake cannot block accept().
        request.settimeout(60)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            sys.stderr.write("emulator: TLS handshake failed: %s\n" % e)
            return
        with self.store.lock:
            self.store.connections += 1
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


def read_secret(path):
    if not path:
        return None
    with open(path) as f:
        return f.read().strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", required=True, help="workspace id (UUID4)")
    ap.add_argument("--parent-token-file", required=True, help="file holding the parent credential")
    ap.add_argument("--broker-token-file", help="file holding the broker's bearer token")
    ap.add_argument("--cert", required=True, help="server certificate (PEM)")
    ap.add_argument("--key", required=True, help="server key (PEM)")
    ap.add_argument("--client-ca", help="CA for optional TLS client certificates (broker)")
    ap.add_argument("--port-file", required=True, help="where to write the port")
    ap.add_argument("--port", type=int, default=0, help="port (default: ephemeral)")
    ap.add_argument("--doc-dir", help="directory served as /doc/NAME")
    args = ap.parse_args()

    if not UUID4_RE.match(args.workspace):
        ap.error("--workspace must be a UUID version 4")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(args.client_ca)
    store = Store(args.workspace, read_secret(args.parent_token_file), read_secret(args.broker_token_file))
    srv = Server(("127.0.0.1", args.port), ctx, store)
    srv.doc_dir = args.doc_dir
    # Never outlive the test that started us, even if it was killed.
    parent = os.getppid()

    def orphan_watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=orphan_watch, daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping.set()
        srv.server_close()


if __name__ == "__main__":
    main()
