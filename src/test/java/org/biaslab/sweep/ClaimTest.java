package org.biaslab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A group is held by one worker at a time, and a dead worker's claim is taken over. */
class ClaimTest {
    @TempDir
    Path tmp;

    private static final Duration LONG = Duration.ofMinutes(10);

    @Test
    void ofWorkersRacingForAClaimExactlyOneGetsIt() throws Exception {
        int workers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            for (int round = 0; round < 30; round++) {
                Path file = tmp.resolve("claims/group-" + round + ".json");
                CyclicBarrier start = new CyclicBarrier(workers);
                List<Future<Claim>> got = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    got.add(pool.submit(() -> {
                        start.await();
                        return Claim.acquire(file, LONG);
                    }));
                }
                List<Claim> holders = new ArrayList<>();
                for (Future<Claim> f : got) if (f.get() != null) holders.add(f.get());
                assertEquals(1, holders.size(), "round " + round);
                holders.getFirst().close();
                assertFalse(Files.exists(file), "closing releases the claim");
            }
        } finally {
            pool.shutdownNow();
        }
        try (var files = Files.list(tmp.resolve("claims"))) {
            assertEquals(0, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aClaimWhoseHeartbeatIsOlderThanItsLeaseIsTakenOverAndItsHolderLearnsIt() throws Exception {
        Path file = tmp.resolve("group-0.json");
        Files.writeString(file, "{\"worker\": \"elsewhere:1:x\", \"host\": \"elsewhere\", \"pid\": 1, \"heartbeat\": "
                + System.currentTimeMillis() + ", \"lease_ms\": 600000}");
        assertTrue(Claim.held(file));
        assertNull(Claim.acquire(file, LONG), "a live claim on another host is respected");
        Files.writeString(file, "{\"worker\": \"elsewhere:1:x\", \"host\": \"elsewhere\", \"pid\": 1, \"heartbeat\": "
                + (System.currentTimeMillis() - 700_000) + ", \"lease_ms\": 600000}");
        assertFalse(Claim.held(file));
        try (Claim first = Claim.acquire(file, Duration.ofMillis(600))) {
            assertNotNull(first, "an expired claim is taken over");
            Thread.sleep(800); // past the lease, had its heartbeat stopped; it did not
            assertNull(Claim.acquire(file, LONG), "a heartbeat keeps the claim");
            Claim second = null;
            for (int i = 0; i < 10 && second == null; i++) { // as if the first had stalled; its heartbeat may renew it in between
                Files.writeString(file, Files.readString(file).replaceAll("\"heartbeat\":\\d+", "\"heartbeat\":1"));
                second = Claim.acquire(file, Duration.ofSeconds(3)); // beats every second, so it learns within the wait below
            }
            try (Claim taken = second) {
                assertNotNull(taken);
                // the first's next heartbeat, 200 ms away unless the machine is loaded, finds the claim taken. Had that beat
                // read the file just before the takeover, it rewrote its own claim over the second's, and the second's next
                // beat, at most a second away, learns it instead: either way exactly one of them goes on.
                for (int i = 0; i < 500 && !first.lost() && !taken.lost(); i++) Thread.sleep(20);
                assertTrue(first.lost() ^ taken.lost(), "exactly one holder learns it lost the claim");
                assertTrue(Claim.held(file), "the one that lost does not remove the other's claim");
            }
        }
    }

    @Test
    void aClaimOfAProcessOfThisHostThatEndedIsExpiredAtOnce() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path file = tmp.resolve("group-0.json");
        try (Claim mine = Claim.acquire(file, LONG)) {
            assertNotNull(mine);
            String dead = Files.readString(file).replaceAll("\"pid\":\\d+", "\"pid\":" + p.pid());
            mine.close();
            Files.writeString(file, dead);
        }
        assertFalse(Claim.held(file));
        try (Claim c = Claim.acquire(file, LONG)) {
            assertNotNull(c);
        }
    }
}
