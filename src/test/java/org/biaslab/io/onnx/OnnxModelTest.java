package org.biaslab.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.biaslab.io.FormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX reader on files written field by field with onnx.proto3's numbers, whole, truncated and corrupt. */
class OnnxModelTest {
    @TempDir
    Path dir;

    static final float[] W = {1.5f, -2f, 0.25f, 3e-8f, -0f, 7f};

    /** A MatMul of input x by a raw float32 initializer W (2, 3), plus typed initializers and a Constant node. */
    static byte[] model() {
        ByteBuffer raw = ByteBuffer.allocate(4 * W.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float w : W) raw.putFloat(w);
        Proto graph = new Proto()
                .message(1, new Proto().string(3, "/encoder/layer.0/attention/self/query/MatMul").string(4, "MatMul")
                        .string(1, "x").string(1, "W").string(2, "y"))
                .message(1, new Proto().string(3, "/c").string(4, "Constant").string(2, "c")
                        .message(5, new Proto().string(1, "value").message(5, new Proto().varint(2, OnnxTensor.INT64).packed(1, 4L).packed(7, 1, 1, 12, 32)))
                        .message(5, new Proto().string(1, "epsilon").fixed32(2, 1e-12f))
                        .message(5, new Proto().string(1, "axis").varint(3, -1))
                        .message(5, new Proto().string(1, "approximate").string(4, "tanh"))
                        .message(5, new Proto().string(1, "perm").varint(8, 0).varint(8, 2).varint(8, 1)))
                .string(2, "the graph's name, skipped")
                .message(5, new Proto().varint(1, 2).varint(1, 3).varint(2, OnnxTensor.FLOAT).string(8, "W").bytes(9, raw.array()))
                .message(5, new Proto().packed(1, 3L).varint(2, OnnxTensor.FLOAT).string(8, "typed").packed(4, 1f, 2f, 3f))
                .message(5, new Proto().varint(1, 2).varint(2, OnnxTensor.INT64).string(8, "ints").varint(7, -5).varint(7, 1L << 40))
                .message(11, new Proto().string(1, "x").message(2, new Proto().varint(1, 1)))
                .message(12, new Proto().string(1, "y"));
        return new Proto().varint(1, 9).string(2, "pytorch").message(7, graph).build();
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("model.onnx"), bytes);
    }

    @Test
    void readsNodesAttributesInitializersAndValues() throws IOException {
        OnnxModel m = OnnxModel.read(write(model()));
        assertEquals(List.of("x"), m.inputs());
        assertEquals(List.of("y"), m.outputs());
        assertEquals(2, m.nodes().size());
        OnnxNode mm = m.nodes().getFirst();
        assertEquals("MatMul", mm.opType());
        assertEquals(List.of("x", "W"), mm.inputs());
        assertEquals(List.of("y"), mm.outputs());
        assertEquals(mm, m.producer("y"));
        assertEquals(List.of(mm), m.consumers("W"));

        OnnxNode c = m.nodes().get(1);
        assertArrayEquals(new long[] {1, 1, 12, 32}, m.constant("c").toLongArray());
        assertEquals(1e-12f, c.attribute("epsilon").f());
        assertEquals(-1, c.attribute("axis").i());
        assertEquals("tanh", c.attribute("approximate").s());
        assertArrayEquals(new long[] {0, 2, 1}, c.attribute("perm").ints(), "unpacked repeated ints");
        assertNull(m.constant("x"), "a graph input is no constant");

        OnnxTensor w = m.initializers().get("W");
        assertArrayEquals(new long[] {2, 3}, w.dims());
        assertArrayEquals(W, w.toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3}, m.initializers().get("typed").toFloatArray());
        assertArrayEquals(new long[] {-5, 1L << 40}, m.initializers().get("ints").toLongArray());
    }

    @Test
    void everyTruncationIsOneLineNamingTheFile() throws IOException {
        byte[] whole = model();
        for (int n = 0; n < whole.length; n++) {
            Path p = write(Arrays.copyOf(whole, n));
            FormatException e = assertThrows(FormatException.class, () -> OnnxModel.read(p), "prefix of " + n + " bytes");
            assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void corruptFilesAreFormatErrors() throws IOException {
        assertProblem(new byte[] {(byte) 0x3f}, "corrupt");                  // field 7 with the invalid wire type 7
        assertProblem(new byte[] {0x3a, (byte) 0xff, 0x7f, 0x00}, "truncated"); // graph of 16383 bytes, 1 present
        assertProblem(new Proto().varint(1, 9).build(), "no graph");
        assertProblem("not protobuf at all, just text".getBytes(), "");
    }

    @Test
    void dataThatDoesNotFillItsShapeIsAnError() throws IOException {
        byte[] shortRaw = tensorModel(new Proto().varint(1, 2).varint(1, 3).varint(2, OnnxTensor.FLOAT).string(8, "W").bytes(9, new byte[20]));
        assertProblem(shortRaw, "tensor 'W' has 20 bytes of raw_data, its shape [2, 3] needs 24");
        byte[] fewTyped = tensorModel(new Proto().packed(1, 4L).varint(2, OnnxTensor.INT64).string(8, "I").packed(7, 1L, 2L));
        assertProblem(fewTyped, "tensor 'I' has 2 typed values, its shape [4] needs 4");
        byte[] external = tensorModel(new Proto().packed(1, 4L).varint(2, OnnxTensor.FLOAT).string(8, "E").varint(14, 1));
        assertProblem(external, "external file");
    }

    @Test
    void aZeroElementTensorWhoseOtherDimensionsOverflowHasNoElements() throws IOException {
        // as a campaign's finding (rank 130: 8, 4, 101, …, then zeros): a valid empty shape whose size overflowed a long
        long big = Integer.MAX_VALUE;
        Path p = write(tensorModel(new Proto().packed(1, big, big, big, 0L).varint(2, OnnxTensor.FLOAT).string(8, "Z").bytes(9, new byte[0])));
        OnnxTensor z = OnnxModel.read(p).initializers().get("Z");
        assertEquals(0, z.size());
        assertEquals(0, z.toFloatArray().length);
    }

    private static byte[] tensorModel(Proto tensor) {
        return new Proto().message(7, new Proto().message(5, tensor)).build();
    }

    private void assertProblem(byte[] bytes, String expected) throws IOException {
        Path p = write(bytes);
        FormatException e = assertThrows(FormatException.class, () -> OnnxModel.read(p));
        assertTrue(e.getMessage().startsWith(p + ": ") && e.getMessage().contains(expected), e.getMessage());
    }
}
