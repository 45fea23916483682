package org.biaslab.experiment.p1;

import java.util.List;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/** An observer for the experiments' tests: records "train K" for each ensemble of K runs that starts training. */
record TrainingEvents(List<String> events) implements RunQueue.Observer {
    @Override
    public Trainer.Listener starting(List<Trainer.Run> group, long from) {
        events.add("train " + group.size());
        return null;
    }

    @Override
    public void finished(List<Trainer.Run> group) {
    }
}
