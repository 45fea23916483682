package org.biaslab.io.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds protobuf messages field by field (protobuf-java's encoder), for ONNX files written by hand in tests. */
public final class Proto {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    public Proto bytes(int field, byte[] value) {
        return write(() -> out.writeByteArray(field, value));
    }

    public Proto message(int field, Proto value) {
        return bytes(field, value.build());
    }

    public Proto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public Proto varint(int field, long value) {
        return write(() -> out.writeInt64(field, value));
    }

    public Proto fixed32(int field, float value) {
        return write(() -> out.writeFloat(field, value));
    }

    /** A packed run of varints. */
    public Proto packed(int field, long... values) {
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        CodedOutputStream c = CodedOutputStream.newInstance(run);
        try {
            for (long v : values) c.writeInt64NoTag(v);
            c.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes(field, run.toByteArray());
    }

    /** A packed run of floats. */
    public Proto packed(int field, float... values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return bytes(field, b.array());
    }

    public byte[] build() {
        write(out::flush);
        return bytes.toByteArray();
    }

    private interface Io {
        void run() throws IOException;
    }

    private Proto write(Io io) {
        try {
            io.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
