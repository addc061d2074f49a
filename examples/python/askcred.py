"""A small ctypes binding over libaskcred, the askcred host library.

No compiled extension: the structs below mirror <askcred/provider.h> and
<askcred/askcred.h> (ABI 1.1) field for field, and every struct that crosses
the boundary carries its struct_size, as the C API requires.

    import askcred

    with askcred.Stack("ci") as stack:
        with stack.fetch(purpose="nightly") as cred:
            print(cred.workspace_id, cred.token_id, cred.expires_at)
            run_something(env={"ASKUI_WORKSPACE_ID": cred.workspace_id,
                               "ASKUI_TOKEN": cred.token})

The library is found as libaskcred.so.0 (LD_LIBRARY_PATH and the system
paths apply), or at the path in $ASKCRED_LIBRARY.

The token stays in the provider's memory, wiped when the credential is
released. Reading Credential.token makes a Python copy that Python cannot
wipe: read it only to hand it on (to a child's environment, say), and never
log it.

Threads: a Stack may be used from several threads for fetch, validate,
refresh, invalidate, revoke, release and status; open and close must not
race with anything else on it (the C library's rules).
"""

import ctypes
import ctypes.util
import enum
import logging
import os

__all__ = [
    "AskcredError",
    "Credential",
    "Entry",
    "Stack",
    "Status",
    "Token",
    "library_version",
]

ABI_MAJOR = 1
ABI_MINOR = 2
UUID_LEN = 36
SOURCE_MAX = 16
ERROR_WHERE_MAX = 160
ERROR_MESSAGE_MAX = 320

REQ_NO_CACHE = 0x1
REQ_FORCE_REFRESH = 0x2
CRED_STALE = 0x1
CRED_FROM_CACHE = 0x2
CRED_MINTED = 0x4
ENTRY_PENDING_REVOKE = 0x100
ENTRY_POLICY = 0x200
# ABI 1.2: askcred_tokens(). Actions, revoke selectors, query and token flags.
TOKENS_LIST, TOKENS_REVOKE, TOKENS_ENFORCE = 0, 1, 2
TOKENS_SEL_HOST, TOKENS_SEL_OLDER, TOKENS_SEL_ORPHANED, TOKENS_SEL_ID = 0x1, 0x2, 0x4, 0x8
TOKENS_DRY_RUN = 0x1
TOKEN_FOREIGN = 0x1
TOKEN_NEVER_EXPIRES = 0x2
TOKEN_PARENT = 0x4
TOKEN_JOB = 0x8
TOKEN_EXPIRED = 0x10
TOKEN_SELECTED = 0x100
TOKEN_DELETED = 0x200
TOKEN_REFUSED = 0x400
TOKEN_FAILED = 0x800

# Syslog levels, as enum askcred_log_level.
LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG = 3, 4, 5, 6, 7
_PY_LEVEL = {
    LOG_ERR: logging.ERROR,
    LOG_WARNING: logging.WARNING,
    LOG_NOTICE: logging.INFO,
    LOG_INFO: logging.INFO,
    LOG_DEBUG: logging.DEBUG,
}


class Status(enum.IntEnum):
    """askcred_status: one closed set shared by every operation."""

    OK = 0
    IGNORE = 1
    NOT_FOUND = 2
    DENIED = 3
    INVALID = 4
    EXPIRED = 5
    UNAVAILABLE = 6
    CONFIG_ERROR = 7
    CACHE_ERROR = 8
    NO_MEMORY = 9
    ABI_MISMATCH = 10
    INTERNAL = 11


# ---- the C structs, field for field ----------------------------------------


class _Error(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("code", ctypes.c_int),
        ("where", ctypes.c_char * ERROR_WHERE_MAX),
        ("message", ctypes.c_char * ERROR_MESSAGE_MAX),
    ]


_LogFn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)


class _Options(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("stack_dir", ctypes.c_char_p),
        ("module_dir", ctypes.c_char_p),
        ("labels", ctypes.c_char_p),
        ("log", _LogFn),
        ("log_ctx", ctypes.c_void_p),
        ("log_level", ctypes.c_int),
    ]


class _Request(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("workspace_id", ctypes.c_char_p),
        ("purpose", ctypes.c_char_p),
        ("min_validity", ctypes.c_uint32),
        ("lifetime", ctypes.c_uint32),
    ]


class _Credential(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("workspace_id", ctypes.c_char * (UUID_LEN + 1)),
        ("token_id", ctypes.c_char * (UUID_LEN + 1)),
        ("source", ctypes.c_char * SOURCE_MAX),
        # A pointer, not c_char_p: ctypes would copy a c_char_p into an
        # immutable bytes object on every access.
        ("token", ctypes.POINTER(ctypes.c_char)),
        ("token_len", ctypes.c_size_t),
        ("issued_at", ctypes.c_int64),
        ("expires_at", ctypes.c_int64),
        ("policy_serial", ctypes.c_uint64),
        ("host_private", ctypes.c_void_p),
    ]


class _EntryInfo(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("name", ctypes.c_char_p),
        ("workspace_id", ctypes.c_char_p),
        ("token_id", ctypes.c_char_p),
        ("source", ctypes.c_char_p),
        ("issued_at", ctypes.c_int64),
        ("expires_at", ctypes.c_int64),
        ("policy_serial", ctypes.c_uint64),
        ("note", ctypes.c_char_p),
    ]


_EntryCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_EntryInfo))


class _TokensQuery(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("action", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("select", ctypes.c_uint32),
        ("host", ctypes.c_char_p),
        ("token_id", ctypes.c_char_p),
        ("older_than", ctypes.c_int64),
    ]


class _TokenInfo(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("workspace_id", ctypes.c_char_p),
        ("token_id", ctypes.c_char_p),
        ("name", ctypes.c_char_p),
        ("created_at", ctypes.c_int64),
        ("expires_at", ctypes.c_int64),
        ("host", ctypes.c_char_p),
        ("entry", ctypes.c_char_p),
        ("job", ctypes.c_char_p),
        ("purpose", ctypes.c_char_p),
        ("result", ctypes.c_int),
        ("note", ctypes.c_char_p),
    ]


_TokenCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_TokenInfo))
_CredPtr = ctypes.POINTER(_Credential)


def _load():
    path = os.environ.get("ASKCRED_LIBRARY")
    names = [path] if path else ["libaskcred.so.0", ctypes.util.find_library("askcred")]
    failure = None
    for name in names:
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            failure = e
    raise ImportError("libaskcred not found (set ASKCRED_LIBRARY or LD_LIBRARY_PATH): %s" % failure)


_lib = _load()


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = argtypes
    return f


_p = ctypes.c_void_p
_err = ctypes.POINTER(_Error)
_stack_open = _fn("askcred_stack_open", ctypes.c_int, ctypes.c_char_p,
                  ctypes.POINTER(_Options), ctypes.POINTER(_p), _err)
_stack_close = _fn("askcred_stack_close", None, _p)
_fetch = _fn("askcred_fetch", ctypes.c_int, _p, ctypes.POINTER(_Request),
             ctypes.POINTER(_CredPtr), _err)
_refresh = _fn("askcred_refresh", ctypes.c_int, _p, ctypes.POINTER(_Request),
               ctypes.POINTER(_CredPtr), _err)
_validate = _fn("askcred_validate", ctypes.c_int, _p, _CredPtr, _err)
_invalidate = _fn("askcred_invalidate", ctypes.c_int, _p, _CredPtr,
                  ctypes.c_char_p, _err)
_revoke = _fn("askcred_revoke", ctypes.c_int, _p, _CredPtr, _err)
_release = _fn("askcred_release", None, _p, _CredPtr)
_status_list = _fn("askcred_status_list", ctypes.c_int, _p, _EntryCb, _p, _err)
_gc = _fn("askcred_gc", ctypes.c_int, _p, _EntryCb, _p, _err)
_tokens = _fn("askcred_tokens", ctypes.c_int, _p, ctypes.POINTER(_TokensQuery),
              _TokenCb, _p, _err)
_strstatus = _fn("askcred_strstatus", ctypes.c_char_p, ctypes.c_int)
_version = _fn("askcred_version", ctypes.c_char_p)


def library_version():
    """The version string of the loaded libaskcred."""
    return _version().decode()


def _text(b):
    return b.decode("utf-8", "replace") if b is not None else None


# ---- errors ------------------------------------------------------------------


class AskcredError(Exception):
    """A failed askcred call. Carries the status and the library's error
    report (message and where); neither ever contains a token."""

    def __init__(self, status, message, where=""):
        try:
            self.status = Status(status)
            self.status_name = self.status.name
        except ValueError:  # a status from a newer library
            self.status = status
            self.status_name = "INTERNAL"
        self.description = _text(_strstatus(status))
        self.message = message
        self.where = where
        text = "%s: %s" % (self.status_name, message or self.description)
        if where:
            text += " (%s)" % where
        super().__init__(text)


def _check(rc, err):
    if rc != Status.OK:
        raise AskcredError(rc, _text(err.message), _text(err.where))


def _new_error():
    return _Error(struct_size=ctypes.sizeof(_Error))


# ---- credentials and status entries --------------------------------------------


class Credential:
    """A credential handed out by a stack. Give it back with release() (or
    use it as a context manager): that wipes the token in the module that
    made it. Every field but the token may be read after release."""

    def __init__(self, stack, ptr):
        c = ptr.contents
        self._stack = stack
        self._ptr = ptr
        self.workspace_id = _text(c.workspace_id)
        self.token_id = _text(c.token_id) or None
        self.source = _text(c.source)
        self.flags = c.flags
        self.issued_at = c.issued_at or None
        self.expires_at = c.expires_at or None  # None: never expires
        self.policy_serial = c.policy_serial

    @property
    def released(self):
        return self._ptr is None

    @property
    def token_bytes(self):
        """The token, as bytes: a copy Python cannot wipe."""
        if self._ptr is None:
            raise AskcredError(Status.INTERNAL, "the credential was released")
        c = self._ptr.contents
        return ctypes.string_at(c.token, c.token_len)

    @property
    def token(self):
        """The token, as str: a copy Python cannot wipe."""
        return self.token_bytes.decode("utf-8")

    @property
    def stale(self):
        return bool(self.flags & CRED_STALE)

    @property
    def from_cache(self):
        return bool(self.flags & CRED_FROM_CACHE)

    @property
    def minted(self):
        return bool(self.flags & CRED_MINTED)

    def release(self):
        """Wipe and give back the credential. Idempotent."""
        if self._ptr is not None:
            self._stack._release(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        # Never the token.
        return "<Credential workspace=%s token_id=%s source=%s expires_at=%s>" % (
            self.workspace_id, self.token_id, self.source, self.expires_at)


class Token:
    """One token of the workspace (Stack.tokens()): ids, names and dates,
    never a token string. host, entry, job and purpose are decoded from
    askcred's names (None for a foreign token); result is the Status of
    deleting a picked token."""

    __slots__ = ("token_id", "name", "workspace_id", "created_at", "expires_at",
                 "host", "entry", "job", "purpose", "flags", "result", "note")

    def __init__(self, t):
        self.token_id = _text(t.token_id)
        self.name = _text(t.name)
        self.workspace_id = _text(t.workspace_id)
        self.created_at = t.created_at or None
        self.expires_at = t.expires_at or None  # None: never expires
        self.host = _text(t.host)
        self.entry = _text(t.entry)
        self.job = _text(t.job)
        self.purpose = _text(t.purpose)
        self.flags = t.flags
        self.result = t.result
        self.note = _text(t.note)

    def __repr__(self):
        return "Token(%s %r flags=%#x)" % (self.token_id, self.name, self.flags)


class Entry:
    """One line of Stack.status(): what a module holds. Never a token."""

    __slots__ = ("name", "workspace_id", "token_id", "source", "flags",
                 "issued_at", "expires_at", "policy_serial", "note")

    def __init__(self, e):
        self.name = _text(e.name)
        self.workspace_id = _text(e.workspace_id)
        self.token_id = _text(e.token_id)
        self.source = _text(e.source)
        self.flags = e.flags
        self.issued_at = e.issued_at or None
        self.expires_at = e.expires_at or None
        self.policy_serial = e.policy_serial
        self.note = _text(e.note)

    @property
    def pending_revoke(self):
        return bool(self.flags & ENTRY_PENDING_REVOKE)

    def __repr__(self):
        return "<Entry %s workspace=%s token_id=%s expires_at=%s>" % (
            self.name, self.workspace_id, self.token_id, self.expires_at)


# ---- the stack -------------------------------------------------------------------


def _bytes(s):
    return s.encode() if isinstance(s, str) else s


class Stack:
    """An open stack: Stack(name_or_path, ...) opens it at once; close() or
    leaving the with block closes it. A name is looked up in stack_dir
    (default /etc/askcred/stacks); anything with a '/' is a path.

    Module log lines go to the logger "askcred" unless log= is given a
    callable (level, message)."""

    def __init__(self, name_or_path, stack_dir=None, module_dir=None,
                 labels=None, log=None, log_level=LOG_NOTICE):
        self._handle = None
        self._pylog = log or self._to_logging
        # Kept on self: the library calls it until close().
        self._log_cb = _LogFn(self._on_log)
        self._opts = _Options(
            struct_size=ctypes.sizeof(_Options),
            stack_dir=_bytes(stack_dir),
            module_dir=_bytes(module_dir),
            labels=_bytes(labels),
            log=self._log_cb,
            log_ctx=None,
            log_level=log_level,
        )
        handle = ctypes.c_void_p()
        err = _new_error()
        rc = _stack_open(_bytes(name_or_path), ctypes.byref(self._opts),
                         ctypes.byref(handle), ctypes.byref(err))
        _check(rc, err)
        self._handle = handle
        self._out = set()  # credentials not yet released

    @staticmethod
    def _to_logging(level, message):
        logging.getLogger("askcred").log(_PY_LEVEL.get(level, logging.INFO),
                                         "%s", message)

    def _on_log(self, ctx, level, message):
        try:
            self._pylog(level, _text(message))
        except Exception:  # never let an exception cross into C
            pass

    def _live(self):
        if self._handle is None:
            raise AskcredError(Status.INTERNAL, "the stack is closed")
        return self._handle

    def close(self):
        """Release what is still out and close the stack. Idempotent."""
        if self._handle is None:
            return
        for cred in list(self._out):
            self._release(cred)
        _stack_close(self._handle)
        self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # at interpreter exit the library may be gone
            pass

    def _request(self, workspace_id, purpose, min_validity, lifetime,
                 no_cache, force_refresh):
        flags = (REQ_NO_CACHE if no_cache else 0) | (
            REQ_FORCE_REFRESH if force_refresh else 0)
        return _Request(struct_size=ctypes.sizeof(_Request), flags=flags,
                        workspace_id=_bytes(workspace_id),
                        purpose=_bytes(purpose), min_validity=min_validity,
                        lifetime=lifetime)

    def _obtain(self, fn, **kw):
        req = self._request(**kw)
        out = _CredPtr()
        err = _new_error()
        rc = fn(self._live(), ctypes.byref(req), ctypes.byref(out),
                ctypes.byref(err))
        _check(rc, err)
        cred = Credential(self, out)
        self._out.add(cred)
        return cred

    def fetch(self, workspace_id=None, purpose=None, min_validity=0,
              lifetime=0, no_cache=False, force_refresh=False):
        """Run the stack's fetch lines; returns a Credential. min_validity
        and lifetime are seconds (0: the provider's default)."""
        return self._obtain(_fetch, workspace_id=workspace_id,
                            purpose=purpose, min_validity=min_validity,
                            lifetime=lifetime, no_cache=no_cache,
                            force_refresh=force_refresh)

    def refresh(self, workspace_id=None, purpose=None, min_validity=0,
                lifetime=0):
        """Run the stack's refresh lines: a new Credential."""
        return self._obtain(_refresh, workspace_id=workspace_id,
                            purpose=purpose, min_validity=min_validity,
                            lifetime=lifetime, no_cache=False,
                            force_refresh=False)

    def _cred_ptr(self, cred):
        if cred._stack is not self or cred._ptr is None:
            raise AskcredError(Status.INTERNAL,
                               "credential released or from another stack")
        return cred._ptr

    def _check_cred(self, fn, cred, *extra):
        err = _new_error()
        rc = fn(self._live(), self._cred_ptr(cred), *extra, ctypes.byref(err))
        _check(rc, err)

    def validate(self, cred):
        """Run the validate lines on cred; raises AskcredError if bad."""
        self._check_cred(_validate, cred)

    def invalidate(self, cred, reason=None):
        """Tell the modules that AskUI refused cred (HTTP 401)."""
        self._check_cred(_invalidate, cred, _bytes(reason))

    def revoke(self, cred):
        """Run the revoke lines on cred (delete it at its issuer)."""
        self._check_cred(_revoke, cred)

    def release(self, cred):
        """The same as cred.release()."""
        cred.release()

    def _release(self, cred):
        ptr = self._cred_ptr(cred)
        cred._ptr = None
        self._out.discard(cred)
        _release(self._live(), ptr)

    def _entries(self, call):
        entries = []

        def collect(ctx, info):
            try:
                entries.append(Entry(info.contents))
            except Exception:  # never let an exception cross into C
                pass

        cb = _EntryCb(collect)
        err = _new_error()
        rc = call(self._live(), cb, None, ctypes.byref(err))
        if rc != Status.IGNORE:
            _check(rc, err)
        return entries

    def status(self):
        """What the stack's modules hold: a list of Entry, never tokens."""
        return self._entries(_status_list)

    def gc(self):
        """Delete expired or orphaned tokens askcred minted, retry pending
        revocations (provider ABI 1.1): a list of Entry, one per item."""
        return self._entries(_gc)

    def tokens(self, action=TOKENS_LIST, select=0, host=None, token_id=None,
               older_than=0, dry_run=False):
        """Workspace-wide token control (provider ABI 1.2): list, revoke
        (one TOKENS_SEL_* with its host, token_id or older_than seconds) or
        enforce. A list of Token; a failure, a partial one included, raises
        AskcredError with the tokens reported so far in its .tokens."""
        found = []

        def collect(ctx, info):
            try:
                found.append(Token(info.contents))
            except Exception:  # never let an exception cross into C
                pass

        q = _TokensQuery(struct_size=ctypes.sizeof(_TokensQuery), action=action,
                         flags=TOKENS_DRY_RUN if dry_run else 0, select=select,
                         host=host.encode() if host else None,
                         token_id=token_id.encode() if token_id else None,
                         older_than=older_than)
        cb = _TokenCb(collect)
        err = _new_error()
        rc = _tokens(self._live(), ctypes.byref(q), cb, None, ctypes.byref(err))
        try:
            _check(rc, err)
        except AskcredError as e:
            e.tokens = found
            raise
        return found
