#!/usr/bin/env python3
"""Run an AskUI vision-agent script with a credential from askcred.

    run_agent.py [--stack NAME | --stack-file PATH] [--module-dir DIR]
                 [--purpose LABEL] [--min-validity SECONDS] -- COMMAND [ARG...]

for example

    run_agent.py --stack ci --purpose nightly -- python3 my_agent.py

where my_agent.py is an ordinary AskUI script, which reads its credential
from the environment as the AskUI SDK does:

    from askui import VisionAgent
    with VisionAgent() as agent:
        agent.click("Login")

The credential reaches COMMAND through two environment variables only,
ASKUI_WORKSPACE_ID and ASKUI_TOKEN: never through its command line, which
every local user can read, and never on this program's output. This program
releases its own copy as soon as the command has started, forwards SIGINT,
SIGTERM and SIGHUP to it, and exits with its status (128 + N when signal N
killed it).
"""

import argparse
import os
import signal
import subprocess
import sys

import askcred


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run a command with an AskUI credential from askcred "
        "in its environment.")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--stack", default=os.environ.get("ASKCRED_STACK", "default"),
                       help="stack name (default: $ASKCRED_STACK or 'default')")
    where.add_argument("--stack-file", help="stack file path")
    p.add_argument("--module-dir", help="where modules named without a path are")
    p.add_argument("--purpose", help="job label for audit and per-job tokens")
    p.add_argument("--min-validity", type=int, default=0, metavar="SECONDS",
                   help="the token must stay valid this long")
    p.add_argument("command", nargs=argparse.REMAINDER,
                   help="-- COMMAND [ARG...]")
    args = p.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        p.error("no command given (put it after --)")
    return args


def start(command, cred):
    env = dict(os.environ)
    env["ASKUI_WORKSPACE_ID"] = cred.workspace_id
    env["ASKUI_TOKEN"] = cred.token
    try:
        return subprocess.Popen(command, env=env)
    finally:
        # Our dict copy goes; the child has its own environment now.
        env.clear()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stack_name = args.stack_file if args.stack_file else args.stack
    child = None

    # Installed before the credential exists, so no signal can kill this
    # process between starting the command and handing the signal on.
    def forward(signum, frame):
        if child is None:
            raise SystemExit(128 + signum)  # unwinds: releases, closes
        child.send_signal(signum)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, forward)
    try:
        with askcred.Stack(stack_name, module_dir=args.module_dir) as stack:
            cred = stack.fetch(purpose=args.purpose,
                               min_validity=args.min_validity)
            expiry = cred.expires_at if cred.expires_at else "never"
            print("run_agent: workspace %s, token id %s, expires %s" %
                  (cred.workspace_id, cred.token_id or "-", expiry),
                  file=sys.stderr)
            try:
                child = start(args.command, cred)
            except OSError as e:
                print("run_agent: %s: %s" % (args.command[0], e.strerror),
                      file=sys.stderr)
                return 127 if isinstance(e, FileNotFoundError) else 126
            finally:
                cred.release()
    except askcred.AskcredError as e:
        # The message never holds a token.
        print("run_agent: %s" % e, file=sys.stderr)
        return 1

    rc = child.wait()
    return 128 - rc if rc < 0 else rc


if __name__ == "__main__":
    sys.exit(main())
