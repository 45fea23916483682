#!/usr/bin/env bash
# Prepares a Spark sweep for the GPU machine of the device tool, whose carry takes at most 64 MiB per call: the shaded
# biaslab-spark.jar and the Spark jars a local-mode sweep loads (spark/target/spark-lib without RocksDB, ICU, LevelDB,
# ZooKeeper/Curator, Tink, scala-reflect and the other platforms' native SSL: 118 of 214 MB; a local[2] sweep runs with
# them, tried on the CPU) in three folders of under 60 MB, carried one per call while the machine stays warm (it keeps
# what was carried; its idle release is 30 s):
#   run(carry [".device"], ...), run(carry ["target/sd/a"], ...), run(carry ["target/sd/b"], ...),
#   run(carry ["target/sd/c"], "bash target/sd/a/spark.sh SWEEP.yaml --dir DIR --master local[2] --device cuda")
# Usage, from the project root after scripts/gpu/pack.sh: scripts/gpu/spark-pack.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
source .ci/jdk25.sh
mvn -B -ntp -q -o install -DskipTests
mvn -B -ntp -q -o -f spark/pom.xml package -DskipTests
out=target/sd
rm -rf "$out" && mkdir -p "$out/a" "$out/b" "$out/c"
cp spark/target/biaslab-spark.jar spark/target/classes/org/biaslab/spark/jvm.flags "$out/a/"
b=0 c=0 # largest first, each jar to the lighter folder
for j in $(ls -S spark/target/spark-lib); do
  case $j in rocksdbjni-*|icu4j-*|leveldbjni-*|curator-*|zookeeper-*|scala-reflect-*|tink-*|netty-tcnative-*aarch_64*|netty-tcnative-*osx*|netty-tcnative-*windows*) continue ;; esac
  size=$(stat -c %s "spark/target/spark-lib/$j")
  if [ "$b" -le "$c" ]; then cp "spark/target/spark-lib/$j" "$out/b/"; b=$((b + size)); else cp "spark/target/spark-lib/$j" "$out/c/"; c=$((c + size)); fi
done
cat > "$out/a/spark.sh" <<'SH'
#!/usr/bin/env bash
# On the GPU machine: SparkSweep with the carried runtime (.device/jre.txz), the shaded jar and the Spark jars.
set -euo pipefail
jre="$HOME/.cache/biaslab-jre-$(cksum < .device/jre.txz | cut -d' ' -f1)"
[ -x "$jre/jre/bin/java" ] || { mkdir -p "$jre" && tar xJf .device/jre.txz -C "$jre"; }
read -r -a flags < target/sd/a/jvm.flags
export SPARK_LOCAL_IP=127.0.0.1
exec "$jre/jre/bin/java" -XX:+ExplicitGCInvokesConcurrent "${flags[@]}" \
  -cp "target/sd/a/biaslab-spark.jar:target/sd/b/*:target/sd/c/*" org.biaslab.spark.SparkSweep "$@"
SH
chmod +x "$out/a/spark.sh"
du -sh "$out"/* | awk '{print "packed " $2 ": " $1}'
