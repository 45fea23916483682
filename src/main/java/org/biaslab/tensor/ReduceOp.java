package org.biaslab.tensor;

/** Reductions along one axis. */
public enum ReduceOp {
    SUM, MAX
}
