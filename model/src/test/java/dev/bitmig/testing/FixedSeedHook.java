package dev.bitmig.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Fixes the generation seed of every jqwik property that does not name its own, when the system property
 * {@value #KEY} is set. Mutation runs set it, so that a mutant is killed or survives the same way on every run.
 * Registered for all test classes through {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class FixedSeedHook implements AroundPropertyHook {

    public static final String KEY = "bitmig.jqwik.seed";

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return seed().isPresent();
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        if (context.attributes().seed().filter(s -> !s.isBlank()).isEmpty()) {
            seed().ifPresent(context.attributes()::setSeed);
        }
        return property.execute();
    }

    private static Optional<String> seed() {
        return Optional.ofNullable(System.getProperty(KEY)).filter(s -> !s.isBlank());
    }
}
