package dev.bitmig.model.scenario;

import dev.bitmig.model.Action;
import io.vavr.collection.List;

/** A named story: the actions, in order, starting from {@code World.initial}. */
public record Scenario(String id, String story, List<Action> steps) {
}
