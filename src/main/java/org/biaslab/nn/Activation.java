package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/** Feed-forward non-linearities by their PyTorch / HuggingFace names. */
public enum Activation {
    RELU, GELU, GELU_TANH, SILU;

    public Tensor apply(Tensor x) {
        return switch (this) {
            case RELU -> x.relu();
            case GELU -> x.gelu();
            case GELU_TANH -> x.geluTanh();
            case SILU -> x.mul(x.sigmoid()); // x·σ(x), HuggingFace's "silu"/"swish"
        };
    }

    /** Parses "relu", "gelu", "gelu_new"/"gelu_tanh"/"gelu_pytorch_tanh", "silu"/"swish"; the error lists the accepted names. */
    public static Activation parse(String name) {
        return switch (name.toLowerCase()) {
            case "relu" -> RELU;
            case "gelu" -> GELU;
            case "gelu_new", "gelu_tanh", "gelu_pytorch_tanh" -> GELU_TANH;
            case "silu", "swish" -> SILU;
            default -> throw new IllegalArgumentException("unknown activation '" + name + "' (relu, gelu, gelu_new, silu)");
        };
    }
}
