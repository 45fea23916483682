package org.biaslab.boolfn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a truth table of 2^n values f(0), …, f(2^n − 1) in MSB-first index order (P1's order) from a file:
 * <ul>
 *   <li>a NumPy {@code .npy} file (recognised by its magic bytes) holding a 1-D array of bool, int8–int64, uint8–uint64,
 *       float32 or float64 values 0 and 1, as P1 saves its functions and predictions;</li>
 *   <li>otherwise a text file of the characters {@code 0} and {@code 1}; whitespace is ignored and {@code #} starts a
 *       comment that runs to the end of the line.</li>
 * </ul>
 * Anything else is refused with an {@link IllegalArgumentException} naming the file and the problem.
 */
public final class TruthTableFile {
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([biuf])(\\d+)'");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private TruthTableFile() {}

    /** The truth table in the file. */
    public static TruthTable read(Path file) {
        try {
            if (!Files.isRegularFile(file)) throw problem(file, "no such file");
            byte[] head = new byte[NPY_MAGIC.length];
            try (var in = Files.newInputStream(file)) {
                int got = in.readNBytes(head, 0, head.length);
                return got == head.length && Arrays.equals(head, NPY_MAGIC) ? readNpy(file) : readText(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("truth-table file " + file + ": " + e.getMessage(), e);
        }
    }

    private static TruthTable readText(Path file) throws IOException {
        long[] words = new long[(int) Math.min(Integer.MAX_VALUE - 8, Files.size(file) / 64 + 1)];
        long count = 0;
        int line = 1;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            boolean comment = false;
            for (int c; (c = in.read()) >= 0; ) {
                if (c == '\n') {
                    line++;
                    comment = false;
                } else if (comment || Character.isWhitespace(c)) {
                    continue;
                } else if (c == '#') {
                    comment = true;
                } else if (c == '0' || c == '1') {
                    if (count == 1L << TruthTable.MAX_N) throw problem(file, "more than 2^" + TruthTable.MAX_N + " values");
                    if (c == '1') words[(int) (count >>> 6)] |= 1L << (count & 63);
                    count++;
                } else {
                    throw problem(file, "line " + line + ": unexpected character '" + (char) c + "' (only 0, 1, whitespace and # comments)");
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw problem(file, "line " + line + ": not an ASCII text of 0 and 1 (nor a .npy file)");
        }
        int n = log2(file, count);
        return TruthTable.ofWords(n, Arrays.copyOf(words, (int) (TruthTable.bytes(n) / 8)));
    }

    private static TruthTable readNpy(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(prefix, 0);
            int major = prefix.get(6);
            if (major < 1 || major > 3) throw problem(file, ".npy format version " + major + " is not 1, 2 or 3");
            long headerLength = major == 1 ? Short.toUnsignedInt(prefix.getShort(8)) : Integer.toUnsignedLong(prefix.getInt(8));
            long dataStart = (major == 1 ? 10 : 12) + headerLength;
            if (headerLength > 1 << 16 || dataStart > channel.size()) throw problem(file, "truncated .npy header");
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            channel.read(headerBytes, dataStart - headerLength);
            String header = new String(headerBytes.array(), StandardCharsets.ISO_8859_1);

            Matcher descr = DESCR.matcher(header), shape = SHAPE.matcher(header);
            if (!descr.find()) throw problem(file, "unsupported .npy dtype in " + header.strip() + " (bool, int, uint or float)");
            if (!shape.find()) throw problem(file, "no shape in the .npy header");
            String[] dims = shape.group(1).replace(" ", "").split(",");
            if (dims.length != 1 || dims[0].isEmpty()) {
                throw problem(file, "the .npy array has shape (" + shape.group(1) + "); a truth table is 1-D");
            }
            long count = count(file, dims[0], shape.group(1));
            int n = log2(file, count);
            char kind = descr.group(2).charAt(0);
            int size = descr.group(3).length() <= 2 ? Integer.parseInt(descr.group(3)) : 0;   // 0: none supported
            boolean supported = switch (kind) {
                case 'b' -> size == 1;
                case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
                default -> size == 4 || size == 8;
            };
            if (!supported) throw problem(file, "unsupported .npy dtype " + descr.group(1) + kind + descr.group(3));
            if (channel.size() - dataStart < count * size) {
                throw problem(file, "the .npy data is truncated: " + count + " values of " + size + " bytes need "
                        + count * size + " bytes, the file has " + (channel.size() - dataStart));
            }
            ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            Heap.require(TruthTable.bytes(n), "the truth table of " + file);
            long[] words = new long[(int) (TruthTable.bytes(n) / 8)];
            ByteBuffer buffer = ByteBuffer.allocate(size << 16).order(order);
            long position = dataStart;
            for (long x = 0; x < count; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), (count - x) * size));
                while (buffer.hasRemaining()) position += channel.read(buffer, position);
                buffer.flip();
                for (; buffer.hasRemaining(); x++) {
                    double v = switch (kind) {
                        case 'f' -> size == 4 ? buffer.getFloat() : buffer.getDouble();
                        default -> switch (size) {
                            case 1 -> buffer.get();
                            case 2 -> buffer.getShort();
                            case 4 -> buffer.getInt();
                            default -> buffer.getLong();
                        };
                    };
                    if (v != 0 && v != 1) throw problem(file, "value " + v + " at index " + x + " is not 0 or 1");
                    if (v == 1) words[(int) (x >>> 6)] |= 1L << (x & 63);
                }
            }
            return TruthTable.ofWords(n, words);
        }
    }

    /** The length of a 1-D .npy array, from its shape {@code (text,)}. */
    private static long count(Path file, String text, String shape) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw problem(file, "the .npy shape (" + shape + ") is not a tuple of integers");
        }
    }

    private static int log2(Path file, long count) {
        if (count < 2 || Long.bitCount(count) != 1) {
            throw problem(file, count + " values is not 2^n for n >= 1");
        }
        int n = Long.numberOfTrailingZeros(count);
        if (n > TruthTable.MAX_N) throw problem(file, "2^" + n + " values is above 2^" + TruthTable.MAX_N);
        return n;
    }

    /** One line: a line break quoted from the file (a .npy header's bytes) is escaped. */
    private static IllegalArgumentException problem(Path file, String what) {
        return new IllegalArgumentException("truth-table file " + file + ": " + what.replace("\r", "\\r").replace("\n", "\\n"));
    }
}
