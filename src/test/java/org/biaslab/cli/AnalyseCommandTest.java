package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.biaslab.io.TensorFile;
import org.biaslab.nn.bert.LangChain4jModels;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code biaslab analyse} end to end on all-MiniLM-L6-v2 (from its langchain4j jar), and its bad-input lines. */
class AnalyseCommandTest {
    @TempDir
    Path tmp;

    /** Runs the command line; returns [exit code, stdout, stderr]. */
    static Object[] analyse(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(buffer, true));
            int code = Main.commandLine().setErr(new PrintWriter(err, true)).execute(args);
            return new Object[] {code, buffer.toString(), err.toString()};
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void reportsNormsAndDumpsHiddenStatesAndAttention() throws Exception {
        Path onnx = LangChain4jModels.extracted("all-minilm-l6-v2.onnx").onnx();
        Path texts = Files.writeString(tmp.resolve("texts.txt"), "Hello, my dog is cute\n\nThe quick brown fox jumps over the lazy dog.\n");
        Object[] r = analyse("analyse", onnx.toString(), "--file", texts.toString(), "--dump", tmp.resolve("dump").toString(), "--json");
        assertEquals(0, r[0], (String) r[2]);
        JsonNode j = new ObjectMapper().readTree((String) r[1]);
        assertEquals("bert", j.get("architecture").asText());
        assertEquals(6, j.get("layers").asInt());
        // HF's count for all-MiniLM-L6-v2 is 22,713,216 with the pooler, which the ONNX export and biaslab leave out
        assertEquals(22_713_216 - (384 * 384 + 384), j.get("parameters").asLong());
        long sum = 0;
        for (JsonNode g : j.get("parameter_norms")) sum += g.get("parameters").asLong();
        assertEquals(j.get("parameters").asLong(), sum, "the groups partition the parameters");
        assertEquals("encoder.layer.5", j.get("parameter_norms").get(9).get("group").asText());

        Map<String, Tensor> dump = TensorFile.load(tmp.resolve("dump/activations.safetensors")).tensors();
        int tokens = dump.get("input_ids").dim(1);
        assertEquals(List.of(2, tokens), List.of(dump.get("attention_mask").dim(0), dump.get("attention_mask").dim(1)));
        int[] mask = dump.get("attention_mask").toIntArray();
        for (int i = 0; i <= 6; i++) {
            Tensor h = dump.get("hidden." + i);
            assertEquals(List.of(2, tokens, 384), dims(h));
            // the printed mean norm is the mean of ‖h‖ over real tokens of the dumped state
            double[] v = h.toDoubleArray();
            double total = 0;
            int n = 0;
            for (int t = 0; t < 2 * tokens; t++) {
                if (mask[t] == 0) continue;
                double sq = 0;
                for (int k = 0; k < 384; k++) sq += v[t * 384 + k] * v[t * 384 + k];
                total += Math.sqrt(sq);
                n++;
            }
            assertEquals(total / n, j.get("hidden_states").get(i).get("mean_norm").asDouble(), 1e-4 * total / n);
        }
        for (int l = 0; l < 6; l++) {
            double[] p = dump.get("attention." + l).toDoubleArray(); // (B, H, T, T) rows sum to 1
            assertEquals(2 * 12 * tokens * tokens, p.length);
            for (int row = 0; row < p.length / tokens; row++) {
                double s = 0;
                for (int k = 0; k < tokens; k++) s += p[row * tokens + k];
                assertEquals(1, s, 1e-5);
            }
        }
        assertTrue(dump.containsKey("attention.5") && !dump.containsKey("attention.6"));
    }

    @Test
    void aCheckpointDirectoryAndItsRandomCopy() throws Exception {
        String dir = "src/test/resources/hf/bert"; // HF BertModel: d 32, 2 layers, ffn 37, vocab 99, 64 positions
        Object[] table = analyse("analyse", dir);
        assertEquals(0, table[0], (String) table[2]);
        long count = 99 * 32 + 64 * 32 + 2 * 32 + 2 * 32 + 2 * (4 * (32 * 32 + 32) + 2 * 37 * 32 + 37 + 32 + 4 * 32);
        assertTrue(((String) table[1]).startsWith(dir + ": bert, 2 layers, " + String.format("%,d", count) + " parameters\n"), (String) table[1]);

        Object[] r = analyse("analyse", dir, "--random-init", "3", "--json");
        assertEquals(0, r[0], (String) r[2]);
        JsonNode j = new ObjectMapper().readTree((String) r[1]);
        assertEquals(3, j.get("random_init_seed").asInt());
        assertEquals(count, j.get("parameters").asLong());
        // HF's init: the word table N(0, 0.02²) but its [PAD] row; a layer's weights N(0, 0.02²), LayerNorm γ = 1
        JsonNode word = j.get("parameter_norms").get(0);
        assertEquals("embeddings.word_embeddings", word.get("group").asText());
        assertEquals(0.02 * Math.sqrt(98 * 32), word.get("norm").asDouble(), 0.02 * Math.sqrt(98 * 32) * 0.05);
        JsonNode layer = j.get("parameter_norms").get(4);
        assertEquals("encoder.layer.0", layer.get("group").asText());
        double weights = 4 * 32 * 32 + 2 * 37 * 32, gammas = 2 * 32;
        assertEquals(Math.sqrt(0.02 * 0.02 * weights + gammas), layer.get("norm").asDouble(), 0.01);
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        assertBad("no model 'bert-huge': not a file, a directory, or one of all-minilm-l6-v2, bge-small-en-v15, e5-small-v2", "analyse", "bert-huge");
        Path notOnnx = Files.writeString(tmp.resolve("weights.bin"), "x");
        assertBad(notOnnx + ": not an .onnx file or a checkpoint directory", "analyse", notOnnx.toString());
        Path corrupt = Files.write(tmp.resolve("corrupt.onnx"), new byte[] {0x3a, (byte) 0xff, 0x7f});
        assertBad(corrupt + ": not an ONNX model, or a truncated or corrupt one (protobuf: ", "analyse", corrupt.toString());
        assertBad("--dump needs an input: --text, --file, --ids or --image", "analyse", "all-minilm-l6-v2", "--dump", tmp.toString());
        assertBad("give --text or --file, not both", "analyse", "x.onnx", "--text", "a", "--file", "b");
    }

    private static void assertBad(String expected, String... args) {
        Object[] r = analyse(args);
        String err = ((String) r[2]).strip();
        assertEquals(2, r[0], err);
        assertTrue(err.startsWith("biaslab analyse: " + expected) && !err.contains("\n"), err);
    }

    private static List<Integer> dims(Tensor t) {
        return java.util.Arrays.stream(t.shape().dims()).boxed().toList();
    }
}
