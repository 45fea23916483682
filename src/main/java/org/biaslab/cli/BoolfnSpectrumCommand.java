package org.biaslab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.boolfn.FourierSpectrum;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.boolfn.RealFunction;
import org.biaslab.boolfn.TruthTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code biaslab boolfn spectrum}: the Fourier weight by degree and the largest coefficients. */
@Command(name = "spectrum", mixinStandardHelpOptions = true,
        description = {"Fourier spectrum of g = 2f - 1 by Walsh-Hadamard transform: weight W_k by degree, Parseval "
                + "sum, as_n = sum k W_k, and the largest coefficients.",
                "Boolean n <= 30 (4*2^n bytes), real-valued n <= 26 (8*2^n bytes)."})
final class BoolfnSpectrumCommand implements Callable<Integer> {
    @Mixin
    BoolfnCommand.Input input;

    @Option(names = "--top", paramLabel = "K", defaultValue = "10", description = "Largest coefficients to list. Default: ${DEFAULT-VALUE}.")
    int top;

    /** One coefficient ĝ(S), with S as 1-based coordinates. */
    record Coefficient(int[] set, double value) {}

    record Spectrum(String function, int n, double[] weightByDegree, double totalWeight, double averageSensitivity,
                    List<Coefficient> largest, double seconds) {}

    @Override
    public Integer call() throws Exception {
        List<Spectrum> results = new ArrayList<>();
        for (FunctionCatalog.Named named : input.functions()) {
            long start = System.nanoTime();
            RealFunction f = named.function();
            FourierSpectrum s = f instanceof BooleanFunction b
                    ? FourierSpectrum.of(TruthTable.of(b), top) : FourierSpectrum.of(f, top);
            results.add(new Spectrum(named.name(), s.n(), s.weightByDegree(), s.totalWeight(), s.averageSensitivity(),
                    s.largest().stream().map(c -> new Coefficient(c.coordinates(s.n()), c.value())).toList(),
                    (System.nanoTime() - start) / 1e9));
        }
        if (input.json) BoolfnCommand.printJson(results);
        else results.forEach(BoolfnSpectrumCommand::print);
        return 0;
    }

    private static void print(Spectrum s) {
        System.out.printf("%s, n = %d: Walsh-Hadamard, %.3f s%n", s.function(), s.n(), s.seconds());
        System.out.println("  degree k  weight W_k          cumulative");
        double cumulative = 0;
        for (int k = 0; k <= s.n(); k++) {
            cumulative += s.weightByDegree()[k];
            System.out.printf("  %-9d %-18s %s%n", k, BoolfnCommand.number(s.weightByDegree()[k]), BoolfnCommand.number(cumulative));
        }
        System.out.println("  Parseval  sum_S ghat(S)^2 = " + BoolfnCommand.number(s.totalWeight()));
        System.out.println("  as_n(f) = sum_k k W_k  = " + BoolfnCommand.number(s.averageSensitivity()));
        if (!s.largest().isEmpty()) {
            System.out.println("  largest coefficients ghat(S), S");
            for (Coefficient c : s.largest()) System.out.printf("  %-16s %s%n", BoolfnCommand.number(c.value()), set(c.set()));
        }
    }

    private static String set(int[] coordinates) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < coordinates.length; i++) b.append(i == 0 ? "" : ",").append(coordinates[i]);
        return b.append('}').toString();
    }
}
