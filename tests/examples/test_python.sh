#!/bin/sh
# The ctypes binding examples/python/askcred.py: its structs match the C
# layout and every call works against the built libaskcred and plugin.
. "${top_srcdir:?run through make check}/tests/examples/lib.sh"
python_env
# Not exec: lib.sh's trap removes $TMP when this shell exits.
"$PYTHON3" "$top_srcdir/tests/examples/test_python_binding.py"
