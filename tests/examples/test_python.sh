#!/bin/sh
# The ctypes binding examples/python/askcred.py: its structs match the C
# layout and every call works against the built libaskcred and plugin.
: "${top_srcdir:?run through make check}" "${top_builddir:?}"
PYTHON3=${PYTHON3:-python3}
if [ "$PYTHON3" = no ] || ! command -v "$PYTHON3" >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi
# A sanitizer build's library cannot be loaded into an uninstrumented python.
if ldd "$top_builddir/host/.libs/libaskcred.so" 2>/dev/null | grep -q libasan; then
	echo "1..0 # SKIP libaskcred is built with sanitizers"
	exit 0
fi
PYTHONPATH="$top_srcdir/examples/python${PYTHONPATH:+:$PYTHONPATH}"
LD_LIBRARY_PATH="$top_builddir/host/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH LD_LIBRARY_PATH PYTHONDONTWRITEBYTECODE
exec "$PYTHON3" "$top_srcdir/tests/examples/test_python_binding.py"
