package org.biaslab.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * How biaslab reads JSON and YAML files: strict UTF-8 ({@link Utf8}), one strict mapper per syntax (a duplicate key
 * or content after the document is an error, as are JSON's non-numbers NaN and Infinity), and every problem a
 * one-line {@link FormatException} {@code "<file>: <problem> (line L, column C)"}, where Jackson's and SnakeYAML's
 * own messages run over several lines (a location line, a source excerpt with a caret).
 */
public final class Json {
    private Json() {}

    /** The strict JSON mapper. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The JSON object that {@code file} holds. */
    public static ObjectNode readObject(Path file) throws IOException {
        return parse(file, Utf8.read(file), MAPPER);
    }

    /** The YAML mapping that {@code file} holds (JSON is YAML too). */
    public static ObjectNode readYamlObject(Path file) throws IOException {
        return parse(file, Utf8.read(file), YAML);
    }

    /** The JSON object of {@code text}, read from {@code file} (errors name it). */
    public static ObjectNode parseObject(Path file, String text) throws FormatException {
        return parse(file, text, MAPPER);
    }

    private static ObjectNode parse(Path file, String text, ObjectMapper mapper) throws FormatException {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "not valid " + (mapper == YAML ? "YAML" : "JSON") + ": " + problem(e), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) throw new FormatException(file, "is empty; expected an object of fields");
        if (!root.isObject()) throw new FormatException(file, "holds " + kind(root) + "; expected an object of fields");
        return (ObjectNode) root;
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * Jackson's problem in one line: the message without its location lines (SnakeYAML's context and problem for
     * YAML), the field path where binding failed, and the line and column where parsing did.
     */
    public static String problem(JsonProcessingException e) {
        String message = e.getCause() instanceof MarkedYAMLException y
                ? (y.getContext() == null ? "" : y.getContext() + ": ") + y.getProblem()
                : e.getOriginalMessage();
        message = message == null ? e.getClass().getSimpleName() : message.lines().map(String::strip).filter(l -> !l.isEmpty())
                .collect(Collectors.joining(" "));
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            message = "field '" + field + "': " + message;
        }
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? message : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
