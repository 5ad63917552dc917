package dev.bitmig.live;

import java.nio.file.Path;

/**
 * Main class of a child JVM used by {@link CleanupTest}: runs generated sequences against QEMU forever, with its run
 * directories under the given root, and prints {@code READY} once the first sequence has finished.
 *
 * <p>Argument: tmp root.
 */
public final class ChildLiveRun {
    private ChildLiveRun() {
    }

    public static void main(String[] args) {
        System.setProperty("java.io.tmpdir", Path.of(args[0]).toString());
        LiveChecker checker = new LiveChecker(new StepTimings());
        SequenceGenerator gen = new SequenceGenerator(LiveCampaign.GENERATED);
        for (long seed = 1; ; seed++) {
            checker.run(gen.generate(seed), LiveCampaign.GENERATED, true);
            if (seed == 1) {
                System.out.println("READY " + args[0]);
                System.out.flush();
            }
        }
    }
}
