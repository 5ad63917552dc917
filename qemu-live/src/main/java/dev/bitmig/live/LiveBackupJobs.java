package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bitmig.model.Geometry;
import dev.bitmig.model.NodeId;
import dev.bitmig.qemu.BackupJobIds;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * What the live runner keeps about backup jobs between steps, per QEMU process (by pid, so a relaunch starts afresh):
 * whether the backup target node exists, and whether QEMU has copied, on its own at the start, the cluster of the
 * model's first BackupCopy. The job itself is read from QEMU (query-block-jobs).
 */
final class LiveBackupJobs {
    private static final long WAIT_NANOS = 5_000_000_000L;
    private final Map<NodeId, Long> targetAdded = new EnumMap<>(NodeId.class);
    private final Map<NodeId, Long> ahead = new EnumMap<>(NodeId.class);

    boolean targetAdded(NodeId n, QemuProcess p) {
        return targetAdded.getOrDefault(n, -1L) == p.pid();
    }

    void markTarget(NodeId n, QemuProcess p) {
        targetAdded.put(n, p.pid());
    }

    void markAhead(NodeId n, QemuProcess p) {
        ahead.put(n, p.pid());
    }

    /** Whether QEMU is one copy ahead of the model on this process; the answer clears it. */
    boolean takeAhead(NodeId n, QemuProcess p) {
        boolean was = ahead.getOrDefault(n, -1L) == p.pid();
        ahead.remove(n);
        return was;
    }

    /** The backup job of query-block-jobs, or null. */
    static JsonNode job(QemuProcess p) {
        for (JsonNode j : p.qmp().execute("query-block-jobs")) {
            if (j.path("device").asText().equals(BackupJobIds.JOB)) {
                return j;
            }
        }
        return null;
    }

    /** Bytes the job still has to copy (len - offset). */
    static long remaining(JsonNode job) {
        return job.path("len").asLong() - job.path("offset").asLong();
    }

    /**
     * After blockdev-backup: wait until QEMU has copied the first cluster (its rate limit lets one 64 KiB chunk through),
     * or has nothing to copy and waits to be finalized.
     */
    static JsonNode settled(QemuProcess p) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            JsonNode j = job(p);
            if (j == null || j.path("status").asText().equals("pending")
                    || j.path("offset").asLong() >= Math.min(j.path("len").asLong(), Geometry.CLUSTER_BYTES)) {
                return j;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the backup job did not copy its first cluster within 5 s: " + j);
            }
            QemuProcess.sleep(5);
        }
    }

    /** Wait until the job is in one of {@code states}, or gone when {@code states} is empty. */
    static void await(QemuProcess p, Set<String> states) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            JsonNode j = job(p);
            if (states.isEmpty() ? j == null : j != null && states.contains(j.path("status").asText())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the backup job did not reach " + (states.isEmpty() ? "its end" : states)
                        + " within 5 s: " + j);
            }
            QemuProcess.sleep(5);
        }
    }
}
