package org.biaslab.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.biaslab.io.Assembled.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every malformed file gives a {@link FormatException} with one line naming the file and the problem. */
class SafeTensorsMalformedTest {
    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path dir;

    private String problem(byte[] bytes) throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.write(p, bytes);
        FormatException e = assertThrows(FormatException.class, () -> SafeTensorsFile.open(p).close());
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        String prefix = p + ": ";
        assertTrue(message.startsWith(prefix), message);
        return message.substring(prefix.length());
    }

    private String problem(String header, int dataBytes) throws IOException {
        return problem(file(header, new byte[dataBytes]));
    }

    private static byte[] lengthOnly(long headerLength, int rest) {
        return ByteBuffer.allocate(8 + rest).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array();
    }

    @Test
    void truncatedFiles() throws IOException {
        assertEquals("file has 0 bytes, too few for the 8-byte header length", problem(new byte[0]));
        assertEquals("file has 5 bytes, too few for the 8-byte header length", problem(new byte[5]));
        assertEquals("header length 100 runs past the end of the file (18 bytes)", problem(lengthOnly(100, 10)));
        byte[] cut = file("{" + A + "}", new byte[8]);
        assertEquals("tensor 'a' data_offsets [0, 8] run past the end of the data section (3 bytes)",
                problem(Arrays.copyOf(cut, cut.length - 5)));
    }

    @Test
    void headerLengthBeyondTheReferenceLimit() throws IOException {
        assertEquals("header length 100000001 exceeds the limit of 100000000 bytes", problem(lengthOnly(100_000_001, 0)));
        assertEquals("header length 18446744073709551615 exceeds the limit of 100000000 bytes",
                problem(lengthOnly(-1, 0)));
    }

    @Test
    void headerThatIsNotAJsonObject() throws IOException {
        assertTrue(problem("not json", 0).startsWith("header is not valid JSON: Unrecognized token 'not'"));
        assertTrue(problem("{\"a\":", 0).startsWith("header is not valid JSON: "));
        assertTrue(problem("", 0).startsWith("header is not a JSON object"));
        assertEquals("header is not a JSON object", problem("[]", 0));
        assertEquals("header is not a JSON object", problem("\"{}\"", 0));
        assertEquals("header has content after its JSON object", problem("{}{}", 0));
        assertEquals("header is not valid UTF-8", problem(invalidUtf8()));
        // Deep nesting is refused by the parser's limits, not by a StackOverflowError.
        assertTrue(problem("{\"a\":" + "[".repeat(100_000), 0).startsWith("header is not valid JSON: "));
    }

    private static byte[] invalidUtf8() {
        byte[] f = file("{\"x\":{}}", new byte[0]);
        f[10] = (byte) 0xFF;
        return f;
    }

    @Test
    void entriesWithMissingOrMistypedFields() throws IOException {
        assertEquals("tensor 'a' is not a JSON object", problem("{\"a\":5}", 0));
        assertEquals("tensor 'a' has no dtype", problem("{\"a\":{\"shape\":[],\"data_offsets\":[0,0]}}", 0));
        assertEquals("tensor 'a' has no shape", problem("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,0]}}", 0));
        assertEquals("tensor 'a' has no data_offsets", problem("{\"a\":{\"dtype\":\"F32\",\"shape\":[]}}", 0));
        assertEquals("tensor 'a' has unknown dtype \"F31\"",
                problem("{\"a\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        assertEquals("tensor 'a' has unknown dtype 32",
                problem("{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        assertEquals("tensor 'a' has unknown dtype \"f32\"",
                problem("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        for (String shape : new String[]{"[-1]", "[1.0]", "[\"1\"]", "3", "[99999999999999999999]"}) {
            assertEquals("tensor 'a' shape " + shape + " is not an array of non-negative integers",
                    problem("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,4]}}", 4));
        }
        for (String offsets : new String[]{"[0]", "[0,4,8]", "[-4,0]", "[0,4.0]", "{}"}) {
            assertEquals("tensor 'a' data_offsets " + offsets + " are not [begin, end] with non-negative integers",
                    problem("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":" + offsets + "}}", 4));
        }
    }

    @Test
    void offsetsThatDoNotMatchTheShape() throws IOException {
        assertEquals("tensor 'wte.weight' data_offsets [0, 100] do not match shape [10, 4] of F32 (160 bytes)",
                problem("{\"wte.weight\":{\"dtype\":\"F32\",\"shape\":[10,4],\"data_offsets\":[0,100]}}", 100));
        assertEquals("tensor 'a' data_offsets [8, 4] end before they begin",
                problem("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8));
        assertEquals("tensor 'a' data_offsets [0, 100] run past the end of the data section (16 bytes)",
                problem("{\"a\":{\"dtype\":\"F32\",\"shape\":[25],\"data_offsets\":[0,100]}}", 16));
        assertEquals("tensor 'a' shape [4611686018427387904, 4] of F32 has more bytes than a long can count",
                problem("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}", 0));
        assertEquals("tensor 'a' shape [3] of F4 does not fill whole bytes",
                problem("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2));
    }

    @Test
    void offsetsThatOverlapLeaveGapsOrDoNotCoverTheData() throws IOException {
        assertEquals("tensor 'b' data_offsets [4, 12] overlap tensor 'a', which ends at 8",
                problem("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertEquals("tensor 'b' data_offsets [0, 8] overlap tensor 'a', which ends at 8",
                problem("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        assertEquals("tensor 'b' data_offsets [12, 20] leave a gap: tensor 'a' ends at 8",
                problem("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20));
        assertEquals("tensor 'a' data_offsets [4, 12] leave a gap: the data section begins at 0",
                problem("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertEquals("the tensors end at byte 8 of the data section, which has 16 bytes", problem("{" + A + "}", 16));
        assertEquals("the tensors end at byte 0 of the data section, which has 4 bytes", problem("{}", 4));
    }

    @Test
    void duplicateKeys() throws IOException {
        assertEquals("header has duplicate key 'a'", problem("{" + A + "," + A + "}", 8));
        assertEquals("header has duplicate key '__metadata__'",
                problem("{\"__metadata__\":{},\"__metadata__\":{}}", 0));
        assertTrue(problem("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)
                .startsWith("header is not valid JSON: Duplicate field 'dtype'"));
    }

    @Test
    void metadataThatIsNotAStringMap() throws IOException {
        assertEquals("__metadata__ is not a JSON object of strings", problem("{\"__metadata__\":[]}", 0));
        assertEquals("__metadata__ value of 'step' is not a string: 10",
                problem("{\"__metadata__\":{\"step\":10}}", 0));
        assertEquals("__metadata__ value of 'x' is not a string: {}", problem("{\"__metadata__\":{\"x\":{}}}", 0));
    }

    @Test
    void aMissingFileIsAnIOExceptionButNotAFormatException() {
        IOException e = assertThrows(IOException.class, () -> SafeTensorsFile.open(dir.resolve("absent")));
        assertFalse(e instanceof FormatException);
    }
}
