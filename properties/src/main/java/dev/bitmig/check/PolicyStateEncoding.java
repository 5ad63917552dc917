package dev.bitmig.check;

import dev.bitmig.model.PolicyState;
import io.vavr.collection.Map;
import io.vavr.collection.Seq;
import io.vavr.collection.Set;
import io.vavr.control.Option;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A policy's state, encoded by walking its record rather than by a hand-written list of fields: whatever record a
 * policy defines takes part in the explorer's encoding as it is. Every string is a bitmap name and is renamed; sets and
 * map keys are encoded in the order of their encodings, so that a renaming that reorders names gives the encoding of
 * the renamed state. A component of a type {@link PolicyState} does not allow stops the search with a clear error.
 */
final class PolicyStateEncoding {
    private PolicyStateEncoding() {
    }

    private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Method[] out = new Method[components.length];
            for (int i = 0; i < components.length; i++) {
                out[i] = components[i].getAccessor();
                out[i].setAccessible(true);
            }
            return out;
        }
    };

    /** The bytes of a state, with every name renamed. */
    static byte[] encode(PolicyState state, Renaming r) {
        ByteWriter out = new ByteWriter();
        value(state, r, out);
        return out.toArray();
    }

    /** Whether a state mentions a bitmap name anywhere. */
    static boolean mentions(PolicyState state, String name) {
        return state != PolicyState.NONE && mentions((Object) state, name);
    }

    private static boolean mentions(Object v, String name) {
        if (v instanceof String s) {
            return s.equals(name);
        }
        if (v instanceof Record rec) {
            for (Method m : ACCESSORS.get(rec.getClass())) {
                if (mentions(get(m, rec), name)) {
                    return true;
                }
            }
            return false;
        }
        if (v instanceof Map<?, ?> map) {
            return map.exists(e -> mentions(e._1, name) || mentions(e._2, name));
        }
        if (v instanceof Iterable<?> it) {
            for (Object x : it) {
                if (mentions(x, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void value(Object v, Renaming r, ByteWriter out) {
        if (v == null) {
            out.put(0);
        } else if (v instanceof Boolean b) {
            out.put(1);
            out.put(b ? 1 : 0);
        } else if (v instanceof Integer i) {
            out.put(2);
            out.varlong(i);
        } else if (v instanceof Long l) {
            out.put(3);
            out.varlong(l);
        } else if (v instanceof Enum<?> e) {
            out.put(4);
            out.varint(e.ordinal());
        } else if (v instanceof String s) {
            out.put(5);
            out.string(r.apply(s));
        } else if (v instanceof Record rec) {
            out.put(6);
            out.string(rec.getClass().getName());
            for (Method m : ACCESSORS.get(rec.getClass())) {
                value(get(m, rec), r, out);
            }
        } else if (v instanceof Map<?, ?> map) {
            out.put(7);
            sorted(map.map(e -> pair(e._1, e._2, r)), out);
        } else if (v instanceof Set<?> set) {
            out.put(8);
            sorted(set.toList().map(x -> one(x, r)), out);
        } else if (v instanceof Seq<?> seq) {
            out.put(9);
            out.varint(seq.size());
            seq.forEach(x -> value(x, r, out));
        } else if (v instanceof Option<?> o) {
            out.put(10);
            out.put(o.isDefined() ? 1 : 0);
            o.forEach(x -> value(x, r, out));
        } else {
            throw new IllegalArgumentException("a policy state holds a " + v.getClass().getName()
                    + ", which the explorer cannot encode (PolicyState allows booleans, numbers, enums, strings,"
                    + " records, and vavr sets, sequences, maps and options of those)");
        }
    }

    private static byte[] one(Object x, Renaming r) {
        ByteWriter b = new ByteWriter();
        value(x, r, b);
        return b.toArray();
    }

    private static byte[] pair(Object k, Object v, Renaming r) {
        ByteWriter b = new ByteWriter();
        value(k, r, b);
        value(v, r, b);
        return b.toArray();
    }

    private static void sorted(Iterable<byte[]> parts, ByteWriter out) {
        List<byte[]> all = new ArrayList<>();
        parts.forEach(all::add);
        all.sort(Arrays::compare);
        out.varint(all.size());
        for (byte[] p : all) {
            out.varint(p.length);
            out.raw(p);
        }
    }

    private static Object get(Method m, Record rec) {
        try {
            return m.invoke(rec);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + m.getName() + " of " + rec.getClass().getName(), e);
        }
    }
}
