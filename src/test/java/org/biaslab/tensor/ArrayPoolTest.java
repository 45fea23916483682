package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recycling of a backward pass's dead arrays ({@link ArrayPool}): no array a caller can still reach is ever
 * recycled, and results do not change by a bit, even when every recycled array is full of NaN.
 */
class ArrayPoolTest {
    /** Every large tensor of the graph below has N = B·T·W = B·H·T·T elements. */
    private static final int B = 128, T = 16, W = 32, H = 2, N = B * T * W;

    /** Parameters and input of a small attention block; x requires a gradient too. */
    private static final class Block {
        final Tensor x, gamma, beta, wq, wk, wv;

        Block() {
            Rng rng = new Rng(7);
            x = Tensor.randn(rng, DType.F32, B, T, W).requiresGrad(true);
            gamma = Tensor.uniform(rng, DType.F32, 0.5, 1.5, W).requiresGrad(true);
            beta = Tensor.randn(rng, DType.F32, W).requiresGrad(true);
            wq = Tensor.randn(rng, DType.F32, W, W).mul(0.2).detach().requiresGrad(true);
            wk = Tensor.randn(rng, DType.F32, W, W).mul(0.2).detach().requiresGrad(true);
            wv = Tensor.randn(rng, DType.F32, W, W).mul(0.2).detach().requiresGrad(true);
        }

        Tensor[] params() {
            return new Tensor[] {x, gamma, beta, wq, wk, wv};
        }

        /** The ops whose outputs may be recycled arrays, with views and a tensor added to itself; every step kept. */
        List<Tensor> forward() {
            List<Tensor> ts = new ArrayList<>();
            Tensor h = ts(ts, x.layerNorm(gamma, beta, 1e-5));                         // (B, T, W)
            Tensor q = ts(ts, h.matmul(wq)), k = ts(ts, h.matmul(wk)), v = ts(ts, h.matmul(wv));
            Tensor a = ts(ts, Tensor.attention(q, k, v, H, 0.25, false));              // (B, T, W)
            Tensor r = ts(ts, a.add(x).relu().mul(a));
            Tensor flat = ts(ts, r.reshape(B * T, W));                                 // a view of r
            Tensor twice = ts(ts, flat.add(flat).reshape(B, T, W));
            Tensor c = ts(ts, Tensor.concat(1, twice.slice(1, T / 2, T), twice.slice(1, 0, T / 2)));
            ts(ts, c.mul(c).mean());                                                   // the loss, last
            return ts;
        }

        private static Tensor ts(List<Tensor> ts, Tensor t) {
            ts.add(t);
            return t;
        }
    }

    @AfterEach
    void restore() {
        ArrayPool.enabled = true;
        ArrayPool.clear();
    }

    @Test
    void threeStepsGiveTheSameBitsWithAndWithoutRecyclingEvenFromArraysOfNaN() {
        float[][] plain = train(false, List.of());
        List<float[]> poison = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            float[] a = new float[N];
            Arrays.fill(a, Float.NaN);
            poison.add(a);
        }
        float[][] recycled = train(true, poison);
        for (int i = 0; i < plain.length; i++) assertArrayEquals(plain[i], recycled[i], "array " + i);
        List<float[]> left = drain(N);
        assertTrue(poison.stream().anyMatch(p -> left.stream().noneMatch(l -> l == p)), "no NaN array was handed out");
    }

    /** Three SGD steps from the same start; returns the losses and the final parameters. */
    private static float[][] train(boolean reuse, List<float[]> poison) {
        ArrayPool.clear();
        ArrayPool.enabled = reuse;
        poison.forEach(ArrayPool::give);
        Block block = new Block();
        float[][] out = new float[3 + block.params().length][];
        for (int step = 0; step < 3; step++) {
            List<Tensor> ts = block.forward();
            Tensor loss = ts.getLast();
            loss.backward();
            out[step] = loss.toFloatArray();
            try (var s = GradMode.off()) {
                for (Tensor p : block.params()) {
                    InPlace.copy(p, p.sub(p.grad().mul(0.5)));
                    p.zeroGrad();
                }
            }
        }
        for (int i = 0; i < block.params().length; i++) out[3 + i] = block.params()[i].toFloatArray();
        return out;
    }

    @Test
    void noArrayOfATensorTheCallerHoldsIsRecycled() {
        Block block = new Block();
        List<Tensor> held = block.forward();
        Tensor c = held.get(held.size() - 2);
        Tensor seed = Tensor.randn(new Rng(3), DType.F32, B, T, W);                   // the caller's own seed
        Tensor a = held.get(4);                                                        // an intermediate in wrt
        Tensor[] grads = Autograd.grad(new Tensor[] {c}, new Tensor[] {seed}, new Tensor[] {block.wq, a, block.x}, false, false);
        held.add(seed);
        held.addAll(Arrays.asList(grads));
        held.addAll(Arrays.asList(block.params()));
        assertHeldTensorsKeepTheirValues(held);

        Block again = new Block();
        List<Tensor> held2 = again.forward();
        held2.getLast().backward();
        for (Tensor p : again.params()) held2.add(p.grad());
        held2.addAll(Arrays.asList(again.params()));
        assertHeldTensorsKeepTheirValues(held2);
    }

    /** Takes every recycled array, checks that none belongs to a held tensor, and overwrites them all. */
    private static void assertHeldTensorsKeepTheirValues(List<Tensor> held) {
        List<float[]> before = held.stream().map(Tensor::toFloatArray).toList();
        List<float[]> recycled = drain(N);
        assertFalse(recycled.isEmpty(), "the backward pass recycled nothing");
        for (float[] r : recycled) {
            for (Tensor t : held) assertNotSame(t.storage.f32, r, "a recycled array belongs to a live tensor " + t.shape());
            Arrays.fill(r, Float.NaN);
        }
        for (int i = 0; i < held.size(); i++) assertArrayEquals(before.get(i), held.get(i).toFloatArray());
    }

    @Test
    void aPassThatRecordsItsTapeRecyclesNothing() {
        Block block = new Block();
        Tensor loss = block.forward().getLast();
        Tensor[] g = Autograd.grad(loss, block.params(), null, true);
        assertNull(ArrayPool.take(N));
        assertTrue(g[0].requiresGrad());
    }

    private static List<float[]> drain(int n) {
        List<float[]> out = new ArrayList<>();
        for (float[] a; (a = ArrayPool.take(n)) != null; ) out.add(a);
        return out;
    }
}
