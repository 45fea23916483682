package org.biaslab.experiment.p2;

/** Sees P2's recipe as it goes: one task at a time (a training run, a model, the draws), with its units of work. */
public interface Observer {
    /** A task under way; closing it ends it. */
    interface Task extends AutoCloseable {
        /** Units done so far, and a short note (e.g. the loss). */
        void done(long units, String note);

        @Override
        void close();
    }

    /** Starts {@code name} with {@code units} of work, {@code from} of them already done (a resumed run). */
    Task start(String name, long units, long from);

    /** A line worth printing (what is trained, skipped or resumed). */
    void say(String line);

    /** Sees nothing: for tests. */
    Observer SILENT = new Observer() {
        @Override
        public Task start(String name, long units, long from) {
            return new Task() {
                @Override
                public void done(long units, String note) {}

                @Override
                public void close() {}
            };
        }

        @Override
        public void say(String line) {}
    };
}
