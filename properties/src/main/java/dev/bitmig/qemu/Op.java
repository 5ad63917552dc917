package dev.bitmig.qemu;

import dev.bitmig.model.NodeId;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One operation on QEMU, a tool or a process: the vocabulary of {@link QemuTable}. */
public sealed interface Op {

    /**
     * A QMP command (qapi/*.json) to the QEMU running as {@code node}. Argument values are String, Long, Boolean,
     * {@link Place}, or lists and maps of them, in the order the command's schema lists them.
     */
    record Qmp(NodeId node, String command, Map<String, Object> args) implements Op {
        public Qmp {
            args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }
    }

    /** A human monitor line (hmp-commands.hx), sent through QMP human-monitor-command. */
    record Hmp(NodeId node, String line) implements Op {
    }

    /** HMP {@code qemu-io DRIVE "COMMAND"} (block/monitor/block-hmp-cmds.c): I/O through the node's own QEMU. */
    record QemuIo(NodeId node, String drive, String command) implements Op {
    }

    /**
     * A tool run in a shell while the QEMUs run. An argument is a String, a {@link Place}, or a list of those that are
     * joined into one argument. {@code remark} may be empty.
     */
    record Tool(List<Object> argv, String remark) implements Op {
        public Tool {
            argv = List.copyOf(argv);
        }
    }

    /**
     * Start QEMU as {@code node}: {@code incoming} is the -incoming argument (empty: none); {@code argv} is the command
     * line as the flavour spells it, its arguments as in {@link Tool}.
     */
    record Launch(NodeId node, String incoming, boolean readOnly, List<Object> argv) implements Op {
        public Launch {
            argv = List.copyOf(argv);
        }
    }

    /** QMP quit (qapi/control.json): a clean close that stores the persistent bitmaps; the process exits. */
    record Quit(NodeId node) implements Op {
    }

    /** SIGKILL: no clean close, no bitmap store. {@code forget}: the VM is gone for good from the test's VM table. */
    record Kill(NodeId node, boolean forget, String remark) implements Op {
    }

    /** A signal that holds ({@code STOP}) or releases ({@code CONT}) the process. */
    record Signal(NodeId node, String name) implements Op {
    }

    /** Wait until the node's migration reaches {@code state} (qapi/migration.json MigrationStatus or a run state). */
    record Await(NodeId node, String state) implements Op {
    }

    /** A comment to the reader; nothing runs. */
    record Note(String text) implements Op {
    }

    /**
     * Clear autoclear feature bit 0 in the qcow2 header (docs/interop/qcow2.txt: bytes 88-95), leaving the other
     * bits: what a bitmap-unaware tool does to the image.
     */
    record ClearAutoclearBit0() implements Op {
    }

    /** The action has no counterpart on the QEMU this flavour drives. */
    record Unmappable(String why) implements Op {
    }

    /** A QMP command with arguments given as alternating names and values. */
    static Qmp qmp(NodeId node, String command, Object... namesAndValues) {
        return new Qmp(node, command, args(namesAndValues));
    }

    /** Alternating names and values, in order. */
    static Map<String, Object> args(Object... namesAndValues) {
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            args.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return args;
    }

    /** A tool run with no remark. */
    static Tool tool(Object... argv) {
        return new Tool(List.of(argv), "");
    }
}
