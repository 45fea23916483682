package org.biaslab.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.biaslab.io.Json;
import org.biaslab.train.RunDir;

/**
 * A worker's exclusive hold on a group of a sweep: a file created atomically by a hard link from a complete temporary
 * file (atomic on NFS too, where create-new is not), holding the worker, its host and process, and a heartbeat time
 * that a daemon thread renews every third of the lease. A claim whose heartbeat is older than its lease, or whose
 * process on this host has ended, is expired: another worker renames it away (only one rename succeeds) and claims
 * the group. A worker that finds its claim taken (it stalled past its lease) is told by {@link #lost()}. When the
 * stalled worker's heartbeat read its claim just before the takeover, its write replaces the newcomer's claim, and the
 * newcomer is told instead, at its first heartbeat: either way one worker goes on.
 * Hosts' clocks must agree to well within the lease.
 */
public final class Claim implements AutoCloseable {
    private static final String HOST = host();
    private final Path file;
    private final String worker;
    private final Duration lease;
    private final ScheduledExecutorService heartbeat;
    private volatile boolean lost;

    private Claim(Path file, String worker, Duration lease) {
        this.file = file;
        this.worker = worker;
        this.lease = lease;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "claim-heartbeat " + file.getFileName());
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, lease.toMillis() / 3);
        heartbeat.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /** Claims {@code file} for a new worker, taking over an expired claim; null while another worker's claim is live. */
    public static Claim acquire(Path file, Duration lease) throws IOException {
        Files.createDirectories(file.getParent());
        String worker = HOST + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID();
        Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Files.writeString(tmp, content(worker, lease));
                try {
                    Files.createLink(file, tmp);
                    return new Claim(file, worker, lease);
                } catch (FileAlreadyExistsException held) {
                    if (!expired(file)) return null;
                    Path stale = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".stale");
                    try {
                        Files.move(file, stale); // of two workers taking over, one moves it; the other finds no file and tries again
                        Files.delete(stale);
                    } catch (NoSuchFileException gone) {
                        // taken over or released meanwhile
                    }
                }
            }
            return null;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether the claim in {@code file} is expired: its heartbeat is older than its lease, or its process here has ended. */
    static boolean expired(Path file) throws IOException {
        JsonNode c;
        try {
            c = Json.readObject(file);
        } catch (NoSuchFileException e) {
            return true;
        }
        if (c.path("host").asText().equals(HOST) && ProcessHandle.of(c.path("pid").asLong()).map(p -> !p.isAlive()).orElse(true)) return true;
        return System.currentTimeMillis() - c.path("heartbeat").asLong() > c.path("lease_ms").asLong();
    }

    /** Whether a live worker holds {@code file}. */
    public static boolean held(Path file) throws IOException {
        return Files.exists(file) && !expired(file);
    }

    private static String content(String worker, Duration lease) {
        return Json.MAPPER.createObjectNode().put("worker", worker).put("host", HOST).put("pid", ProcessHandle.current().pid())
                .put("heartbeat", System.currentTimeMillis()).put("lease_ms", lease.toMillis()).toString() + "\n";
    }

    private void beat() {
        try {
            if (!ours()) {
                lost = true;
                heartbeat.shutdown();
                return;
            }
            RunDir.write(file, content(worker, lease));
        } catch (IOException e) {
            // unreadable for a moment (a network filesystem's hiccup): the next beat tries again, well within the lease
        }
    }

    private boolean ours() throws IOException {
        try {
            return Json.readObject(file).path("worker").asText().equals(worker);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Whether another worker took this claim over (this one stalled past its lease): stop without committing anything. */
    public boolean lost() {
        return lost;
    }

    /** Stops the heartbeat and removes the claim if it is still this worker's. */
    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!lost && ours()) Files.deleteIfExists(file);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
