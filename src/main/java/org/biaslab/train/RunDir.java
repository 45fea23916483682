package org.biaslab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.biaslab.io.TensorFile;
import org.biaslab.tensor.Tensor;

/**
 * A run's directory: {@code config.json}, {@code metrics.jsonl} (one JSON object per logged step),
 * {@code ckpt-<step>/model.safetensors} (PyTorch names, loadable by any safetensors reader, config and step in the
 * metadata) with {@code optimizer.safetensors}, a {@code latest} file naming the newest complete checkpoint, and
 * {@code summary.json} once the run has finished. Older checkpoints are removed unless the config keeps them.
 */
public final class RunDir {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public RunDir(Path dir) {
        this.dir = dir;
    }

    public Path path() {
        return dir;
    }

    /** Creates the directory with its config, or checks that an existing one was made with the same config. */
    public void init(RunConfig config) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("config.json");
        if (Files.exists(file)) {
            RunConfig existing = RunConfig.load(file);
            if (!existing.equals(config)) {
                throw new IllegalArgumentException(dir + " holds a run with another config; choose another --out or --name");
            }
            return;
        }
        write(file, config.toJson());
    }

    /**
     * As {@link #init(RunConfig)} for a run whose config is not a P1 {@link RunConfig} (P3's language models): an
     * existing {@code config.json} must hold the same JSON tree.
     */
    public void init(String configJson) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("config.json");
        if (Files.exists(file)) {
            if (!JSON.readTree(Files.readString(file)).equals(JSON.readTree(configJson))) {
                throw new IllegalArgumentException(dir + " holds a run with another config; choose another --out");
            }
            return;
        }
        write(file, configJson);
    }

    public boolean finished() {
        return Files.exists(dir.resolve("summary.json"));
    }

    /** The step of the newest complete checkpoint, or 0 when there is none. */
    public long latestStep() throws IOException {
        Path latest = dir.resolve("latest");
        if (!Files.exists(latest)) return 0;
        String name = Files.readString(latest).trim();
        if (!name.matches("ckpt-\\d+") || !Files.isDirectory(dir.resolve(name))) {
            throw new IOException(latest + ": names no checkpoint directory ('" + name + "')");
        }
        return Long.parseLong(name.substring(5));
    }

    /**
     * Writes a checkpoint, then points {@code latest} at it, then removes older ones, or with {@code keepCheckpoints}
     * keeps their models: a crash leaves a valid one.
     */
    public void saveCheckpoint(long step, Map<String, Tensor> model, Map<String, Tensor> optimizer, RunConfig config)
            throws IOException {
        saveCheckpoint(step, model, optimizer, config.toJson(), config.keepCheckpoints());
    }

    /**
     * Writes checkpoint {@code step} with the config as JSON text, then points {@code latest} at it. With
     * {@code keepOlder} the older checkpoints keep their model (a series of snapshots, e.g. one per epoch) and lose
     * only their optimizer state, which resuming from the latest does not need; otherwise they are removed.
     */
    public void saveCheckpoint(long step, Map<String, Tensor> model, Map<String, Tensor> optimizer, String configJson,
                               boolean keepOlder) throws IOException {
        String name = String.format("ckpt-%09d", step);
        Path ck = dir.resolve(name);
        Files.createDirectories(ck);
        Map<String, String> meta = Map.of("biaslab.step", Long.toString(step), "biaslab.config", configJson, "format", "pt");
        TensorFile.save(ck.resolve("optimizer.safetensors"), optimizer, meta);
        TensorFile.save(ck.resolve("model.safetensors"), model, meta);
        write(dir.resolve("latest"), name);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().matches("ckpt-\\d+") && !p.getFileName().toString().equals(name)).toList()) {
                if (keepOlder) {
                    Files.deleteIfExists(p.resolve("optimizer.safetensors"));
                    continue;
                }
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : files.toList()) Files.delete(f);
                }
                Files.delete(p);
            }
        }
    }

    /** The steps of the checkpoints that hold a model, up to {@code latest} (a later one is a crash's leftover), ascending. */
    public List<Long> checkpointSteps() throws IOException {
        long latest = latestStep();
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).filter(n -> n.matches("ckpt-\\d+") && Files.isRegularFile(dir.resolve(n).resolve("model.safetensors")))
                    .map(n -> Long.parseLong(n.substring(5))).filter(s -> s <= latest).sorted().toList();
        }
    }

    /** The model parameters of checkpoint {@code step}. */
    public Map<String, Tensor> loadModel(long step) throws IOException {
        return TensorFile.load(dir.resolve(String.format("ckpt-%09d", step)).resolve("model.safetensors")).tensors();
    }

    /** The model and optimizer state of the latest checkpoint. */
    public Checkpoint loadCheckpoint() throws IOException {
        long step = latestStep();
        Path ck = dir.resolve(String.format("ckpt-%09d", step));
        return new Checkpoint(step, TensorFile.load(ck.resolve("model.safetensors")).tensors(),
                TensorFile.load(ck.resolve("optimizer.safetensors")).tensors());
    }

    /** A checkpoint's contents. */
    public record Checkpoint(long step, Map<String, Tensor> model, Map<String, Tensor> optimizer) {}

    /** Drops metrics logged after {@code step} (they are recomputed identically when the run resumes). */
    public void truncateMetrics(long step) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        if (!Files.exists(file)) return;
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                break; // a line cut off by a crash ends the valid log
            }
            if (node.path("step").asLong() <= step) keep.add(line);
        }
        write(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }

    /** Appends one metrics line. */
    public void log(Map<String, Object> metrics) throws IOException {
        Files.writeString(dir.resolve("metrics.jsonl"), JSON.writeValueAsString(metrics) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Every metrics line, in order. */
    public List<Map<String, Object>> metrics() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) out.add(JSON.readValue(line, LinkedHashMap.class));
        }
        return out;
    }

    public void writeSummary(Map<String, Object> summary) throws IOException {
        write(dir.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
    }

    public Map<String, Object> summary() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.readValue(dir.resolve("summary.json").toFile(), LinkedHashMap.class);
        return m;
    }

    /** Writes a small text file atomically. */
    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
