package org.biaslab.probe.landscape;

import java.util.List;
import java.util.function.Supplier;
import org.biaslab.data.Batch;
import org.biaslab.nn.Module;
import org.biaslab.probe.P1Objective;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/** The loss of a model at its current parameters and its accuracy (NaN where the task has none). */
public record Evaluation(double loss, double accuracy) {
    /**
     * P1's objective averaged over fixed batches (all of one size): the MSE against the {0,1} targets and the
     * accuracy (output > 0.5) = target, each the mean over the batches of its value on one batch.
     */
    public static Supplier<Evaluation> p1(Module model, List<Batch> batches) {
        if (batches.isEmpty()) throw new IllegalArgumentException("landscape: needs at least one batch");
        if (model.members() != 1) throw new IllegalArgumentException("landscape: needs a single model, got an ensemble of " + model.members());
        List<Batch> onDevice = batches.stream().map(b -> b.to(model.namedParameters().values().iterator().next().device())).toList();
        return () -> {
            double loss = 0, accuracy = 0;
            try (var off = GradMode.off()) {
                for (Batch b : onDevice) {
                    Tensor pred = P1Objective.predict(model, b);
                    loss += P1Objective.loss(pred, b.y(), 1).item() / onDevice.size();
                    accuracy += P1Objective.accuracy(pred, b.y(), 1)[0] / onDevice.size();
                }
            }
            return new Evaluation(loss, accuracy);
        };
    }
}
