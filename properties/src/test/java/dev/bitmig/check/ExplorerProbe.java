package dev.bitmig.check;

import dev.bitmig.model.Policies;
import dev.bitmig.model.Spec;

class ExplorerProbe {
    public static void main(String[] args) {
        int depth = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        Bounds b = Bounds.DEFAULT.withDepth(depth);
        for (var p : Policies.ALL) {
            Explorer e = new Explorer(new Spec(p, b.geometry()), b, threads, Refinement.NONE);
            var r = e.run(Explorer.initialWorlds(b), pr -> System.err.println("  depth " + pr.depth() + " distinct " + pr.distinct() + " gen " + pr.generated() + " t=" + pr.elapsedNanos() / 1e9));
            System.out.printf("%s distinct=%d generated=%d depth=%d %.1fs %.0f distinct/s%n", p.name(), r.distinct(), r.generated(), r.depth(), r.elapsedNanos() / 1e9, r.distinctPerSecond());
            r.verdicts().forEach((i, v) -> System.out.println("   " + i.title() + ": " + v));
            if (args.length > 2) break;
        }
    }
}
