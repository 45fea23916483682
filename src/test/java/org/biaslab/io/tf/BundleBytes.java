package org.biaslab.io.tf;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * TensorFlow checkpoint files assembled in the test from LevelDB's {@code table_format.md} and
 * {@code tensor_bundle.proto}, independently of the reader: a table of sorted keys with prefix-compressed entries,
 * restart points, an empty metaindex block, one index block and the footer; protobuf values written with
 * {@link CodedOutputStream}.
 */
public final class BundleBytes {
    private BundleBytes() {}

    /** A tensor to write: TF dtype number, shape, little-endian bytes, and the shard that holds it. */
    public record Spec(int dtype, long[] shape, byte[] bytes, int shard) {}

    /** Writes {@code prefix.index} and {@code prefix.data-0000i-of-0000n}; 3 entries per data block, a restart every 2. */
    public static void write(Path prefix, int shards, Map<String, Spec> tensors) throws IOException {
        ByteArrayOutputStream[] data = new ByteArrayOutputStream[shards];
        for (int i = 0; i < shards; i++) data[i] = new ByteArrayOutputStream();
        TreeMap<String, byte[]> index = new TreeMap<>();
        index.put("", header(shards));
        for (var e : new TreeMap<>(tensors).entrySet()) {
            Spec s = e.getValue();
            ByteArrayOutputStream shard = data[s.shard()];
            index.put(e.getKey(), entry(s.dtype(), s.shape(), s.shard(), shard.size(), s.bytes().length, masked(s.bytes(), s.bytes().length)));
            shard.write(s.bytes());
        }
        Files.write(Path.of(prefix + ".index"), table(index, 3, 2));
        for (int i = 0; i < shards; i++) Files.write(Path.of(String.format("%s.data-%05d-of-%05d", prefix, i, shards)), data[i].toByteArray());
    }

    static byte[] header(int shards) throws IOException {
        return proto(out -> {
            out.writeInt32(1, shards);
            out.writeEnum(2, 0); // LITTLE
            out.writeTag(3, 2);  // version: VersionDef { producer: 1 }
            out.writeUInt32NoTag(2);
            out.writeInt32(1, 1);
        });
    }

    static byte[] entry(int dtype, long[] shape, int shard, long offset, long size, int crc) throws IOException {
        byte[] shapeProto = proto(out -> {
            for (long d : shape) out.writeByteArray(2, proto(dim -> dim.writeInt64(1, d)));
        });
        return proto(out -> {
            out.writeEnum(1, dtype);
            out.writeByteArray(2, shapeProto);
            if (shard != 0) out.writeInt32(3, shard);
            if (offset != 0) out.writeInt64(4, offset);
            out.writeInt64(5, size);
            out.writeFixed32(6, crc);
        });
    }

    /**
     * A LevelDB table of {@code entries} (sorted by key bytes), {@code perBlock} entries per data block, a restart
     * point every {@code restartInterval} entries; the index block maps each block's last key to its handle.
     */
    static byte[] table(TreeMap<String, byte[]> entries, int perBlock, int restartInterval) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<Map.Entry<String, byte[]>> all = new ArrayList<>(entries.entrySet());
        TreeMap<String, byte[]> index = new TreeMap<>();
        for (int from = 0; from < all.size(); from += perBlock) {
            List<Map.Entry<String, byte[]>> part = all.subList(from, Math.min(all.size(), from + perBlock));
            long offset = file.size();
            byte[] block = block(part, restartInterval);
            writeBlock(file, block);
            index.put(part.getLast().getKey(), handle(offset, block.length));
        }
        long metaOffset = file.size();
        byte[] meta = block(List.of(), 1);
        writeBlock(file, meta);
        long indexOffset = file.size();
        byte[] indexBlock = block(new ArrayList<>(index.entrySet()), 1);
        writeBlock(file, indexBlock);
        ByteBuffer footer = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        footer.put(handle(metaOffset, meta.length)).put(handle(indexOffset, indexBlock.length));
        footer.position(40).putLong(0xdb4775248b80fb57L);
        file.write(footer.array());
        return file.toByteArray();
    }

    private static byte[] block(List<Map.Entry<String, byte[]>> entries, int restartInterval) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        List<Integer> restarts = new ArrayList<>();
        byte[] previous = new byte[0];
        for (int i = 0; i < entries.size(); i++) {
            byte[] key = entries.get(i).getKey().getBytes(StandardCharsets.UTF_8), value = entries.get(i).getValue();
            int shared = 0;
            if (i % restartInterval == 0) {
                out.flush();
                restarts.add(bytes.size());
            } else {
                while (shared < Math.min(key.length, previous.length) && key[shared] == previous[shared]) shared++;
            }
            out.writeUInt32NoTag(shared);
            out.writeUInt32NoTag(key.length - shared);
            out.writeUInt32NoTag(value.length);
            out.write(key, shared, key.length - shared);
            out.write(value, 0, value.length);
            previous = key;
        }
        if (restarts.isEmpty()) restarts.add(0);
        out.flush();
        ByteBuffer tail = ByteBuffer.allocate(4 * restarts.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r : restarts) tail.putInt(r);
        tail.putInt(restarts.size());
        bytes.write(tail.array());
        return bytes.toByteArray();
    }

    /** The block, then its trailer: type 0 (uncompressed) and the masked CRC32C of block and type. */
    private static void writeBlock(ByteArrayOutputStream file, byte[] block) throws IOException {
        byte[] withType = java.util.Arrays.copyOf(block, block.length + 1);
        file.write(withType);
        file.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked(withType, withType.length)).array());
    }

    static byte[] handle(long offset, long size) throws IOException {
        return proto(out -> {
            out.writeUInt64NoTag(offset);
            out.writeUInt64NoTag(size);
        });
    }

    /** LevelDB's mask of the CRC32C of {@code b[0..n)}: rotate right by 15 bits, add 0xa282ead8. */
    static int masked(byte[] b, int n) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, n);
        int c = (int) crc.getValue();
        return Integer.rotateRight(c, 15) + 0xa282ead8;
    }

    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] proto(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    public static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    static byte[] i32(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }
}
