package org.biaslab.data;

import org.biaslab.tensor.Tensor;

/**
 * One batch of a bit-string task: int32 bits {@code x} (B, n) and float targets {@code y} (B) or (B, k) for k
 * outputs; for an ensemble both carry a leading member axis E.
 */
public record Batch(Tensor x, Tensor y) {}
