#!/bin/sh
# Runs test_faults against the AskUI emulator (see tests/emulator/emulator.sh) and
# checks its output and the server logs for any token the emulator issued.
. "$top_srcdir/tests/emulator/emulator.sh"
emulator_run_tap "${top_builddir:-.}/tests/plugin/net/test_faults"
