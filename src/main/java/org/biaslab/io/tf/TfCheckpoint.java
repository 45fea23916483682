package org.biaslab.io.tf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.biaslab.io.FormatException;
import org.biaslab.io.SafeTensorEntry;
import org.biaslab.io.TensorFile;
import org.biaslab.tensor.Tensor;

/**
 * A TensorFlow checkpoint in the tensor-bundle format (TF 1.x {@code Saver} V2, {@code tf.train.Checkpoint}, a
 * SavedModel's {@code variables/}), read without TensorFlow. A checkpoint with prefix P is
 * {@code P.index}, a {@link LevelDbTable} whose key "" holds the {@code BundleHeaderProto} and every other key a
 * tensor's {@code BundleEntryProto}, and the data shards {@code P.data-00000-of-0000N}, which hold the tensors' raw
 * little-endian bytes and are memory-mapped. Opening validates the table (magic, block handles, block CRCs), the
 * entries (dtype, shape, byte size) and that every tensor lies inside its shard; reading a tensor checks its masked
 * CRC32C. Each problem is a one-line {@link FormatException} naming the file.
 */
public final class TfCheckpoint implements AutoCloseable {
    private final Path index;
    private final Arena arena;
    private final Map<String, BundleEntry> entries;
    private final List<MemorySegment> shards;

    private TfCheckpoint(Path index, Arena arena, Map<String, BundleEntry> entries, List<MemorySegment> shards) {
        this.index = index;
        this.arena = arena;
        this.entries = entries;
        this.shards = shards;
    }

    /**
     * Opens the checkpoint that {@code path} names: its prefix ({@code …/variables/variables}), its {@code .index}
     * file, a SavedModel directory (with {@code variables/variables.index}), or a directory holding one {@code .index}.
     */
    public static TfCheckpoint open(Path path) throws IOException {
        String prefix = prefix(path).toString();
        Path index = Path.of(prefix + ".index");
        Map<String, byte[]> table = LevelDbTable.read(index);
        byte[] header = table.remove("");
        if (header == null) throw new FormatException(index, "no bundle header (key \"\"): not a TensorFlow checkpoint index");
        Map<String, BundleEntry> entries = new LinkedHashMap<>();
        int numShards;
        try {
            numShards = BundleWire.numShards(header);
            table.forEach((name, value) -> entries.put(name, BundleWire.entry(name, value)));
        } catch (IllegalArgumentException e) {
            throw new FormatException(index, e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        try {
            List<MemorySegment> shards = new java.util.ArrayList<>();
            for (int i = 0; i < numShards; i++) shards.add(map(index, Path.of(String.format("%s.data-%05d-of-%05d", prefix, i, numShards)), arena));
            for (BundleEntry e : entries.values()) check(index, e, shards);
            return new TfCheckpoint(index, arena, Collections.unmodifiableMap(entries), List.copyOf(shards));
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /** The checkpoint prefix that {@code path} names (see {@link #open}). */
    static Path prefix(Path path) throws IOException {
        if (path.toString().endsWith(".index")) return Path.of(path.toString().replaceFirst("\\.index$", ""));
        if (!Files.isDirectory(path)) return path;
        if (Files.isRegularFile(path.resolve("variables/variables.index"))) return path.resolve("variables/variables");
        List<Path> indexes;
        try (var files = Files.list(path)) {
            indexes = files.filter(f -> f.getFileName().toString().endsWith(".index")).toList();
        }
        if (indexes.size() != 1) throw new FormatException(path, "holds " + indexes.size() + " .index files and no variables/variables.index; name the checkpoint's prefix");
        return prefix(indexes.getFirst());
    }

    private static MemorySegment map(Path index, Path shard, Arena arena) throws IOException {
        if (!Files.isRegularFile(shard)) throw new FormatException(index, "data shard " + shard.getFileName() + " is missing");
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
    }

    /** The entry's bytes lie inside its shard, and their count is that of its dtype and shape. */
    private static void check(Path index, BundleEntry e, List<MemorySegment> shards) throws FormatException {
        if (e.shardId() < 0 || e.shardId() >= shards.size()) {
            throw new FormatException(index, "tensor '" + e.name() + "' is in shard " + e.shardId() + " of " + shards.size());
        }
        long shardSize = shards.get(e.shardId()).byteSize();
        if (e.offset() > shardSize || e.size() > shardSize - e.offset()) {
            throw new FormatException(index, "tensor '" + e.name() + "' (bytes " + e.offset() + " to " + (e.offset() + e.size())
                    + ") runs past the end of data shard " + e.shardId() + " (" + shardSize + " bytes): truncated data");
        }
        TfDType t = TfDType.valueOf(e.dtype());
        if (t.layout == null) return; // variable-length or unsupported: refused when read
        long expected;
        try {
            expected = t.layout.byteSize(e.shape());
        } catch (ArithmeticException ex) {
            throw new FormatException(index, "tensor '" + e.name() + "' has a shape too large to address: " + java.util.Arrays.toString(e.shape()));
        }
        if (expected != e.size()) {
            throw new FormatException(index, "tensor '" + e.name() + "' has " + e.size() + " bytes, but shape "
                    + java.util.Arrays.toString(e.shape()) + " of " + e.dtype() + " needs " + expected);
        }
    }

    /** The {@code .index} file. */
    public Path path() {
        return index;
    }

    /** The tensors' entries by name, in the index's (sorted) order. */
    public Map<String, BundleEntry> entries() {
        return entries;
    }

    /**
     * Tensor {@code name} as a biaslab tensor after its CRC is checked: floating types as float32 (float64 kept),
     * integers and booleans as int32 (a value outside int32 is an error).
     */
    public Tensor tensor(String name) throws IOException {
        BundleEntry e = entries.get(name);
        if (e == null) throw new NoSuchElementException(index + ": no tensor '" + name + "'");
        TfDType t = TfDType.valueOf(e.dtype());
        if (t.layout == null) throw new FormatException(index, "tensor '" + name + "' has dtype " + e.dtype() + ", which biaslab cannot load");
        MemorySegment bytes = shards.get(e.shardId()).asSlice(e.offset(), e.size());
        int crc = Crc32c.masked(bytes);
        if (crc != e.crc32c()) {
            throw new FormatException(index, String.format("tensor '%s': CRC mismatch in data shard %d (stored 0x%08x, computed 0x%08x)",
                    name, e.shardId(), e.crc32c(), crc));
        }
        return TensorFile.tensor(index, new SafeTensorEntry(name, t.layout, e.shape(), bytes));
    }

    /** Unmaps the data shards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
