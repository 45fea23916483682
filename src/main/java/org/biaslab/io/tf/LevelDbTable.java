package org.biaslab.io.tf;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.io.FormatException;

/**
 * A LevelDB table file (the sorted string table TensorFlow writes as a checkpoint's {@code .index}), read whole, with
 * every block's CRC checked. The layout, from LevelDB's {@code doc/table_format.md}:
 *
 * <pre>
 * file     data block*, metaindex block, index block, footer
 * footer   48 bytes: metaindex handle, index handle, zero padding to 40 bytes, magic 0xdb4775248b80fb57 (fixed64 LE)
 * handle   offset and size of a block, varint64 each
 * block    entry*, restart offsets (fixed32 LE each), number of restarts (fixed32 LE); then a 5-byte trailer:
 *          compression type (0 none, 1 snappy) and the masked CRC32C of the block and the type byte (fixed32 LE)
 * entry    shared key bytes, unshared key bytes, value bytes (varint32 each), the unshared key suffix, the value
 * </pre>
 * The index block maps a separator key to the handle of each data block; a key shares its first {@code shared} bytes
 * with the previous key of the block, except at a restart point. TensorFlow writes tables uncompressed, so a
 * snappy block is refused.
 */
final class LevelDbTable {
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER = 48, TRAILER = 5;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment bytes;

    private LevelDbTable(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** Every key (UTF-8) and value of {@code file}, in the table's order. */
    static LinkedHashMap<String, byte[]> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE) throw new FormatException(file, "index file has " + size + " bytes; biaslab reads tables up to 2 GiB");
        return new LevelDbTable(file, MemorySegment.ofArray(Files.readAllBytes(file))).entries();
    }

    private LinkedHashMap<String, byte[]> entries() throws IOException {
        long size = bytes.byteSize();
        if (size < FOOTER) throw error("file has " + size + " bytes, too few for the 48-byte table footer");
        long magic = bytes.get(U64, size - 8);
        if (magic != MAGIC) throw error(String.format("bad table magic 0x%016x in the footer (a LevelDB table ends with 0x%016x)", magic, MAGIC));
        CodedInputStream footer = CodedInputStream.newInstance(bytes.asSlice(size - FOOTER, FOOTER - 8).toArray(ValueLayout.JAVA_BYTE));
        long[] metaindex = handle(footer, "metaindex"), index = handle(footer, "index");
        block(metaindex, "metaindex block"); // checked, unused: TensorFlow writes no meta blocks
        LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<byte[], byte[]> h : block(index, "index block")) {
            long[] data = handle(CodedInputStream.newInstance(h.getValue()), "data block");
            for (Map.Entry<byte[], byte[]> e : block(data, "data block at offset " + data[0])) {
                if (out.put(new String(e.getKey(), StandardCharsets.UTF_8), e.getValue()) != null) {
                    throw error("key '" + new String(e.getKey(), StandardCharsets.UTF_8) + "' occurs twice");
                }
            }
        }
        return out;
    }

    /** A block handle {offset, size}, checked to lie with its trailer before the footer. */
    private long[] handle(CodedInputStream in, String what) throws IOException {
        long offset, size;
        try {
            offset = in.readRawVarint64();
            size = in.readRawVarint64();
        } catch (IOException e) {
            throw error("truncated " + what + " handle");
        }
        long end = bytes.byteSize() - FOOTER;
        if (offset < 0 || size < 0 || offset > end || size > end - offset - TRAILER) {
            throw error(what + " handle (offset " + offset + ", size " + size + ") runs past the end of the blocks at " + end);
        }
        return new long[] {offset, size};
    }

    /** The entries of the block at {@code h}, its trailer checked; keys as raw bytes, in order. */
    private List<Map.Entry<byte[], byte[]>> block(long[] h, String what) throws IOException {
        MemorySegment block = bytes.asSlice(h[0], h[1]);
        byte type = bytes.get(ValueLayout.JAVA_BYTE, h[0] + h[1]);
        int stored = bytes.get(U32, h[0] + h[1] + 1);
        int actual = Crc32c.masked(bytes.asSlice(h[0], h[1] + 1));
        if (stored != actual) throw error(String.format("%s: CRC mismatch (stored 0x%08x, computed 0x%08x)", what, stored, actual));
        if (type == 1) throw error(what + " is snappy-compressed; TensorFlow writes checkpoints uncompressed and biaslab reads only those");
        if (type != 0) throw error(what + " has unknown compression type " + type);
        if (h[1] < 4) throw error(what + " has " + h[1] + " bytes, too few for its restart count");
        long restarts = block.get(U32, h[1] - 4) & 0xffffffffL;
        long entriesEnd = h[1] - 4 - 4 * restarts;
        if (restarts == 0 || entriesEnd < 0) throw error(what + " has " + restarts + " restart points, impossible in " + h[1] + " bytes");

        CodedInputStream in = CodedInputStream.newInstance(block.asSlice(0, entriesEnd).asByteBuffer());
        List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
        byte[] key = new byte[0];
        try {
            while (!in.isAtEnd()) {
                int shared = in.readRawVarint32(), unshared = in.readRawVarint32(), valueLength = in.readRawVarint32();
                if (shared < 0 || shared > key.length || unshared < 0 || valueLength < 0) {
                    throw error(what + ": entry at byte " + in.getTotalBytesRead() + " shares " + shared + " bytes of a " + key.length + "-byte key");
                }
                byte[] next = Arrays.copyOf(key, shared + unshared);
                System.arraycopy(in.readRawBytes(unshared), 0, next, shared, unshared);
                key = next;
                out.add(Map.entry(key, in.readRawBytes(valueLength)));
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw error(what + ": an entry runs past the block's restart array");
        }
        return out;
    }

    private FormatException error(String problem) {
        return new FormatException(file, problem);
    }
}
