package dev.bitmig.check;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Hostile trace files derived from a valid one by a seeded generator: byte flips, truncation after any token, fields
 * deleted, duplicated and reordered, a wrong JSON type or an out-of-range number in any field, unknown names, empty
 * and huge arrays, deep nesting, long strings, invalid UTF-8 and NUL bytes, trailing garbage, and actions impossible
 * for the configuration.
 */
public final class HostileTraces {
    private HostileTraces() {
    }

    /** A hostile file and how it was made. */
    public record Hostile(byte[] bytes, String what) {
    }

    /** A valid file's bytes, tree and the byte offset after each of its tokens. */
    public record Base(String label, byte[] bytes, ObjectNode tree, int[] tokenEnds) {
        public static Base of(String label, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try {
                ObjectNode tree = (ObjectNode) TraceJson.MAPPER.readTree(bytes);
                List<Integer> ends = new ArrayList<>();
                try (JsonParser p = TraceJson.MAPPER.getFactory().createParser(bytes)) {
                    while (p.nextToken() != null) {
                        ends.add((int) p.currentLocation().getByteOffset());
                    }
                }
                return new Base(label, bytes, tree, ends.stream().mapToInt(Integer::intValue).toArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The most bytes that growing an array may add: hostile files stay below TraceJson.MAX_BYTES mostly. */
    static final int GROWN_BYTES = 8 << 20;

    /** Values of every JSON type and numbers out of every range, as JSON text. */
    static final List<String> WRONG_VALUES = List.of("null", "true", "false", "0", "-1", "1", "3", "2147483647",
            "2147483648", "-2147483648", "-2147483649", "9223372036854775808", "1.5", "-0.0", "1e400", "-1e400",
            "1e-400", "1E2", "0.1e1", "\"\"", "\"x\"", "\"1\"", "\"a\"", "\"SOURCE\"", "[]", "{}", "[1]", "[\"a\"]",
            "[[]]", "{\"a\":1}", "[null]", "\"\\u0000\"", "\"\\ud800\"", "\"a\\nb\"", "1" + "0".repeat(1200),
            "-" + "9".repeat(300), "0." + "1".repeat(2000));

    /** Names that no enum, policy, invariant, fault or action kind has. */
    static final List<String> UNKNOWN_NAMES = List.of("", " ", "NOPE", "Teleport", "guestwrite", "GuestWrite ",
            "QEMU_10_0\u0000", "SOURCE\n", "nouNderreport", "TARGET_WAITING2", "\u00e9\u20ac\ud83d\ude00",
            "Refinement ", "H99_NO_SUCH_FAULT", "<script>", "%s%n", "\\", "\"");

    static final byte[][] BAD_BYTES = {{0}, {(byte) 0xff}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0,
        (byte) 0x80}, {(byte) 0x80}, {(byte) 0xf8}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xef, (byte) 0xbb,
        (byte) 0xbf}, {(byte) 0xfe, (byte) 0xff}, {0, 0, 0}};

    /** One to three mutations of the base. */
    public static Hostile mutate(SplittableRandom r, Base b) {
        StringBuilder what = new StringBuilder(b.label());
        byte[] bytes = b.bytes();
        ObjectNode tree = b.tree().deepCopy();
        int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
        boolean textChanged = false;
        for (int m = 0; m < n; m++) {
            int kind = r.nextInt(16);
            if (kind < 9) {
                if (textChanged) {
                    // tree mutations apply to the tree; a byte-level change already made is kept as the file
                    kind = 9 + r.nextInt(7);
                } else {
                    treeMutation(r, kind, tree, what);
                    bytes = write(tree);
                    continue;
                }
            }
            bytes = byteMutation(r, kind, b, bytes, what);
            textChanged = true;
        }
        return new Hostile(bytes, what.toString());
    }

    // ------------------------------------------------------------------ tree-level

    /** A place in the tree: the container, the field or index, and its JSON path. */
    record Slot(JsonNode parent, String field, int index, JsonNode value, String path) {
        void set(JsonNode v) {
            if (parent instanceof ObjectNode o) {
                o.set(field, v);
            } else {
                ((ArrayNode) parent).set(index, v);
            }
        }

        void remove() {
            if (parent instanceof ObjectNode o) {
                o.remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }
    }

    static List<Slot> slots(JsonNode node, String path) {
        List<Slot> out = new ArrayList<>();
        collect(node, path, out);
        return out;
    }

    private static void collect(JsonNode node, String path, List<Slot> out) {
        if (node instanceof ObjectNode o) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                String p = path.isEmpty() ? f : path + "." + f;
                out.add(new Slot(o, f, -1, o.get(f), p));
                collect(o.get(f), p, out);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Slot(a, null, i, a.get(i), p));
                collect(a.get(i), p, out);
            }
        }
    }

    static <T> T pick(SplittableRandom r, List<T> xs) {
        return xs.get(r.nextInt(xs.size()));
    }

    static JsonNode raw(String json) {
        return NODES.rawValueNode(new RawValue(json));
    }

    static void treeMutation(SplittableRandom r, int kind, ObjectNode tree, StringBuilder what) {
        List<Slot> slots = slots(tree, "");
        Slot s = pick(r, slots);
        switch (kind) {
            case 0 -> { // delete a field or an element
                s.remove();
                what.append(" delete ").append(s.path());
            }
            case 1 -> { // reorder the fields of an object, or the elements of an array
                List<Slot> containers = slots.stream().filter(x -> x.value().isContainerNode()).toList();
                JsonNode c = containers.isEmpty() ? tree : pick(r, containers).value();
                shuffle(r, c);
                what.append(" reorder ").append(containers.isEmpty() ? "root" : "a container");
            }
            case 2, 3 -> { // a value of another type, or a number out of range
                String v = pick(r, WRONG_VALUES);
                s.set(raw(v));
                what.append(" ").append(s.path()).append('=').append(FuzzRun.abbreviate(v, 40));
            }
            case 4 -> { // an unknown name where a name goes
                List<Slot> texts = slots.stream().filter(x -> x.value().isTextual()).toList();
                Slot t = texts.isEmpty() ? s : pick(r, texts);
                String v = pick(r, UNKNOWN_NAMES);
                t.set(NODES.textNode(v));
                what.append(" ").append(t.path()).append("=\"").append(v).append('"');
            }
            case 5 -> { // empty or huge arrays
                List<Slot> arrays = slots.stream().filter(x -> x.value().isArray()).toList();
                if (arrays.isEmpty()) {
                    s.set(NODES.arrayNode());
                    what.append(" ").append(s.path()).append("=[]");
                    return;
                }
                Slot a = pick(r, arrays);
                ArrayNode arr = (ArrayNode) a.value();
                if (r.nextInt(3) == 0 || arr.isEmpty()) {
                    arr.removeAll();
                    what.append(" ").append(a.path()).append("=[]");
                } else {
                    int size = new int[] {20, 100, 1_000, TraceJson.MAX_ACTIONS + 1}[r.nextInt(4)];
                    int from = arr.size();
                    int largest = 1;
                    for (JsonNode e : arr) {
                        largest = Math.max(largest, write(e).length);
                    }
                    size = Math.min(size, from + GROWN_BYTES / largest); // a long string copied 10,000 times is not a trace

                    for (int i = from; i < size; i++) {
                        arr.add(arr.get(r.nextInt(from)).deepCopy());
                    }
                    what.append(" ").append(a.path()).append(" grown to ").append(size);
                }
            }
            case 6 -> { // deep nesting in place of a value
                int depth = new int[] {10, 500, 999, 1001, 5_000, 200_000}[r.nextInt(6)];
                boolean closed = r.nextBoolean();
                boolean objects = r.nextBoolean();
                String open = objects ? "{\"a\":" : "[";
                String close = objects ? "}" : "]";
                s.set(raw(open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "")));
                what.append(" ").append(s.path()).append(" nested ").append(depth).append(objects ? " objects" : " arrays")
                        .append(closed ? "" : " unclosed");
            }
            case 7 -> { // a long string in place of a value
                int len = new int[] {300, 5_000, 70_000, 1_000_000}[r.nextInt(4)];
                String unit = pick(r, List.of("x", "\u00e9", "\\n", "\\u0000", "\ud83d\ude00", "\\\""));
                s.set(raw("\"" + unit.repeat(Math.max(1, len / unit.length())) + "\""));
                what.append(" ").append(s.path()).append(" long string of ").append(len).append(" '").append(unit)
                        .append('\'');
            }
            default -> impossible(r, tree, what);
        }
    }

    static void shuffle(SplittableRandom r, JsonNode c) {
        if (c instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            List<JsonNode> values = names.stream().map(o::get).toList();
            Integer[] order = shuffled(r, names.size());
            o.removeAll();
            for (int i : order) {
                o.set(names.get(i), values.get(i));
            }
        } else if (c instanceof ArrayNode a) {
            List<JsonNode> values = new ArrayList<>();
            a.forEach(values::add);
            Integer[] order = shuffled(r, values.size());
            a.removeAll();
            for (int i : order) {
                a.add(values.get(i));
            }
        }
    }

    static Integer[] shuffled(SplittableRandom r, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Integer t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Actions and configurations that do not fit together: clusters out of range, unknown nodes, bad granularities. */
    static void impossible(SplittableRandom r, ObjectNode tree, StringBuilder what) {
        JsonNode conf = tree.get("configuration");
        int clusters = conf != null && conf.get("clusters") != null ? conf.get("clusters").asInt(3) : 3;
        long[] numbers = {-1, 0, clusters, clusters + 1, clusters * 2L, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 20,
            (1L << 31) / 65536, (1L << 31) / 65536 * 2, 3, 1 << 30};
        ObjectNode a = NODES.objectNode();
        switch (r.nextInt(8)) {
            case 0, 1 -> {
                boolean guest = r.nextBoolean();
                a.put("action", guest ? "GuestWrite" : "ForeignWrite");
                a.put(guest ? "node" : "writer", guest ? "TARGET" : "AWARE");
                a.put("first", numbers[r.nextInt(numbers.length)]);
                a.put("count", numbers[r.nextInt(numbers.length)]);
            }
            case 2 -> {
                a.put("action", "BitmapAdd");
                a.put("node", "SOURCE");
                a.put("name", r.nextBoolean() ? "a" : pick(r, UNKNOWN_NAMES));
                a.put("granularity", numbers[r.nextInt(numbers.length)]);
                a.put("persistent", r.nextBoolean());
                a.put("disabled", r.nextBoolean());
            }
            case 3 -> {
                a.put("action", pick(r, List.of("Crash", "Quit", "Inactivate", "Activate", "Cont", "Stop")));
                a.put("node", pick(r, List.of("THIRD", "source", "", "NODE_2")));
            }
            case 4 -> {
                a.put("action", "BitmapMerge");
                a.put("node", "TARGET");
                a.put("target", "zz");
                ArrayNode src = a.putArray("sources");
                for (int i = 0; i < 1 + r.nextInt(40); i++) {
                    src.add(r.nextBoolean() ? "a" : "missing" + i);
                }
            }
            case 5 -> { // the configuration itself at its edges
                ObjectNode c = conf instanceof ObjectNode o ? o : tree.putObject("configuration");
                String f = pick(r, List.of("clusters", "depth", "maxWrite", "writeStride"));
                long v = numbers[r.nextInt(numbers.length)];
                c.put(f, v);
                what.append(" configuration.").append(f).append('=').append(v);
                return;
            }
            case 6 -> {
                ObjectNode c = conf instanceof ObjectNode o ? o : tree.putObject("configuration");
                ArrayNode g = c.putArray("granularities");
                for (int i = 0; i < 1 + r.nextInt(3); i++) {
                    g.add(numbers[r.nextInt(numbers.length)]);
                }
                what.append(" configuration.granularities=").append(g);
                return;
            }
            default -> {
                a.put("action", "Launch");
                a.put("node", "TARGET");
                a.put("incoming", r.nextBoolean());
                a.put("readOnly", r.nextBoolean());
                a.put("extra", "field");
            }
        }
        JsonNode actions = tree.get("actions");
        ArrayNode arr = actions instanceof ArrayNode x ? x : tree.putArray("actions");
        int at = r.nextInt(arr.size() + 1);
        arr.insert(at, a);
        what.append(" actions[").append(at).append("]=").append(a);
    }

    static byte[] write(JsonNode tree) {
        try {
            return TraceJson.MAPPER.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ byte-level

    static byte[] byteMutation(SplittableRandom r, int kind, Base b, byte[] bytes, StringBuilder what) {
        switch (kind) {
            case 9, 10 -> { // bit flips
                byte[] out = bytes.clone();
                int flips = 1 + r.nextInt(6);
                for (int i = 0; i < flips && out.length > 0; i++) {
                    int at = r.nextInt(out.length);
                    int bit = r.nextInt(8);
                    out[at] ^= (byte) (1 << bit);
                    what.append(" flip@").append(at).append('.').append(bit);
                }
                return out;
            }
            case 11 -> { // truncation after a token (of the valid base), or just around it
                int[] ends = b.tokenEnds();
                int at = ends[r.nextInt(ends.length)] + (r.nextInt(4) == 0 ? r.nextInt(5) - 2 : 0);
                at = Math.max(0, Math.min(bytes.length, at));
                what.append(" truncate@").append(at);
                return Arrays.copyOf(bytes, at);
            }
            case 12 -> { // a field duplicated in its object, with another value first
                String text = new String(bytes, StandardCharsets.UTF_8);
                List<Integer> keys = new ArrayList<>();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"[A-Za-z]+\" : ").matcher(text);
                while (m.find()) {
                    keys.add(m.start());
                }
                if (keys.isEmpty()) {
                    return bytes;
                }
                int at = pick(r, keys);
                String key = text.substring(at, text.indexOf(" : ", at));
                String v = r.nextBoolean() ? pick(r, WRONG_VALUES) : "\"" + pick(r, UNKNOWN_NAMES).replace("\\", "\\\\")
                        .replace("\"", "\\\"").replace("\n", "\\n").replace("\u0000", "\\u0000") + "\"";
                what.append(" duplicate ").append(key).append(" first as ").append(FuzzRun.abbreviate(v, 40));
                return (text.substring(0, at) + key + " : " + v + ", " + text.substring(at))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 13 -> { // invalid UTF-8 or NUL bytes, inside a string or anywhere
                byte[] bad = BAD_BYTES[r.nextInt(BAD_BYTES.length)];
                int at = r.nextBoolean() ? r.nextInt(bytes.length + 1) : insideAString(r, bytes);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(bytes, 0, at);
                out.write(bad, 0, bad.length);
                out.write(bytes, at, bytes.length - at);
                what.append(" bytes ").append(Arrays.toString(bad)).append('@').append(at);
                return out.toByteArray();
            }
            case 14 -> { // trailing garbage
                String g = pick(r, List.of("}", "{}", "x", "\u0000", ",", "]", " 1", "\n{\"policy\": 1}", "//",
                        "/* */", "\ufeff", new String(b.bytes(), StandardCharsets.UTF_8)));
                what.append(" trailing ").append(FuzzRun.abbreviate(g.replace("\n", "\\n"), 20));
                byte[] tail = g.getBytes(StandardCharsets.UTF_8);
                byte[] out = Arrays.copyOf(bytes, bytes.length + tail.length);
                System.arraycopy(tail, 0, out, bytes.length, tail.length);
                return out;
            }
            default -> { // not a trace object at all
                String s = pick(r, List.of("", " ", "\n\n", "null", "[]", "[1, 2]", "\"trace\"", "42", "true",
                        "\ufeff{}", "{}", "{\"configuration\": null}", "{\"actions\": []}"));
                what.append(" whole file ").append(FuzzRun.abbreviate(s, 30));
                return s.getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    static int insideAString(SplittableRandom r, byte[] bytes) {
        for (int tries = 0; tries < 20; tries++) {
            int at = r.nextInt(bytes.length + 1);
            for (int i = at; i < bytes.length; i++) {
                if (bytes[i] == '"') {
                    return Math.min(bytes.length, i + 1);
                }
            }
        }
        return 0;
    }
}
