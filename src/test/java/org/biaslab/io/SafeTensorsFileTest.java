package org.biaslab.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;

import static org.biaslab.io.Assembled.f32;
import static org.biaslab.io.Assembled.file;
import static org.biaslab.io.Assembled.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading: the fixture, round trips through the writer, and the F16/BF16 conversions. */
class SafeTensorsFileTest {
    @TempDir
    Path dir;

    private Path save(byte[] bytes) throws IOException {
        Path p = dir.resolve("t.safetensors");
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsTheIndependentlyWrittenFixture() throws IOException {
        try (var f = SafeTensorsFile.open(save(SafeTensorsWriterTest.fixture()))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(List.of("ids", "bias", "empty", "wte.weight", "count", "brain", "half", "mask"),
                    List.copyOf(f.names()));
            SafeTensorEntry wte = f.tensor("wte.weight");
            assertEquals(SafeTensorsDType.F32, wte.dtype());
            assertArrayEquals(new long[]{2, 3}, wte.shape());
            assertArrayEquals(new float[]{0, 0.5f, 1, 1.5f, 2, 2.5f}, wte.toFloatArray());
            assertArrayEquals(new double[]{1.5, -2.25}, f.tensor("bias").toDoubleArray());
            assertArrayEquals(new long[]{1, -2, 3}, f.tensor("ids").toLongArray());
            assertArrayEquals(new float[]{1, -2, 65504, 0x1p-24f}, f.tensor("half").toFloatArray());
            assertArrayEquals(new float[]{1, -3.5f}, f.tensor("brain").toFloatArray());
            assertArrayEquals(new long[]{1, 0, 1}, f.tensor("mask").toLongArray());

            SafeTensorEntry count = f.tensor("count");
            assertArrayEquals(new long[0], count.shape());
            assertEquals(1, count.elementCount());
            assertArrayEquals(new long[]{7}, count.toLongArray());

            SafeTensorEntry empty = f.tensor("empty");
            assertArrayEquals(new long[]{0}, empty.shape());
            assertEquals(0, empty.elementCount());
            assertEquals(0, empty.data().byteSize());
            assertArrayEquals(new float[0], empty.toFloatArray());
        }
    }

    @Test
    void everyDtypeRoundTripsItsBytes() throws IOException {
        Random random = new Random(4);
        long[] shape = {2, 4}; // 8 elements: whole bytes even for the packed F4 and F6
        var w = new SafeTensorsWriter();
        var bytes = new EnumMap<SafeTensorsDType, byte[]>(SafeTensorsDType.class);
        for (SafeTensorsDType d : SafeTensorsDType.values()) {
            byte[] b = new byte[(int) d.byteSize(shape)];
            random.nextBytes(b);
            bytes.put(d, b);
            w.add(d.name().toLowerCase(), d, shape, MemorySegment.ofArray(b));
        }
        Path p = dir.resolve("all.safetensors");
        w.write(p);
        try (var f = SafeTensorsFile.open(p)) {
            assertEquals(SafeTensorsDType.values().length, f.names().size());
            for (SafeTensorsDType d : SafeTensorsDType.values()) {
                SafeTensorEntry e = f.tensor(d.name().toLowerCase());
                assertEquals(d, e.dtype());
                assertArrayEquals(shape, e.shape());
                assertArrayEquals(bytes.get(d), e.data().toArray(ValueLayout.JAVA_BYTE), d.name());
            }
        }
    }

    @Test
    void javaArraysRoundTripIncludingScalarsAndEmptyTensors() throws IOException {
        float[] f = {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY};
        double[] d = {Math.PI, -0.0, Double.MIN_VALUE, Double.MAX_VALUE};
        int[] i = {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE};
        long[] l = {Long.MIN_VALUE, -1, Long.MAX_VALUE, 42};
        Path p = dir.resolve("arrays.safetensors");
        new SafeTensorsWriter()
                .add("f", f, 2, 3).add("d", d, 2, 1, 2).add("i", i, 4).add("l", l, 4)
                .add("f0", new float[]{2.5f}).add("d0", new double[]{-1}).add("i0", new int[]{3}).add("l0", new long[]{9})
                .add("fe", new float[0], 3, 0).add("de", new double[0], 0).add("ie", new int[0], 0).add("le", new long[0], 0)
                .write(p);
        try (var file = SafeTensorsFile.open(p)) {
            assertArrayEquals(f, file.tensor("f").toFloatArray());
            assertArrayEquals(d, file.tensor("d").toDoubleArray());
            assertArrayEquals(new long[]{Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, file.tensor("i").toLongArray());
            assertArrayEquals(l, file.tensor("l").toLongArray());
            assertArrayEquals(new float[]{2.5f}, file.tensor("f0").toFloatArray());
            assertArrayEquals(new double[]{-1}, file.tensor("d0").toDoubleArray());
            assertArrayEquals(new long[]{3}, file.tensor("i0").toLongArray());
            assertArrayEquals(new long[]{9}, file.tensor("l0").toLongArray());
            for (String name : List.of("f0", "d0", "i0", "l0")) {
                assertArrayEquals(new long[0], file.tensor(name).shape());
            }
            assertArrayEquals(new long[]{3, 0}, file.tensor("fe").shape());
            assertEquals(0, file.tensor("fe").toFloatArray().length);
            assertEquals(0, file.tensor("de").toDoubleArray().length);
            assertEquals(0, file.tensor("ie").toLongArray().length);
            assertEquals(0, file.tensor("le").toLongArray().length);
        }
    }

    private float[] decode(SafeTensorsDType dtype, int... bits) throws IOException {
        Path p = dir.resolve(dtype + ".safetensors");
        new SafeTensorsWriter().add("x", dtype, new long[]{bits.length}, MemorySegment.ofArray(u16(bits))).write(p);
        try (var f = SafeTensorsFile.open(p)) {
            return f.tensor("x").toFloatArray();
        }
    }

    @Test
    void halfPrecisionDecodesKnownValues() throws IOException {
        float[] got = decode(SafeTensorsDType.F16,
                0x3C00, 0xC000, 0x7BFF, 0xFBFF, 0x0400, 0x03FF, 0x0001, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x3555);
        assertArrayEquals(new float[]{1, -2, 65504, -65504, 0x1p-14f, 1023 * 0x1p-24f, 0x1p-24f, -0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.333251953125f}, got);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(got[7]), "sign of zero");
    }

    @Test
    void bfloat16DecodesKnownValues() throws IOException {
        float[] got = decode(SafeTensorsDType.BF16,
                0x3F80, 0xC000, 0x7F7F, 0x0080, 0x0001, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0x3EAB);
        assertArrayEquals(new float[]{1, -2, 0x1.FEp127f, 0x1p-126f, 0x1p-133f, -0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.333984375f}, got);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(got[5]), "sign of zero");
    }

    @Test
    void conversionsWidenAndNarrowAsDocumented() throws IOException {
        Path p = save(file("{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[2,10]}}", concat(u16(0x3555),
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).array())));
        try (var f = SafeTensorsFile.open(p)) {
            assertArrayEquals(new double[]{0.333251953125}, f.tensor("h").toDoubleArray());
            assertArrayEquals(new float[]{0.1f}, f.tensor("d").toFloatArray()); // read at an odd offset: unaligned
            assertEquals("tensor 'h' has dtype F16; this conversion needs BOOL, U8, I8, I16, U16, I32, U32 or I64",
                    assertThrows(IllegalStateException.class, () -> f.tensor("h").toLongArray()).getMessage());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void acceptsWhatTheReferenceAccepts() throws IOException {
        // Entries in any order, unknown fields ignored, null metadata, a header not padded to 8 bytes.
        Path p = save(file("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8],\"extra\":1},"
                + "\"__metadata__\":null,\"a\":{\"shape\":[1],\"data_offsets\":[0,4],\"dtype\":\"F32\"}}", f32(1, 2)));
        try (var f = SafeTensorsFile.open(p)) {
            assertEquals(List.of("a", "b"), List.copyOf(f.names()));
            assertArrayEquals(new float[]{2}, f.tensor("b").toFloatArray());
            assertEquals(Map.of(), f.metadata());
        }
    }

    @Test
    void closingUnmapsAndAMissingNameIsReported() throws IOException {
        Path p = save(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1)));
        SafeTensorEntry a;
        try (var f = SafeTensorsFile.open(p)) {
            a = f.tensor("a");
            assertEquals(p + ": no tensor 'b'",
                    assertThrows(NoSuchElementException.class, () -> f.tensor("b")).getMessage());
        }
        assertThrows(IllegalStateException.class, a::toFloatArray);
    }
}
