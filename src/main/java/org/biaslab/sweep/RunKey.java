package org.biaslab.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.biaslab.train.RunConfig;

/**
 * The name of a run in a sweep: the first 12 hex digits (48 bits) of the SHA-256 of its config's canonical JSON
 * (fields sorted by name, no spaces). Equal configs share a key however they were written; adding a field to
 * {@link RunConfig} changes every key, so old sweep directories keep the keys their sweep.json lists.
 */
public final class RunKey {
    private static final JsonMapper CANONICAL = JsonMapper.builder().enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY).build();

    private RunKey() {}

    /** The config's canonical JSON. */
    public static String canonical(RunConfig c) {
        try {
            return CANONICAL.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The run's key: 12 lowercase hex digits. */
    public static String of(RunConfig c) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical(c).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
