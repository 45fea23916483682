package org.biaslab.data;

import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;

/**
 * One batch of a bit-string task: int32 bits {@code x} (B, n) and float targets {@code y} (B) or (B, k) for k
 * outputs; of an image dataset: float images (B, C, H, W) and int32 labels (B). For an ensemble both carry a leading
 * member axis E.
 */
public record Batch(Tensor x, Tensor y) {
    /** This batch on {@code device}, copied once for the many forward passes a measurement makes on it. */
    public Batch to(Device device) {
        return x.device() == device && y.device() == device ? this : new Batch(x.to(device), y.to(device));
    }
}
