package org.biaslab.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Collects named tensors and string metadata, then writes them as one safetensors file, laid out exactly as the
 * reference implementation ({@code serialize_to_file} in huggingface/safetensors) lays them out: tensors sorted by
 * dtype in descending {@link SafeTensorsDType} order (descending alignment), then by name (UTF-8 bytes); header JSON
 * compact, {@code __metadata__} first, padded with spaces to a multiple of 8 bytes; data back to back, little-endian.
 * For the same tensors and at most one metadata entry the file is byte-identical to the reference's; the reference
 * writes several metadata entries in hash order, biaslab in sorted key order, and omits an empty {@code __metadata__}.
 *
 * <p>{@link #write} goes through a temporary file in the target's directory and an atomic rename, so a crash leaves
 * either the old file or the complete new one, never a half-written checkpoint; it returns the SHA-256 of the bytes
 * it wrote, for a checksum kept beside the file. Arrays passed to {@code add} are read when {@code write} is called, not
 * copied before.
 *
 * <pre>{@code
 * new SafeTensorsWriter().metadata("step", "1000").add("wte.weight", weights, 50257, 768).write(path);
 * }</pre>
 */
public final class SafeTensorsWriter {
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)            // serde_json writes \u001f
            .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8) // raw 4-byte UTF-8, as serde_json
            .build();
    private static final Comparator<Pending> REFERENCE_ORDER = Comparator
            .comparing((Pending p) -> p.dtype().ordinal(), Comparator.reverseOrder())
            .thenComparing(p -> p.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

    /** A tensor to write: its bytes in {@code source}, elements of {@code layout} in native order. */
    private record Pending(String name, SafeTensorsDType dtype, long[] shape, MemorySegment source,
                           ValueLayout layout) {
    }

    private static final long DIGEST_CHUNK = 1L << 30;

    private final Map<String, Pending> tensors = new HashMap<>();
    private final Map<String, String> metadata = new TreeMap<>();

    /** Adds a {@code __metadata__} entry. */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds an F32 tensor; {@code values} are row-major, and no shape means a scalar. */
    public SafeTensorsWriter add(String name, float[] values, long... shape) {
        return add(name, SafeTensorsDType.F32, shape, MemorySegment.ofArray(values), ValueLayout.JAVA_FLOAT_UNALIGNED);
    }

    /** Adds an F64 tensor; {@code values} are row-major, and no shape means a scalar. */
    public SafeTensorsWriter add(String name, double[] values, long... shape) {
        return add(name, SafeTensorsDType.F64, shape, MemorySegment.ofArray(values),
                ValueLayout.JAVA_DOUBLE_UNALIGNED);
    }

    /** Adds an I32 tensor; {@code values} are row-major, and no shape means a scalar. */
    public SafeTensorsWriter add(String name, int[] values, long... shape) {
        return add(name, SafeTensorsDType.I32, shape, MemorySegment.ofArray(values), ValueLayout.JAVA_INT_UNALIGNED);
    }

    /** Adds an I64 tensor; {@code values} are row-major, and no shape means a scalar. */
    public SafeTensorsWriter add(String name, long[] values, long... shape) {
        return add(name, SafeTensorsDType.I64, shape, MemorySegment.ofArray(values), ValueLayout.JAVA_LONG_UNALIGNED);
    }

    /** Adds a tensor of any dtype from its little-endian bytes, e.g. an entry of a {@link SafeTensorsFile}. */
    public SafeTensorsWriter add(String name, SafeTensorsDType dtype, long[] shape, MemorySegment littleEndianBytes) {
        return add(name, dtype, shape, littleEndianBytes, ValueLayout.JAVA_BYTE);
    }

    private SafeTensorsWriter add(String name, SafeTensorsDType dtype, long[] shape, MemorySegment source,
                                  ValueLayout layout) {
        if (name.equals(SafeTensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for the metadata");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        long needed = dtype.byteSize(shape);
        if (source.byteSize() != needed) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + source.byteSize() + " bytes of data, but"
                    + " shape " + Arrays.toString(shape) + " of " + dtype + " needs " + needed);
        }
        tensors.put(name, new Pending(name, dtype, shape.clone(), source, layout));
        return this;
    }

    /** Writes the file atomically, replacing {@code target} if it exists; returns the SHA-256 of its bytes in lower-case hex. */
    public String write(Path target) throws IOException {
        List<Pending> order = new ArrayList<>(tensors.values());
        order.sort(REFERENCE_ORDER);
        byte[] header = header(order);
        long total = 8 + header.length;
        for (Pending p : order) {
            total += p.source().byteSize();
        }
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        MessageDigest sha256 = sha256();
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE); Arena arena = Arena.ofConfined()) {
                MemorySegment out = channel.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, header.length);
                MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, 8, header.length);
                long at = 8 + header.length;
                for (Pending p : order) {
                    long n = p.source().byteSize() / p.layout().byteSize();
                    MemorySegment.copy(p.source(), p.layout(), 0,
                            out, p.layout().withOrder(ByteOrder.LITTLE_ENDIAN), at, n);
                    at += p.source().byteSize();
                }
                out.force();
                channel.force(true);
                for (long from = 0; from < total; from += DIGEST_CHUNK) { // a ByteBuffer holds at most 2 GiB
                    sha256.update(out.asSlice(from, Math.min(DIGEST_CHUNK, total - from)).asByteBuffer());
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        // Make the rename itself durable.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The header JSON in the reference's layout, padded with spaces to a multiple of 8 bytes. */
    private byte[] header(List<Pending> order) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafeTensorsHeader.METADATA_KEY);
                for (var e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Pending p : order) {
                g.writeObjectFieldStart(p.name());
                g.writeStringField("dtype", p.dtype().name());
                g.writeArrayFieldStart("shape");
                for (long d : p.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                offset += p.source().byteSize();
                g.writeNumber(offset);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        while (bytes.size() % 8 != 0) {
            bytes.write(' ');
        }
        return bytes.toByteArray();
    }
}
