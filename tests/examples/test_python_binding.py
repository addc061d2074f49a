"""examples/python/askcred.py against the built libaskcred and the real
plugin, on the demo credential. Prints TAP. Run by test_python.sh, which
sets PYTHONPATH, LD_LIBRARY_PATH and the paths below."""

import os
import stat
import subprocess
import sys
import tempfile
import threading

import askcred

BUILD = os.environ["top_builddir"]
SRC = os.environ["top_srcdir"]
PLUGIN = os.path.join(BUILD, "plugin", ".libs", "askcred_askui.so")
DEMO_WS = "00000000-0000-4000-8000-000000000000"
DEMO_TOKEN = "DEMO-not-a-real-AskUI-token"

n = 0
failed = 0


def ok(cond, name, why=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        failed += 1
        if why:
            print("# " + str(why).replace("\n", "\n# "))


def raises(fn, status):
    """The AskcredError fn raises, if its status is the one expected."""
    try:
        fn()
    except askcred.AskcredError as e:
        return e if e.status == status else None
    return None


# ---- the ctypes mirror is the C layout ---------------------------------------

MIRRORS = {
    "askcred_error": askcred._Error,
    "askcred_options": askcred._Options,
    "askcred_request": askcred._Request,
    "askcred_credential": askcred._Credential,
    "askcred_entry_info": askcred._EntryInfo,
    "askcred_tokens_query": askcred._TokensQuery,
    "askcred_token_info": askcred._TokenInfo,
}
layout = subprocess.run([os.path.join(BUILD, "tests", "examples", "abi_layout")],
                        check=True, capture_output=True, text=True).stdout
seen = {name: 0 for name in MIRRORS}
for line in layout.splitlines():
    struct, field, off, size = line.split()
    off, size = int(off), int(size)
    if struct == "status_count":
        ok(len(askcred.Status) == size, "Status has the C library's %d statuses" % size)
        continue
    if struct == "abi_version":
        ok((askcred.ABI_MAJOR << 16 | askcred.ABI_MINOR) == size,
           "the binding speaks the header's ABI version")
        continue
    cls = MIRRORS[struct]
    if field == "-":
        ok(askcred.ctypes.sizeof(cls) == size,
           "struct %s: ctypes size %d is the C size" % (struct, size),
           "ctypes: %d" % askcred.ctypes.sizeof(cls))
        continue
    seen[struct] += 1
    got = getattr(cls, field, None)
    ok(got is not None and (got.offset, got.size) == (off, size),
       "struct %s.%s at offset %d, %d bytes" % (struct, field, off, size),
       "ctypes: %s" % got)
for name, cls in MIRRORS.items():
    ok(seen[name] == len(cls._fields_),
       "struct %s mirrors no field C does not have" % name)

ok(askcred.library_version() != "", "library_version() names the library")

# ---- a stack on the demo credential --------------------------------------------

tmp = tempfile.TemporaryDirectory(prefix="askcred-py.")
os.environ["XDG_CACHE_HOME"] = os.path.join(tmp.name, "cache")
creds = os.path.join(tmp.name, "demo.json")
with open(os.path.join(SRC, "examples", "credentials", "demo.json"), "rb") as f:
    demo = f.read()
fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, demo)
os.close(fd)
args = "source=static credentials=%s cache=off" % creds
stack_path = os.path.join(tmp.name, "stack")
with open(stack_path, "w") as f:
    for op in ("fetch", "validate", "refresh", "revoke"):
        f.write("%s required %s %s\n" % (op, PLUGIN, args))
os.chmod(stack_path, 0o644)

logs = []
with askcred.Stack(stack_path, log=lambda lvl, msg: logs.append((lvl, msg))) as st:
    cred = st.fetch()
    ok(cred.workspace_id == DEMO_WS, "fetch: workspace_id is the demo workspace")
    ok(cred.token == DEMO_TOKEN, "fetch: token as str")
    ok(cred.token_bytes == DEMO_TOKEN.encode(), "fetch: token as bytes")
    ok(cred.token_id is None, "fetch: an unknown token id is None")
    ok(cred.expires_at is None, "fetch: a token that never expires has expires_at None")
    ok(cred.source == "static", "fetch: source is 'static'")
    ok(not cred.minted and not cred.stale, "fetch: a static token is neither minted nor stale")
    ok(DEMO_TOKEN not in repr(cred), "repr(credential) leaves the token out")

    try:
        st.validate(cred)
        ok(True, "validate accepts the fetched credential")
    except askcred.AskcredError as e:
        ok(False, "validate accepts the fetched credential", e)

    e = raises(lambda: st.revoke(cred), askcred.Status.NOT_FOUND)
    ok(e is not None and e.status_name == "NOT_FOUND",
       "revoke of a static token raises AskcredError NOT_FOUND (every line ignored)")
    ok(e is not None and e.message and e.where == stack_path,
       "the error carries the library's message and where", e)
    ok(any("cannot revoke" in m for _, m in logs),
       "module log lines reach the log callback")
    ok(all(DEMO_TOKEN not in m for _, m in logs), "no log line holds the token")

    new = st.refresh()
    ok(new.token == DEMO_TOKEN and new is not cred, "refresh returns a new Credential")
    new.release()

    entries = st.status()
    ok(isinstance(entries, list) and all(isinstance(x, askcred.Entry) for x in entries),
       "status() lists Entry objects")
    ok(all(DEMO_TOKEN not in repr(x) for x in entries), "status entries never show the token")

    cred.release()
    ok(cred.released, "release() gives the credential back")
    ok(raises(lambda: cred.token, askcred.Status.INTERNAL) is not None,
       "the token cannot be read after release")
    cred.release()
    ok(cred.workspace_id == DEMO_WS, "release is idempotent; plain fields stay readable")
    ok(raises(lambda: st.validate(cred), askcred.Status.INTERNAL) is not None,
       "a released credential cannot be validated")

    with st.fetch() as c2:
        pass
    ok(c2.released, "a credential used as a context manager is released at exit")

    # Eight threads at once on one stack, as libaskcred allows.
    results = []

    def worker():
        for _ in range(20):
            with st.fetch() as c:
                results.append(c.token == DEMO_TOKEN)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok(len(results) == 160 and all(results), "8 threads fetch and release concurrently")

    held = st.fetch()
ok(held.released, "closing the stack releases credentials still held")
ok(raises(lambda: st.fetch(), askcred.Status.INTERNAL) is not None,
   "a closed stack refuses fetch")

# ---- errors -------------------------------------------------------------------

bad = os.path.join(tmp.name, "bad")
with open(bad, "w") as f:
    f.write("# comment\nfetch mandatory %s %s\n" % (PLUGIN, args))
e = raises(lambda: askcred.Stack(bad), askcred.Status.CONFIG_ERROR)
ok(e is not None, "a bad control word raises AskcredError CONFIG_ERROR")
ok(e is not None and e.where == bad + ":2" and "mandatory" in e.message,
   "the error names the file, the line and the word", e)
ok(e is not None and str(e).startswith("CONFIG_ERROR: "), "str(error) starts with the status name", e)
ok(e is not None and e.description == "configuration error",
   "the error carries askcred_strstatus()'s text", e)

e = raises(lambda: askcred.Stack(os.path.join(tmp.name, "missing")), askcred.Status.NOT_FOUND)
ok(e is not None, "a missing stack file raises NOT_FOUND")

e = raises(lambda: askcred.Stack("no-such-stack", stack_dir=tmp.name), askcred.Status.NOT_FOUND)
ok(e is not None, "stack_dir is passed through to the library")

os.chmod(creds, 0o644)
with askcred.Stack(stack_path, log=lambda lvl, msg: None) as st:
    e = raises(st.fetch, askcred.Status.CONFIG_ERROR)
    ok(e is not None and "too open" in e.message and e.where == creds,
       "a credentials file readable by others is refused, naming the file", e)
    ok(e is not None and DEMO_TOKEN not in str(e), "the refusal does not quote the token")

print("1..%d" % n)
sys.exit(1 if failed else 0)
