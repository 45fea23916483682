#!/usr/bin/env bash
# Prepares .device/ (ignored by git) for the GPU machine of the device tool: an xz-packed JDK 25 runtime with the
# modules biaslab needs (plus JFR for profiles, and the security modules that Spark's Hadoop classes load), the jar and
# its dependencies (without the 19 MB tokenizers jar, which no GPU job needs, and ZRender's 1 MB WebJar, which the ECharts file bundles), the test classes with a small JUnit
# runner, the KJV (gzipped) when it is in ~/.cache/biaslab, and
# java.sh. Then, with the device tool's carry [".device"]:
#   bash .device/java.sh org.biaslab.cli.Main reproduce p3 --device cuda ...            (the CLI)
#   bash .device/java.sh -cp-tests RunTests org.biaslab.tensor.CudaBackendTest           (tests)
# Usage, from the project root: scripts/gpu/pack.sh   (builds the jar and test classes first)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
source .ci/jdk25.sh
out=.device
mkdir -p "$out/lib" "$out/junit" "$out/data"
mvn -B -ntp -q -o test-compile package -DskipTests
mvn -B -ntp -q -o dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/testlib
if [ ! -f "$out/jre.txz" ]; then
  tmp=$(mktemp -d)
  "$JAVA_HOME/bin/jlink" --add-modules java.base,java.compiler,java.desktop,java.management,java.sql,java.logging,java.naming,jdk.incubator.vector,jdk.unsupported,jdk.management,jdk.jfr,jdk.management.jfr,java.security.jgss,jdk.security.auth,java.scripting,java.net.http,java.instrument,java.security.sasl,jdk.security.jgss,jdk.naming.dns,jdk.zipfs \
    --strip-debug --no-header-files --no-man-pages --output "$tmp/jre" 2>/dev/null
  tar cJf "$out/jre.txz" -C "$tmp" jre
  rm -rf "$tmp"
fi
rm -f "$out"/lib/*.jar "$out"/junit/*.jar
cp target/biaslab.jar "$out/lib/"
for j in target/lib/*.jar; do [[ $j == *tokenizers-* || $j == *zrender-* ]] || cp "$j" "$out/lib/"; done
# the reports inline ECharts' one minified file: the rest of its 9 MB WebJar stays home, leaving room in the device
# tool's 64 MiB for packed runs to resume
for j in "$out"/lib/echarts-*.jar; do
  tmp=$(mktemp -d)
  (cd "$tmp" && unzip -q "$root/$j" 'META-INF/resources/webjars/echarts/*/dist/echarts.min.js' && "$JAVA_HOME/bin/jar" cf slim.jar META-INF)
  mv "$tmp/slim.jar" "$j"
  rm -rf "$tmp"
done
launcher=$(ls ~/.m2/repository/org/junit/platform/junit-platform-launcher/1.14.1/junit-platform-launcher-1.14.1.jar 2>/dev/null \
  || { mvn -B -ntp -q dependency:get -Dartifact=org.junit.platform:junit-platform-launcher:1.14.1 >&2
       ls ~/.m2/repository/org/junit/platform/junit-platform-launcher/1.14.1/junit-platform-launcher-1.14.1.jar; })
cp target/testlib/junit-*.jar target/testlib/opentest4j-*.jar target/testlib/apiguardian-*.jar "$out/junit/"
[ -f "$out/junit/$(basename "$launcher")" ] || cp "$launcher" "$out/junit/"
tmp=$(mktemp -d)
"$JAVA_HOME/bin/javac" -d "$tmp" -cp "$out/junit/*" scripts/gpu/RunTests.java
"$JAVA_HOME/bin/jar" cf "$out/junit/runtests.jar" -C "$tmp" .
"$JAVA_HOME/bin/jar" cf "$out/junit/biaslab-tests.jar" -C target/test-classes .
rm -rf "$tmp"
kjv="$HOME/.cache/biaslab/kjv/kjv.txt"
[ -f "$kjv" ] && [ ! -f "$out/data/kjv.txt.gz" ] && gzip -c "$kjv" > "$out/data/kjv.txt.gz"
cp scripts/gpu/java.sh "$out/java.sh"
du -sh "$out" | awk '{print "packed .device: " $1 " (the device tool carries at most 64 MiB with the working tree)"}'
