package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Conv1DTest {
    @Test
    void isALinearLayerWithTheTransposedWeight() {
        Conv1D conv = new Conv1D(4, 3, Init.f32(0));
        conv.load(Map.of("weight", conv.namedParameters().get("weight"), "bias", Tensor.of(new float[] {1, -2, 3}, 3)));
        Linear lin = new Linear(4, 3, true, Init.f32(1));
        lin.load(Map.of("weight", conv.namedParameters().get("weight").transpose(0, 1), "bias", conv.namedParameters().get("bias")));
        Tensor x = Tensor.randn(new Rng(2), DType.F32, 2, 5, 4);
        assertArrayEquals(lin.forward(x).toFloatArray(), conv.forward(x).toFloatArray(), 1e-6f);
    }

    @Test
    void eachEnsembleMemberUsesItsOwnWeights() {
        Conv1D pair = new Conv1D(4, 3, Init.f32(5, 6));
        Conv1D five = new Conv1D(4, 3, Init.f32(5)), six = new Conv1D(4, 3, Init.f32(6));
        Tensor x = Tensor.randn(new Rng(2), DType.F32, 2, 7, 4); // (E, N, in)
        Tensor y = pair.forward(x);
        assertArrayEquals(five.forward(x.slice(0, 0, 1).reshape(7, 4)).toFloatArray(), y.slice(0, 0, 1).toFloatArray(), 1e-6f);
        assertArrayEquals(six.forward(x.slice(0, 1, 2).reshape(7, 4)).toFloatArray(), y.slice(0, 1, 2).toFloatArray(), 1e-6f);
    }
}
