package dev.bitmig.check;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.bitmig.model.Action;
import io.vavr.collection.List;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Traces and actions as JSON. An action is an object {"action": kind, field: value, …} with the record's own field
 * names. Reading validates every field and names the JSON path of the first problem.
 */
public final class TraceJson {
    private TraceJson() {
    }

    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final Map<String, Class<?>> KINDS = new TreeMap<>();

    static {
        for (Class<?> c : Action.class.getPermittedSubclasses()) {
            KINDS.put(c.getSimpleName(), c);
        }
    }

    /** The longest trace that reads: counterexamples are a few dozen steps; replaying each step costs milliseconds. */
    public static final int MAX_ACTIONS = 10_000;

    /**
     * The largest trace file: 16 MiB, ten times a trace of {@link #MAX_ACTIONS} actions. Its JSON tree takes up to
     * about 30 times its size, and a file of gigabytes would not fit in memory at all.
     */
    public static final int MAX_BYTES = 16 << 20;

    public static ObjectNode action(Action a) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("action", a.kind());
        for (RecordComponent rc : a.getClass().getRecordComponents()) {
            Object v;
            try {
                v = rc.getAccessor().invoke(a);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + rc.getName() + " of " + a, e);
            }
            if (v instanceof Integer i) {
                o.put(rc.getName(), i);
            } else if (v instanceof Boolean b) {
                o.put(rc.getName(), b);
            } else if (v instanceof List<?> l) {
                ArrayNode arr = o.putArray(rc.getName());
                l.forEach(x -> arr.add(String.valueOf(x)));
            } else {
                o.put(rc.getName(), String.valueOf(v));
            }
        }
        return o;
    }

    public static ArrayNode actions(List<Action> actions) {
        ArrayNode arr = MAPPER.createArrayNode();
        actions.forEach(a -> arr.add(action(a)));
        return arr;
    }

    public static ObjectNode bounds(Bounds b) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("clusters", b.clusters());
        ArrayNode g = o.putArray("granularities");
        b.granularities().forEach(g::add);
        ArrayNode n = o.putArray("names");
        b.names().forEach(n::add);
        o.put("depth", b.depth());
        o.put("maxWrite", b.maxWrite());
        o.put("readOnlyLaunch", b.readOnlyLaunch());
        o.put("inactiveAdds", b.inactiveAdds());
        o.put("writeStride", b.writeStride());
        if (!b.mirrorGranularities().isEmpty()) {
            ArrayNode m = o.putArray("mirrorGranularities");
            b.mirrorGranularities().forEach(m::add);
        }
        if (!b.without().isEmpty()) {
            ArrayNode w = o.putArray("without");
            b.without().forEach(w::add);
        }
        if (b.capabilities().backupJobs()) {
            o.put("backupJobs", true);
        }
        if (b.capabilities().offlineTools()) {
            o.put("offlineTools", true);
        }
        if (b.capabilities().storeFailures()) {
            o.put("storeFailures", true);
        }
        return o;
    }

    public static ObjectNode trace(Trace t) {
        ObjectNode o = MAPPER.createObjectNode();
        o.set("configuration", bounds(t.configuration()));
        o.put("policy", t.policy());
        ArrayNode f = o.putArray("faults");
        t.faults().forEach(f::add);
        o.put("initial", t.initial().name());
        o.set("actions", actions(t.actions()));
        if (t.claims()) {
            o.put("invariant", t.invariant());
            o.put("message", t.message());
        }
        return o;
    }

    public static void write(Trace t, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, MAPPER.writeValueAsString(trace(t)) + "\n");
    }

    // ------------------------------------------------------------------ reading

    public static Trace read(Path file) throws TraceFormatException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new TraceFormatException(file + ": " + size + " bytes, more than a trace file may have ("
                        + MAX_BYTES + ")");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TraceFormatException(file + ": cannot read the trace: " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** Reads a trace from the bytes of a file: UTF-8, where a malformed sequence is named by its byte offset. */
    public static Trace parse(byte[] bytes, String where) throws TraceFormatException {
        if (bytes.length > MAX_BYTES) {
            throw new TraceFormatException(where + ": " + bytes.length + " bytes, more than a trace file may have ("
                    + MAX_BYTES + ")");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new TraceFormatException(where + ": not valid UTF-8 at byte " + in.position());
        }
        return parse(out.flip().toString(), where);
    }

    public static Trace parse(String text, String where) throws TraceFormatException {
        JsonNode root = tree(text, where);
        if (root == null || !root.isObject()) {
            throw new TraceFormatException(where + ": a trace must be a JSON object");
        }
        Bounds bounds = readBounds(field(root, "configuration", where), where + ": configuration");
        String policy = text(root, "policy", where);
        List<String> faults = List.empty();
        if (root.has("faults")) {
            JsonNode f = root.get("faults");
            if (!f.isArray()) {
                throw new TraceFormatException(where + ": faults: expected an array of fault names");
            }
            for (int i = 0; i < f.size(); i++) {
                if (!f.get(i).isTextual()) {
                    throw new TraceFormatException(where + ": faults[" + i + "]: expected a fault name");
                }
                faults = faults.prepend(f.get(i).asText());
            }
        }
        String initialName = text(root, "initial", where);
        InitialWorld initial;
        try {
            initial = InitialWorld.valueOf(initialName);
        } catch (IllegalArgumentException e) {
            throw new TraceFormatException(where + ": initial: unknown initial world " + shown(initialName) + "; expected one of "
                    + Arrays.toString(InitialWorld.values()));
        }
        JsonNode acts = field(root, "actions", where);
        if (!acts.isArray()) {
            throw new TraceFormatException(where + ": actions: expected an array");
        }
        if (acts.size() > MAX_ACTIONS) {
            throw new TraceFormatException(where + ": actions: at most " + MAX_ACTIONS + " actions, got " + acts.size());
        }
        List<Action> actions = List.empty();
        for (int i = 0; i < acts.size(); i++) {
            actions = actions.prepend(readAction(acts.get(i), where + ": actions[" + i + "]"));
        }
        // A plain scenario claims no invariant; a trace that claims one names it.
        String invariant = root.has("invariant") ? text(root, "invariant", where) : Trace.NO_CLAIM;
        if (invariant.equals(Trace.NO_CLAIM) && root.has("invariant")) {
            throw new TraceFormatException(where + ": invariant: an empty name; leave the field out to claim nothing");
        }
        JsonNode m = root.get("message");
        if (m != null && !m.isTextual()) {
            throw new TraceFormatException(where + ": message: expected a string, got " + shown(m));
        }
        String message = m == null || invariant.equals(Trace.NO_CLAIM) ? "" : m.asText();
        return new Trace(bounds, policy, faults.reverse(), initial, actions.reverse(), invariant, message);
    }

    /**
     * The JSON tree of the text: one value, without duplicate keys or anything after it. A syntax error names its line
     * and column, also when Jackson gives no location.
     */
    private static JsonNode tree(String text, String where) throws TraceFormatException {
        try (JsonParser p = MAPPER.getFactory().createParser(text)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            try {
                JsonNode root = MAPPER.readTree(p);
                if (root != null && p.nextToken() != null) {
                    JsonLocation at = p.currentTokenLocation();
                    throw new TraceFormatException(where + ": not valid JSON at line " + at.getLineNr() + ", column "
                            + at.getColumnNr() + ": content after the trace's object");
                }
                return root;
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
                throw new TraceFormatException(where + ": not valid JSON at line " + at.getLineNr() + ", column "
                        + at.getColumnNr() + ": " + e.getOriginalMessage(), e);
            }
        } catch (IOException e) {
            throw new TraceFormatException(where + ": cannot read the trace: " + e.getMessage(), e);
        }
    }

    public static Action readAction(JsonNode o, String where) throws TraceFormatException {
        if (o == null || !o.isObject()) {
            throw new TraceFormatException(where + ": expected an action object");
        }
        String kind = text(o, "action", where);
        Class<?> c = KINDS.get(kind);
        if (c == null) {
            throw new TraceFormatException(where + ".action: unknown action " + shown(kind) + "; expected one of " + KINDS.keySet());
        }
        RecordComponent[] rcs = c.getRecordComponents();
        Object[] args = new Object[rcs.length];
        Class<?>[] types = new Class<?>[rcs.length];
        for (int i = 0; i < rcs.length; i++) {
            RecordComponent rc = rcs[i];
            types[i] = rc.getType();
            JsonNode v = o.get(rc.getName());
            String at = where + "." + rc.getName();
            if (v == null || v.isNull()) {
                throw new TraceFormatException(at + ": missing");
            }
            args[i] = value(rc.getType(), v, at);
        }
        try {
            return (Action) c.getDeclaredConstructor(types).newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            // The record refuses arguments that do not go together (an ImgBitmap's fields belong to one operation).
            String m = String.valueOf(e.getCause().getMessage()).replace("\r", "\\r").replace("\n", "\\n");
            throw new TraceFormatException(where + ": " + kind + ": " + m, e);
        } catch (ReflectiveOperationException e) {
            throw new TraceFormatException(where + ": cannot build " + kind + ": " + e, e);
        }
    }

    private static Object value(Class<?> type, JsonNode v, String at) throws TraceFormatException {
        if (type == int.class) {
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new TraceFormatException(at + ": expected an integer, got " + shown(v));
            }
            return v.intValue();
        }
        if (type == boolean.class) {
            if (!v.isBoolean()) {
                throw new TraceFormatException(at + ": expected true or false, got " + shown(v));
            }
            return v.booleanValue();
        }
        if (type == String.class) {
            if (!v.isTextual()) {
                throw new TraceFormatException(at + ": expected a string, got " + shown(v));
            }
            return v.asText();
        }
        if (type == List.class) {
            if (!v.isArray()) {
                throw new TraceFormatException(at + ": expected an array of names, got " + shown(v));
            }
            List<String> names = List.empty();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw new TraceFormatException(at + "[" + i + "]: expected a name, got " + shown(v.get(i)));
                }
                names = names.prepend(v.get(i).asText());
            }
            return names.reverse();
        }
        if (type.isEnum()) {
            if (!v.isTextual()) {
                throw new TraceFormatException(at + ": expected one of " + Arrays.toString(type.getEnumConstants()) + ", got " + shown(v));
            }
            for (Object c : type.getEnumConstants()) {
                if (((Enum<?>) c).name().equals(v.asText())) {
                    return c;
                }
            }
            throw new TraceFormatException(at + ": expected one of " + Arrays.toString(type.getEnumConstants())
                    + ", got " + shown(v));
        }
        throw new TraceFormatException(at + ": unsupported field type " + type.getSimpleName());
    }

    /** A configuration object as traces and the verdict matrix write it, with every limit of {@link Bounds}. */
    public static Bounds readBounds(JsonNode o, String where) throws TraceFormatException {
        if (!o.isObject()) {
            throw new TraceFormatException(where + ": expected an object");
        }
        int clusters = (Integer) value(int.class, field(o, "clusters", where), where + ".clusters");
        int depth = (Integer) value(int.class, field(o, "depth", where), where + ".depth");
        int maxWrite = (Integer) value(int.class, field(o, "maxWrite", where), where + ".maxWrite");
        boolean ro = o.has("readOnlyLaunch") && (Boolean) value(boolean.class, o.get("readOnlyLaunch"), where + ".readOnlyLaunch");
        boolean inactive = o.has("inactiveAdds") && (Boolean) value(boolean.class, o.get("inactiveAdds"), where + ".inactiveAdds");
        int stride = o.has("writeStride") ? (Integer) value(int.class, o.get("writeStride"), where + ".writeStride") : 1;
        JsonNode g = field(o, "granularities", where);
        JsonNode n = field(o, "names", where);
        if (!g.isArray() || !n.isArray()) {
            throw new TraceFormatException(where + ": granularities and names must be arrays");
        }
        List<Integer> grans = List.empty();
        for (int i = 0; i < g.size(); i++) {
            grans = grans.prepend((Integer) value(int.class, g.get(i), where + ".granularities[" + i + "]"));
        }
        List<String> names = List.empty();
        for (int i = 0; i < n.size(); i++) {
            names = names.prepend((String) value(String.class, n.get(i), where + ".names[" + i + "]"));
        }
        List<Integer> mirror = optionalArray(o, "mirrorGranularities", int.class, where);
        List<String> without = optionalArray(o, "without", String.class, where);
        boolean backupJobs = o.has("backupJobs") && (Boolean) value(boolean.class, o.get("backupJobs"), where + ".backupJobs");
        boolean offline = o.has("offlineTools") && (Boolean) value(boolean.class, o.get("offlineTools"), where + ".offlineTools");
        boolean stores = o.has("storeFailures") && (Boolean) value(boolean.class, o.get("storeFailures"), where + ".storeFailures");
        try {
            return new Bounds(clusters, grans.reverse(), names.reverse(), depth, maxWrite, ro, inactive, stride,
                    mirror, without, new dev.bitmig.model.Capabilities(backupJobs, offline, stores));
        } catch (IllegalArgumentException e) {
            // the message lists the names as they are: keep it on one line
            String m = e.getMessage().replace("\r", "\\r").replace("\n", "\\n");
            throw new TraceFormatException(where + ": " + (m.length() <= 2 * SHOWN ? m : m.substring(0, 2 * SHOWN - 1) + "…"), e);
        }
    }

    /** An array field that may be absent (then empty), each element read as {@code type}. */
    @SuppressWarnings("unchecked")
    private static <T> List<T> optionalArray(JsonNode o, String name, Class<?> type, String where)
            throws TraceFormatException {
        JsonNode a = o.get(name);
        if (a == null || a.isNull()) {
            return List.empty();
        }
        if (!a.isArray()) {
            throw new TraceFormatException(where + "." + name + ": expected an array");
        }
        List<T> out = List.empty();
        for (int i = 0; i < a.size(); i++) {
            out = out.prepend((T) value(type, a.get(i), where + "." + name + "[" + i + "]"));
        }
        return out.reverse();
    }

    /** The longest value an error message shows. */
    static final int SHOWN = 80;

    /** A value as an error message shows it: as JSON, so on one line, and cut to {@link #SHOWN} characters. */
    public static String shown(JsonNode v) {
        String s = v.toString();
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN - 1) + "…";
    }

    /** A name as an error message shows it: quoted and escaped as JSON, and cut to {@link #SHOWN} characters. */
    public static String shown(String name) {
        return shown(TextNode.valueOf(name));
    }

    private static JsonNode field(JsonNode o, String name, String where) throws TraceFormatException {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new TraceFormatException(where + ": missing field \"" + name + "\"");
        }
        return v;
    }

    private static String text(JsonNode o, String name, String where) throws TraceFormatException {
        JsonNode v = field(o, name, where);
        if (!v.isTextual()) {
            throw new TraceFormatException(where + ": " + name + ": expected a string, got " + shown(v));
        }
        return v.asText();
    }
}
