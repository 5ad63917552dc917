package dev.bitmig.impl;

import dev.bitmig.impl.stream.StreamDecoder;
import dev.bitmig.impl.stream.StreamEncoder;
import dev.bitmig.model.Phase;

import java.util.TreeSet;

/** The migration between the two processes, as query-migrate and the dirty-bitmap stream state know it. Mutable. */
public final class MigrationState {
    public Phase phase = Phase.NONE;
    public boolean capability;
    public boolean handedOver;
    public boolean sourceWasRunning;
    public final TreeSet<String> riding = new TreeSet<>();
    public final TreeSet<String> enabledAtStart = new TreeSet<>();
    public String error;
    /** The source's stream state (names are only sent when they change). */
    StreamEncoder encoder;
    /** The target's stream state: the bitmaps announced by START records. */
    StreamDecoder decoder;

    public boolean isActive() {
        return phase == Phase.ACTIVE;
    }

    /** migrate: a new migration; whatever the previous one left is forgotten. */
    void start(boolean cap) {
        phase = Phase.ACTIVE;
        capability = cap;
        handedOver = false;
        sourceWasRunning = false;
        riding.clear();
        enabledAtStart.clear();
        error = null;
        encoder = null;
        decoder = null;
    }

    void fail(String why) {
        phase = Phase.FAILED;
        error = why;
        encoder = null;
        decoder = null;
    }

    void end(Phase p) {
        phase = p;
        encoder = null;
        decoder = null;
    }
}
