package org.biaslab.io.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        JsonNode map;
        try {
            map = new ObjectMapper().readTree(Files.readString(index)).path("weight_map");
        } catch (JsonProcessingException e) {
            throw new FormatException(index, "not valid JSON: " + e.getOriginalMessage());
        }
        if (!map.isObject() || map.isEmpty()) throw new FormatException(index, "no \"weight_map\" object of tensor names to shard files");
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafeTensorsFile> byName = new LinkedHashMap<>();
        try {
            for (var it = map.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                String shard = e.getValue().asText();
                Path p = dir.resolve(shard);
                if (!e.getValue().isTextual() || p.getParent() == null || !p.getParent().equals(dir) || !Files.exists(p)) {
                    throw new FormatException(index, "tensor '" + e.getKey() + "' maps to " + e.getValue() + ", not a file in " + dir);
                }
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

    /** The tensor names of the checkpoint, as stored. */
    public Set<String> names() {
        return byName.keySet();
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
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : expected.entrySet()) out.put(e.getKey(), read(source.get(e.getKey()), e.getValue()));
        return out;
    }

    private Tensor read(String stored, Shape shape) throws FormatException {
        SafeTensorsFile f = byName.get(stored);
        SafeTensorEntry e = f.tensor(stored);
        int[] dims = Arrays.stream(e.shape()).mapToInt(d -> (int) Math.min(d, Integer.MAX_VALUE)).toArray();
        if (!Arrays.equals(dims, shape.dims()) || Arrays.stream(e.shape()).anyMatch(d -> d > Integer.MAX_VALUE)) {
            throw new FormatException(f.path(), "tensor '" + stored + "' has shape " + Arrays.toString(e.shape())
                    + ", the config asks for " + Arrays.toString(shape.dims()));
        }
        return switch (e.dtype()) {
            case F32, F16, BF16, F64 -> Tensor.of(e.toFloatArray(), dims);
            default -> throw new FormatException(f.path(), "tensor '" + stored + "' has dtype " + e.dtype() + "; a parameter needs F32, F16, BF16 or F64");
        };
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
