package org.biaslab.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepWorker;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;

/**
 * A Spark task's work: trains ensemble group {@code g} of the sweep in {@code dir} through the core's
 * {@link SweepWorker#runGroup} (claim, train or resume, commit done.json; done runs are skipped). On an executor with
 * GPU scheduling the task trains on the GPU Spark assigned it, else on {@code device}.
 */
record GroupTask(String dir, String device, Duration lease, boolean tf32) implements Function<Integer, GroupTask.Result> {
    /** Test-only: group G's first attempt fails halfway through its training ({@code -Dbiaslab.spark.failOnce=G}). */
    static final String FAIL_ONCE = "biaslab.spark.failOnce";

    /** Held by the task that trains on this process's GPU: biaslab's CUDA state (stream, allocator) is per process, not per thread. */
    private static final Object GPU_TASK = new Object();

    /** What a task did: its group, which attempt it was, and the runs it committed. */
    record Result(int group, int attempt, List<String> committed) implements Serializable {}

    @Override
    public Result call(Integer group) throws Exception {
        int g = group;
        TaskContext task = TaskContext.get();
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        if (gpu != null) selectGpu(gpu.addresses()[0]);
        RunQueue.useDevice(gpu != null ? Device.CUDA : Device.parse(device));
        Precision.setTrainingTf32(tf32);
        boolean fail = Integer.getInteger(FAIL_ONCE, -1) == g && task.attemptNumber() == 0;
        List<String> committed = new ArrayList<>();
        SweepWorker worker = new SweepWorker(SweepPlan.load(Path.of(dir)), lease, new SweepWorker.Log() {
            @Override
            public void line(String line) {
                System.out.println(line);
                if (line.endsWith(": done")) committed.add(Path.of(line.substring(0, line.length() - ": done".length())).getFileName().toString());
            }

            @Override
            public Trainer.Listener training(List<Trainer.Run> runs, long from) {
                return !fail ? null : (step, total, loss, rate) -> {
                    if (step == total / 2) throw new IllegalStateException("group " + g + ": failure injected by -D" + FAIL_ONCE + " at step " + step);
                };
            }
        });
        if (RunQueue.device() == Device.CUDA) {
            synchronized (GPU_TASK) { // tasks sharing an executor (local[N], several task slots) take the GPU in turn
                worker.runGroup(g);
            }
        } else {
            worker.runGroup(g);
        }
        return new Result(g, task.attemptNumber(), List.copyOf(committed));
    }

    /**
     * Makes {@code address} this executor's CUDA device before CUDA starts ({@code -Dbiaslab.cuda.device}): biaslab's
     * CUDA state is per process, so an executor keeps the one GPU its first task got and refuses another.
     */
    private static synchronized void selectGpu(String address) {
        String current = System.getProperty("biaslab.cuda.device");
        if (current == null) System.setProperty("biaslab.cuda.device", address);
        else if (!current.equals(address)) {
            throw new IllegalStateException("this executor trains on GPU " + current + " but Spark gave the task GPU " + address
                    + ": give each executor one GPU (spark.executor.resource.gpu.amount=1)");
        }
    }
}
