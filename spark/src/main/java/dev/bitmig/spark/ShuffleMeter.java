package dev.bitmig.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.concurrent.atomic.AtomicLong;

/** Shuffle bytes and records written, summed from every finished task's metrics. */
final class ShuffleMeter extends SparkListener {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong records = new AtomicLong();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        TaskMetrics m = end.taskMetrics();
        if (m != null) {
            bytes.addAndGet(m.shuffleWriteMetrics().bytesWritten());
            records.addAndGet(m.shuffleWriteMetrics().recordsWritten());
        }
    }

    /** The totals so far, once every task event posted before now has reached this listener. */
    Reading read(SparkContext sc) {
        try {
            sc.listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not drain", e);
        }
        return new Reading(bytes.get(), records.get());
    }

    /** Shuffle bytes and records written. */
    record Reading(long bytes, long records) {
        Reading minus(Reading o) {
            return new Reading(bytes - o.bytes, records - o.records);
        }
    }
}
