package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** A model built for loading has the real model's parameters as zeros, and after load() computes the same outputs. */
class InitForLoadingTest {
    @Test
    void placeholdersHaveTheShapesAndLoadingRestoresTheModel() {
        P1Transformer real = new P1Transformer(32, 2, 2, 16, Init.f32(7));
        P1Transformer shell = new P1Transformer(32, 2, 2, 16, Init.forLoading(DType.F32));
        Map<String, Tensor> want = real.namedParameters(), got = shell.namedParameters();
        assertEquals(want.keySet(), got.keySet());
        for (var e : want.entrySet()) {
            assertEquals(e.getValue().shape(), got.get(e.getKey()).shape(), e.getKey());
        }
        shell.load(want);
        Tensor bits = Tensor.ofInts(new int[] {0, 1, 1, 0, 1, 1, 1, 0}, 2, 4);
        assertArrayEquals(real.forward(bits).toFloatArray(), shell.forward(bits).toFloatArray());
    }

    @Test
    void drawsBecomeZeros() {
        Init init = Init.forLoading(DType.F32);
        assertArrayEquals(new float[6], init.normal(0.02, 2, 3).toFloatArray());
        assertArrayEquals(new float[6], init.kaimingUniform(2, 3).toFloatArray());
    }
}
