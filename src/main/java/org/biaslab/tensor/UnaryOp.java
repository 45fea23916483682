package org.biaslab.tensor;

/** Elementwise functions of one tensor; {@code POW} and {@code ADD_SCALAR}-like ops take a parameter. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, SIGN, TANH, SIGMOID, RELU, ERF,
    /** x^p with p the parameter. */
    POW,
    /** GELU(x) = x·Φ(x) with the exact normal CDF. */
    GELU,
    /** d/dx GELU(x) = Φ(x) + x·φ(x). */
    GELU_DERIV,
    /** d²/dx² GELU(x) = φ(x)·(2 − x²). */
    GELU_DERIV2,
    /** GELU with the tanh approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))). */
    GELU_TANH,
    /** d/dx of {@link #GELU_TANH}. */
    GELU_TANH_DERIV
}
