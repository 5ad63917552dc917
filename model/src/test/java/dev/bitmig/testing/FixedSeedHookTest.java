package dev.bitmig.testing;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/** A property that names no seed runs with the fixed seed whenever one is set, and with a random one otherwise. */
class FixedSeedHookTest {

    @Property(tries = 3)
    @AddLifecycleHook(UsedSeed.class)
    void aPropertyWithoutItsOwnSeed(@ForAll long value) {
        assertThat(value).isBetween(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Runs inside the fixed-seed hook and checks the seed jqwik reports having used. */
    static final class UsedSeed implements AroundPropertyHook {
        @Override
        public int aroundPropertyProximity() {
            return 100;
        }

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            PropertyExecutionResult result = property.execute();
            String fixed = System.getProperty(FixedSeedHook.KEY);
            if (fixed != null && !fixed.isBlank()) {
                assertThat(result.seed()).contains(fixed);
            } else {
                assertThat(result.seed()).isPresent();
            }
            return result;
        }
    }
}
