package org.biaslab.probe.curvature;

import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;

/**
 * A one-batch {@link CurvatureOperator} on the GPU whose product is captured once as a {@link CudaGraph} and replayed:
 * a product is one copy of the vectors in, one graph launch (instead of about 313 kernel launches for P1's model) and
 * one copy of the product out. The same kernels run in the same order as {@link CurvatureOperator#apply}, so the
 * products have the same bits. The graph holds its own device memory, and the operator's recorded gradient graph, until
 * {@link #close()}.
 */
public final class CapturedOperator implements LinearOperator, AutoCloseable {
    private final CurvatureOperator op;
    private final Tensor in; // (E·n) float32, parameter-major: the vectors of the next product
    private final Tensor[] out = new Tensor[1]; // (E·n), parameter-major: the product, written by each replay
    private final CudaGraph graph;

    private CapturedOperator(CurvatureOperator op) {
        this.op = op;
        ParameterGroup group = op.group();
        Tensor[] params = group.tensors();
        if (params[0].device() != Device.CUDA || params[0].dtype() != DType.F32) {
            throw new IllegalArgumentException("captured curvature: needs float32 parameters on the GPU, got " + params[0].dtype() + " on " + params[0].device());
        }
        this.in = Tensor.zeros(DType.F32, Shape.of(group.members() * group.dim()), Device.CUDA);
        group.join(op.timesKept(group.split(in))).toDoubleArray(); // records the gradient graph and loads every kernel before the capture
        this.graph = CudaGraph.capture(() -> out[0] = group.join(op.timesKept(group.split(in))));
    }

    /** Captures the product of {@code op}, which must have one batch and float32 parameters on the GPU. */
    public static CapturedOperator of(CurvatureOperator op) {
        return new CapturedOperator(op);
    }

    @Override
    public int members() {
        return op.members();
    }

    @Override
    public int dim() {
        return op.dim();
    }

    @Override
    public double[][] apply(double[][] v) {
        ParameterGroup group = op.group();
        // rounded to float32 on the host, as CurvatureOperator#apply does
        CudaGraph.copy(in, Tensor.of(group.parameterMajor(v), group.members() * group.dim()).to(DType.F32));
        graph.replay();
        return group.perMember(out[0].toDoubleArray());
    }

    /** Device bytes the graph holds for its intermediates and product. */
    public long bytes() {
        return graph.bytes();
    }

    @Override
    public void close() {
        graph.close();
    }
}
