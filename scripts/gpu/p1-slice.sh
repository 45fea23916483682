#!/usr/bin/env bash
# On the GPU machine (after scripts/gpu/pack.sh here): runs a slice of `reproduce p1 --device cuda` for at most SECONDS
# into target/gpu/NAME (kept while the machine stays warm), then packs its results into $OUT/NAME.tgz: measured runs
# without their weights, runs not yet measured with their latest checkpoint. Again with the same arguments to resume
# (each run checkpoints every 1000 steps): on the same warm machine from target/gpu/NAME, on a fresh one from
# .device/NAME.tgz (copy an earlier NAME.tgz there and carry .device).
#   bash scripts/gpu/p1-slice.sh SECONDS NAME --experiments e1-short --functions parity --lengths 15,20 [--tf32]
# At home: mkdir -p runs/NAME && tar xzf NAME.tgz -C runs/NAME && ./biaslab reproduce p1 --experiments e1 --report-only --out runs/NAME
set -uo pipefail
limit=$1 name=$2; shift 2
[ ! -d "target/gpu/$name" ] && [ -f ".device/$name.tgz" ] && mkdir -p "target/gpu/$name" && tar xzf ".device/$name.tgz" -C "target/gpu/$name"
mkdir -p "target/gpu/$name"
timeout "$limit" bash .device/java.sh -Xmx24g org.biaslab.cli.Main reproduce p1 --device cuda --out "target/gpu/$name" "$@" > "target/gpu/$name.log" 2>&1
echo "$name: exit $? (124: stopped at ${limit} s; run again to resume)"
grep -v "incubator\|%.*\[" "target/gpu/$name.log" | tail -8
# Each run's small files, its `latest` and its checkpoint directories: what a resumed `reproduce` needs to see a
# measured run as trained and measured (about 4 kB a run). A run cut off before its measurement keeps its latest
# checkpoint's weights, so that a later slice measures (or trains on) from there instead of starting over, unless
# they would take the packed file past the 16 MB that comes back.
pack() { # $1: whether unmeasured runs keep their weights
  local excl; excl=$(mktemp)
  (cd "target/gpu/$name" && find . -name config.json -printf '%h\n') | while read -r run; do
    local dir="target/gpu/$name/$run" latest
    latest=$(cat "$dir/latest" 2>/dev/null)
    for c in "$dir"/ckpt-*; do
      [ -d "$c" ] || continue
      [ "$1" = yes ] && [ ! -f "$dir/measurements.json" ] && [ "$(basename "$c")" = "$latest" ] || echo "$run/$(basename "$c")/*.safetensors"
    done
  done > "$excl"
  tar czf "$OUT/$name.tgz" --exclude-from="$excl" --exclude=report.html --exclude=plots --exclude=tb -C "target/gpu/$name" .
  rm -f "$excl"
}
if [ -n "${OUT:-}" ]; then
  pack yes
  [ "$(stat -c %s "$OUT/$name.tgz")" -gt 15000000 ] && { echo "unmeasured runs' weights left out (over 15 MB)"; pack no; }
  cp "target/gpu/$name.log" "$OUT/" && ls -la "$OUT/$name.tgz"
fi
