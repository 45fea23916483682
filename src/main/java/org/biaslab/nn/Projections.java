package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * The affine maps x Wᵀ + b of one layer input x (…, T, in), computed some cheaper way than the product over x's rows
 * but with the same value: P1's input, embedded bits and positions, projects its two small tables instead
 * ({@link P1Inputs#projections}).
 */
@FunctionalInterface
interface Projections {
    /** x Wᵀ + b: W (out, in) and b (out) or null, per member (E, out, in) and (E, out) for an ensemble -> (…, T, out). */
    Tensor project(Tensor w, Tensor b);
}
