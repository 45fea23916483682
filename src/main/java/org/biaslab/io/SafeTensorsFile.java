package org.biaslab.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A safetensors file opened for reading: the whole file is memory-mapped, and each {@link SafeTensorEntry} is a view
 * into the mapping, so opening a multi-GB checkpoint copies nothing. The header is validated on
 * {@link #open}; a malformed file gives a {@link FormatException}. Closing unmaps the file, after which the entries'
 * data can no longer be read (access throws {@link IllegalStateException}).
 *
 * <pre>{@code
 * try (var file = SafeTensorsFile.open(Path.of("model.safetensors"))) {
 *     float[] wte = file.tensor("wte.weight").toFloatArray();
 * }
 * }</pre>
 */
public final class SafeTensorsFile implements AutoCloseable {
    /** The reference implementation refuses headers longer than this. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final Map<String, SafeTensorEntry> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, Arena arena, Map<String, SafeTensorEntry> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps {@code path} and validates its header. */
    public static SafeTensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new FormatException(path, "file has " + size + " bytes, too few for the 8-byte header length");
            }
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = file.get(U64, 0);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw new FormatException(path, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            if (n > size - 8) {
                throw new FormatException(path, "header length " + n + " runs past the end of the file (" + size
                        + " bytes)");
            }
            MemorySegment data = file.asSlice(8 + n);
            SafeTensorsHeader header =
                    SafeTensorsHeader.parse(path, file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE), data.byteSize());
            Map<String, SafeTensorEntry> tensors = new LinkedHashMap<>();
            for (SafeTensorsHeader.Slot s : header.tensors()) {
                tensors.put(s.name(), new SafeTensorEntry(s.name(), s.dtype(), s.shape(),
                        data.asSlice(s.begin(), s.end() - s.begin())));
            }
            return new SafeTensorsFile(path, arena, Collections.unmodifiableMap(tensors), header.metadata());
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    public Path path() {
        return path;
    }

    /** The tensor names, in the order of their data in the file. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** All tensors, in the order of their data in the file. */
    public List<SafeTensorEntry> tensors() {
        return List.copyOf(tensors.values());
    }

    /** @throws NoSuchElementException if the file has no tensor of that name */
    public SafeTensorEntry tensor(String name) {
        SafeTensorEntry e = tensors.get(name);
        if (e == null) {
            throw new NoSuchElementException(path + ": no tensor '" + name + "'");
        }
        return e;
    }

    /** The header's {@code __metadata__} strings; empty if it has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
