package org.biaslab.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.biaslab.boolfn.FourierSpectrum;
import org.biaslab.boolfn.SensitivityProfile;
import org.biaslab.boolfn.Symmetric;
import org.biaslab.boolfn.TruthTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code biaslab bench boolfn}: exact average sensitivity of MAJORITY by bit flips and by Walsh–Hadamard, timed, with
 * the bytes each method allocates, the peak heap, and the error against the closed form n·C(n−1, ⌊n/2⌋)/2^(n−1).
 */
@Command(name = "boolfn", mixinStandardHelpOptions = true,
        description = "Time the exact average sensitivity of MAJORITY (bit flips, Walsh-Hadamard) and state the bytes used.")
final class BoolfnBenchCommand implements Callable<Integer> {
    @Option(names = "--n", split = ",", defaultValue = "26,30", description = "Input sizes. Default: ${DEFAULT-VALUE}.")
    int[] sizes;

    @Option(names = "--method", split = ",", defaultValue = "flips,wht", description = "flips and/or wht. Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--repeat", defaultValue = "3", description = "Timed runs per method; the first includes JIT warm-up. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) throw new IllegalArgumentException("--repeat " + repeat + " is below 1");
        for (String m : methods) if (!m.equals("flips") && !m.equals("wht")) throw new IllegalArgumentException("--method " + m + " is not flips or wht");
        Runtime rt = Runtime.getRuntime();
        System.out.printf("bench boolfn: exact average sensitivity of MAJORITY; %d cores, max heap %s, %s %s%n",
                rt.availableProcessors(), mib(rt.maxMemory()), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("%-4s %-15s %-34s %-20s %-9s %-18s %s%n",
                "n", "step", "seconds (best; all runs)", "as_n", "|error|", "allocated", "peak heap");
        for (int n : sizes) {
            if (n < 1 || n > FourierSpectrum.MAX_N) throw new IllegalArgumentException("--n " + n + " is outside 1.." + FourierSpectrum.MAX_N);
            double closedForm = closedForm(n);
            resetPeaks();
            long start = System.nanoTime();
            TruthTable table = TruthTable.of(Symmetric.majority(n));
            double tableSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-4d %-15s %-34s %-20s %-9s %-18s %s%n", n, "truth table", String.format("%.3f", tableSeconds),
                    "", "", mib(TruthTable.bytes(n)), mib(peakHeap()));
            for (String m : methods) {
                boolean flips = m.equals("flips");
                ToDoubleFunction<TruthTable> measure = flips
                        ? t -> SensitivityProfile.of(t).averageSensitivity()
                        : t -> FourierSpectrum.of(t, 0).averageSensitivity();
                double[] seconds = new double[repeat];
                double value = 0;
                long peak = 0;
                for (int r = 0; r < repeat; r++) {
                    resetPeaks();
                    long s = System.nanoTime();
                    value = measure.applyAsDouble(table);
                    seconds[r] = (System.nanoTime() - s) / 1e9;
                    peak = Math.max(peak, peakHeap());
                }
                String all = Arrays.stream(seconds).mapToObj(v -> String.format("%.3f", v)).reduce((a, b) -> a + " " + b).orElseThrow();
                System.out.printf("%-4d %-15s %-34s %-20.15g %-9.1e %-18s %s%n", n, flips ? "bit flips" : "Walsh-Hadamard",
                        String.format("%.3f; %s", Arrays.stream(seconds).min().orElseThrow(), all), value,
                        Math.abs(value - closedForm), mib(flips ? 0 : FourierSpectrum.bytes(n)) + " + table", mib(peak));
            }
        }
        return 0;
    }

    /** n·C(n−1, ⌊n/2⌋)/2^(n−1), P1 §3. */
    private static double closedForm(int n) {
        double c = 1;
        for (int j = 1; j <= n / 2; j++) c = c * (n - 1 - n / 2 + j) / j;
        return n * c / Math.scalb(1.0, n - 1);
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    private static void resetPeaks() {
        System.gc();
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of the heap pools' peaks since the last reset: an upper bound of the peak heap in use. */
    private static long peakHeap() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) (1L << 20));
    }
}
