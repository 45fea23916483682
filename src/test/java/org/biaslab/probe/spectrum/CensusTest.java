package org.biaslab.probe.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class CensusTest {
    @Test
    void countsEveryHeadOfEveryInputAndSumsToAHundredPercent() throws Exception {
        PretrainedModel m = ValueOutputMapsTest.randomised(HuggingFace.load(HfFixture.dir("bert")));
        List<ValueOutput> maps = ValueOutputMaps.of(m.module(), true);
        Tensor ids = Tensor.ofInts(new int[] {5, 17, 42, 8, 91, 3, 60, 77, 0, 0, 9, 4, 0, 0, 0}, 3, 5);
        Tensor mask = Tensor.ofInts(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0}, 3, 5);
        List<Census.Layer> census = Census.of(m, PretrainedModel.Input.tokens(ids, mask), maps, Dominance.TOLERANCE);
        assertEquals(2, census.size());
        for (Census.Layer l : census) assertEquals(4 * 3, l.counts().total(), "4 heads × 3 inputs");
        double[] p = Census.total(census).percentages();
        assertEquals(100, p[0] + p[1] + p[2], 1e-9);
    }

    @Test
    void aPatternIsTrimmedToTheRealTokensBeforeItsSpectrum() {
        // one head, H = −1.5 (d = 1). Over the two real tokens A has eigenvalues {1, 0.5}: |1 − 1.5| > |1 − 0.75|, the
        // constant mode wins. The two padded rows, if kept, swap each other and add eigenvalue −1: |1 + 1.5| wins.
        DMatrixRMaj wv = new DMatrixRMaj(new double[][] {{-1.5}}), wo = new DMatrixRMaj(new double[][] {{1}});
        ValueOutput layer = new ValueOutput("attn", null, false, List.of(wv), List.of(wo), new DMatrixRMaj(1, 1));
        Tensor pattern = Tensor.of(new double[] {0.75, 0.25, 0, 0, 0.25, 0.75, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0}, 1, 1, 4, 4);
        Map<String, Tensor> captured = Map.of("attn.hook_pattern", pattern);
        Census.Counts trimmed = Census.of(List.of(layer), captured::get, Tensor.ofInts(new int[] {1, 1, 0, 0}, 1, 4), Dominance.TOLERANCE).get(0).counts();
        assertEquals(new Census.Counts(1, 0, 0), trimmed);
        Census.Counts whole = Census.of(List.of(layer), captured::get, null, Dominance.TOLERANCE).get(0).counts();
        assertEquals(new Census.Counts(0, 1, 0), whole);
    }
}
