package dev.bitmig.qemu;

import dev.bitmig.check.ActionKinds;
import dev.bitmig.model.Action;
import dev.bitmig.model.NodeId;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of action has an entry in the table for every flavour: a new action that is forgotten fails here. */
class QemuTableCoversEveryActionTest {

    /**
     * One action of each kind the model declares, its fields filled with the first value of their type; a kind whose
     * fields belong together (an ImgBitmap's to its operation) gets valid ones instead.
     */
    static List<Action> oneOfEachKind() throws ReflectiveOperationException {
        List<Action> all = new ArrayList<>();
        for (Class<?> kind : Action.class.getPermittedSubclasses()) {
            if (kind == Action.ImgBitmap.class) {
                all.add(Action.ImgBitmap.add("a", 1, true));
                continue;
            }
            RecordComponent[] parts = kind.getRecordComponents();
            Class<?>[] types = new Class<?>[parts.length];
            Object[] values = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                types[i] = parts[i].getType();
                values[i] = sample(types[i]);
            }
            all.add((Action) kind.getDeclaredConstructor(types).newInstance(values));
        }
        return all;
    }

    private static Object sample(Class<?> type) {
        if (type == NodeId.class) return NodeId.SOURCE;
        if (type == int.class) return 1;
        if (type == boolean.class) return true;
        if (type == String.class) return "a";
        if (type == io.vavr.collection.List.class) return io.vavr.collection.List.of("b");
        if (type.isEnum()) return type.getEnumConstants()[0];
        throw new IllegalArgumentException("no sample value for " + type + ": teach this test the new field type");
    }

    @Test
    void everyKindHasOperationsInEveryFlavour() throws ReflectiveOperationException {
        List<Action> all = oneOfEachKind();
        assertThat(all).extracting(Action::kind).containsExactlyElementsOf(ActionKinds.ALL);
        for (Action a : all) {
            for (Flavour f : Flavour.values()) {
                assertThat(QemuTable.ops(a, f)).as("%s for %s", a.kind(), f).isNotEmpty().doesNotContainNull();
            }
        }
    }

    @Test
    void onlyTheLiveRunnerHasActionsItCannotMap() throws ReflectiveOperationException {
        for (Action a : oneOfEachKind()) {
            for (Flavour f : List.of(Flavour.SCRIPT)) {
                assertThat(QemuTable.ops(a, f)).as("%s for %s", a.kind(), f)
                        .noneMatch(o -> o instanceof Op.Unmappable || o instanceof Op.ClearAutoclearBit0);
            }
        }
        assertThat(QemuTable.ops(new Action.MirrorStart(NodeId.SOURCE, 1), Flavour.LIVE)).singleElement()
                .isInstanceOf(Op.Unmappable.class);
    }

    @Test
    void argumentsAreValuesEveryRendererKnows() throws ReflectiveOperationException {
        for (Action a : oneOfEachKind()) {
            for (Flavour f : Flavour.values()) {
                for (Op op : QemuTable.ops(a, f)) {
                    if (op instanceof Op.Qmp q) {
                        q.args().values().forEach(v -> assertThat(known(v)).as("%s: %s", q.command(), v).isTrue());
                    }
                }
            }
        }
    }

    private static boolean known(Object v) {
        if (v instanceof List<?> l) return l.stream().allMatch(QemuTableCoversEveryActionTest::known);
        if (v instanceof Map<?, ?> m) return m.keySet().stream().allMatch(String.class::isInstance)
                && m.values().stream().allMatch(QemuTableCoversEveryActionTest::known);
        return v instanceof String || v instanceof Long || v instanceof Boolean || v instanceof Place;
    }

    @Test
    void theBitmapCommandsAreTheSameForEveryone() {
        Action add = new Action.BitmapAdd(NodeId.TARGET, "a", 2, true, false);
        Op.Qmp expected = Op.qmp(NodeId.TARGET, "block-dirty-bitmap-add", "node", "drive0", "name", "a", "granularity",
                131072L, "persistent", true, "disabled", false);
        for (Flavour f : Flavour.values()) {
            assertThat(QemuTable.ops(add, f)).containsExactly(expected);
        }
    }
}
