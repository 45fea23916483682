package org.biaslab.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed and validated JSON header of a safetensors file: where each tensor lies in the data section, and the
 * {@code __metadata__} strings.
 *
 * <p>Validation follows the reference implementation: every entry has a known dtype, a shape and
 * {@code data_offsets}; the byte range matches dtype × shape; sorted by offset, the ranges tile the data section
 * from 0 to its end with no gap and no overlap. Stricter than the reference, duplicate keys are an error (the
 * reference silently keeps the last one).
 *
 * @param tensors  in data order (by offset)
 * @param metadata the {@code __metadata__} map, empty when absent
 */
record SafeTensorsHeader(List<Slot> tensors, Map<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";

    private static final JsonMapper MAPPER =
            JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    /** One tensor's entry: its bytes are {@code [begin, end)} of the data section. */
    record Slot(String name, SafeTensorsDType dtype, long[] shape, long begin, long end) {
    }

    /** Parses and validates {@code json}, the header of {@code file}, whose data section has {@code dataLength} bytes. */
    static SafeTensorsHeader parse(Path file, byte[] json, long dataLength) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "header is not valid UTF-8");
        }
        Map<String, String> metadata = Map.of();
        List<Slot> slots = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        try (JsonParser p = MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(file, "header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (!keys.add(key)) {
                    throw new FormatException(file, "header has duplicate key '" + key + "'");
                }
                p.nextToken();
                JsonNode value = p.readValueAsTree();
                if (key.equals(METADATA_KEY)) {
                    metadata = metadata(file, value);
                } else {
                    slots.add(slot(file, key, value, dataLength));
                }
            }
            if (p.nextToken() != null) {
                throw new FormatException(file, "header has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new FormatException(file, "header is not valid JSON: " + e.getOriginalMessage() + where, e);
        }
        slots.sort(Comparator.comparingLong(Slot::begin).thenComparingLong(Slot::end));
        checkTiling(file, slots, dataLength);
        return new SafeTensorsHeader(List.copyOf(slots), metadata);
    }

    private static Map<String, String> metadata(Path file, JsonNode value) throws FormatException {
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw new FormatException(file, METADATA_KEY + " is not a JSON object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw new FormatException(file, METADATA_KEY + " value of '" + e.getKey() + "' is not a string: "
                        + e.getValue());
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Slot slot(Path file, String name, JsonNode value, long dataLength) throws FormatException {
        String tensor = "tensor '" + name + "'";
        if (value == null || !value.isObject()) {
            throw new FormatException(file, tensor + " is not a JSON object");
        }
        JsonNode dtypeNode = required(file, tensor, value, "dtype");
        SafeTensorsDType dtype = dtype(file, tensor, dtypeNode);
        long[] shape = naturals(required(file, tensor, value, "shape"));
        if (shape == null) {
            throw new FormatException(file, tensor + " shape " + value.get("shape")
                    + " is not an array of non-negative integers");
        }
        long[] offsets = naturals(required(file, tensor, value, "data_offsets"));
        if (offsets == null || offsets.length != 2) {
            throw new FormatException(file, tensor + " data_offsets " + value.get("data_offsets")
                    + " are not [begin, end] with non-negative integers");
        }
        long begin = offsets[0], end = offsets[1];
        String range = tensor + " data_offsets [" + begin + ", " + end + "]";
        if (end < begin) {
            throw new FormatException(file, range + " end before they begin");
        }
        if (end > dataLength) {
            throw new FormatException(file, range + " run past the end of the data section (" + dataLength
                    + " bytes)");
        }
        String layout = "shape " + Arrays.toString(shape) + " of " + dtype;
        long bytes;
        try {
            bytes = dtype.byteSize(shape);
        } catch (ArithmeticException e) {
            throw new FormatException(file, tensor + " " + layout + " has more bytes than a long can count");
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, tensor + " " + layout + " does not fill whole bytes");
        }
        if (end - begin != bytes) {
            throw new FormatException(file, range + " do not match " + layout + " (" + bytes + " bytes)");
        }
        return new Slot(name, dtype, shape, begin, end);
    }

    private static JsonNode required(Path file, String tensor, JsonNode entry, String field) throws FormatException {
        JsonNode node = entry.get(field);
        if (node == null) {
            throw new FormatException(file, tensor + " has no " + field);
        }
        return node;
    }

    private static SafeTensorsDType dtype(Path file, String tensor, JsonNode node) throws FormatException {
        if (node.isTextual()) {
            for (SafeTensorsDType d : SafeTensorsDType.values()) {
                if (d.name().equals(node.textValue())) {
                    return d;
                }
            }
        }
        throw new FormatException(file, tensor + " has unknown dtype " + node);
    }

    /** The array's elements if it is an array of integers in {@code [0, Long.MAX_VALUE]}, else null. */
    private static long[] naturals(JsonNode node) {
        if (!node.isArray()) {
            return null;
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = node.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
                return null;
            }
            out[i] = n.longValue();
        }
        return out;
    }

    /** The reference's rule: sorted by offset, each tensor begins where the previous one ends, the last at the end. */
    private static void checkTiling(Path file, List<Slot> slots, long dataLength) throws FormatException {
        long at = 0;
        String previous = null;
        for (Slot s : slots) {
            String range = "tensor '" + s.name() + "' data_offsets [" + s.begin() + ", " + s.end() + "]";
            if (s.begin() > at) {
                throw new FormatException(file, range + " leave a gap: "
                        + (previous == null ? "the data section begins at 0" : previous + " ends at " + at));
            }
            if (s.begin() < at) {
                throw new FormatException(file, range + " overlap " + previous + ", which ends at " + at);
            }
            at = s.end();
            previous = "tensor '" + s.name() + "'";
        }
        if (at != dataLength) {
            throw new FormatException(file, "the tensors end at byte " + at + " of the data section, which has "
                    + dataLength + " bytes");
        }
    }
}
