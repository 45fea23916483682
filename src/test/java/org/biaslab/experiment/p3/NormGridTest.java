package org.biaslab.experiment.p3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.tensor.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NormGridTest {
    @Test
    void theLogGridIsTheReferences() {
        double[] g = NormGrid.logGrid(5);
        assertArrayEquals(new double[] {1e-1, 1e-2, 1e-3, 1e-4, 1e-5}, g, 1e-15);
        assertEquals(Math.pow(10, -1 - 4.0 / 19), NormGrid.logGrid(20)[1], 1e-15);
    }

    /** Cells batched into ensembles give the norms of cells trained one at a time, for both optimisers. */
    @Test
    void batchedCellsEqualCellsTrainedAlone(@TempDir Path dir) throws Exception {
        LmRunConfig c = LmTrainingTest.config(LmTrainingTest.cyclicCorpus(dir, 60), 1).with(Map.of("d", 16, "ffn", 16, "layers", 1));
        double[] lrs = {1e-1, 1e-3}, wds = {1e-1, 1e-4};
        for (String opt : List.of("adamw", "sgd")) {
            NormGrid.Result all = NormGrid.run(c, opt, lrs, wds, LmTraining.ENCODER, 4, Device.CPU, null);
            NormGrid.Result one = NormGrid.run(c, opt, lrs, wds, LmTraining.ENCODER, 1, Device.CPU, null);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(one.before()[i][j], all.before()[i][j], 1e-4, opt);
                    assertEquals(one.after()[i][j], all.after()[i][j], 1e-4 * one.after()[i][j], opt + " cell " + i + "," + j);
                }
            }
            // with the same η, the larger λ ends with the smaller norm
            assertTrue(all.after()[0][0] < all.after()[0][1], opt + ": " + all.after()[0][0] + " vs " + all.after()[0][1]);
        }
    }

    /** A grid stopped after its first ensemble resumes from its partial file to the uninterrupted grid's norms, bit for bit. */
    @Test
    void anInterruptedGridResumesAfterItsLastEnsemble(@TempDir Path dir) throws Exception {
        LmRunConfig c = LmTrainingTest.config(LmTrainingTest.cyclicCorpus(dir, 40), 1).with(Map.of("d", 8, "ffn", 8, "layers", 1));
        double[] lrs = {1e-1, 1e-2, 1e-3}, wds = {1e-1, 1e-3};
        NormGrid.Result whole = NormGrid.run(c, "adamw", lrs, wds, LmTraining.ENCODER, 2, Device.CPU, null);
        Path partial = dir.resolve("adamw.partial.json");
        RuntimeException stop = new RuntimeException("stopped");
        assertSame(stop, assertThrows(RuntimeException.class, () -> NormGrid.run(c, "adamw", lrs, wds, LmTraining.ENCODER, 2, Device.CPU,
                (done, all) -> { throw stop; }, partial)));
        assertTrue(Files.exists(partial), "the first ensemble's cells are kept");
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> NormGrid.run(c, "adamw", lrs, wds, LmTraining.ENCODER, 3, Device.CPU, null, partial));
        assertEquals(1, other.getMessage().lines().count(), other.getMessage());
        List<Integer> seen = new ArrayList<>();
        NormGrid.Result resumed = NormGrid.run(c, "adamw", lrs, wds, LmTraining.ENCODER, 2, Device.CPU, (done, all) -> seen.add(done), partial);
        assertEquals(List.of(2, 4, 6), seen, "resumes after the 2 cells kept");
        for (int i = 0; i < lrs.length; i++) {
            assertArrayEquals(whole.before()[i], resumed.before()[i], 0.0);
            assertArrayEquals(whole.after()[i], resumed.after()[i], 0.0);
        }
        assertFalse(Files.exists(partial), "a finished grid leaves no partial file");
    }

    /** A kept grid is read back for its own config and refused, naming the field, for another (e.g. --grid-preset). */
    @Test
    void aKeptGridIsRefusedForAnotherConfig(@TempDir Path dir) throws Exception {
        LmRunConfig c = LmTrainingTest.config(LmTrainingTest.cyclicCorpus(dir, 40), 1).with(Map.of("d", 8, "ffn", 8, "layers", 1));
        LrWdGrid grid = new LrWdGrid(c, 2, List.of("adamw"), 4);
        Path out = dir.resolve("grid");
        NormGrid.Result first = grid.run(out, Device.CPU, P3.Observer.SILENT).getFirst();
        assertEquals(c.with(Map.of("optimizer", "adamw")), LrWdGrid.keptConfig(out, "adamw"));
        assertArrayEquals(first.after()[1], grid.run(out, Device.CPU, P3.Observer.SILENT).getFirst().after()[1], 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> grid.with(Map.of("preset", "small")).run(out, Device.CPU, P3.Observer.SILENT));
        assertTrue(e.getMessage().contains("preset: \"tiny\" → \"small\""), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    /** "+zero-mask" selects the reference's causal mask; the field stays out of the JSON when false, so older run directories still match. */
    @Test
    void theZeroMaskVariantAndItsJson(@TempDir Path dir) throws Exception {
        NormGrowth lm = NormGrowth.quick(LmTrainingTest.cyclicCorpus(dir, 40).toString());
        LmRunConfig quirk = lm.config("control" + NormGrowth.ZERO_MASK), plain = lm.config("control");
        assertTrue(quirk.zeroMask() && quirk.model(10).zeroMask());
        assertEquals("control", quirk.variant());
        assertFalse(plain.zeroMask() || plain.toJson().contains("zeroMask"), plain.toJson());
        assertEquals(quirk, LmRunConfig.fromJson(quirk.toJson()));
        assertEquals(plain, LmRunConfig.fromJson(plain.toJson()));
        assertThrows(IllegalArgumentException.class, () -> new NormGrowth(lm.base(), List.of("postln" + NormGrowth.ZERO_MASK), 1, 1000));
    }
}
