/**
 * The explorer on Apache Spark: the single-JVM explorer's breadth-first search, with its visited set split by
 * fingerprint into co-partitioned shards and its frontier kept as packed action paths.
 */
package dev.bitmig.spark;
