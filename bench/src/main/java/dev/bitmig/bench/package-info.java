/**
 * JMH benchmarks of the implementation (HBitmap, the migration stream) and of the checker (explorer, model/impl
 * chains) against real peers: {@link java.util.BitSet}, RoaringBitmap and the model's own sorted-set representation.
 * {@link dev.bitmig.bench.BenchReport} renders JMH's JSON as Markdown and HTML tables.
 */
package dev.bitmig.bench;
