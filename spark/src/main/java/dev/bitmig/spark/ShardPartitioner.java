package dev.bitmig.spark;

import org.apache.spark.Partitioner;

/** The fixed partitioner of the search: a state belongs to the shard its fingerprint names; a piece names its shard. */
final class ShardPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    ShardPartitioner(int partitions) {
        this.partitions = partitions;
    }

    /** The shard of a fingerprint. */
    static int of(long fingerprint, int partitions) {
        return (int) Long.remainderUnsigned(fingerprint, partitions);
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardPartitioner p && p.partitions == partitions;
    }

    @Override
    public int hashCode() {
        return partitions;
    }
}
