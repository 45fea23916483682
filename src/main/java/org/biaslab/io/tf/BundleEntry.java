package org.biaslab.io.tf;

/**
 * A tensor's entry in a checkpoint's index ({@code BundleEntryProto}): dtype, shape, which data shard holds it, where
 * ({@code offset}, {@code size} in bytes), and the masked CRC32C of those bytes.
 */
public record BundleEntry(String name, String dtype, long[] shape, int shardId, long offset, long size, int crc32c) {
    public BundleEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
