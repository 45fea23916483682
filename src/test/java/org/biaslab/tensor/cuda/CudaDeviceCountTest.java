package org.biaslab.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Cuda#deviceCount()}, which {@code sweep run --devices all} uses, on machines with and without a GPU. */
class CudaDeviceCountTest {
    @Test
    void devicesAreCountedExactlyWhereCudaStartsAndTheCountNeverThrows() {
        int count = Cuda.deviceCount();
        assertEquals(Cuda.available(), count > 0, "count " + count + ", " + Cuda.unavailableReason());
        assertEquals(count, Cuda.deviceCount(), "counting again, with CUDA started or not, gives the same");
    }
}
