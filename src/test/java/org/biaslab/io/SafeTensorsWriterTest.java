package org.biaslab.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.biaslab.io.Assembled.f32;
import static org.biaslab.io.Assembled.file;
import static org.biaslab.io.Assembled.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The writer's bytes, compared byte by byte with files assembled from the spec. */
class SafeTensorsWriterTest {
    @TempDir
    Path dir;

    private byte[] written(SafeTensorsWriter w) throws IOException {
        Path p = dir.resolve("out.safetensors");
        w.write(p);
        return Files.readAllBytes(p);
    }

    /** The cases of the reference implementation's own serialisation tests (tensor.rs), assembled by hand. */
    @Test
    void matchesTheReferenceSerialisationCases() throws IOException {
        float[] six = {0, 1, 2, 3, 4, 5};
        // 64 bytes of JSON: already a multiple of 8, no padding.
        assertArrayEquals(
                file("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", f32(six)),
                written(new SafeTensorsWriter().add("attn.0", six, 1, 2, 3)));
        // 65 bytes of JSON: padded with 7 spaces to 72, so the data is 8-byte aligned.
        assertArrayEquals(
                file("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", f32(six)),
                written(new SafeTensorsWriter().add("attn0", six, 1, 1, 2, 3)));
        assertArrayEquals(file("{}      ", new byte[0]), written(new SafeTensorsWriter()));
        assertArrayEquals(file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]),
                written(new SafeTensorsWriter().metadata("framework", "pt")));
    }

    /**
     * {@code src/test/resources/io/reference.safetensors} was written by a standalone python script that
     * uses only {@code struct} and {@code json} and follows the spec and the reference layout (sort by dtype
     * descending in the reference's Dtype order, then by name; compact JSON, {@code __metadata__} first; spaces
     * to a multiple of 8; little-endian data). It holds the tensors below.
     */
    @Test
    void matchesTheIndependentlyWrittenFixture() throws IOException {
        var w = new SafeTensorsWriter().metadata("format", "pt")
                .add("wte.weight", new float[]{0, 0.5f, 1, 1.5f, 2, 2.5f}, 2, 3)
                .add("bias", new double[]{1.5, -2.25}, 2)
                .add("ids", new long[]{1, -2, 3}, 3)
                .add("half", SafeTensorsDType.F16, new long[]{4}, MemorySegment.ofArray(u16(0x3C00, 0xC000, 0x7BFF, 0x0001)))
                .add("brain", SafeTensorsDType.BF16, new long[]{2}, MemorySegment.ofArray(u16(0x3F80, 0xC060)))
                .add("count", new int[]{7})
                .add("empty", new float[0], 0)
                .add("mask", SafeTensorsDType.BOOL, new long[]{3}, MemorySegment.ofArray(new byte[]{1, 0, 1}));
        assertArrayEquals(fixture(), written(w));
    }

    static byte[] fixture() throws IOException {
        try (InputStream in = SafeTensorsWriterTest.class.getResourceAsStream("/io/reference.safetensors")) {
            return in.readAllBytes();
        }
    }

    /** serde_json escapes only quote, backslash and control characters (lower-case hex), and writes UTF-8 raw. */
    @Test
    void escapesNamesAsSerdeJsonDoes() throws IOException {
        String name = "a\"b\\c/d\u0001\u001f\te\u00e9\uD83D\uDE00";
        String header = "{\"a\\\"b\\\\c/d\\u0001\\u001f\\te\u00e9\uD83D\uDE00\":"
                + "{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        int length = header.getBytes(StandardCharsets.UTF_8).length;
        header += " ".repeat((8 - length % 8) % 8);
        assertArrayEquals(file(header, f32(1)), written(new SafeTensorsWriter().add(name, new float[]{1})));
    }

    @Test
    void ordersByDescendingDtypeThenByUtf8Name() throws IOException {
        // U+FFFD sorts before U+1F600 in UTF-8 bytes (EF.. < F0..), but after it in UTF-16 units (FFFD > D83D).
        var w = new SafeTensorsWriter()
                .add("b", new int[]{1}).add("a", new int[]{2})
                .add("z", new long[]{3}).add("\uD83D\uDE00", new float[]{4}).add("\uFFFD", new float[]{5})
                .add("m", SafeTensorsDType.U8, new long[]{1}, MemorySegment.ofArray(new byte[]{6}));
        w.write(dir.resolve("o.safetensors"));
        try (var f = SafeTensorsFile.open(dir.resolve("o.safetensors"))) {
            assertEquals(List.of("z", "\uFFFD", "\uD83D\uDE00", "a", "b", "m"), List.copyOf(f.names()));
        }
    }

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        new SafeTensorsWriter().add("w", new float[]{1}).write(p);
        new SafeTensorsWriter().add("w", new float[]{2, 3}, 2).write(p);
        try (var f = SafeTensorsFile.open(p)) {
            assertArrayEquals(new float[]{2, 3}, f.tensor("w").toFloatArray());
        }
        assertEquals(List.of(p), listing());
    }

    @Test
    void returnsTheSha256OfTheBytesItWrote() throws Exception {
        Path p = dir.resolve("sum.safetensors");
        String sum = new SafeTensorsWriter().metadata("step", "3").add("w", new float[]{1, 2, 3}, 3).write(p);
        byte[] expected = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
        assertEquals(java.util.HexFormat.of().formatHex(expected), sum);
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndRemovesItsTemporaryFile() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        new SafeTensorsWriter().add("w", new float[]{1}).write(p);
        byte[] before = Files.readAllBytes(p);
        MemorySegment gone;
        try (Arena arena = Arena.ofConfined()) {
            gone = arena.allocate(8);
        }
        var w = new SafeTensorsWriter().add("w", new float[]{7}).add("gone", SafeTensorsDType.F64, new long[]{1}, gone);
        assertThrows(IllegalStateException.class, () -> w.write(p)); // fails while copying, after the header
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of(p), listing());
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void rejectsBadTensorsWhenAdded() {
        var w = new SafeTensorsWriter().add("x", new float[]{1, 2}, 2);
        assertEquals("duplicate tensor name 'x'",
                assertThrows(IllegalArgumentException.class, () -> w.add("x", new float[]{1})).getMessage());
        assertEquals("'__metadata__' is reserved for the metadata",
                assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", new int[]{1})).getMessage());
        assertEquals("tensor 'y' has 12 bytes of data, but shape [2, 2] of F32 needs 16",
                assertThrows(IllegalArgumentException.class, () -> w.add("y", new float[3], 2, 2)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.add("z", new float[0], -1));
    }
}
