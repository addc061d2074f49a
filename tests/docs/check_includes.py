#!/usr/bin/env python3
"""The structure read from the #include "..." lines of the production code
(common, include, plugin, cli, host), issue 12:

  - no include cycle between files;
  - no upward arrow: a layer includes only its own or lower ones
      0 common/, include/    1 base (record, timefmt, expiry, answer,
      jsonval; plugin/base/)  2 plugin/cache, plugin/policy, plugin/net
      3 the rest of plugin/   4 the core that owns the instance
      (instance, entry/provider)  5 cli/, host/;
  - instance.h is included by the core only.

Modules (foo.c with foo.h) that depend on each other are listed too; within
one folder that is a component's private header, not an error.
Usage: tests/docs/check_includes.py [SRCDIR]; exit 1 on an error."""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else '.'
DIRS = ['common', 'include', 'plugin', 'cli', 'host']
INC = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
BASE = {'plugin/record', 'plugin/timefmt', 'plugin/expiry', 'plugin/answer',
        'plugin/net/jsonval'}
CORE = {'plugin/instance', 'plugin/provider', 'plugin/entry'}


def layer(m):
    if m.startswith(('common/', 'include/')):
        return 0
    if m in BASE or m.startswith('plugin/base/'):
        return 1
    if re.match(r'plugin/(cache|policy|net)/', m):
        return 2
    if m in CORE:
        return 4
    if m.startswith('plugin/'):
        return 3
    return 5


files = set()
for d in DIRS:
    for dp, _, fn in os.walk(os.path.join(root, d)):
        files.update(os.path.relpath(os.path.join(dp, f), root)
                     for f in fn if f.endswith(('.c', '.h')))


# Where the compile lines' -I point (the Makefile.inc files): the folders
# walked, the base library, policy's public headers and the tests' own.
SEARCH = DIRS + ['plugin/base', 'plugin/policy/include',
                 'plugin/policy/include/policy']


def resolve(src, name):
    for d in [os.path.dirname(src)] + SEARCH:
        c = os.path.normpath(os.path.join(d, name))
        if c in files:
            return c
    return None


def module(f):
    return os.path.splitext(f)[0]


fgraph, mgraph, unresolved = {}, {}, []
for f in sorted(files):
    with open(os.path.join(root, f), errors='replace') as fh:
        for name in INC.findall(fh.read()):
            t = resolve(f, name)
            if t is None:
                # Only configure's header is not in the tree; anything
                # else unresolved would be an edge this check cannot see.
                if name != 'config.h':
                    unresolved.append('%s: "%s"' % (f, name))
                continue
            fgraph.setdefault(f, set()).add(t)
            if module(f) != module(t):
                mgraph.setdefault(module(f), set()).add(module(t))


def cycles(g):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, on, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop()
                on.discard(w)
                c.append(w)
                if w == v:
                    break
            if len(c) > 1:
                out.append(sorted(c))

    sys.setrecursionlimit(10000)
    for v in sorted(set(g) | {w for ws in g.values() for w in ws}):
        if v not in index:
            visit(v)
    return out


errors = 0
fc = cycles(fgraph)
up = sorted((a, b) for a in mgraph for b in mgraph[a] if layer(b) > layer(a))
inst = sorted(f for f in fgraph if 'plugin/instance.h' in fgraph[f]
              and module(f) not in CORE)
mc = cycles(mgraph)
print('%d files, %d includes' % (len(fgraph),
                                 sum(len(v) for v in fgraph.values())))
print('file include cycles: %d' % len(fc))
for c in fc:
    print('  ' + ' <-> '.join(c))
print('upward arrows: %d' % len(up))
for a, b in up:
    print('  %s (layer %d) -> %s (layer %d)' % (a, layer(a), b, layer(b)))
print('instance.h outside the core: %d' % len(inst))
for f in inst:
    print('  ' + f)
print('modules depending on each other: %d' % len(mc))
for c in mc:
    same = len({os.path.dirname(m) for m in c}) == 1
    print('  %s%s' % (' <-> '.join(c), ' (one folder)' if same else ''))
    errors += not same
print('includes not found in the tree: %d' % len(unresolved))
for u in unresolved:
    print('  ' + u)
errors += len(fc) + len(up) + len(inst) + len(unresolved)
sys.exit(1 if errors else 0)
