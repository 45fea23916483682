package org.biaslab.io.tf;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * LevelDB's and TensorFlow's masked CRC32C: {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}. The mask keeps a CRC
 * stored next to the data it covers from being the CRC of a string that contains it. TFRecord files (TensorBoard's
 * event files) frame their records with it too.
 */
public final class Crc32c {
    private Crc32c() {}

    /** The masked CRC32C of {@code bytes}. */
    public static int masked(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        for (long at = 0; at < bytes.byteSize(); at += 1L << 30) { // asByteBuffer is limited to 2 GiB
            crc.update(bytes.asSlice(at, Math.min(1L << 30, bytes.byteSize() - at)).asByteBuffer());
        }
        return mask((int) crc.getValue());
    }

    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }
}
