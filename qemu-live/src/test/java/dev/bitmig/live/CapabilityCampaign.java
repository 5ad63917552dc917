package dev.bitmig.live;

import dev.bitmig.model.Action;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated campaign of a capability's live test: {@code -Dlive.NAME.sequences=N} sequences (20 by default) from
 * {@code -Dlive.NAME.seed} (1), shrunk within {@code -Dlive.shrinkSeconds} (60 s, 600 s past 100 sequences), its
 * findings written to target/DIR, what the generator covered to DIR/coverage.txt, and the assertions every campaign
 * shares: every sequence ran, some were compared, harness errors stay rare.
 *
 * @param name the capability's name in the properties (store, offline, backup)
 */
record CapabilityCampaign(String name, int n, long seed0, LiveCampaign.Report report, Path out) {

    static CapabilityCampaign run(String name, String dir, LiveCampaign campaign) throws IOException {
        int n = Integer.getInteger("live." + name + ".sequences", 20);
        long seed0 = Long.getLong("live." + name + ".seed", 1L);
        Duration budget = Duration.ofSeconds(Long.getLong("live.shrinkSeconds", n > 100 ? 600 : 60));
        LiveCampaign.Report r = campaign.run(seed0, n, n > 100 ? 40 : 20, budget, Map.of(), done -> { });
        Path out = Files.createDirectories(Path.of("target", dir));
        LiveCampaign.write(r, out);
        return new CapabilityCampaign(name, n, seed0, r, out);
    }

    /** The campaign's sequences, generated again by {@code gen} from the same seeds. */
    List<List<Action>> sequences(SequenceGenerator gen) {
        List<List<Action>> out = new ArrayList<>();
        for (long seed = seed0; seed < seed0 + n; seed++) {
            out.add(gen.generate(seed));
        }
        return out;
    }

    /** How many of the campaign's sequences {@code gen} generates with an action that {@code uses} matches. */
    int count(SequenceGenerator gen, java.util.function.Predicate<List<Action>> uses) {
        return (int) sequences(gen).stream().filter(uses).count();
    }

    /** DIR/coverage.txt: N sequences, what the generator covered, then the outcomes. */
    void coverage(String covered) throws IOException {
        Files.writeString(out.resolve("coverage.txt"), n + " sequences: " + covered + "; " + report.agree() + " agree, "
                + report.disagree() + " disagree, " + report.unmappable() + " not mappable, " + report.errors()
                + " harness errors\n");
    }

    /** Every sequence ran, some were compared with the model, and at most one in twenty (at least one) hit the harness. */
    void assertRan() {
        assertThat(report.sequences()).isEqualTo(n);
        assertThat(report.agree() + report.disagree()).as("sequences compared").isPositive();
        assertThat(report.errors()).as("harness errors: " + report.errorNotes()).isLessThanOrEqualTo(Math.max(1, n / 20));
    }
}
