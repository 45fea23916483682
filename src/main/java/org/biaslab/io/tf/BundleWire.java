package org.biaslab.io.tf;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the protobuf values of a checkpoint's index with protobuf-java's {@link CodedInputStream}, reading these
 * fields of {@code tensor_bundle.proto} and {@code tensor_shape.proto} (others skipped):
 *
 * <pre>
 * BundleHeaderProto  1 num_shards, 2 endianness (LITTLE = 0, BIG = 1)
 * BundleEntryProto   1 dtype, 2 shape, 3 shard_id, 4 offset, 5 size, 6 crc32c (fixed32), 7 slices (refused)
 * TensorShapeProto   2 dim, 3 unknown_rank (refused)
 * Dim                1 size
 * </pre>
 * A malformed value is an {@link IllegalArgumentException} naming the problem.
 */
final class BundleWire {
    private BundleWire() {}

    /** The header's number of data shards; a big-endian bundle is refused. */
    static int numShards(byte[] header) {
        int shards = 1;
        try {
            CodedInputStream in = CodedInputStream.newInstance(header);
            for (int tag; (tag = in.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> shards = in.readInt32();
                    case 2 -> {
                        if (in.readEnum() != 0) throw new IllegalArgumentException("the bundle is big-endian; biaslab reads little-endian bundles");
                    }
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the bundle header (key \"\") is not a BundleHeaderProto: " + e.getMessage(), e);
        }
        if (shards < 1) throw new IllegalArgumentException("the bundle header gives " + shards + " data shards");
        return shards;
    }

    /** The entry of tensor {@code name}; an unknown dtype, a sliced or unknown-rank tensor is refused. */
    static BundleEntry entry(String name, byte[] value) {
        int dtype = 0, shard = 0, crc = 0;
        long offset = 0, size = 0;
        long[] shape = new long[0];
        try {
            CodedInputStream in = CodedInputStream.newInstance(value);
            for (int tag; (tag = in.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> dtype = in.readEnum();
                    case 2 -> shape = shape(name, in);
                    case 3 -> shard = in.readInt32();
                    case 4 -> offset = in.readInt64();
                    case 5 -> size = in.readInt64();
                    case 6 -> crc = in.readFixed32();
                    case 7 -> throw new IllegalArgumentException("tensor '" + name + "' is saved in slices (a partitioned variable), which biaslab does not join");
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the entry of tensor '" + name + "' is not a BundleEntryProto: " + e.getMessage(), e);
        }
        TfDType t = TfDType.of(dtype);
        if (t == null) throw new IllegalArgumentException("tensor '" + name + "' has unknown dtype " + dtype);
        if (offset < 0 || size < 0) throw new IllegalArgumentException("tensor '" + name + "' has offset " + offset + " and size " + size);
        return new BundleEntry(name, t.name(), shape, shard, offset, size, crc);
    }

    private static long[] shape(String name, CodedInputStream in) throws IOException {
        List<Long> dims = new ArrayList<>();
        int limit = in.pushLimit(in.readRawVarint32());
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 2 -> {
                    int dimLimit = in.pushLimit(in.readRawVarint32());
                    long size = 0;
                    for (int t; (t = in.readTag()) != 0; ) {
                        if (WireFormat.getTagFieldNumber(t) == 1) size = in.readInt64();
                        else in.skipField(t);
                    }
                    in.popLimit(dimLimit);
                    if (size < 0) throw new IllegalArgumentException("tensor '" + name + "' has dimension " + size);
                    dims.add(size);
                }
                case 3 -> {
                    if (in.readBool()) throw new IllegalArgumentException("tensor '" + name + "' has an unknown rank");
                }
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
