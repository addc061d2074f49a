#!/usr/bin/env python3
"""Talk to the emulator's control endpoint:
    emuctl.py CA NAME PORT METHOD PATH [JSON]
connects to 127.0.0.1:PORT, verifies the server's certificate against CA
for host NAME (so emulators started with the wrong-host certificate can be
reached too), and prints the answer's body; exits 1 on an HTTP error."""
import http.client
import socket
import ssl
import sys


class Loopback(http.client.HTTPSConnection):
    """Always 127.0.0.1, whatever name the certificate is checked for."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit("usage: emuctl.py CA NAME PORT METHOD PATH [JSON]")
    ca, name, port, method, path = sys.argv[1:6]
    body = sys.argv[6].encode() if len(sys.argv) == 7 else None
    ctx = ssl.create_default_context(cafile=ca)
    conn = Loopback(name, int(port), context=ctx, timeout=10)
    headers = {"Content-Type": "application/json"} if body else {}
    conn.request(method, "/_emulator/" + path.lstrip("/"), body=body, headers=headers)
    resp = conn.getresponse()
    sys.stdout.write(resp.read().decode() + "\n")
    sys.exit(0 if resp.status < 400 else 1)


if __name__ == "__main__":
    main()
