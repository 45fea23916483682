package org.biaslab.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import org.biaslab.boolfn.FunctionCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code biaslab boolfn}: analysis of Boolean functions (docs/boolfn.md). */
@Command(name = "boolfn", mixinStandardHelpOptions = true,
        description = "Sensitivity, influences and Fourier spectra of Boolean functions (docs/boolfn.md).",
        subcommands = {BoolfnCommand.ListKinds.class, BoolfnSensitivityCommand.class, BoolfnSpectrumCommand.class})
public final class BoolfnCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** {@code biaslab boolfn list}: the functions and how to name them. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the functions FUNCTION may name.")
    static final class ListKinds implements Runnable {
        @Override
        public void run() {
            for (FunctionCatalog.Kind k : FunctionCatalog.KINDS) System.out.printf("%-24s %s%n", k.syntax(), k.description());
        }
    }

    /** The function and output options shared by the analysis subcommands. */
    static final class Input {
        @Parameters(index = "0", paramLabel = "FUNCTION", description = "A function, e.g. majority, random:42, file:t.npy (see 'boolfn list').")
        String function;

        @Option(names = "--n", paramLabel = "N", description = "Number of input bits (a file: optional, taken from the file).")
        Integer n;

        @Option(names = "--json", description = "Write JSON instead of a table.")
        boolean json;

        List<FunctionCatalog.Named> functions() {
            return FunctionCatalog.parse(function, n);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    /** v to 12 significant digits without trailing zeros: 1.875, 10, 2.5E-7. */
    static String number(double v) {
        BigDecimal d = new BigDecimal(v).round(new MathContext(12)).stripTrailingZeros();
        return v == 0 || (Math.abs(v) >= 1e-6 && Math.abs(v) < 1e12) ? d.toPlainString() : d.toString();
    }

    /** Prints one JSON object per function, or a JSON array of them when the spec names several. */
    static void printJson(List<?> results) throws Exception {
        System.out.println(JSON.writeValueAsString(results.size() == 1 ? results.getFirst() : results));
    }
}
