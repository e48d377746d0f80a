#!/usr/bin/env bash
# tools/layers must reject an upward include, an include across rooms of one rank and Boost
# in a pure room, and accept a venue's simulator including the simulator's framework.
set -euo pipefail
layers=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d"/feeds/common "$d"/feeds/btse/sim "$d"/feeds/narkasa "$d"/src/sim "$d"/src/engine
touch "$d"/src/sim/x.hpp "$d"/feeds/narkasa/n.hpp
echo '#include "src/sim/x.hpp"' > "$d"/feeds/common/a.hpp
echo '#include "feeds/narkasa/n.hpp"' > "$d"/feeds/btse/b.cpp
echo '#include "src/sim/x.hpp"' > "$d"/feeds/btse/sim/s.cpp
echo '#include <boost/asio.hpp>' > "$d"/src/engine/e.hpp
rc=0
out=$("$layers" --root "$d") || rc=$?
expected='feeds/btse/b.cpp:1: feeds/btse (rank 2) includes feeds/narkasa/n.hpp, across to feeds/narkasa (rank 2)
feeds/common/a.hpp:1: feeds/common (rank 1) includes src/sim/x.hpp, up to src/sim (rank 6)
src/engine/e.hpp:1: src/engine is pure but includes <boost/asio.hpp>'
if [ "$rc" != 1 ] || [ "$out" != "$expected" ]; then
  echo "exit $rc, output:"; echo "$out"; echo "expected exit 1 and:"; echo "$expected"; exit 1
fi
echo "layers_catches: ok"
