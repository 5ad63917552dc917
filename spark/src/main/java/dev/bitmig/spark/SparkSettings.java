package dev.bitmig.spark;

import org.apache.spark.SparkConf;

/** The Spark settings the search runs with, whatever the cluster. */
final class SparkSettings {
    private SparkSettings() {
    }

    /** Shards per core: one or two keep every core busy without the cost of many small shuffle blocks. */
    static final int PARTITIONS_PER_CORE = 2;

    static int partitionsFor(int cores) {
        return Math.max(1, PARTITIONS_PER_CORE * cores);
    }

    /**
     * Kryo for shuffled pieces and task results (the classes are registered, so a piece carries no class names);
     * no UI for a local run. A master given here wins; else spark-submit's (spark.master); else local[*].
     */
    static SparkConf conf(String master) {
        SparkConf conf = new SparkConf().setAppName("bitmig explore");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        boolean local = conf.get("spark.master").startsWith("local");
        if (local && !conf.contains("spark.ui.enabled")) {
            conf.set("spark.ui.enabled", "false");
        }
        // Started outside spark-submit against a cluster: its executors fetch the engine's jar from this driver.
        String jar = SparkSettings.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        if (!local && !conf.contains("spark.jars") && jar.endsWith(".jar")) {
            conf.setJars(new String[] {jar});
        }
        conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.registerKryoClasses(new Class<?>[] {Shard.class, Shard.Summary.class, Piece.class, PathBlock.class,
                Tally.class, long[].class, byte[].class});
        return conf;
    }
}
