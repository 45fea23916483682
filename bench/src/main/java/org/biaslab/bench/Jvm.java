package org.biaslab.bench;

/** Flags every benchmark fork needs: the engine's kernels use the incubating Vector API, and FFM for native code. */
final class Jvm {
    static final String VECTOR = "--add-modules=jdk.incubator.vector";
    static final String NATIVE = "--enable-native-access=ALL-UNNAMED";

    private Jvm() {}

    /**
     * Sets {@code -Dbiaslab.threads} for this fork. The engine reads it once, when it first runs a parallel loop,
     * so this must come before any tensor op; JMH forks a fresh JVM per parameter value, which makes that so.
     */
    static void useThreads(int threads) {
        String wanted = Integer.toString(threads), set = System.getProperty("biaslab.threads");
        if (set != null && !set.equals(wanted)) {
            throw new IllegalStateException("biaslab.threads is already " + set + " in this JVM: use -f 1 or more");
        }
        System.setProperty("biaslab.threads", wanted);
    }
}
