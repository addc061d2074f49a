#!/usr/bin/env python3
"""Look for credentials in files, as is or base64-encoded (a Basic
Authorization header echoed into a log), without ever printing one.

  leakscan.py tokens TOKENFILE FILE...
      every line of TOKENFILE is a token; exit 1 and name the files that
      hold one (file name and the token's SHA-256 prefix only)
  leakscan.py fixed SRCDIR OUTFILE
      write the fixed test tokens found in SRCDIR's tests/ and examples/
      (JSON "token" values, ASKUI_TOKEN=..., #define ...TOKEN "...")
      to OUTFILE, one per line; print how many
"""
import base64
import hashlib
import os
import re
import sys

MIN_LEN = 8
UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
PATTERNS = [
    re.compile(rb'"token"\s*:\s*\\?"([^"\\]+)'),
    re.compile(rb"ASKUI_TOKEN=([A-Za-z0-9._~+/=-]+)"),
    re.compile(rb'#define\s+\w*TOKEN\w*\s+"([^"]+)"'),
]
SUFFIXES = (".c", ".h", ".sh", ".json", ".py", ".in")


def needles(token):
    """The token itself, and the part of its base64 encoding that does not
    depend on what precedes or follows it, for each of the 3 alignments."""
    out = [token]
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + token)
        first = -(-8 * k // 6)  # first character made of token bits only
        last = (8 * (k + len(token))) // 6  # one past the last such one
        part = enc[first:last]
        if len(part) >= MIN_LEN:
            out.append(part)
    return out


def scan(tokens, files):
    hits = []
    table = [(t, needles(t)) for t in tokens]
    for path in files:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        for t, ns in table:
            if any(n in data for n in ns):
                fp = hashlib.sha256(t).hexdigest()[:16]
                hits.append("%s (token %s)" % (path, fp))
    return hits


def fixed_tokens(srcdir):
    found = set()
    for top in ("tests", "examples"):
        for root, _, names in os.walk(os.path.join(srcdir, top)):
            for name in names:
                if not name.endswith(SUFFIXES):
                    continue
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                for pat in PATTERNS:
                    for m in pat.finditer(data):
                        v = m.group(1)
                        # Placeholders and format strings are not tokens;
                        # token ids (UUIDs) are not secret.
                        if (len(v) < MIN_LEN or b"$" in v or b"%" in v
                                or UUID.match(v.decode("latin-1"))):
                            continue
                        found.add(v)
    return sorted(found)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "tokens":
        with open(sys.argv[2], "rb") as f:
            tokens = [line.rstrip(b"\n") for line in f if line.strip()]
        hits = scan(tokens, sys.argv[3:])
        for h in hits:
            print(h)
        return 1 if hits else 0
    if len(sys.argv) == 4 and sys.argv[1] == "fixed":
        tokens = fixed_tokens(sys.argv[2])
        with open(sys.argv[3], "wb") as f:
            for t in tokens:
                f.write(t + b"\n")
        print(len(tokens))
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
