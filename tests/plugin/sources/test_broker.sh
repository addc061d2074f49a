#!/bin/sh
# Runs test_broker (the broker source through the dlopen'd provider) against
# the AskUI emulator's /broker/credential, then checks the output and the
# server logs for any token the emulator issued.
. "$top_srcdir/tests/emulator/emulator.sh"
emulator_run_tap "${top_builddir:-.}/tests/plugin/sources/test_broker"
