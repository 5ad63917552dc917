package dev.bitmig.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A QMP client over a unix domain socket.
 *
 * <p>A daemon reader thread parses the newline-delimited JSON stream. Replies are matched to commands by their
 * {@code id}; events are queued until consumed by {@link #waitForEvent} or {@link #drainEvents}. Every wait is
 * bounded: a missing reply gives {@link QmpTimeoutException}, a closed socket (process exited or was killed)
 * gives {@link QemuGoneException}, an error reply gives {@link QmpError}.
 */
public final class QmpClient implements AutoCloseable {
    /** Default bound for a single command round trip. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Bound for a QEMU's start-up: its greeting and the capabilities negotiation. A QEMU starting on a loaded machine
     * was seen taking longer than {@link #DEFAULT_TIMEOUT} (1 of 1000 sequences under load 12).
     */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** How often a command the monitor misread is sent again before its error stands. */
    public static final int RESENDS = 2;
    /** How long to wait for the monitor's answer to the byte that resets its JSON parser. */
    private static final Duration RESYNC = Duration.ofSeconds(5);
    /**
     * The byte that forces the monitor's JSON parser into a known-good state (docs/interop/qmp-spec: a lexical error;
     * 0xFF is one in every state of qobject/json-lexer.c, inside a string too). QEMU answers "JSON parse error, stray
     * '\uFFFD'" without an id.
     */
    private static final byte[] RESET = {(byte) 0xFF, '\n'};
    private static final String RESET_ANSWER = "stray '\uFFFD'";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();

    private final String label;
    private final SocketChannel channel;
    private final StepTimings timings;
    private final Duration defaultTimeout;
    private final Map<String, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
    private final ReentrantLock eventLock = new ReentrantLock();
    private final Condition eventArrived = eventLock.newCondition();
    private final Deque<QmpEvent> events = new ArrayDeque<>();
    private final CompletableFuture<ObjectNode> greeting = new CompletableFuture<>();
    private final Object writeLock = new Object();
    private final Thread reader;
    private final AtomicLong resent = new AtomicLong();
    /** While a misread is being recovered from: completed by the monitor's answer to the reset byte. */
    private volatile CompletableFuture<Void> resyncing;
    private volatile String goneReason;

    private QmpClient(String label, SocketChannel channel, StepTimings timings, Duration defaultTimeout) {
        this.label = label;
        this.channel = channel;
        this.timings = timings;
        this.defaultTimeout = defaultTimeout;
        this.reader = new Thread(this::readLoop, "qmp-reader-" + label);
        this.reader.setDaemon(true);
    }

    /**
     * Connects to a QMP server socket, retrying until it accepts (QEMU creates it shortly after start), reads the
     * greeting and negotiates capabilities with {@code qmp_capabilities}.
     *
     * @param alive checked between connection attempts; when it reports false the process has died
     */
    public static QmpClient connect(Path socket, String label, Duration timeout, StepTimings timings,
                                    java.util.function.BooleanSupplier alive) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long greetingDeadline = start + Math.max(timeout.toNanos(), START_TIMEOUT.toNanos());
        IOException last = null;
        while (true) {
            if (alive != null && !alive.getAsBoolean()) {
                throw new QemuGoneException(label + ": QEMU exited before its QMP socket accepted a connection");
            }
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                QmpClient c = new QmpClient(label, ch, timings == null ? new StepTimings() : timings, timeout);
                c.reader.start();
                c.awaitGreeting(greetingDeadline);
                c.timings.record(label, "connect+greeting", System.nanoTime() - start, true);
                c.execute("qmp_capabilities", args(), START_TIMEOUT.compareTo(timeout) > 0 ? START_TIMEOUT : timeout);
                return c;
            } catch (IOException e) {
                last = e;
                closeQuietly(ch);
            }
            if (System.nanoTime() > deadline) {
                throw new QmpTimeoutException(label + ": could not connect to QMP socket " + socket + " within "
                        + timeout + (last == null ? "" : ": " + last));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpTimeoutException(label + ": interrupted while connecting");
            }
        }
    }

    /** Connects with the default timeout and no liveness check. */
    public static QmpClient connect(Path socket) {
        return connect(socket, socket.getFileName().toString(), DEFAULT_TIMEOUT, null, null);
    }

    private void awaitGreeting(long deadlineNanos) {
        try {
            greeting.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            close();
            throw new QmpTimeoutException(label + ": no QMP greeting");
        } catch (ExecutionException e) {
            close();
            throw asRuntime(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new QmpTimeoutException(label + ": interrupted waiting for greeting");
        }
    }

    /** The {@code QMP} member of the greeting (version, capabilities). */
    public ObjectNode greeting() {
        return (ObjectNode) greeting.join().get("QMP");
    }

    public String label() { return label; }

    public StepTimings timings() { return timings; }

    /** A fresh arguments object. */
    public static ObjectNode args() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ObjectMapper json() { return JSON; }

    public JsonNode execute(String command) {
        return execute(command, null, defaultTimeout);
    }

    public JsonNode execute(String command, ObjectNode arguments) {
        return execute(command, arguments, defaultTimeout);
    }

    /**
     * Executes a command and returns its {@code return} value. A command the monitor misread ({@link QmpError#misread})
     * never ran, and is sent again, at most {@link #RESENDS} times.
     *
     * @throws QmpError           QEMU answered with an error
     * @throws QmpTimeoutException no reply within the timeout
     * @throws QemuGoneException  the socket closed (process exited) before the reply
     */
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
        for (int attempt = 0; ; attempt++) {
            try {
                return executeOnce(command, arguments, timeout);
            } catch (QmpError e) {
                if (!e.misread() || attempt == RESENDS) {
                    throw e;
                }
                resent.incrementAndGet();
                timings.record(label, "misread, sent again: " + command, 0, false); // shown in the QMP timings
                resync();
            }
        }
    }

    /** How many commands were sent again because the monitor misread them. */
    public long resent() { return resent.get(); }

    /**
     * After a misread: the altered bytes may have left the monitor's JSON parser inside a string or an object, where it
     * would swallow what comes next. The reset byte brings it back (a lexical error resets the lexer and the streamer,
     * qobject/json-streamer.c); its answer comes after every answer to the misread bytes, which are dropped meanwhile.
     */
    private void resync() {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        resyncing = answered;
        try {
            sendBytes(RESET);
            answered.get(RESYNC.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // no answer (the reset byte misread too?): the next attempt shows what the monitor makes of it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpTimeoutException(label + ": interrupted after a misread command");
        } finally {
            resyncing = null;
        }
    }

    private JsonNode executeOnce(String command, ObjectNode arguments, Duration timeout) {
        String gone = goneReason;
        if (gone != null) {
            throw new QemuGoneException(label + ": cannot execute " + command + ": " + gone);
        }
        String id = "bitmig-" + IDS.incrementAndGet();
        ObjectNode msg = args().put("execute", command);
        if (arguments != null) {
            msg.set("arguments", arguments);
        }
        msg.put("id", id);
        CompletableFuture<ObjectNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        long start = System.nanoTime();
        boolean ok = false;
        try {
            send(msg);
            ObjectNode r;
            try {
                r = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new QmpTimeoutException(label + ": no reply to " + command + " within " + timeout
                        + " (process stopped or wedged?)");
            } catch (ExecutionException e) {
                throw asRuntime(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QmpTimeoutException(label + ": interrupted waiting for " + command);
            }
            if (r.has("error")) {
                JsonNode err = r.get("error");
                throw new QmpError(command, err.path("class").asText(), err.path("desc").asText());
            }
            ok = true;
            return r.has("return") ? r.get("return") : args();
        } finally {
            pending.remove(id);
            timings.record(label, command, System.nanoTime() - start, ok);
        }
    }

    /**
     * Runs an HMP command line via {@code human-monitor-command} and returns its output text. HMP reports
     * failures only in the text; output beginning with {@code Error:} is raised as {@link QemuIoException}.
     */
    public String hmp(String commandLine) {
        return hmp(commandLine, defaultTimeout);
    }

    public String hmp(String commandLine, Duration timeout) {
        String out = execute("human-monitor-command", args().put("command-line", commandLine), timeout).asText();
        if (out.startsWith("Error:")) {
            throw new QemuIoException("HMP '" + commandLine + "' failed", out);
        }
        return out;
    }

    private void send(ObjectNode msg) {
        try {
            sendBytes((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void sendBytes(byte[] bytes) {
        synchronized (writeLock) {
            try {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            } catch (IOException e) {
                markGone("write failed: " + e.getMessage());
                throw new QemuGoneException(label + ": QMP socket write failed (QEMU gone?)", e);
            }
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        String reason = "QMP socket closed by QEMU (process exited or was killed)";
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        dispatch(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }
        } catch (IOException e) {
            reason = channel.isOpen() ? "QMP socket read failed: " + e : "QMP connection closed locally";
        } catch (RuntimeException e) {
            reason = "QMP reader failed: " + e;
        }
        markGone(reason);
    }

    private void dispatch(String text) {
        if (text.isBlank()) {
            return;
        }
        ObjectNode msg;
        try {
            msg = (ObjectNode) JSON.readTree(text);
        } catch (IOException | ClassCastException e) {
            return; // not JSON: ignore (QMP never sends such lines)
        }
        if (msg.has("QMP")) {
            greeting.complete(msg);
        } else if (msg.has("event")) {
            JsonNode ts = msg.path("timestamp");
            long micros = ts.path("seconds").asLong() * 1_000_000L + ts.path("microseconds").asLong();
            JsonNode data = msg.get("data");
            QmpEvent ev = new QmpEvent(msg.get("event").asText(),
                    data instanceof ObjectNode o ? o : args(), micros);
            eventLock.lock();
            try {
                events.addLast(ev);
                eventArrived.signalAll();
            } finally {
                eventLock.unlock();
            }
        } else if (msg.has("id")) {
            CompletableFuture<ObjectNode> f = pending.get(msg.get("id").asText());
            if (f != null) {
                f.complete(msg);
            } // else: a late reply to a command that timed out
        } else if (resyncing != null) {
            // Answers to misread bytes, then the answer to the reset byte, which ends the recovery.
            if (msg.path("error").path("desc").asText().contains(RESET_ANSWER)) {
                resyncing.complete(null);
            }
        } else if (pending.size() == 1) {
            // An error QEMU could not attribute (e.g. unparsable input) carries no id.
            pending.values().iterator().next().complete(msg);
        }
    }

    private void markGone(String reason) {
        if (goneReason == null) {
            goneReason = reason;
        }
        QemuGoneException ex = new QemuGoneException(label + ": " + reason);
        greeting.completeExceptionally(ex);
        for (CompletableFuture<ObjectNode> f : pending.values()) {
            f.completeExceptionally(ex);
        }
        eventLock.lock();
        try {
            eventArrived.signalAll();
        } finally {
            eventLock.unlock();
        }
    }

    /** True while the socket is open and QEMU has not hung up. */
    public boolean isConnected() {
        return goneReason == null && channel.isOpen();
    }

    /** Why the connection ended, or null while connected. */
    public String goneReason() { return goneReason; }

    /** A snapshot of the queued (not yet consumed) events, oldest first. */
    public List<QmpEvent> events() {
        eventLock.lock();
        try {
            return List.copyOf(events);
        } finally {
            eventLock.unlock();
        }
    }

    /** Removes and returns all queued events, oldest first. */
    public List<QmpEvent> drainEvents() {
        eventLock.lock();
        try {
            List<QmpEvent> out = new ArrayList<>(events);
            events.clear();
            return out;
        } finally {
            eventLock.unlock();
        }
    }

    /**
     * Removes and returns the oldest queued event with this name that matches the predicate, waiting for it if
     * necessary. Earlier, non-matching events stay queued.
     *
     * @throws QmpTimeoutException no such event within the timeout
     * @throws QemuGoneException  the connection ended and no such event is queued
     */
    public QmpEvent waitForEvent(String name, Predicate<QmpEvent> predicate, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long greetingDeadline = start + Math.max(timeout.toNanos(), START_TIMEOUT.toNanos());
        eventLock.lock();
        try {
            while (true) {
                for (Iterator<QmpEvent> it = events.iterator(); it.hasNext(); ) {
                    QmpEvent e = it.next();
                    if (e.name().equals(name) && (predicate == null || predicate.test(e))) {
                        it.remove();
                        timings.record(label, "wait-event " + name, System.nanoTime() - start, true);
                        return e;
                    }
                }
                if (goneReason != null) {
                    throw new QemuGoneException(label + ": waiting for event " + name + ": " + goneReason);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new QmpTimeoutException(label + ": no " + name + " event within " + timeout);
                }
                eventArrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpTimeoutException(label + ": interrupted waiting for event " + name);
        } finally {
            eventLock.unlock();
        }
    }

    /** Closes the socket; pending and later calls fail with {@link QemuGoneException}. */
    @Override
    public void close() {
        if (goneReason == null) {
            goneReason = "QMP connection closed locally";
        }
        closeQuietly(channel);
        markGone(goneReason);
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private static RuntimeException asRuntime(Throwable t) {
        return t instanceof RuntimeException r ? r : new QemuGoneException(String.valueOf(t), t);
    }
}
