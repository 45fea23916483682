package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.probe.P1Objective;
import org.biaslab.tensor.Autograd;
import org.biaslab.tensor.OpCount;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The work of one Hessian-vector product of P1's model as {@code biaslab bench hvp} builds it (d 128, 2 layers, 2
 * heads, n 20; a small batch: below 4,096 rows the first layer multiplies the rows, above it projects its tables, which
 * takes about 60 more kernels): its kernel calls, each a device op on a GPU,
 * where a product of this model is bound by their launches; and the nodes of the recorded gradient graph. The vector
 * crosses to the parameters' device and back in one copy each way, split and joined there by 2 × 28 slice and insert
 * kernels (a copy per parameter waited for the GPU each time).
 */
class HvpCostTest {
    @Test
    void aProductOfP1sModelRunsAboutThreeHundredKernels() {
        P1Transformer model = new P1Transformer(128, 2, 2, 64, Init.f32(0));
        Sampler sampler = Sampler.uniform(List.of(BitTask.of(FunctionCatalog.parse("parity", 20).get(0).function())), new long[] {0}, 16);
        Batch b = sampler.next(0, 2);
        ParameterGroup all = ParameterGroup.select(model, "**", null);
        CurvatureOperator h = CurvatureOperator.hessian(all, k -> P1Objective.loss(P1Objective.predict(model, b), b.y(), 1), 1);
        double[][] v = {Vectors.gaussian(new Rng(1), all.dim())};
        h.apply(v); // records the gradient graph
        Map<String, Integer> calls = OpCount.kernelCalls(() -> h.apply(v));
        int total = calls.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Integer> gradient = OpCount.kernelCalls(() -> Autograd.grad(P1Objective.loss(P1Objective.predict(model, b), b.y(), 1),
                all.tensors(), null, false));
        Tensor[] grad = Autograd.grad(P1Objective.loss(P1Objective.predict(model, b), b.y(), 1), all.tensors(), null, true);
        System.out.printf("HVP of P1's model: %d kernel calls %s; a gradient (forward included): %d; %d nodes behind the recorded gradient%n",
                total, calls, gradient.values().stream().mapToInt(Integer::intValue).sum(), OpCount.nodes(grad));
        assertTrue(total <= 320, total + " kernel calls per product: " + calls);
    }
}
