/**
 * Real-QEMU harness: drives {@code qemu-system-x86_64} processes over QMP to observe dirty-bitmap behaviour.
 *
 * <ul>
 *   <li>{@link dev.bitmig.live.QmpClient}: QMP over a unix socket; id-matched replies, queued events, bounded waits,
 *       typed failures ({@link dev.bitmig.live.QmpError}, {@link dev.bitmig.live.QmpTimeoutException},
 *       {@link dev.bitmig.live.QemuGoneException}).</li>
 *   <li>{@link dev.bitmig.live.QemuLauncher} / {@link dev.bitmig.live.QemuProcess}: processes of one run sharing
 *       one qcow2 image ({@code file0} protocol node, {@code drive0} qcow2 node) with {@code -M none}; bitmap,
 *       migration and run-state commands; guest writes through HMP {@code qemu-io} (no guest device needed).</li>
 *   <li>{@link dev.bitmig.live.QemuImages}: image inspection and foreign writers outside QEMU.</li>
 *   <li>{@link dev.bitmig.live.LiveSystem}: every model action as QEMU operations (qemu-live/MAPPING.md);
 *       {@link dev.bitmig.live.Observation} and {@link dev.bitmig.live.Comparison}: QEMU's state after each step
 *       against the model (QEMU_7_2 or QEMU_10_0, as the QEMU under test), and the invariants on QEMU's state with the model's ghost truth.</li>
 *   <li>{@link dev.bitmig.live.SequenceGenerator}, {@link dev.bitmig.live.LiveChecker},
 *       {@link dev.bitmig.live.LiveCampaign}: seeded sequences, shrinking, counterexample replay, findings per release and side by side.
 *       Run with {@code -Pqemu-live} (30 sequences) or {@code -Dlive.sequences=N}.</li>
 * </ul>
 *
 * <p>Observed on QEMU 7.2 (Debian 1:7.2+dfsg-7):
 * <ul>
 *   <li>HMP {@code qemu-io} returns only monitor errors in its reply (e.g.
 *       {@code Error: Cannot find device='' nor node-name='x'}); qemu-io's own output, including
 *       {@code write failed: Input/output error}, goes to QEMU's stdout.</li>
 *   <li>With {@code -M none} and no device, {@code query-block} is empty; bitmaps are listed by
 *       {@code query-named-block-nodes}.</li>
 *   <li>QEMU does not exit when its QMP client or its parent goes away.</li>
 *   <li>After a foreign tool clears autoclear bit 0, QEMU prints "a program lacking bitmap support modified this
 *       file, so all bitmaps are now considered inconsistent" and drops the bitmap directory (no bitmaps listed,
 *       none left in the image).</li>
 * </ul>
 */
package dev.bitmig.live;
