package org.biaslab.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a sweep worker in a JVM of its own, as this one was started: the same java, JVM
 * options and class path ({@code ./biaslab}'s jar, or the test classes), then {@code sweep worker SWEEP_DIR}. The
 * worker's GPU is chosen with {@code -Dbiaslab.cuda.device} (cudaSetDevice before CUDA starts in that process).
 */
final class WorkerProcess {
    private WorkerProcess() {}

    /** {@code java … org.biaslab.cli.Main sweep worker DIR --device cpu|cuda [more]}, on GPU {@code gpu} (null: the CPU). */
    static List<String> command(Path dir, Integer gpu, List<String> more) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Dbiaslab.cuda.device=") && !a.startsWith("-agentlib")) cmd.add(a);
        }
        if (gpu != null) cmd.add("-Dbiaslab.cuda.device=" + gpu);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "sweep", "worker",
                dir.toAbsolutePath().toString(), "--device", gpu == null ? "cpu" : "cuda"));
        cmd.addAll(more);
        return cmd;
    }
}
