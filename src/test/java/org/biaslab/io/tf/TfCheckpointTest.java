package org.biaslab.io.tf;

import static org.biaslab.io.tf.BundleBytes.f32;
import static org.biaslab.io.tf.BundleBytes.f64;
import static org.biaslab.io.tf.BundleBytes.i32;
import static org.biaslab.io.tf.BundleBytes.i64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.biaslab.io.FormatException;
import org.biaslab.io.tf.BundleBytes.Spec;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint assembled by {@link BundleBytes} reads back exactly; each kind of damage is one line naming it. */
class TfCheckpointTest {
    @TempDir
    Path tmp;

    /** Eight tensors over two shards, their names sharing prefixes, so the index has three data blocks with restarts. */
    private Map<String, Spec> tensors() {
        Map<String, Spec> t = new LinkedHashMap<>();
        t.put("bert/embeddings/LayerNorm/beta", new Spec(1, new long[] {3}, f32(0.5f, -1.25f, 3e-8f), 0));
        t.put("bert/embeddings/LayerNorm/gamma", new Spec(1, new long[] {3}, f32(1, 2, 3), 1));
        t.put("bert/encoder/layer_0/kernel", new Spec(1, new long[] {2, 3}, f32(1, 2, 3, 4, 5, 6), 0));
        t.put("bert/encoder/layer_1/kernel", new Spec(2, new long[] {2, 2}, f64(Math.PI, -Math.E, 1e-300, 0), 1));
        t.put("global_step", new Spec(9, new long[] {}, i64(1_000_000), 0));
        t.put("ids", new Spec(3, new long[] {4}, i32(-7, 0, 30521, Integer.MAX_VALUE), 1));
        t.put("half", new Spec(19, new long[] {2}, new byte[] {0x00, 0x3c, 0x00, (byte) 0xc0}, 0)); // 1.0, -2.0
        t.put("empty", new Spec(1, new long[] {0, 5}, new byte[0], 0));
        return t;
    }

    private Path written() throws IOException {
        Path prefix = tmp.resolve("model.ckpt-7");
        BundleBytes.write(prefix, 2, tensors());
        return prefix;
    }

    @Test
    void readsBackEveryTensorExactly() throws IOException {
        try (TfCheckpoint c = TfCheckpoint.open(written())) {
            assertEquals(List.copyOf(new TreeMap<>(tensors()).keySet()), List.copyOf(c.entries().keySet()), "names in key order");
            assertEquals(1, c.entries().get("bert/embeddings/LayerNorm/gamma").shardId());
            Tensor beta = c.tensor("bert/embeddings/LayerNorm/beta");
            assertEquals(DType.F32, beta.dtype());
            assertArrayEquals(new float[] {0.5f, -1.25f, 3e-8f}, beta.toFloatArray());
            Tensor kernel = c.tensor("bert/encoder/layer_0/kernel");
            assertArrayEquals(new int[] {2, 3}, kernel.shape().dims());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, kernel.toFloatArray());
            Tensor f64 = c.tensor("bert/encoder/layer_1/kernel");
            assertEquals(DType.F64, f64.dtype());
            assertArrayEquals(new double[] {Math.PI, -Math.E, 1e-300, 0}, f64.toDoubleArray());
            assertArrayEquals(new int[] {1_000_000}, c.tensor("global_step").toIntArray());
            assertEquals(0, c.tensor("global_step").shape().rank());
            assertArrayEquals(new int[] {-7, 0, 30521, Integer.MAX_VALUE}, c.tensor("ids").toIntArray());
            assertArrayEquals(new float[] {1, -2}, c.tensor("half").toFloatArray());
            assertEquals(0, c.tensor("empty").size());
        }
    }

    @Test
    void opensByIndexFileAndByDirectory() throws IOException {
        Path prefix = written();
        try (TfCheckpoint c = TfCheckpoint.open(Path.of(prefix + ".index"))) {
            assertEquals(8, c.entries().size());
        }
        try (TfCheckpoint c = TfCheckpoint.open(tmp)) {
            assertEquals(prefix + ".index", c.path().toString());
        }
    }

    @Test
    void badFooterMagic() throws IOException {
        Path prefix = written();
        byte[] index = Files.readAllBytes(Path.of(prefix + ".index"));
        index[index.length - 1] ^= 1;
        assertOneLine(prefix, index, "bad table magic");
    }

    @Test
    void indexHandlePastTheEnd() throws IOException {
        Path prefix = written();
        byte[] index = Files.readAllBytes(Path.of(prefix + ".index"));
        int footer = index.length - 48;
        ByteBuffer f = ByteBuffer.wrap(index, footer, 40).order(ByteOrder.LITTLE_ENDIAN);
        byte[] meta = BundleBytes.handle(readVarint(f), readVarint(f)); // keep the metaindex handle, replace the index handle
        byte[] bad = BundleBytes.handle(index.length - 60, 1000);
        java.util.Arrays.fill(index, footer, footer + 40, (byte) 0);
        System.arraycopy(meta, 0, index, footer, meta.length);
        System.arraycopy(bad, 0, index, footer + meta.length, bad.length);
        assertOneLine(prefix, index, "index handle (offset " + (index.length - 60) + ", size 1000) runs past the end");
    }

    @Test
    void blockCrcMismatch() throws IOException {
        Path prefix = written();
        byte[] index = Files.readAllBytes(Path.of(prefix + ".index"));
        index[5] ^= 0x20; // inside the first data block's first key
        assertOneLine(prefix, index, "data block at offset 0: CRC mismatch");
    }

    @Test
    void snappyBlockIsRefused() throws IOException {
        Path prefix = written();
        byte[] index = BundleBytes.table(new TreeMap<>(Map.of("", BundleBytes.header(2))), 3, 2); // one data block, at 0
        // mark the first block as snappy and give it a valid CRC, so only the compression type is wrong
        int end = blockEnd(index);
        index[end] = 1;
        ByteBuffer.wrap(index, end + 1, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(BundleBytes.masked(index, end + 1));
        assertOneLine(prefix, index, "is snappy-compressed");
    }

    @Test
    void tensorCrcMismatch() throws IOException {
        Path prefix = written();
        Path shard = Path.of(prefix + ".data-00001-of-00002");
        byte[] data = Files.readAllBytes(shard);
        data[data.length - 1] ^= 1; // the last byte of "ids"
        Files.write(shard, data);
        try (TfCheckpoint c = TfCheckpoint.open(prefix)) {
            assertArrayEquals(new float[] {1, 2, 3}, c.tensor("bert/embeddings/LayerNorm/gamma").toFloatArray(), "other tensors still read");
            FormatException e = assertThrows(FormatException.class, () -> c.tensor("ids"));
            assertMessage(e, prefix, "tensor 'ids': CRC mismatch in data shard 1");
        }
    }

    @Test
    void truncatedData() throws IOException {
        Path prefix = written();
        Path shard = Path.of(prefix + ".data-00000-of-00002");
        byte[] data = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(data, data.length - 2));
        FormatException e = assertThrows(FormatException.class, () -> TfCheckpoint.open(prefix));
        assertMessage(e, prefix, "runs past the end of data shard 0");
        assertTrue(e.getMessage().contains("truncated data"), e.getMessage());
    }

    @Test
    void missingShard() throws IOException {
        Path prefix = written();
        Files.delete(Path.of(prefix + ".data-00001-of-00002"));
        assertMessage(assertThrows(FormatException.class, () -> TfCheckpoint.open(prefix)), prefix, "data shard model.ckpt-7.data-00001-of-00002 is missing");
    }

    @Test
    void unknownDtype() throws IOException {
        Path prefix = tmp.resolve("odd");
        BundleBytes.write(prefix, 1, Map.of("x", new Spec(99, new long[] {1}, f32(1), 0)));
        assertMessage(assertThrows(FormatException.class, () -> TfCheckpoint.open(prefix)), prefix, "tensor 'x' has unknown dtype 99");
    }

    @Test
    void sizeThatDisagreesWithShape() throws IOException {
        Path prefix = tmp.resolve("odd");
        BundleBytes.write(prefix, 1, Map.of("x", new Spec(1, new long[] {2, 2}, f32(1, 2, 3), 0)));
        assertMessage(assertThrows(FormatException.class, () -> TfCheckpoint.open(prefix)), prefix, "tensor 'x' has 12 bytes, but shape [2, 2] of DT_FLOAT needs 16");
    }

    @Test
    void stringTensorListedButNotLoaded() throws IOException {
        Path prefix = tmp.resolve("odd");
        BundleBytes.write(prefix, 1, Map.of("s", new Spec(7, new long[] {}, new byte[] {3, 'a', 'b', 'c'}, 0)));
        try (TfCheckpoint c = TfCheckpoint.open(prefix)) {
            assertEquals("DT_STRING", c.entries().get("s").dtype());
            assertMessage(assertThrows(FormatException.class, () -> c.tensor("s")), prefix, "has dtype DT_STRING, which biaslab cannot load");
        }
    }

    /** The end of a table's only data block (the metaindex block follows it): where its 5-byte trailer starts. */
    private static int blockEnd(byte[] table) {
        ByteBuffer f = ByteBuffer.wrap(table, table.length - 48, 40).order(ByteOrder.LITTLE_ENDIAN);
        long metaOffset = readVarint(f);
        return (int) metaOffset - 5;
    }

    private static long readVarint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) return v;
        }
    }

    private static void assertOneLine(Path prefix, byte[] index, String problem) throws IOException {
        Files.write(Path.of(prefix + ".index"), index);
        assertMessage(assertThrows(FormatException.class, () -> TfCheckpoint.open(prefix)), prefix, problem);
    }

    private static void assertMessage(Exception e, Path prefix, String problem) {
        String m = e.getMessage();
        assertTrue(m.startsWith(prefix + ".index: ") && m.contains(problem), m);
        assertFalse(m.contains("\n"), m);
    }
}
