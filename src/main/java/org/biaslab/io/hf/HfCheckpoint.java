package org.biaslab.io.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.biaslab.io.FormatException;
import org.biaslab.io.Json;
import org.biaslab.io.SafeTensorEntry;
import org.biaslab.io.SafeTensorsFile;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;

/**
 * The safetensors weights of a HuggingFace model directory: {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json} lists in its {@code weight_map}. Files stay memory-mapped until closed;
 * {@link #select} copies out the tensors a model needs, as float32 (F16 and BF16 widen exactly).
 */
public final class HfCheckpoint implements AutoCloseable {
    /** The file of an unsharded checkpoint. */
    public static final String SINGLE = "model.safetensors";
    /** The index of a sharded checkpoint. */
    public static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final List<SafeTensorsFile> files;
    private final Map<String, SafeTensorsFile> byName;

    private HfCheckpoint(Path dir, List<SafeTensorsFile> files, Map<String, SafeTensorsFile> byName) {
        this.dir = dir;
        this.files = files;
        this.byName = byName;
    }

    /** Opens the checkpoint in {@code dir}: the sharded index when there is one, else {@code model.safetensors}. */
    public static HfCheckpoint open(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        if (Files.exists(index)) return openSharded(dir, index);
        Path single = dir.resolve(SINGLE);
        if (!Files.exists(single)) throw new FormatException(dir, "no " + SINGLE + " and no " + INDEX);
        SafeTensorsFile f = SafeTensorsFile.open(single);
        Map<String, SafeTensorsFile> byName = new LinkedHashMap<>();
        for (String n : f.names()) byName.put(n, f);
        return new HfCheckpoint(dir, List.of(f), byName);
    }

    private static HfCheckpoint openSharded(Path dir, Path index) throws IOException {
        JsonNode map = Json.readObject(index).path("weight_map");
        if (!map.isObject() || map.isEmpty()) throw new FormatException(index, "no \"weight_map\" object of tensor names to shard files");
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafeTensorsFile> byName = new LinkedHashMap<>();
        try {
            for (var it = map.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                String shard = e.getValue().asText();
                if (!e.getValue().isTextual() || !isFileIn(dir, shard)) {
                    throw new FormatException(index, "tensor '" + e.getKey() + "' maps to " + e.getValue() + ", not a file in " + dir);
                }
                Path p = dir.resolve(shard);
                SafeTensorsFile f = shards.get(shard);
                if (f == null) shards.put(shard, f = SafeTensorsFile.open(p));
                if (!f.names().contains(e.getKey())) throw new FormatException(p, "has no tensor '" + e.getKey() + "', which " + INDEX + " places there");
                byName.put(e.getKey(), f);
            }
        } catch (IOException | RuntimeException ex) {
            shards.values().forEach(SafeTensorsFile::close);
            throw ex;
        }
        return new HfCheckpoint(dir, List.copyOf(shards.values()), byName);
    }

    /** Whether {@code name} names a file directly in {@code dir} (a NUL, which no path holds, says no). */
    private static boolean isFileIn(Path dir, String name) {
        if (name.indexOf('\0') >= 0) return false;
        Path p = dir.resolve(name);
        return dir.equals(p.getParent()) && Files.exists(p);
    }

    /** The tensor names of the checkpoint, as stored. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** The number of values (elements) in all its tensors: no model it can fill has more parameters. */
    public long values() {
        long n = 0;
        for (var e : byName.entrySet()) n += e.getValue().tensor(e.getKey()).elementCount();
        return n;
    }

    /**
     * Checks config {@code field} = {@code configured}, a number of blocks, against the blocks the checkpoint holds:
     * the distinct N of tensor names {@code blockPrefix}N.… (after {@code prefix}, where they have it).
     */
    public void checkBlocks(HfConfig config, String field, int configured, String prefix, String blockPrefix) throws FormatException {
        Set<String> blocks = new java.util.TreeSet<>();
        for (String stored : byName.keySet()) {
            String key = stored.startsWith(prefix) ? stored.substring(prefix.length()) : stored;
            int dot = key.indexOf('.', blockPrefix.length());
            if (key.startsWith(blockPrefix) && dot > blockPrefix.length()) blocks.add(key.substring(blockPrefix.length(), dot));
        }
        if (blocks.size() != configured) {
            throw config.error(field, "= " + configured + ", but the checkpoint holds " + (blocks.isEmpty() ? "no " + blockPrefix + "N"
                    : blocks.size() + " (" + blockPrefix + "N for N in " + blocks + ")"));
        }
    }

    /**
     * The tensors for a model's parameters {@code expected} (name → shape). A parameter {@code n} is read from the
     * tensor {@code n} or {@code prefix + n} (task models nest the base model, e.g. {@code transformer.} in
     * GPT2LMHeadModel), else from the first of its {@code aliases} present (tied weights saved under another name).
     * Every other tensor must satisfy {@code ignorable} (buffers, task heads), after the prefix is removed.
     *
     * @throws FormatException naming the missing tensors, the unexpected ones, or a tensor whose shape or dtype
     *     does not fit
     */
    public Map<String, Tensor> select(Map<String, Shape> expected, String prefix, Map<String, List<String>> aliases,
                                      Predicate<String> ignorable) throws FormatException {
        Map<String, String> aliasOf = new HashMap<>();
        aliases.forEach((param, names) -> names.forEach(a -> aliasOf.put(a, param)));
        Map<String, String> source = new LinkedHashMap<>(), viaAlias = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        for (String stored : byName.keySet()) {
            String key = stored.startsWith(prefix) ? stored.substring(prefix.length()) : stored;
            if (expected.containsKey(key)) {
                String other = source.put(key, stored);
                if (other != null) throw new FormatException(dir, "tensors '" + other + "' and '" + stored + "' both hold parameter '" + key + "'");
            } else if (aliasOf.containsKey(key)) {
                viaAlias.putIfAbsent(aliasOf.get(key), stored);
            } else if (!ignorable.test(key)) {
                unexpected.add(stored);
            }
        }
        viaAlias.forEach(source::putIfAbsent);
        List<String> missing = expected.keySet().stream().filter(n -> !source.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new FormatException(dir, "the checkpoint has no tensor for " + missing.size() + " of the model's "
                    + expected.size() + " parameters: " + list(missing));
        }
        if (!unexpected.isEmpty()) {
            throw new FormatException(dir, unexpected.size() + " unexpected tensors (not parameters of the configured model): " + list(unexpected));
        }
        for (var e : expected.entrySet()) check(source.get(e.getKey()), e.getValue());
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : expected.entrySet()) {
            SafeTensorEntry stored = byName.get(source.get(e.getKey())).tensor(source.get(e.getKey()));
            out.put(e.getKey(), Tensor.of(stored.toFloatArray(), e.getValue().dims()));
        }
        return out;
    }

    /** The stored tensor has the parameter's shape and a float dtype: checked for all before any is copied. */
    private void check(String stored, Shape shape) throws FormatException {
        SafeTensorsFile f = byName.get(stored);
        SafeTensorEntry e = f.tensor(stored);
        if (!Arrays.equals(e.shape(), Arrays.stream(shape.dims()).asLongStream().toArray())) {
            throw new FormatException(f.path(), "tensor '" + stored + "' has shape " + Arrays.toString(e.shape())
                    + ", the config asks for " + Arrays.toString(shape.dims()));
        }
        switch (e.dtype()) {
            case F32, F16, BF16, F64 -> { }
            default -> throw new FormatException(f.path(), "tensor '" + stored + "' has dtype " + e.dtype() + "; a parameter needs F32, F16, BF16 or F64");
        }
    }

    /** The first few names, and how many more. */
    private static String list(Collection<String> names) {
        String head = names.stream().limit(6).collect(Collectors.joining(", "));
        return names.size() > 6 ? head + " and " + (names.size() - 6) + " more" : head;
    }

    @Override
    public void close() {
        files.forEach(SafeTensorsFile::close);
    }
}
