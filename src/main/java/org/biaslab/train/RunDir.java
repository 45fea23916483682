package org.biaslab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.biaslab.io.FormatException;
import org.biaslab.io.SafeTensorsFile;
import org.biaslab.io.TensorFile;
import org.biaslab.io.tensorboard.EventWriter;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * A run's directory: {@code config.json}, {@code metrics.jsonl} (one JSON object per logged step), checkpoints
 * {@code ckpt-<step>/} and {@code summary.json} once the run has finished. A checkpoint holds
 * {@code model.safetensors} (PyTorch names, loadable by any safetensors reader, config and step in the metadata),
 * {@code optimizer.safetensors} and, written last, {@code manifest.json} with the SHA-256 of both
 * ({@link CheckpointManifest}). {@code latest} names the newest checkpoint for people and other tools; resuming
 * scans the directories instead and takes the newest checkpoint that verifies. The one before it is kept as a
 * fallback; older ones are removed, or with {@code keepCheckpoints} keep their model only. A checkpoint is never
 * written with a non-finite number in it. Every metrics line also goes to TensorBoard event files under {@code tb/}
 * (see {@link #log}).
 */
public final class RunDir {
    private static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final Pattern CHECKPOINT = Pattern.compile("ckpt-(\\d{9,18})");
    private static final String MODEL = "model.safetensors", OPTIMIZER = "optimizer.safetensors";
    /** Metadata of the files of a checkpoint with a manifest; checkpoints written before checksums lack it. */
    static final String MANIFEST_KEY = "biaslab.manifest";
    /** The temporary files of {@link #write} that a kill can leave behind. */
    private static final List<String> TEMPORARY = List.of("config.json.tmp", "latest.tmp", "metrics.jsonl.tmp", "summary.json.tmp");
    private final Path dir;
    private final Map<Path, EventWriter> tensorBoard = new HashMap<>();

    public RunDir(Path dir) {
        this.dir = dir;
    }

    /** Whether {@code dir} is a run directory: it holds a config.json (a run of a grid that was started). */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"));
    }

    public Path path() {
        return dir;
    }

    /**
     * Creates the directory with its config, or checks that an existing one was made with the same config and
     * removes what a kill left behind ({@link #cleanUp}).
     */
    public void init(RunConfig config) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("config.json");
        if (Files.exists(file)) {
            RunConfig existing = RunConfig.load(file);
            if (!existing.equals(config)) {
                throw new IllegalArgumentException(dir + " holds a run with another config; choose another --out or --name");
            }
            cleanUp(config.keepCheckpoints());
            return;
        }
        write(file, config.toJson());
    }

    /**
     * As {@link #init(RunConfig)} for a run whose config is not a P1 {@link RunConfig} (P3's language models, which
     * keep a model per epoch): an existing {@code config.json} must hold the same JSON tree.
     */
    public void init(String configJson) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("config.json");
        if (Files.exists(file)) {
            if (!JSON.readTree(Files.readString(file)).equals(JSON.readTree(configJson))) {
                throw new IllegalArgumentException(dir + " holds a run with another config; choose another --out");
            }
            cleanUp(true);
            return;
        }
        write(file, configJson);
    }

    public boolean finished() {
        return Files.exists(dir.resolve("summary.json"));
    }

    /** The directory name of checkpoint {@code step}: {@code ckpt-} and the step in at least nine digits. */
    public static String checkpointName(long step) {
        return String.format("ckpt-%09d", step);
    }

    /** The newest checkpoint that verifies ({@code step} -1 when there is none) and, one line each, why newer ones did not. */
    public record Scan(long step, List<String> skipped) {
        public boolean found() {
            return step >= 0;
        }
    }

    /**
     * Scans the checkpoints from the newest: the first whose files match its manifest (or, written before checksums,
     * has both files) is the one to resume from. Interrupted writes are passed over silently, damaged checkpoints
     * with their one-line error.
     */
    public Scan scan() throws IOException {
        List<String> skipped = new ArrayList<>();
        for (long step : steps().reversed()) {
            Path ck = checkpoint(step);
            try {
                if (Files.exists(ck.resolve(CheckpointManifest.FILE))) {
                    CheckpointManifest m = CheckpointManifest.read(ck);
                    if (!m.sha256().containsKey(OPTIMIZER)) continue; // an older snapshot: its model only
                    m.verify(ck, step, List.of(MODEL, OPTIMIZER));
                    return new Scan(step, List.copyOf(skipped));
                }
                if (!interrupted(ck) && Files.isRegularFile(ck.resolve(OPTIMIZER))) return new Scan(step, List.copyOf(skipped));
            } catch (FormatException e) {
                skipped.add(e.getMessage());
            }
        }
        return new Scan(-1, List.copyOf(skipped));
    }

    /** The step of the newest checkpoint that verifies, or 0 when there is none. */
    public long latestStep() throws IOException {
        return Math.max(0, scan().step());
    }

    /**
     * The step the run's results belong to: its newest checkpoint that verifies or, for a finished run whose
     * checkpoints' weights were all left out (a slice carried from another machine without its weight files), its
     * summary's steps; 0 when neither.
     */
    public long resultStep() throws IOException {
        Scan s = scan();
        if (s.found()) return s.step();
        if (finished() && weightsLeftOut() && summary().get("steps") instanceof Number n) return n.longValue();
        return 0;
    }

    /** Whether no checkpoint directory holds a model or optimizer file (a run carried without its weights). */
    public boolean weightsLeftOut() throws IOException {
        for (long step : steps()) {
            Path ck = checkpoint(step);
            if (Files.exists(ck.resolve(MODEL)) || Files.exists(ck.resolve(OPTIMIZER))) return false;
        }
        return true;
    }

    /** For messages: the checkpoint a resumed run starts from, e.g. "the last good checkpoint is ckpt-000000020 (step 20)". */
    public String lastGood() throws IOException {
        Scan s = scan();
        return s.found() ? "the last good checkpoint is " + checkpointName(s.step()) + " (step " + s.step() + ")"
                : "no checkpoint was kept, so the run starts again from step 0";
    }

    /** As {@link #saveCheckpoint(long, Map, Map, String, boolean)} with the config's JSON and {@code keepCheckpoints}. */
    public void saveCheckpoint(long step, Map<String, Tensor> model, Map<String, Tensor> optimizer, RunConfig config)
            throws IOException {
        saveCheckpoint(step, model, optimizer, config.toJson(), config.keepCheckpoints());
    }

    /**
     * Writes checkpoint {@code step} with the config as JSON text: both files, then the manifest, then reads them
     * back against it; only then does {@code latest} point at it and do older checkpoints go (all but the previous
     * one; with {@code keepOlder} they keep their model, a series of snapshots, and lose only their optimizer state).
     * Checkpoints after {@code step} are left alone. A non-finite parameter or optimizer value is a {@link Diverged}
     * naming it and the checkpoint that remains, and nothing is written.
     */
    public void saveCheckpoint(long step, Map<String, Tensor> model, Map<String, Tensor> optimizer, String configJson,
                               boolean keepOlder) throws IOException {
        requireFinite(step, "parameter", model);
        requireFinite(step, "optimizer state", optimizer);
        String name = checkpointName(step);
        Path ck = dir.resolve(name);
        Files.createDirectories(ck);
        Files.deleteIfExists(ck.resolve(CheckpointManifest.FILE)); // rewritten, it is incomplete until its new manifest
        Map<String, String> meta = Map.of("biaslab.step", Long.toString(step), "biaslab.config", configJson, "format", "pt",
                MANIFEST_KEY, CheckpointManifest.FILE);
        Map<String, String> sha256 = new TreeMap<>();
        sha256.put(OPTIMIZER, TensorFile.save(ck.resolve(OPTIMIZER), optimizer, meta));
        sha256.put(MODEL, TensorFile.save(ck.resolve(MODEL), model, meta));
        write(ck.resolve(CheckpointManifest.FILE), new CheckpointManifest(step, sha256).toJson());
        CheckpointManifest.read(ck).verify(ck, step, sha256.keySet());
        write(dir.resolve("latest"), name);
        prune(step, keepOlder);
    }

    /** The steps of the complete checkpoints that hold a model, up to the newest that verifies, ascending. */
    public List<Long> checkpointSteps() throws IOException {
        long newest = scan().step();
        List<Long> out = new ArrayList<>();
        for (long step : steps()) {
            if (step <= newest && Files.isRegularFile(checkpoint(step).resolve(MODEL)) && complete(checkpoint(step))) out.add(step);
        }
        return out;
    }

    /** The model parameters of checkpoint {@code step}, checked against its manifest. */
    public Map<String, Tensor> loadModel(long step) throws IOException {
        Path ck = checkpoint(step);
        if (Files.exists(ck.resolve(CheckpointManifest.FILE))) CheckpointManifest.read(ck).verify(ck, step, List.of(MODEL));
        return TensorFile.load(ck.resolve(MODEL)).tensors();
    }

    /** The model and optimizer state of the newest checkpoint that verifies. */
    public Checkpoint loadCheckpoint() throws IOException {
        return load(scan());
    }

    /** The model and optimizer state of the checkpoint that {@code scan} found. */
    public Checkpoint load(Scan scan) throws IOException {
        if (!scan.found()) {
            throw new IOException(dir + ": no checkpoint" + (scan.skipped().isEmpty() ? "" : " that verifies; " + scan.skipped().getFirst()));
        }
        Path ck = checkpoint(scan.step());
        return new Checkpoint(scan.step(), TensorFile.load(ck.resolve(MODEL)).tensors(), TensorFile.load(ck.resolve(OPTIMIZER)).tensors());
    }

    /** A checkpoint's contents. */
    public record Checkpoint(long step, Map<String, Tensor> model, Map<String, Tensor> optimizer) {}

    /**
     * Drops metrics logged after {@code step} (they are recomputed identically when the run resumes) and lines that
     * are not JSON objects, keeping every other line; returns one line per corrupt line dropped. A last line without
     * its newline was cut off by a kill and goes silently.
     */
    public List<String> truncateMetrics(long step) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        if (!Files.exists(file)) return List.of();
        List<String> keep = new ArrayList<>(), dropped = new ArrayList<>();
        for (MetricsLine line : metricsLines(file)) {
            if (line.problem() != null) dropped.add(file + ": " + line.problem() + "; dropped it");
            else if (line.json().path("step").asLong() <= step) keep.add(line.text());
        }
        write(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
        return dropped;
    }

    /**
     * Appends one metrics line, and writes its numbers (all but {@code step}, {@code seed} and {@code member}) as
     * TensorBoard scalars of the same names at its {@code step}: into {@code tb/}, or for a line naming a
     * {@code seed} (one member of an ensemble that shares this directory) into {@code tb/seed-<seed>/}, which
     * TensorBoard shows as a run of its own. Each directory gets one event file per session, which starts with the
     * config as text; steps that an earlier session wrote already are not written again.
     */
    public void log(Map<String, Object> metrics) throws IOException {
        Files.writeString(dir.resolve("metrics.jsonl"), JSON.writeValueAsString(metrics) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!(metrics.get("step") instanceof Number step)) throw new IllegalArgumentException(dir + ": a metrics line without a step: " + metrics.keySet());
        Map<String, Double> scalars = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v instanceof Number x && !TB_KEYS.contains(k)) scalars.put(k, x.doubleValue());
        });
        Path tb = dir.resolve("tb");
        if (metrics.get("seed") != null) tb = tb.resolve("seed-" + metrics.get("seed"));
        tensorBoard(tb).scalars(step.longValue(), scalars);
    }

    /** The keys of a metrics line that say where and when it belongs rather than what was measured. */
    private static final Set<String> TB_KEYS = Set.of("step", "seed", "member");

    /** This session's event file in {@code tb}, opened on first use with the config (indented: markdown code) at step 0. */
    private EventWriter tensorBoard(Path tb) throws IOException {
        EventWriter w = tensorBoard.get(tb);
        if (w != null) return w;
        w = EventWriter.open(tb);
        Path config = dir.resolve("config.json");
        if (Files.exists(config)) {
            String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(config.toFile()));
            w.text("config", 0, json.indent(4));
        }
        tensorBoard.put(tb, w);
        return w;
    }

    /** Every metrics line, in order; a corrupt line is a {@link FormatException} naming it. */
    public List<Map<String, Object>> metrics() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (MetricsLine line : metricsLines(file)) {
            if (line.problem() != null) throw new FormatException(file, line.problem() + "; delete or repair that line");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.convertValue(line.json(), LinkedHashMap.class);
            out.add(m);
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

    /** A line of metrics.jsonl: its text and JSON object, or why it is not one (then {@code json} is null). */
    private record MetricsLine(String text, JsonNode json, String problem) {}

    /** The non-blank lines of a metrics file, each parsed or with its problem; a last line without its newline is left out. */
    private static List<MetricsLine> metricsLines(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<MetricsLine> out = new ArrayList<>();
        for (int from = 0, number = 1, i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') continue;
            byte[] raw = Arrays.copyOfRange(bytes, from, i);
            from = i + 1;
            String where = "line " + number++;
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                out.add(new MetricsLine(null, null, where + " is not valid UTF-8"));
                continue;
            }
            if (text.isBlank()) continue;
            String excerpt = " (" + (text.length() > 40 ? text.substring(0, 40) + "…" : text).replaceAll("\\p{Cntrl}", "?") + ")";
            try {
                JsonNode json = JSON.readTree(text);
                out.add(json.isObject() ? new MetricsLine(text, json, null) : new MetricsLine(null, null, where + excerpt + " is not a JSON object"));
            } catch (JsonProcessingException e) {
                out.add(new MetricsLine(null, null, where + excerpt + " is not JSON"));
            }
        }
        return out;
    }

    /**
     * Removes what a kill leaves behind: temporary files, checkpoints interrupted while being written, and
     * checkpoints older than the one before the newest that verifies (with {@code keepOlder} only their optimizer
     * state); points {@code latest} at the newest that verifies. Damaged checkpoints after it stay until training
     * overwrites them.
     */
    private void cleanUp(boolean keepOlder) throws IOException {
        for (String t : TEMPORARY) Files.deleteIfExists(dir.resolve(t));
        for (long step : steps()) {
            Path ck = checkpoint(step);
            try (Stream<Path> files = Files.list(ck)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) Files.delete(f);
            }
            if (!complete(ck)) deleteCheckpoint(ck);
        }
        Scan s = scan();
        if (!s.found()) return;
        prune(s.step(), keepOlder);
        Path latest = dir.resolve("latest");
        if (!Files.isRegularFile(latest) || !Files.readString(latest).equals(checkpointName(s.step()))) write(latest, checkpointName(s.step()));
    }

    /** Keeps checkpoint {@code newest}, every later one and the complete one before it; older ones go (with {@code keepOlder}: their optimizer state). */
    private void prune(long newest, boolean keepOlder) throws IOException {
        boolean previousKept = false;
        for (long step : steps().reversed()) {
            if (step >= newest) continue;
            Path ck = checkpoint(step);
            boolean complete = complete(ck);
            if (complete && !previousKept) previousKept = true;
            else if (complete && keepOlder) dropOptimizer(ck);
            else deleteCheckpoint(ck);
        }
    }

    /** Removes a snapshot's optimizer state, first from its manifest (a damaged manifest is left as it is). */
    private static void dropOptimizer(Path ck) throws IOException {
        Path optimizer = ck.resolve(OPTIMIZER);
        if (!Files.exists(optimizer)) return;
        if (Files.exists(ck.resolve(CheckpointManifest.FILE))) {
            CheckpointManifest m;
            try {
                m = CheckpointManifest.read(ck);
            } catch (FormatException e) {
                return;
            }
            Map<String, String> sha256 = new TreeMap<>(m.sha256());
            sha256.remove(OPTIMIZER);
            write(ck.resolve(CheckpointManifest.FILE), new CheckpointManifest(m.step(), sha256).toJson());
        }
        Files.delete(optimizer);
    }

    /** Deletes a checkpoint directory, its manifest first: a kill midway leaves an interrupted checkpoint, not a damaged one. */
    private static void deleteCheckpoint(Path ck) throws IOException {
        Files.deleteIfExists(ck.resolve(CheckpointManifest.FILE));
        try (Stream<Path> files = Files.list(ck)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(ck);
    }

    /** Whether a checkpoint directory was completely written: it has a manifest, or it predates checksums. */
    private static boolean complete(Path ck) throws IOException {
        if (Files.exists(ck.resolve(CheckpointManifest.FILE))) return true;
        try {
            return !interrupted(ck);
        } catch (FormatException e) {
            return true; // an unreadable file of an old checkpoint: kept, and reported when it is loaded
        }
    }

    /** Whether a checkpoint directory without a manifest had its writing interrupted (rather than predating checksums). */
    private static boolean interrupted(Path ck) throws IOException {
        Path model = ck.resolve(MODEL);
        if (!Files.isRegularFile(model)) return true;
        try (SafeTensorsFile f = SafeTensorsFile.open(model)) {
            return f.metadata().containsKey(MANIFEST_KEY);
        }
    }

    /** The steps of the checkpoint directories (named exactly by {@link #checkpointName}), ascending. */
    private List<Long> steps() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Long> out = new ArrayList<>();
        try (Stream<Path> all = Files.list(dir)) {
            for (Path p : all.toList()) {
                String name = p.getFileName().toString();
                Matcher m = CHECKPOINT.matcher(name);
                if (m.matches() && Files.isDirectory(p) && checkpointName(Long.parseLong(m.group(1))).equals(name)) {
                    out.add(Long.parseLong(m.group(1)));
                }
            }
        }
        out.sort(null);
        return out;
    }

    private Path checkpoint(long step) {
        return dir.resolve(checkpointName(step));
    }

    /** Fails with {@link Diverged} before checkpoint {@code step} would hold a NaN or an infinity. */
    private void requireFinite(long step, String what, Map<String, Tensor> tensors) throws IOException {
        for (var e : tensors.entrySet()) {
            if (e.getValue().dtype() == DType.I32) continue;
            for (double v : e.getValue().toDoubleArray()) {
                if (!Double.isFinite(v)) {
                    throw new Diverged(dir + ": " + what + " '" + e.getKey() + "' holds " + v + " after step " + step + ", so "
                            + checkpointName(step) + " is not written; " + lastGood());
                }
            }
        }
    }

    /** Writes a small text file atomically and durably: a kill or a power cut leaves the old file or the new one. */
    public static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel parent = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            parent.force(true);
        }
    }
}
