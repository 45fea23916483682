package org.biaslab.bench;

/**
 * Runs the P1 step benchmarks outside JMH, for profiling (JFR) and quick checks: {@code torch|biaslab members
 * threads steps}; prints each step's time and the loss. Needs the fork's JVM flags ({@link Jvm}) on the command line.
 */
public final class P1StepMain {
    private P1StepMain() {}

    public static void main(String[] args) {
        String side = args[0];
        int members = Integer.parseInt(args[1]), threads = Integer.parseInt(args[2]), steps = Integer.parseInt(args[3]);
        java.util.function.DoubleSupplier step;
        if (side.equals("torch")) {
            TorchP1StepBench b = new TorchP1StepBench();
            b.threads = threads;
            b.qkv = System.getProperty("qkv", "split");
            b.setup();
            step = b::step;
        } else {
            P1StepBench b = new P1StepBench();
            b.threads = threads;
            b.members = members;
            b.setup();
            step = () -> b.step().item();
        }
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            double loss = step.getAsDouble();
            System.out.printf("step %d: %.1f ms, loss %.5f%n", i, (System.nanoTime() - t0) / 1e6, loss);
        }
    }
}
