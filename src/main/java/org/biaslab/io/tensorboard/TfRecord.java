package org.biaslab.io.tensorboard;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.io.FormatException;
import org.biaslab.io.tf.Crc32c;

/**
 * TFRecord framing, the container of TensorBoard's event files: each record is {@code uint64 length},
 * {@code uint32 masked CRC-32C of those 8 bytes}, the payload, {@code uint32 masked CRC-32C of the payload}, all
 * little-endian.
 */
public final class TfRecord {
    /** The bytes a record adds around its payload. */
    static final int OVERHEAD = 8 + 4 + 4;

    private TfRecord() {}

    /** The framed record of {@code payload}. */
    public static byte[] frame(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(OVERHEAD + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(payload.length);
        b.putInt(Crc32c.masked(MemorySegment.ofArray(b.array()).asSlice(0, 8)));
        b.put(payload);
        b.putInt(Crc32c.masked(MemorySegment.ofArray(payload)));
        return b.array();
    }

    /**
     * The payloads of the records of {@code file}, in order. A record cut off at the end of the file (its writer is
     * still at it, or crashed mid-record) ends the list, as in TensorBoard's own reader; a CRC that does not match is
     * a {@link FormatException}.
     */
    public static List<byte[]> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment all = MemorySegment.ofArray(b.array());
        List<byte[]> out = new ArrayList<>();
        while (b.remaining() >= 12) {
            int at = b.position();
            long length = b.getLong();
            if (b.getInt() != Crc32c.masked(all.asSlice(at, 8))) {
                throw new FormatException(file, "record " + out.size() + " at byte " + at + ": the CRC of its length does not match (not a TFRecord file, or a corrupt one)");
            }
            if (length < 0) throw new FormatException(file, "record " + out.size() + " at byte " + at + ": a length of " + Long.toUnsignedString(length) + " bytes");
            if (length > b.remaining() - 4) break;
            byte[] payload = new byte[(int) length];
            b.get(payload);
            if (b.getInt() != Crc32c.masked(MemorySegment.ofArray(payload))) {
                throw new FormatException(file, "record " + out.size() + " at byte " + at + ": the CRC of its " + length + " bytes does not match (a corrupt file)");
            }
            out.add(payload);
        }
        return out;
    }
}
