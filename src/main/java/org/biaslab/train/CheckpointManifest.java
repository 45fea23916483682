package org.biaslab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.biaslab.io.FormatException;

/**
 * A checkpoint's {@code manifest.json}, written after its files: the step and the SHA-256 of each file, e.g.
 * {@code {"step":20,"sha256":{"model.safetensors":"9f…","optimizer.safetensors":"4c…"}}}. A checkpoint directory
 * without one was interrupted while being written; one whose files do not match it was damaged afterwards.
 *
 * @param sha256 file name (in the checkpoint directory) to lower-case hex digest
 */
record CheckpointManifest(long step, Map<String, String> sha256) {
    static final String FILE = "manifest.json";
    private static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    CheckpointManifest {
        sha256 = Map.copyOf(new TreeMap<>(sha256));
    }

    String toJson() {
        ObjectNode root = JSON.createObjectNode().put("step", step);
        ObjectNode sums = root.putObject("sha256");
        new TreeMap<>(sha256).forEach(sums::put);
        return root.toString();
    }

    /** The manifest of checkpoint directory {@code ck}; a malformed one is a {@link FormatException} naming it. */
    static CheckpointManifest read(Path ck) throws IOException {
        Path file = ck.resolve(FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode step = root == null ? null : root.get("step"), sums = root == null ? null : root.get("sha256");
        if (step == null || !step.canConvertToExactIntegral() || !step.canConvertToLong() || sums == null || !sums.isObject()) {
            throw new FormatException(file, "not a checkpoint manifest (an integer 'step' and an object 'sha256' expected)");
        }
        Map<String, String> out = new TreeMap<>();
        for (var e : sums.properties()) {
            // a plain file name of the directory, so that a damaged manifest cannot point elsewhere
            if (!e.getKey().matches("[A-Za-z0-9_-][A-Za-z0-9._-]*") || !e.getValue().isTextual()
                    || !e.getValue().textValue().matches("[0-9a-f]{64}")) {
                throw new FormatException(file, "entry '" + e.getKey() + "' is not a file name with a SHA-256 in hex");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return new CheckpointManifest(step.longValue(), out);
    }

    /**
     * Checks that this manifest belongs to step {@code expectedStep} of directory {@code ck} and that {@code files}
     * are listed and match their SHA-256; a mismatch is a {@link FormatException} naming the file.
     */
    void verify(Path ck, long expectedStep, Collection<String> files) throws IOException {
        if (step != expectedStep) {
            throw new FormatException(ck.resolve(FILE), "is for step " + step + ", not for its directory's step " + expectedStep);
        }
        for (String name : files) {
            Path file = ck.resolve(name);
            String expected = sha256.get(name);
            if (expected == null) throw new FormatException(ck.resolve(FILE), "lists no '" + name + "'");
            if (!Files.isRegularFile(file)) throw new FormatException(file, "missing, though " + FILE + " lists it");
            if (!expected.equals(sha256(file))) {
                throw new FormatException(file, "SHA-256 does not match the one in " + FILE + ": the file or the manifest was damaged after writing");
            }
        }
    }

    /** The SHA-256 of a file's bytes in lower-case hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
