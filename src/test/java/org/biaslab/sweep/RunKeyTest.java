package org.biaslab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.biaslab.train.RunConfig;
import org.junit.jupiter.api.Test;

/** A run's key names its directory in every sweep directory ever written, so it must not drift. */
class RunKeyTest {
    @Test
    void equalConfigsShareAKeyAndAnyChangedFieldChangesIt() {
        RunConfig a = RunConfig.defaults().with(Map.of("n", 7, "lr", 1e-3));
        RunConfig b = RunConfig.fromJson(RunConfig.defaults().with(Map.of("lr", 1e-3)).with(Map.of("n", 7)).toJson());
        assertEquals(RunKey.of(a), RunKey.of(b));
        assertTrue(RunKey.of(a).matches("[0-9a-f]{12}"));
        assertNotEquals(RunKey.of(a), RunKey.of(a.with(Map.of("lr", Math.nextUp(1e-3)))));
        assertNotEquals(RunKey.of(a), RunKey.of(a.with(Map.of("seed", 1L))));
    }

    @Test
    void theKeyOfTheDefaultsIsPinned() {
        // the same as Python: hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"))) with Java's 3.0E-4 spelling;
        // a change here orphans the runs of every existing sweep directory: only with a RunConfig field added
        assertTrue(RunKey.canonical(RunConfig.defaults()).startsWith("{\"batch\":1024,\"beta1\":0.9,\"beta2\":0.999,\"checkpointEvery\":1000,"));
        assertEquals("d011c7f02216", RunKey.of(RunConfig.defaults()));
    }
}
