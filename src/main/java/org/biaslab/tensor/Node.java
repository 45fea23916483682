package org.biaslab.tensor;

/**
 * One recorded op on the autodiff tape: its inputs, its outputs (one for most ops; a fused backward pass recorded for
 * second derivatives has several) and the function mapping the outputs' gradients to the inputs'.
 */
final class Node {
    final String op;
    final Tensor[] inputs;
    final Tensor[] outputs;
    MultiBackward backward;

    Node(String op, Tensor[] inputs, Tensor[] outputs, MultiBackward backward) {
        this.op = op;
        this.inputs = inputs;
        this.outputs = outputs;
        this.backward = backward;
    }

    /** Gradients of the inputs (null where an input needs none) given the gradient of the one output. */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /** Gradients of the inputs given those of the outputs, null for an output that received none. */
    @FunctionalInterface
    interface MultiBackward {
        Tensor[] apply(Tensor[] gradOutputs);
    }
}
