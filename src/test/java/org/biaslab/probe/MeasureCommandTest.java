package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.cli.MeasureCommand;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code biaslab measure} on a run trained here (the command-line path end to end). */
class MeasureCommandTest {
    @TempDir
    static Path tmp;
    static Path run;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void train() throws Exception {
        RunConfig c = RunConfig.defaults().with(Map.of("task", "majority", "n", 5, "d", 16, "batch", 64, "steps", 40, "seed", 3,
                "maxLen", 8, "lr", 3e-3)).with(Map.of("logEvery", 20, "evalEvery", 40, "evalBatches", 1, "checkpointEvery", 40));
        RunDir dir = new RunDir(tmp.resolve("run"));
        dir.init(c);
        new Trainer(List.of(new Trainer.Run(c, dir)), null).run();
        run = dir.path();
    }

    /** Runs the command; returns [exit code, stdout, error message of a failure]. */
    static Object[] measure(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        String[] error = new String[1];
        CommandLine cmd = new CommandLine(new MeasureCommand()).setExecutionExceptionHandler((ex, c, parsed) -> {
            error[0] = ex.getMessage();
            return 2;
        });
        try {
            System.setOut(new PrintStream(buffer, true));
            int code = cmd.execute(args);
            return new Object[] {code, buffer.toString(), error[0]};
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void allWritesMeasurementsJsonWithP1sKeysAndSaneValues() throws Exception {
        Object[] r = measure("all", run.toString(), "--batches", "2", "--batch", "32", "--json");
        assertEquals(0, r[0], String.valueOf(r[2]));
        JsonNode printed = JSON.readTree((String) r[1]), file = JSON.readTree(run.resolve("measurements.json").toFile());
        assertEquals(printed, file);
        assertEquals(40, file.get("step").asInt());
        for (String k : List.of("loss", "accuracy", "sharpness", "sharpness_x4", "blowup_encoder_maxs_prod", "blowup_encoder_means_prod",
                "blowup_encoder_maxs_sum", "blowup_encoder_means_sum", "inv_std_encoder_0_ln1_max", "param_norm", "param_norm_x_blowup")) {
            assertTrue(file.has("measure/" + k), k);
            assertTrue(Double.isFinite(file.get("measure/" + k).asDouble()), k);
        }
        assertTrue(file.get("measure/blowup_encoder_maxs_prod").asDouble() > 0);
        assertEquals(4 * file.get("measure/sharpness").asDouble(), file.get("measure/sharpness_x4").asDouble(), 1e-12);
        double norm = ((Number) new RunDir(run).summary().get("param_norm")).doubleValue();
        assertEquals(norm, file.get("measure/param_norm").asDouble(), 1e-6 * norm, "the trainer's norm of the same checkpoint");
    }

    @Test
    void theSubcommandsPrintTheirQuantities() throws Exception {
        Object[] s = measure("sharpness", run.toString(), "--batches", "1", "--batch", "16", "--repeats", "3", "--json");
        assertTrue(JSON.readTree((String) s[1]).has("measure/sharpness_x4"));
        Object[] b = measure("blowup", run.toString(), "--batches", "1", "--batch", "16");
        assertTrue(((String) b[1]).contains("blowup_encoder_maxs_prod"), (String) b[1]);
        JsonNode norm = JSON.readTree((String) measure("norm", run.toString(), "--json")[1]);
        JsonNode all = JSON.readTree((String) measure("norm", run.toString(), "--exclude", "", "--json")[1]);
        assertTrue(all.get("measure/param_norm").asDouble() > norm.get("measure/param_norm").asDouble(), "positional embeddings add to the norm");
        JsonNode sens = JSON.readTree((String) measure("sensitivity", run.toString(), "--json")[1]);
        assertEquals(1.875, sens.get("measure/target_sensitivity").asDouble(), 1e-12, "MAJORITY at n = 5: 5·C(4,2)/16");
        double learned = sens.get("measure/learned_sensitivity").asDouble();
        assertTrue(learned >= 0 && learned <= 5, "as_n of a function on 5 bits: " + learned);
    }

    @Test
    void badInputIsOneClearMessageAndExitCode2() throws Exception {
        Object[] notRun = measure("norm", tmp.toString());
        assertEquals(2, notRun[0]);
        assertTrue(((String) notRun[2]).contains("is not a run directory"), (String) notRun[2]);
        Path fresh = tmp.resolve("untrained");
        new RunDir(fresh).init(RunConfig.defaults());
        Object[] noCheckpoint = measure("all", fresh.toString());
        assertEquals(2, noCheckpoint[0]);
        assertTrue(((String) noCheckpoint[2]).contains("has no checkpoint"), (String) noCheckpoint[2]);
        Object[] badRegex = measure("norm", run.toString(), "--exclude", "(");
        assertEquals(2, badRegex[0]);
        assertTrue(Files.exists(run), "nothing is removed");
    }
}
