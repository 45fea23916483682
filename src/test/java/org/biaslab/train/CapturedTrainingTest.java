package org.biaslab.train;

import static org.biaslab.train.TrainerTest.assertSameTensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.cuda.Cuda;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training by a captured CUDA graph ({@link Trainer#setCaptureSteps}) ends bitwise as eager training, resumed or not (GPU only). */
class CapturedTrainingTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsAGpu() {
        Assumptions.assumeTrue(Cuda.available(), () -> "skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
        CudaGraph.prepare(); // eager GEMMs with the cuBLAS workspace the captures use
    }

    @AfterEach
    void eagerAgain() {
        Trainer.setCaptureSteps(false);
    }

    private Trainer.Run run(RunConfig c, String name) throws Exception {
        RunDir dir = new RunDir(tmp.resolve(name));
        dir.init(c);
        return new Trainer.Run(c, dir);
    }

    private static void train(List<Trainer.Run> runs, boolean captured, long stopAt) throws Exception {
        Trainer.setCaptureSteps(captured);
        new Trainer(runs, new Trainer.Listener() {
            @Override
            public void progress(long step, long total, double meanLoss, double stepsPerSecond) {
                if (step == stopAt) throw new IllegalStateException("simulated kill");
            }
        }, Device.CUDA).run();
    }

    private static void assertSameRun(Trainer.Run expected, Trainer.Run actual) throws Exception {
        assertSameTensors(expected.dir().loadCheckpoint().model(), actual.dir().loadCheckpoint().model());
        assertSameTensors(expected.dir().loadCheckpoint().optimizer(), actual.dir().loadCheckpoint().optimizer());
        String rates = "\"steps_per_s\":[^,}]*";
        assertEquals(Files.readString(expected.dir().path().resolve("metrics.jsonl")).replaceAll(rates, ""),
                Files.readString(actual.dir().path().resolve("metrics.jsonl")).replaceAll(rates, ""));
    }

    @Test
    void anEnsembleTrainedByReplaysEndsAsTheEagerOneAlsoWhenResumed() throws Exception {
        RunConfig a = TrainerTest.small("parity", 1, 30), b = TrainerTest.small("majority", 2, 30);
        List<Trainer.Run> eager = List.of(run(a, "eager-a"), run(b, "eager-b"));
        List<Trainer.Run> replayed = List.of(run(a, "graph-a"), run(b, "graph-b"));
        List<Trainer.Run> resumed = List.of(run(a, "resumed-a"), run(b, "resumed-b"));
        train(eager, false, 0);
        train(replayed, true, 0);
        assertThrows(IllegalStateException.class, () -> train(resumed, true, 15));
        train(resumed, true, 0); // from the checkpoint at step 10, captured again
        for (int e = 0; e < 2; e++) {
            assertSameRun(eager.get(e), replayed.get(e));
            assertSameRun(eager.get(e), resumed.get(e));
        }
    }
}
