package org.biaslab.tensor;

/** Elementwise functions of two broadcast tensors; comparisons give 1 or 0 in the inputs' dtype. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQ, GT, GE, LT, LE
}
