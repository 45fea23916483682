package org.biaslab.io.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.biaslab.io.FormatException;
import org.biaslab.io.SafeTensorsDType;
import org.biaslab.io.SafeTensorsWriter;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {
    @TempDir
    Path dir;

    private static final float[] W = {1, 2, 3, 4, 5, 6}, B = {0.5f, -0.5f};

    /** A model with parameters w (2, 3) and b (2). */
    private static Map<String, Shape> model() {
        Map<String, Shape> m = new LinkedHashMap<>();
        m.put("w", Shape.of(2, 3));
        m.put("b", Shape.of(2));
        return m;
    }

    private Map<String, Tensor> select(Map<String, List<String>> aliases, Predicate<String> ignorable) throws Exception {
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            return c.select(model(), "transformer.", aliases, ignorable);
        }
    }

    private String error(Map<String, List<String>> aliases, Predicate<String> ignorable) {
        FormatException e = assertThrows(FormatException.class, () -> select(aliases, ignorable));
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }

    private void write(SafeTensorsWriter w) throws Exception {
        w.write(dir.resolve(HfCheckpoint.SINGLE));
    }

    @Test
    void readsParametersWithOrWithoutTheTaskModelsPrefix() throws Exception {
        write(new SafeTensorsWriter().add("transformer.w", W, 2, 3).add("b", B, 2));
        Map<String, Tensor> t = select(Map.of(), n -> false);
        assertArrayEquals(W, t.get("w").toFloatArray());
        assertArrayEquals(new int[] {2, 3}, t.get("w").shape().dims());
        assertArrayEquals(B, t.get("b").toFloatArray());
    }

    @Test
    void shapeMismatchNamesTheTensorAndBothShapes() throws Exception {
        write(new SafeTensorsWriter().add("w", W, 3, 2).add("b", B, 2));
        String m = error(Map.of(), n -> false);
        assertTrue(m.startsWith(dir.resolve(HfCheckpoint.SINGLE).toString()), m);
        assertTrue(m.endsWith("tensor 'w' has shape [3, 2], the config asks for [2, 3]"), m);
    }

    @Test
    void missingAndUnexpectedTensorsAreListed() throws Exception {
        write(new SafeTensorsWriter().add("w", W, 2, 3).add("pooler.dense.weight", B, 2));
        String m = error(Map.of(), n -> false);
        assertTrue(m.startsWith(dir.toString()) && m.endsWith("no tensor for 1 of the model's 2 parameters: b"), m);
        write(new SafeTensorsWriter().add("w", W, 2, 3).add("b", B, 2).add("pooler.dense.weight", B, 2).add("extra", B, 2));
        m = error(Map.of(), n -> false);
        assertTrue(m.endsWith("2 unexpected tensors (not parameters of the configured model): extra, pooler.dense.weight"), m);
        assertEquals(2, select(Map.of(), n -> n.startsWith("pooler.") || n.equals("extra")).size()); // ignorable: skipped
    }

    @Test
    void anAliasStandsInOnlyForAMissingParameter() throws Exception {
        float[] other = {9, 9, 9, 9, 9, 9};
        write(new SafeTensorsWriter().add("lm_head.weight", W, 2, 3).add("b", B, 2));
        assertArrayEquals(W, select(Map.of("w", List.of("lm_head.weight")), n -> false).get("w").toFloatArray());
        write(new SafeTensorsWriter().add("lm_head.weight", other, 2, 3).add("w", W, 2, 3).add("b", B, 2));
        assertArrayEquals(W, select(Map.of("w", List.of("lm_head.weight")), n -> false).get("w").toFloatArray());
    }

    @Test
    void halfPrecisionTensorsWidenToFloat32() throws Exception {
        float[] w = {1, -2, 0.5f, 65504, 0.099975586f, -0.25f}; // all exact in F16
        write(new SafeTensorsWriter().add("w", SafeTensorsDType.F16, new long[] {2, 3}, halfBits(w, false))
                .add("b", SafeTensorsDType.BF16, new long[] {2}, halfBits(B, true)));
        Map<String, Tensor> t = select(Map.of(), n -> false);
        assertArrayEquals(w, t.get("w").toFloatArray());
        assertArrayEquals(B, t.get("b").toFloatArray());
    }

    @Test
    void integerTensorsAreNotParameters() throws Exception {
        write(new SafeTensorsWriter().add("w", new long[] {1, 2, 3, 4, 5, 6}, 2, 3).add("b", B, 2));
        assertTrue(error(Map.of(), n -> false).endsWith("tensor 'w' has dtype I64; a parameter needs F32, F16, BF16 or F64"));
    }

    @Test
    void shardedCheckpointsReadTheIndexsWeightMap() throws Exception {
        new SafeTensorsWriter().add("transformer.w", W, 2, 3).write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafeTensorsWriter().add("b", B, 2).write(dir.resolve("model-00002-of-00002.safetensors"));
        Path index = dir.resolve(HfCheckpoint.INDEX);
        Files.writeString(index, "{\"metadata\": {\"total_size\": 32}, \"weight_map\": {\"transformer.w\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
        Map<String, Tensor> t = select(Map.of(), n -> false);
        assertArrayEquals(W, t.get("w").toFloatArray());
        assertArrayEquals(B, t.get("b").toFloatArray());

        Files.writeString(index, "{\"weight_map\": {\"transformer.w\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\"}}");
        String m = assertThrows(FormatException.class, () -> HfCheckpoint.open(dir)).getMessage();
        assertTrue(m.endsWith("model-00001-of-00002.safetensors: has no tensor 'b', which model.safetensors.index.json places there"), m);
        Files.writeString(index, "{\"weight_map\": {\"b\": \"model-00003-of-00002.safetensors\"}}");
        m = assertThrows(FormatException.class, () -> HfCheckpoint.open(dir)).getMessage();
        assertTrue(m.startsWith(index.toString()) && m.contains("tensor 'b' maps to \"model-00003-of-00002.safetensors\", not a file in"), m);
        Files.writeString(index, "{\"metadata\": {}}");
        assertTrue(assertThrows(FormatException.class, () -> HfCheckpoint.open(dir)).getMessage().endsWith("no \"weight_map\" object of tensor names to shard files"));
    }

    @Test
    void anEmptyDirectoryIsNotACheckpoint() {
        String m = assertThrows(FormatException.class, () -> HfCheckpoint.open(dir)).getMessage();
        assertEquals(dir + ": no model.safetensors and no model.safetensors.index.json", m);
    }

    /** Little-endian F16 (or BF16: the top half of the float32 bits) encodings of {@code values}. */
    private static MemorySegment halfBits(float[] values, boolean bf16) {
        MemorySegment s = Arena.ofAuto().allocate(2L * values.length);
        for (int i = 0; i < values.length; i++) {
            short bits = bf16 ? (short) (Float.floatToIntBits(values[i]) >>> 16) : Float.floatToFloat16(values[i]);
            s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, bits);
        }
        return s;
    }
}
