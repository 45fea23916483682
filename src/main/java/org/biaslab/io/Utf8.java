package org.biaslab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text files as strict UTF-8: a malformed byte is a {@link FormatException} that says where it is (line and byte
 * offset), not the JDK's {@code MalformedInputException: Input length = 1}.
 */
public final class Utf8 {
    private Utf8() {}

    /** The text of {@code file}. */
    public static String read(Path file) throws IOException {
        return decode(file, Files.readAllBytes(file));
    }

    /** {@code bytes}, the contents of {@code file}, as text. */
    public static String decode(Path file, byte[] bytes) throws FormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();   // reports malformed and unmappable input
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);              // UTF-8 never has more chars than bytes
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) r = decoder.flush(out);
        if (r.isError()) {
            int at = in.position(), line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new FormatException(file, String.format("not valid UTF-8 text: byte 0x%02x at offset %d (line %d)",
                    bytes[at] & 0xff, at, line));
        }
        return out.flip().toString();
    }
}
