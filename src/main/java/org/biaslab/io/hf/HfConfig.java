package org.biaslab.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;

/**
 * A HuggingFace {@code config.json}: its fields by name, with the architecture's default where a field is absent or
 * {@code null} (as {@code PretrainedConfig} does). The file is read strictly ({@link Json}: UTF-8, no duplicate key);
 * a field of the wrong type or out of range is a {@link FormatException} naming the file and the field.
 */
public final class HfConfig {
    private final Path path;
    private final JsonNode root;

    private HfConfig(Path path, JsonNode root) {
        this.path = path;
        this.root = root;
    }

    /** Reads {@code path} (a config.json); it must hold one JSON object with a {@code model_type}. */
    public static HfConfig read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new FormatException(path, "no such file (a HuggingFace checkpoint directory holds config.json and safetensors weights)");
        HfConfig c = new HfConfig(path, Json.readObject(path));
        if (c.absent("model_type")) throw c.error("model_type", "is missing (it names the architecture, e.g. \"gpt2\")");
        c.string("model_type", null);
        return c;
    }

    public Path path() {
        return path;
    }

    /** HuggingFace's architecture name, e.g. "gpt2", "vit", "t5", "bert". */
    public String modelType() throws FormatException {
        return string("model_type", null);
    }

    /** Checks that {@code model_type} is {@code type}, the architecture a loader expects. */
    public void requireType(String type) throws FormatException {
        if (!type.equals(modelType())) throw error("model_type", "is \"" + modelType() + "\", expected \"" + type + "\"");
    }

    /** Whether {@code field} is absent or null (its default applies). */
    public boolean absent(String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull();
    }

    /** An integer field of at least 1, or {@code dflt} when absent. */
    public int positive(String field, int dflt) throws FormatException {
        int v = integer(field, dflt);
        if (v < 1) throw error(field, "must be at least 1, got " + v);
        return v;
    }

    /** An integer field, or {@code dflt} when absent. */
    public int integer(String field, int dflt) throws FormatException {
        if (absent(field)) return dflt;
        JsonNode n = root.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw error(field, "must be an integer, got " + n);
        return n.intValue();
    }

    /** A number field, or {@code dflt} when absent. */
    public double number(String field, double dflt) throws FormatException {
        if (absent(field)) return dflt;
        JsonNode n = root.get(field);
        if (!n.isNumber()) throw error(field, "must be a number, got " + n);
        return n.doubleValue();
    }

    /** A finite number field of at least 0 (an eps, a standard deviation), or {@code dflt} when absent. */
    public double nonNegative(String field, double dflt) throws FormatException {
        double v = number(field, dflt);
        if (!(v >= 0) || Double.isInfinite(v)) throw error(field, "must be a finite number >= 0, got " + v);
        return v;
    }

    public boolean bool(String field, boolean dflt) throws FormatException {
        if (absent(field)) return dflt;
        JsonNode n = root.get(field);
        if (!n.isBoolean()) throw error(field, "must be true or false, got " + n);
        return n.booleanValue();
    }

    public String string(String field, String dflt) throws FormatException {
        if (absent(field)) return dflt;
        JsonNode n = root.get(field);
        if (!n.isTextual()) throw error(field, "must be a string, got " + n);
        return n.textValue();
    }

    /** A problem with {@code field}: "config.json: field 'n_head' must be …". */
    public FormatException error(String field, String problem) {
        return new FormatException(path, "field '" + field + "' " + problem);
    }
}
