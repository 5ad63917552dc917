package dev.bitmig.live;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts QEMU processes for one run, all sharing one qcow2 image, inside a private run directory.
 *
 * <p>Layout of the run directory {@code <tmp root>/bitmig-qemu-<jvm pid>-<random>/} (mode 0700):
 * {@code image.qcow2} (unless an external image is given), {@code <role>.qmp} (QMP sockets), {@code <role>.pid},
 * {@code <role>.log} (QEMU stdout+stderr), {@code mig.sock} (migration socket).
 *
 * <p>Cleanup, in layers: {@link #close()} kills every process and deletes the directory; a JVM shutdown hook closes
 * launchers still open; QEMU does <em>not</em> exit when its QMP client disappears, so each process is started
 * under {@code setpriv --pdeathsig KILL} (when available) from a spawner thread that lives as long as the JVM, so
 * a SIGKILLed JVM takes its QEMUs along; finally {@link #sweepStale(Path)} (run by every new launcher) kills
 * processes recorded in run directories whose JVM is gone and deletes those directories.
 */
public final class QemuLauncher implements AutoCloseable {
    /** Prefix of run directories; the JVM pid follows, then a dash. */
    public static final String DIR_PREFIX = "bitmig-qemu-";
    /** Node names of the protocol and format nodes of the shared image. */
    public static final String FILE_NODE = "file0";
    public static final String DRIVE_NODE = "drive0";
    /** The blkdebug node of a launch with a volume layer (--store-failures only). */
    static final String NOSPACE_NODE = dev.bitmig.qemu.NoSpaceLayer.NODE;

    private static final Set<QemuLauncher> OPEN = ConcurrentHashMap.newKeySet();
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qemu-spawner");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (QemuLauncher l : List.copyOf(OPEN)) {
                l.close();
            }
        }, "qemu-launcher-cleanup"));
    }

    private final Path runDir;
    private final Path image;
    private final boolean ownImage;
    private final boolean dieWithParent;
    private final StepTimings timings;
    private final Duration qmpTimeout;
    private final List<QemuProcess> processes = new ArrayList<>();
    private volatile boolean closed;

    /** Options; build with {@link #options()}. */
    public static final class Options {
        private Path tmpRoot = Path.of(System.getProperty("java.io.tmpdir"));
        private Path image;
        private long imageSize = 64L << 20;
        private boolean dieWithParent = true;
        private Duration qmpTimeout = QmpClient.DEFAULT_TIMEOUT;
        private StepTimings timings = new StepTimings();

        /** Where the run directory is created (default: java.io.tmpdir). */
        public Options tmpRoot(Path p) { this.tmpRoot = p; return this; }

        /** Use an existing image instead of creating {@code image.qcow2} in the run directory. */
        public Options image(Path p) { this.image = p; return this; }

        /** Virtual size of the created image (default 64 MiB). */
        public Options imageSize(long bytes) { this.imageSize = bytes; return this; }

        /** Whether QEMU is started under {@code setpriv --pdeathsig KILL} (default true; off only for tests). */
        public Options dieWithParent(boolean b) { this.dieWithParent = b; return this; }

        /** Default timeout of QMP calls. */
        public Options qmpTimeout(Duration d) { this.qmpTimeout = d; return this; }

        public Options timings(StepTimings t) { this.timings = t; return this; }

        public QemuLauncher create() { return new QemuLauncher(this); }
    }

    public static Options options() {
        return new Options();
    }

    /** A launcher with defaults: fresh 64 MiB image in a new run directory under java.io.tmpdir. */
    public static QemuLauncher create() {
        return options().create();
    }

    /** True when the QEMU to run is there: under -Dlive.qemu=PREFIX, or qemu-system-x86_64 on PATH. */
    public static boolean qemuAvailable() {
        return QemuInstall.available();
    }

    private QemuLauncher(Options o) {
        sweepStale(o.tmpRoot);
        try {
            Files.createDirectories(o.tmpRoot);
            this.runDir = Files.createTempDirectory(o.tmpRoot, DIR_PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory", e);
        }
        OPEN.add(this);
        this.dieWithParent = o.dieWithParent;
        this.timings = o.timings;
        this.qmpTimeout = o.qmpTimeout;
        try {
            if (o.image != null) {
                this.image = o.image;
                this.ownImage = false;
            } else {
                this.image = runDir.resolve("image.qcow2");
                this.ownImage = true;
                QemuImages.create(image, o.imageSize);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public Path runDir() { return runDir; }

    /** The image shared by all processes of this run. */
    public Path image() { return image; }

    public StepTimings timings() { return timings; }

    /** The unix socket a target started with {@link Incoming#UNIX} listens on. */
    public Path migrationSocket() { return runDir.resolve("mig.sock"); }

    /** {@code unix:<run dir>/mig.sock}, for {@code migrate} and {@code migrate-incoming}. */
    public String migrationUri() { return "unix:" + migrationSocket(); }

    public synchronized List<QemuProcess> processes() { return List.copyOf(processes); }

    /** Starts QEMU for a role; the VM runs (no {@code -S}). */
    public QemuProcess launch(Role role, Incoming incoming) {
        return launch(role, incoming, false);
    }

    /**
     * Starts {@code qemu-system-x86_64 -M none -nodefaults -display none [-S]} with the shared image as
     * {@code -blockdev file (file0) -> qcow2 (drive0)} and a QMP socket, connects and negotiates QMP. With
     * {@code -M none} there is no guest device: guest writes go through HMP {@code qemu-io drive0 ...}.
     *
     * @param paused start with {@code -S} (run state prelaunch until {@code cont})
     */
    public QemuProcess launch(Role role, Incoming incoming, boolean paused) {
        return launch(role, incoming, paused, false);
    }

    /**
     * As {@link #launch(Role, Incoming, boolean)}; with {@code readOnly} both nodes are opened {@code read-only=on}
     * (persistent bitmaps then load readonly and IN_USE is not written).
     */
    public QemuProcess launch(Role role, Incoming incoming, boolean paused, boolean readOnly) {
        return launch(role, incoming, paused, readOnly, Volume.PLAIN);
    }

    /** Whether a blkdebug node ({@code dev.bitmig.qemu.NoSpaceLayer}) sits between drive0 and file0, and in which state. */
    public enum Volume {
        /** No layer: {@code file0 -> drive0}, the command line of every campaign without --store-failures. */
        PLAIN,
        /** The layer, the volume has space. */
        SPACE,
        /** The layer, the volume is full from the start (its ENOSPC rules armed at open). */
        FULL
    }

    /** As {@link #launch(Role, Incoming, boolean, boolean)}, with the volume layer {@code volume}. */
    public QemuProcess launch(Role role, Incoming incoming, boolean paused, boolean readOnly, Volume volume) {
        try {
            return launchOnce(role, incoming, paused, readOnly, volume);
        } catch (QemuGoneException e) {
            // A QEMU that greeted but never answered qmp_capabilities (seen once in 1000 starts on a loaded machine,
            // with an empty log) was killed: start it once more, and count the retry in the step timings.
            if (!(e.getCause() instanceof QmpTimeoutException)) throw e;
            timings.record(role.fileStem(), "launch retried after a start-up time-out", 0, false);
            return launchOnce(role, incoming, paused, readOnly, volume);
        }
    }

    private QemuProcess launchOnce(Role role, Incoming incoming, boolean paused, boolean readOnly, Volume volume) {
        if (closed) {
            throw new IllegalStateException("launcher closed");
        }
        synchronized (this) {
            for (QemuProcess p : processes) {
                if (p.role() == role && p.isAlive()) {
                    throw new IllegalStateException(role + " is still running (pid " + p.pid() + ")");
                }
            }
        }
        String stem = role.fileStem();
        Path qmpSock = runDir.resolve(stem + ".qmp");
        Path log = runDir.resolve(stem + ".log");
        Path pidFile = runDir.resolve(stem + ".pid");
        try {
            Files.deleteIfExists(qmpSock);
            if (incoming == Incoming.UNIX) {
                Files.deleteIfExists(migrationSocket());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>();
        Optional<Path> setpriv = dieWithParent ? Tools.onPath("setpriv") : Optional.empty();
        if (setpriv.isPresent()) {
            cmd.addAll(List.of(setpriv.get().toString(), "--pdeathsig", "KILL", "--"));
        }
        // qemu-io inside QEMU prints its results with stdio to QEMU's stdout (not into the HMP reply); line
        // buffering makes each line reach the log before the QMP reply is sent.
        Optional<Path> stdbuf = Tools.onPath("stdbuf");
        if (stdbuf.isPresent()) {
            cmd.addAll(List.of(stdbuf.get().toString(), "-oL", "-eL"));
        }
        cmd.addAll(List.of(QemuInstall.binary("qemu-system-x86_64"), "-name", "bitmig-" + stem, "-M", "none", "-nodefaults",
                "-display", "none"));
        if (paused) {
            cmd.add("-S");
        }
        cmd.addAll(List.of("-qmp", "unix:" + qmpSock + ",server=on,wait=off",
                "-blockdev", "driver=file,filename=" + escape(image.toString()) + ",node-name=" + FILE_NODE
                        + (readOnly ? ",read-only=on" : ""),
                "-blockdev", "driver=qcow2,file=" + (volume == Volume.PLAIN ? FILE_NODE : NOSPACE_NODE) + ",node-name="
                        + DRIVE_NODE + (readOnly ? ",read-only=on" : "")));
        if (volume != Volume.PLAIN) {
            // The blkdebug node goes before the qcow2 node that names it as its file.
            cmd.addAll(cmd.size() - 2, List.of("-blockdev",
                    dev.bitmig.qemu.NoSpaceLayer.blockdev(volume == Volume.FULL, readOnly)));
        }
        if (incoming == Incoming.UNIX) {
            cmd.addAll(List.of("-incoming", migrationUri()));
        } else if (incoming == Incoming.DEFER) {
            cmd.addAll(List.of("-incoming", "defer"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        QemuInstall.environment(pb.environment());
        long start = System.nanoTime();
        Process proc;
        try {
            // Started from a thread that lives as long as the JVM: PR_SET_PDEATHSIG fires when the *thread* that
            // forked the child exits, not only when the process does.
            proc = SPAWNER.submit(pb::start).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start qemu-system-x86_64: " + e, e);
        }
        QemuProcess qp = new QemuProcess(this, role, proc, qmpSock, log, incoming, paused);
        synchronized (this) {
            processes.add(qp);
        }
        try {
            Files.writeString(pidFile, Long.toString(proc.pid()), StandardCharsets.US_ASCII);
            qp.connect(qmpTimeout, timings);
        } catch (IOException e) {
            qp.kill9();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            String out = qp.log();
            qp.kill9();
            throw new QemuGoneException(role + ": QEMU failed to start: " + e.getMessage() + "; log: " + out, e);
        }
        timings.record(stem, "launch", System.nanoTime() - start, true);
        return qp;
    }

    static String escape(String blockdevValue) {
        return blockdevValue.replace(",", ",,");
    }

    /** Kills every process of this run (SIGKILL) and deletes the run directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (QemuProcess p : processes()) {
            p.kill9();
        }
        deleteTree(runDir);
        OPEN.remove(this);
    }

    /**
     * Cleans run directories under {@code tmpRoot} left by JVMs that are gone: kills any QEMU recorded in a
     * {@code *.pid} file whose command line still names that directory, then deletes the directory.
     *
     * @return the number of directories removed
     */
    public static int sweepStale(Path tmpRoot) {
        int removed = 0;
        if (!Files.isDirectory(tmpRoot)) {
            return 0;
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmpRoot, DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                String rest = dir.getFileName().toString().substring(DIR_PREFIX.length());
                int dash = rest.indexOf('-');
                long owner;
                try {
                    owner = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (owner == self || ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (!ownedByCurrentUser(dir)) {
                    continue;
                }
                killRecorded(dir);
                deleteTree(dir);
                removed++;
            }
        } catch (IOException e) {
            // best effort: an unreadable tmp root leaves nothing we could clean
        }
        return removed;
    }

    private static void killRecorded(Path dir) throws IOException {
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(dir, "*.pid")) {
            for (Path pf : pids) {
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(pf).strip());
                } catch (NumberFormatException | IOException e) {
                    continue;
                }
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                if (h.isEmpty() || !commandLineMentions(pid, dir.toString())) {
                    continue; // exited, or the pid now belongs to an unrelated process
                }
                h.get().destroyForcibly();
                // Not our child: an orphan killed here may linger as a zombie (empty command line) until its
                // new parent reaps it, so wait for the command line to go rather than for onExit().
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (commandLineMentions(pid, dir.toString()) && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
    }

    private static boolean ownedByCurrentUser(Path dir) {
        try {
            return Files.getOwner(dir).getName().equals(System.getProperty("user.name"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static boolean commandLineMentions(long pid, String text) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort; the next sweep retries
        }
    }

    boolean ownsImage() { return ownImage; }
}
