package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code measure hessian} on a tiny trained run: every part of the JSON, and bad options as one line. */
class MeasureHessianCommandTest {
    @TempDir
    static Path tmp;
    static Path runDir;

    @BeforeAll
    static void train() {
        String[] r = Cli.run("train", "--task", "parity", "--n", "4", "--d", "8", "--steps", "40", "--batch", "32", "--lr", "0.01",
                "--eval-every", "40", "--checkpoint-every", "40", "--log-every", "20", "--out", tmp.toString());
        assertEquals("0", r[0], r[1]);
        runDir = tmp.resolve("parity-n4-s0");
    }

    /** Runs the CLI and returns {exit code, stdout, stderr}. */
    private static String[] runCapturing(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] r = Cli.run(args);
            return new String[] {r[0], out.toString(StandardCharsets.UTF_8), r[1]};
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void jsonHasEveryPartAndItsProductsAddUp() throws Exception {
        String[] r = runCapturing("measure", "hessian", runDir.toString(), "--top", "2", "--trace", "--trace-products", "9", "--density",
                "--density-steps", "8", "--per-layer", "--power", "--repeats", "3", "--batch", "64", "--json");
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(r[1]);
        assertEquals(40, j.path("step").asLong());
        assertEquals("hessian", j.path("operator").asText());
        double top0 = j.path("top_eigenvalues").get(0).asDouble(), top1 = j.path("top_eigenvalues").get(1).asDouble();
        assertTrue(top0 >= top1 && top1 >= j.path("min_eigenvalue").asDouble(), j.toString());
        double trace = j.path("trace").asDouble();
        JsonNode p1 = j.path("p1");
        assertEquals(0.02 * 0.02 / 2 * trace, p1.path("trace_sharpness").asDouble(), 1e-12 * Math.abs(trace));
        assertTrue(Double.isFinite(p1.path("sharpness").asDouble(Double.NaN)));
        long layerProducts = 0;
        for (JsonNode layer : j.path("per_layer")) {
            // Cauchy interlacing: a diagonal block's top eigenvalue is at most the whole matrix's (Ritz values up to the tolerance)
            assertTrue(layer.path("top_eigenvalue").asDouble() <= top0 * (1 + 1e-3) + 1e-9, j.toString());
            layerProducts += layer.path("products").asLong();
        }
        assertEquals(4, j.path("per_layer").size()); // embedding, encoders.layers.0, encoders.layers.1, linear_head
        assertEquals(j.path("lanczos_steps").asLong() + j.path("power_products").asLong() + 9 + layerProducts + 8, j.path("hvps").asLong());
        JsonNode density = j.path("density");
        assertEquals(8, density.path("nodes").size());
        double mass = 0;
        for (JsonNode w : density.path("weights")) mass += w.asDouble();
        assertEquals(1, mass, 1e-9);
        assertTrue(Files.size(runDir.resolve("plots/hessian_density.png")) > 1000);
        assertTrue(Files.readString(runDir.resolve("plots/hessian_density.svg")).contains("<svg"));
    }

    @Test
    void theGaussNewtonMatrixHasNoNegativeEigenvalue() throws Exception {
        String[] r = runCapturing("measure", "hessian", runDir.toString(), "--gauss-newton", "--top", "1", "--min", "--params", "encoders.layers.1.**,linear_head.*",
                "--json");
        assertEquals("0", r[0], r[2]);
        JsonNode j = new ObjectMapper().readTree(r[1]);
        assertEquals("gauss-newton", j.path("operator").asText());
        assertTrue(j.path("min_eigenvalue").asDouble() > -1e-5 * j.path("top_eigenvalues").get(0).asDouble(), j.toString());
    }

    @Test
    void badOptionsAreOneLine() {
        String[] r = runCapturing("measure", "hessian", runDir.toString(), "--params", "decoder.**");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("no parameter matches 'decoder.**'") && r[2].lines().count() == 1, r[2]);
        r = runCapturing("measure", "hessian", runDir.toString(), "--trace", "--trace-products", "10");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("multiple of 3"), r[2]);
    }
}
