#!/usr/bin/env bash
# On the GPU machine: unpacks the carried JDK 25 runtime once and runs java with biaslab's jars (scripts/gpu/pack.sh).
# -cp-tests as the first argument adds the test classes and JUnit, for RunTests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jre="$HOME/.cache/biaslab-jre-$(cksum < "$here/jre.txz" | cut -d' ' -f1)"
# Several jobs started at once must not unpack over one another (a JVM whose libjvm.so is rewritten under it dies of
# SIGBUS): the first unpacks into a fresh directory under a lock and moves it into place; the others wait for it.
if [ ! -x "$jre/jre/bin/java" ]; then
  mkdir -p "$jre"
  exec 9>"$jre.lock"
  flock 9
  if [ ! -x "$jre/jre/bin/java" ]; then
    tmp=$(mktemp -d "$jre/unpack.XXXXXX")
    tar xJf "$here/jre.txz" -C "$tmp" && mv "$tmp/jre" "$jre/jre" && rmdir "$tmp"
  fi
  flock -u 9
  exec 9>&-
fi
cp="$here/lib/*"
if [ "${1:-}" = -cp-tests ]; then cp="$cp:$here/junit/*"; shift; fi
exec "$jre/jre/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:+ExplicitGCInvokesConcurrent \
  -cp "$cp" "$@"
