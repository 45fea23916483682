package org.biaslab.train;

/** Training stopped because a loss became NaN or infinite; the last good checkpoint is kept. */
public final class Diverged extends IllegalStateException {
    public Diverged(String message) {
        super(message);
    }
}
