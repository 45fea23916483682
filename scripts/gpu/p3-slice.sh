#!/usr/bin/env bash
# On the GPU machine (after scripts/gpu/pack.sh here): runs parts of `reproduce p3 --device cuda` for at most SECONDS,
# then packs the results without checkpoints into $OUT/p3.tgz. The KJV goes where P3 looks by default
# (~/.cache/biaslab/kjv/kjv.txt), so the runs' configs match a run of the other parts on the development machine.
#   bash scripts/gpu/p3-slice.sh SECONDS --tf32 --experiments lm      (again to resume; then --experiments grid)
# At home: tar xzf p3.tgz -C runs && ./biaslab reproduce p3 --experiments pretrained,homogeneity  (the page shows all parts)
set -uo pipefail
limit=$1; shift
kjv="$HOME/.cache/biaslab/kjv/kjv.txt"
[ -f "$kjv" ] || { mkdir -p "$(dirname "$kjv")" && gunzip -c .device/data/kjv.txt.gz > "$kjv"; }
mkdir -p target/gpu
timeout "$limit" bash .device/java.sh -Xmx32g org.biaslab.cli.Main reproduce p3 --device cuda --out target/gpu "$@" 2>&1 | tail -40
echo "exit ${PIPESTATUS[0]} (124: stopped at ${limit} s; run again to resume)"
[ -n "${OUT:-}" ] && tar czf "$OUT/p3.tgz" --exclude='*.safetensors' -C target/gpu p3 && ls -la "$OUT/p3.tgz"
