package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class RmsNormTest {
    @Test
    void rowsComeOutWithUnitRootMeanSquareTimesTheWeight() {
        RmsNorm n = new RmsNorm(5, 0, Init.f32(0));
        double[] x = Tensor.randn(new Rng(1), DType.F64, 3, 5).mul(7.0).add(2.0).toDoubleArray();
        double[] y = n.forward(Tensor.of(x, 3, 5).to(DType.F32)).to(DType.F64).toDoubleArray();
        for (int r = 0; r < 3; r++) {
            double ms = 0;
            for (int j = 0; j < 5; j++) ms += x[r * 5 + j] * x[r * 5 + j] / 5;
            for (int j = 0; j < 5; j++) assertEquals(x[r * 5 + j] / Math.sqrt(ms), y[r * 5 + j], 1e-5); // no mean subtracted
        }
        n.load(Map.of("weight", Tensor.of(new float[] {1, 2, 3, 4, 5}, 5)));
        double[] scaled = n.forward(Tensor.of(x, 3, 5).to(DType.F32)).to(DType.F64).toDoubleArray();
        for (int i = 0; i < 15; i++) assertEquals(y[i] * (i % 5 + 1), scaled[i], 1e-5);
    }

    @Test
    void epsilonGoesInsideTheRoot() {
        RmsNorm n = new RmsNorm(2, 0.25, Init.f32(0));
        // x = (1, 1): mean square 1, so y = 1 / √1.25
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(1.25)), (float) (1 / Math.sqrt(1.25))},
                n.forward(Tensor.of(new float[] {1, 1}, 1, 2)).toFloatArray(), 1e-7f);
    }
}
