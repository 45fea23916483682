#!/usr/bin/env bash
# On the GPU machine: unpacks the carried JDK 25 runtime once and runs java with biaslab's jars (scripts/gpu/pack.sh).
# -cp-tests as the first argument adds the test classes and JUnit, for RunTests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jre="$HOME/.cache/biaslab-jre-$(cksum < "$here/jre.txz" | cut -d' ' -f1)"
[ -x "$jre/jre/bin/java" ] || { mkdir -p "$jre" && tar xJf "$here/jre.txz" -C "$jre"; }
cp="$here/lib/*"
if [ "${1:-}" = -cp-tests ]; then cp="$cp:$here/junit/*"; shift; fi
exec "$jre/jre/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:+ExplicitGCInvokesConcurrent \
  -cp "$cp" "$@"
