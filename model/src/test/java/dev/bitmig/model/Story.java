package dev.bitmig.model;

import io.vavr.control.Option;

import static org.assertj.core.api.Assertions.assertThat;

/** Test support: run actions through one policy's spec, each step expected to succeed, or expect a rejection. */
final class Story {
    private final Spec spec;
    private World world;

    private Story(Spec spec, World start) {
        this.spec = spec;
        this.world = start;
    }

    /** A source QEMU running on a fresh image of {@code clusters} clusters, the target off. */
    static Story of(Policy policy, int clusters) {
        Geometry g = new Geometry(clusters);
        return new Story(new Spec(policy, g), World.initial(g));
    }

    /** The same policy and geometry, starting from a world built by hand. */
    static Story from(Policy policy, int clusters, World start) {
        return new Story(new Spec(policy, new Geometry(clusters)), start);
    }

    Geometry geometry() {
        return spec.geometry();
    }

    /** Every action must give a next world. */
    Story then(Action... actions) {
        for (Action a : actions) {
            Outcome o = spec.apply(world, a);
            assertThat(o).as("step %s under %s", a, spec.policy().name()).isInstanceOf(Outcome.Next.class);
            world = ((Outcome.Next) o).world();
        }
        return this;
    }

    /** A whole story, such as the thread's prelude. */
    Story then(io.vavr.collection.List<Action> actions) {
        return then(actions.toJavaArray(Action[]::new));
    }

    /** The action must be rejected; the world stays as it was. Returns QEMU's error text. */
    String refuses(Action a) {
        Outcome o = spec.apply(world, a);
        assertThat(o).as("%s under %s", a, spec.policy().name()).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) o).reason();
    }

    /** The action must fail and change the world (a failed reactivation); the story goes on from there. */
    String fails(Action a) {
        Outcome o = spec.apply(world, a);
        assertThat(o).as("%s under %s", a, spec.policy().name()).isInstanceOf(Outcome.Failed.class);
        world = ((Outcome.Failed) o).world();
        return ((Outcome.Failed) o).reason();
    }

    World world() {
        return world;
    }

    Node source() {
        return world.source();
    }

    Node target() {
        return world.target();
    }

    Bitmap bitmap(NodeId node, String name) {
        Option<Bitmap> b = world.node(node).bitmap(name);
        assertThat(b.isDefined()).as("bitmap '%s' on the %s", name, node.lower()).isTrue();
        return b.get();
    }

    StoredBitmap entry(String name) {
        Option<StoredBitmap> e = world.image().directory().get(name);
        assertThat(e.isDefined()).as("image entry '%s'", name).isTrue();
        return e.get();
    }
}
