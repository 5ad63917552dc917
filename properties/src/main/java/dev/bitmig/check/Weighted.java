package dev.bitmig.check;

import dev.bitmig.model.Action;

/** An action and how often a generator should pick it. */
public record Weighted(int weight, Action action) {
}
