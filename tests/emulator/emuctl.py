#!/usr/bin/env python3
"""Talk to the emulator's control endpoint: emuctl.py CA PORT METHOD PATH
[JSON]. Prints the answer's body; exits 1 on an HTTP error."""
import http.client
import ssl
import sys


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit("usage: emuctl.py CA PORT METHOD PATH [JSON]")
    ca, port, method, path = sys.argv[1:5]
    body = sys.argv[5].encode() if len(sys.argv) == 6 else None
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=10)
    headers = {"Content-Type": "application/json"} if body else {}
    conn.request(method, "/_emulator/" + path.lstrip("/"), body=body, headers=headers)
    resp = conn.getresponse()
    sys.stdout.write(resp.read().decode() + "\n")
    sys.exit(0 if resp.status < 400 else 1)


if __name__ == "__main__":
    main()
