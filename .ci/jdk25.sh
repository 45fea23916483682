# Sourced by ./biaslab and .ci/run: selects JDK 25 (JAVA_HOME if it is 25, else /usr/lib/jvm/*25*) or says what to install.
_is25() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | head -1 | grep -qE '"25([."]|$)'; }
if [ -z "${JAVA_HOME:-}" ] || ! _is25 "$JAVA_HOME"; then
  JAVA_HOME=""
  for d in /usr/lib/jvm/*25* /opt/java/*25* "$HOME"/.sdkman/candidates/java/25*; do
    if _is25 "$d"; then JAVA_HOME="$d"; break; fi
  done
  if [ -z "$JAVA_HOME" ]; then
    echo "biaslab needs JDK 25: install one (e.g. Eclipse Temurin 25) and set JAVA_HOME to it" >&2
    exit 1
  fi
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
command -v mvn >/dev/null || { echo "biaslab needs Apache Maven 3.8+ on PATH (e.g. apt-get install maven)" >&2; exit 1; }
# Maven 3.8/3.9's Guava calls sun.misc.Unsafe, which JDK 25 warns about on every build; the flag exists only on 24+
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
