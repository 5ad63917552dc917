

# ---------------------------------------------------------------------------------------------------- the runtime
# Everything below is the same for every counterexample; only DATA above differs. It executes the operations of the
# project's one Action->QEMU table (flavour LIVE, as the live runner does), with the live runner's guards and waits,
# observes QEMU after every step and judges the two invariants the live runner judges on QEMU's state.

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

MIGRATION_DONE = ("completed", "failed", "cancelled")
MIGRATION_TIMEOUT = 15.0
START_TIMEOUT = 60.0
QEMU_IO_FAILURE = re.compile(r"(?m)^(Error:|.*\bfailed: |.*: No such file or directory|qemu-io: (?!warning: ))")
QEMU_IO_ERROR = re.compile(r"(?m)^(?:Error: )?(.*(?:failed|read-only|not permitted|lock|Cannot|error).*)$")
MISREAD = re.compile(r"^(JSON parse error|QMP input |The command (\S+) has not been found)")
RESENDS = 2
ASSERTION = re.compile(r"(\w+: Assertion `.*' failed\.)")


class CannotRun(Exception):
    """The reproducer cannot run here (exit 2)."""


class Unmappable(Exception):
    """The step has no counterpart on this QEMU (exit 2)."""


class QmpError(Exception):
    def __init__(self, desc):
        super().__init__(desc)
        self.desc = desc


class Gone(Exception):
    """The QEMU went away while we talked to it."""


class Qmp:
    """A small QMP client (docs/interop/qmp-spec.rst) over a unix socket."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        # A QEMU starting on a loaded machine may take a while to greet (seen once: over 15 s, QEMU 10.0.2).
        self.sock.settimeout(START_TIMEOUT)
        self.buf = b""
        self.events = []
        self.ids = 0
        greeting = self._read()
        for _ in range(8):
            if "QMP" in greeting:
                break
            # anything before the greeting (it should be first) is kept if it is an event, and otherwise skipped
            if "event" in greeting:
                self.events.append(greeting)
            greeting = self._read()
        if "QMP" not in greeting:
            raise CannotRun("no QMP greeting on %s (got %s)" % (path, json.dumps(greeting)[:200]))
        self.cmd("qmp_capabilities")
        self.sock.settimeout(MIGRATION_TIMEOUT)

    def _read(self):
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, socket.timeout) as e:
                raise Gone(str(e))
            if not chunk:
                raise Gone("QMP socket closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        # A command whose bytes reach the monitor altered ("JSON parse error, ...", "QMP input member 'exeucte' is
        # unexpected", a command name not found that is not the one sent: seen on both QEMUs on a loaded machine) is
        # refused before dispatch (monitor/qmp.c handle_qmp_command, qapi/qmp-dispatch.c qmp_dispatch), so it never
        # ran: it is sent once more, with a note.
        for attempt in range(RESENDS + 1):
            self.ids += 1
            msg = {"execute": name, "id": self.ids}
            if args:
                msg["arguments"] = args
            try:
                self.sock.sendall(json.dumps(msg).encode() + b"\n")
            except OSError as e:
                raise Gone(str(e))
            r = self._reply(self.ids)
            if "return" in r:
                return r["return"]
            desc = r["error"].get("desc", str(r["error"]))
            m = MISREAD.match(desc)
            if not m or m.group(2) == name or attempt == RESENDS:
                raise QmpError(desc)
            say("    note: the monitor misread %s (%s); sent again" % (name, desc))
            self._settle()

    def _reply(self, want):
        """The reply to command id `want`, or an error QEMU could not attribute (it carries no id); events are kept."""
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
            elif "error" in r and r.get("id", want) == want:
                return r
            elif "return" in r and r.get("id") == want:
                return r
            # else: a late reply to an earlier, misread attempt

    def _settle(self):
        """Brings the monitor's JSON parser back to a known-good state after a misread (docs/interop/qmp-spec: a
        lexical error; 0xFF is one in every state of qobject/json-lexer.c, inside a string too, and resets the streamer
        as well), then skips the answers to the misread bytes up to the answer to that byte (an error without an id,
        "stray '\\uFFFD'"); keeps events."""
        try:
            self.sock.sendall(b"\xff\n")
        except OSError as e:
            raise Gone(str(e))
        timeout = self.sock.gettimeout()
        self.sock.settimeout(5.0)
        try:
            while True:
                r = self._read()
                if "event" in r:
                    self.events.append(r)
                elif "\ufffd" in r.get("error", {}).get("desc", ""):
                    return
        except Gone:
            pass  # no answer: the next attempt shows what the monitor makes of it
        finally:
            self.sock.settimeout(timeout)

    def close(self):
        self.sock.close()


class Qemu:
    """One QEMU process as a node, started from the table's command line."""

    def __init__(self, node, argv, env, cwd):
        self.node = node
        self.log = os.path.join(cwd, node + ".log")
        # qemu-io through HMP prints to QEMU's stdout (qemu-io-cmds.c printf): line-buffered into the log.
        stdbuf = shutil.which("stdbuf")
        if stdbuf:
            argv = [stdbuf, "-oL", "-eL"] + argv
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        sock = os.path.join(cwd, node + ".qmp")
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                raise Gone(self.log_text() or "QEMU exited at start-up")
            time.sleep(0.01)
        try:
            self.qmp = Qmp(sock)
        except (OSError, Gone) as e:
            self.kill()
            raise Gone(self.log_text() or str(e))

    def log_text(self, since=0):
        with open(self.log, "rb") as f:
            f.seek(since)
            return f.read().decode(errors="replace").strip()

    def log_size(self):
        return os.path.getsize(self.log)

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        if self.alive():
            self.proc.kill()
        self.proc.wait()

    def wait_exit(self, seconds):
        try:
            self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pass
        return self.alive()

    def migration_status(self):
        return self.qmp.cmd("query-migrate").get("status", "none")

    def wait_migration(self, states, seconds=MIGRATION_TIMEOUT):
        deadline = time.monotonic() + seconds
        while True:
            now = self.migration_status()
            if now in states or now in MIGRATION_DONE:
                return now
            if time.monotonic() > deadline:
                raise CannotRun("%s: migration still '%s' after %d s" % (self.node, now, seconds))
            time.sleep(0.02)


class System:
    """Two QEMUs on one image, driven as the live runner drives them (see qemu-live/MAPPING.md)."""

    def __init__(self, work, binaries, env):
        self.work = work
        self.target_autostarts = True
        self.binaries = binaries
        self.env = env
        self.procs = {}
        self.mig = "NONE"  # NONE, PRE_SWITCHOVER, HANDED_OVER
        self.frozen = False
        self.full = False  # the volume under the image (store failures only: DATA["noSpace"])

    # --- the table's operations
    def word(self, a):
        if isinstance(a, list):
            return "".join(self.word(p) for p in a)
        if isinstance(a, dict):
            return PLACES[a["place"]]
        return a

    def program(self, name):
        return self.binaries.get(name, name)

    def tool(self, argv, merge=True):
        """Runs a tool; its output is stdout and stderr together, or stdout alone when merge is False."""
        args = [self.word(a) for a in argv]
        args[0] = self.program(args[0])
        r = subprocess.run(args, cwd=self.work, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT if merge else subprocess.DEVNULL, timeout=30)
        return r.returncode, r.stdout.decode(errors="replace")

    def alive(self, n):
        p = self.procs.get(n)
        return p is not None and p.alive()

    def is_frozen(self, n):
        return n == "target" and self.frozen and self.alive(n)

    def qmp(self, n):
        return self.procs[n].qmp

    def run(self, op):
        k = op["op"]
        say("   ", render(op))
        if k == "qmp":
            args = {key: resolve(v) for key, v in op["args"].items()}
            self.qmp(op["node"]).cmd(op["command"], args)
        elif k == "qemu-io":
            line = 'qemu-io %s "%s"' % (op["drive"], op["command"])
            before = self.procs[op["node"]].log_size()
            out = self.qmp(op["node"]).cmd("human-monitor-command", {"command-line": line})
            return 0, out + self.procs[op["node"]].log_text(before)
        elif k == "tool":
            return self.tool(op["argv"])
        elif k == "launch":
            argv = [self.word(a) for a in self.layered(op)]
            argv[0] = self.program(argv[0])
            self.procs[op["node"]] = Qemu(op["node"], argv, self.env, self.work)
            # its blkdebug layer's ENOSPC rules armed (True) or not; None: no layer, or its node lost its driver
            self.procs[op["node"]].armed = self.full if DATA["noSpace"] else None
            if op["node"] == "target":
                self.frozen = False
        elif k == "quit":
            try:
                self.qmp(op["node"]).cmd("quit")
            except Gone:
                pass
            self.procs[op["node"]].wait_exit(10)
        elif k == "kill":
            self.procs[op["node"]].kill()
            if op["node"] == "target":
                self.frozen = False
        elif k == "signal":
            os.kill(self.procs[op["node"]].proc.pid, getattr(signal, "SIG" + op["name"]))
            if op["node"] == "target":
                self.frozen = op["name"] == "STOP"
        elif k == "await":
            return 0, self.procs[op["node"]].wait_migration((op["state"],))
        elif k == "clear-autoclear-bit0":
            with open(PLACES["IMAGE"], "r+b") as f:
                f.seek(95)
                b = f.read(1)[0]
                f.seek(95)
                f.write(bytes([b & 0xFE]))
        elif k == "unmappable":
            raise Unmappable(op["why"])
        return 0, ""

    def layered(self, op):
        """NoSpaceLayer.launch: with store failures every QEMU opens the image through the blkdebug node, armed when the
        volume is full; the qcow2 node's file is that node, declared just before it."""
        ns = DATA["noSpace"]
        if not ns:
            return op["argv"]
        argv = []
        for a in op["argv"]:
            if isinstance(a, str) and a.startswith("driver=qcow2,file=file0,"):
                argv += [ns["full" if self.full else "space"]["ro" if op.get("readOnly") else "rw"], "-blockdev",
                         a.replace("file=file0,", "file=%s," % ns["node"], 1)]
            else:
                argv.append(a)
        if argv != op["argv"]:
            say("    # with the blkdebug layer under drive0:", " ".join(w if isinstance(w, str) else "..." for w in argv))
        return argv

    def switch_volume(self, full, ops):
        """LiveVolume.apply: the table's flushes and vmstate reads, each read sent only to a QEMU whose layer is not yet
        as the volume is; a QEMU whose node lost its driver answers "No medium found" and keeps its layer as it was."""
        if not DATA["noSpace"]:
            raise Unmappable("a full volume needs the blkdebug layer under drive0 from each QEMU's start: "
                             "run with --store-failures")
        if full == self.full:
            say("    # the volume is already %s: nothing to switch" % ("full" if full else "free"))
            return None
        if self.is_frozen("target"):
            raise Unmappable("the volume changes while the target is held (SIGSTOP) between handover and completion: "
                             "its blkdebug layer cannot be switched without letting it complete the migration")
        for op in ops:
            n = op["node"]
            if not self.alive(n):
                continue
            p = self.procs[n]
            if p.armed is None:
                say("    # %s's node has no driver (ejected): its layer is left as it is" % n)
                continue
            toggle = op["command"] == DATA["noSpace"]["toggle"]
            if toggle and p.armed == full:
                continue
            out = self.run(op)[1]
            if "No medium found" in out:
                p.armed = None
            elif toggle:
                p.armed = full
        self.full = full
        for p in self.procs.values():
            p.refused = False  # flushed before the volume filled, or after it was freed
        return None

    def refuse_tool(self):
        """LiveVolume.refuseTool: a standalone tool on a full volume is not run (it would open the image without the
        layer); it is refused in bitmig's words, after the image lock that the model checks first."""
        if not self.full:
            return None
        say("    # the volume is full: the tool is not run (not modelled), the lock is probed")
        return DATA["errors"]["writeLock"] if self.image_locked() else DATA["errors"]["toolOnFullVolume"]

    def may_fail_flush(self, n):
        """Whether n's flush may fail: the volume is full and a write of that QEMU was refused since it filled (its
        caches may hold the refused allocation, block/qcow2-cluster.c qcow2_alloc_cluster_abort)."""
        return self.full and self.alive(n) and getattr(self.procs[n], "refused", False)

    def after_step(self, a, rejected):
        """LiveVolume.afterStep: a write of that QEMU failed with ENOSPC."""
        n = a.get("node")
        if self.full and rejected and "No space left on device" in rejected and n in ("source", "target") \
                and self.alive(n):
            self.procs[n].refused = True

    def job(self, n):
        """The backup job of query-block-jobs, or None (LiveBackupJobs.job)."""
        for j in self.qmp(n).cmd("query-block-jobs"):
            if j.get("device") == DATA["backup"]["job"]:
                return j
        return None

    def await_job(self, n, states, settled=False):
        """LiveBackupJobs.await / settled: the job in one of states (gone when there are none), or, settled, it has
        copied its first cluster (its rate limit lets one 64 KiB chunk through), or waits to be finalized."""
        deadline = time.monotonic() + 5
        while True:
            j = self.job(n)
            if settled:
                if j is None or j["status"] == "pending" or j["offset"] >= min(j["len"], CLUSTER):
                    return j
            elif (j is None) if not states else (j is not None and j["status"] in states):
                return j
            if time.monotonic() > deadline:
                raise CannotRun("the backup job did not reach %s within 5 s: %s"
                                % ("its first copy" if settled else (states or "its end"), j))
            time.sleep(0.005)

    def run_on_running(self, ops):
        for op in ops:
            n = op.get("node") if op["op"] in ("qmp", "qemu-io", "quit", "kill", "signal", "await") else None
            if n is None or self.alive(n):
                self.run(op)

    # --- the live runner's orchestration
    def image_locked(self):
        return self.tool(["qemu-img", "info", {"place": "IMAGE"}])[0] != 0

    def handover(self):
        """Hold the target, let the source finish and inactivate, wait until the image lock is free. False when the
        source's inactivation failed (migration/savevm.c "bdrv_inactivate_all() failed"): its migration failed."""
        self.run_on_running(DATA["handover"])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.image_locked():
            if self.procs["source"].migration_status() in MIGRATION_DONE:
                break
            time.sleep(0.005)
        if self.alive("source") and self.procs["source"].migration_status() == "failed":
            self.thaw()
            self.abandon_target()
            self.mig = "NONE"
            return False
        self.mig = "HANDED_OVER"
        return True

    def abandon_target(self):
        """LiveSystem.abandonTarget: the source's migration failed at its completion. QEMU 7.2's incoming QEMU waits on
        the open stream (migration/migration.c migration_completion's fail label keeps the return path open); the
        model's exits, so it is killed after 5 s, as a management layer would."""
        if self.full and self.alive("source"):
            self.procs["source"].refused = True
        if self.wait_exit("target", 5):
            say("    # the source's migration failed and the target still waits on the open stream: kill it")
            self.kill_target()
            self.wait_exit("target", 5)

    def thaw(self):
        if self.frozen:
            self.run_on_running([DATA["release"]])
        self.frozen = False

    def kill_target(self):
        self.run_on_running([DATA["killTarget"]])
        self.frozen = False

    def cancel_and_wait(self):
        if not self.alive("source"):
            return
        self.run(DATA["cancel"])
        self.procs["source"].wait_migration(())

    def wait_exit(self, n, seconds):
        return self.procs[n].wait_exit(seconds) if n in self.procs else False

    def await_source_activation(self):
        """After a failed or cancelled handover the source activates again (migration_iteration_finish) just after its
        status changed; where QEMU reports the node's 'active' field (10.0), wait up to 3 s for it."""
        deadline = time.monotonic() + 3
        while self.alive("source") and time.monotonic() < deadline:
            try:
                active = None
                for node in self.qmp("source").cmd("query-named-block-nodes", {"flat": True}):
                    if node.get("node-name") == DATA["drive"]:
                        active = node.get("active")
                if active is None or active:
                    return
            except (QmpError, Gone):
                return
            time.sleep(0.01)

    def after_gone(self, n):
        if self.mig == "NONE":
            return
        if n == "target":
            if self.mig == "PRE_SWITCHOVER":
                self.cancel_and_wait()
            elif self.alive("source"):
                self.procs["source"].wait_migration(())
        else:
            self.thaw()
            deadline = time.monotonic() + 5
            while self.alive("target") and time.monotonic() < deadline:
                try:
                    if self.procs["target"].migration_status() == "completed":
                        break
                except (Gone, QmpError):
                    break
                time.sleep(0.02)
        self.mig = "NONE"

    def close(self):
        for p in self.procs.values():
            if p.alive():
                if self.frozen:
                    try:
                        os.kill(p.proc.pid, signal.SIGCONT)
                    except OSError:
                        pass
                p.kill()
            else:
                p.proc.wait()
            try:
                p.qmp.close()
            except AttributeError:
                pass


def resolve(v):
    if isinstance(v, dict) and set(v) == {"place"}:
        return PLACES[v["place"]]
    if isinstance(v, dict):
        return {k: resolve(x) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x) for x in v]
    return v


def render(op):
    k = op["op"]
    if k == "qmp":
        return "%s> %s" % (op["node"], json.dumps({"execute": op["command"], "arguments": resolve(op["args"])}))
    if k == "qemu-io":
        return '%s> HMP qemu-io %s "%s"' % (op["node"], op["drive"], op["command"])
    if k in ("tool", "launch"):
        words = ["".join(p if isinstance(p, str) else PLACES[p["place"]] for p in a) if isinstance(a, list)
                 else (PLACES[a["place"]] if isinstance(a, dict) else a) for a in op["argv"]]
        return "$ " + " ".join(words) + ("   # " + op["remark"] if op.get("remark") else "")
    if k == "quit":
        return op["node"] + '> {"execute": "quit"}'
    if k in ("kill", "signal"):
        return "$ kill -%s %s" % ("9" if k == "kill" else op["name"], op["node"])
    if k == "await":
        return "# wait until %s's migration is %s" % (op["node"], op["state"])
    if k == "note":
        return "# " + op["text"]
    if k == "clear-autoclear-bit0":
        return "# clear autoclear bit 0 in the qcow2 header (byte 95)"
    return "# not mappable: " + op.get("why", "")


def first_error_line(out):
    if 'Failed to get "write" lock' in out:
        return DATA["errors"]["writeLock"]
    if 'Failed to get shared "write" lock' in out:
        return DATA["errors"]["sharedWriteLock"]
    m = QEMU_IO_ERROR.search(out)
    line = m.group(1) if m else (out.strip().splitlines() or [""])[0]
    return re.sub(r"^qemu-io: ", "", line).strip()


def img_error(out):
    """qemu-img's error: the first line it prints that is not a warning. The warning of a cleared autoclear bit
    ends without a newline, so the error may follow it on the same line."""
    if 'Failed to get "write" lock' in out:
        return DATA["errors"]["writeLock"]
    for m in re.finditer(r"qemu-img: (?!warning: )([^\n]*)", out):
        return m.group(1).strip()
    return (out.strip().splitlines() or [""])[0]


def launch_error(message):
    if 'Failed to get "write" lock' in message:
        return DATA["errors"]["writeLock"]
    if DATA["errors"]["directoryNoSpace"] in message:
        return DATA["errors"]["directoryNoSpace"]  # block/qcow2.c qcow2_do_open: the IN_USE update on a full volume
    if 'Failed to get shared "write" lock' in message:
        return DATA["errors"]["sharedWriteLock"]
    first = (message.strip().splitlines() or [message])[0]
    cut = first.rfind(": ")
    return first[cut + 2:].strip() if cut >= 0 else first.strip()


class Steps:
    """LiveMapper: one method per action kind; each returns None (accepted) or the rejection text."""

    def __init__(self, sys_, release10):
        self.s = sys_
        self.release10 = release10  # QEMU 10.0 or later: blockdev-set-active, late activation, abort on inactive writes

    def require_on(self, n):
        if not self.s.alive(n):
            return DATA["errors"]["notRunning"][n]
        if self.s.is_frozen(n):
            raise Unmappable("the target is held stopped (SIGSTOP) between handover and completion")
        return None

    def on(self, n, ops):
        off = self.require_on(n)
        if off:
            return off
        for op in ops:
            self.s.run(op)
        return None

    def GuestWrite(self, a, ops):
        off = self.require_on(a["node"])
        if off:
            return off
        write = ops[0]
        if self.s.job(a["node"]) is not None:
            if self.s.full:
                # The model leaves a failing write under a block job out (its copy-before-write would fail too).
                return DATA["errors"]["jobWriteOnFullVolume"]
            # A backup job's copy-before-write filter does not share write on drive0: the guest writes through it.
            write = dict(write, drive=DATA["backup"]["filter"])
        try:
            out = self.s.run(write)[1]
        except Gone:
            # QEMU 10.0 aborts on a write to an inactive node (block/io.c bdrv_co_write_req_prepare).
            n = a["node"]
            self.s.wait_exit(n, 5)
            found = ASSERTION.search(self.s.procs[n].log_text())
            self.s.after_gone(n)
            return found.group(1) if found else "QEMU exited"
        return None if "wrote " in out else first_error_line(out)

    def ForeignWrite(self, a, ops):
        full = self.s.refuse_tool()
        if full:
            return full
        aware = a["writer"] == "AWARE"
        for op in ops:
            rc, out = self.s.run(op)
            if aware and (rc != 0 or QEMU_IO_FAILURE.search(out)):
                return first_error_line(out)
            if not aware and rc != 0:
                return DATA["errors"]["writeLock"]
        return None

    def Inactivate(self, a, ops):
        off = self.require_on(a["node"])
        if off:
            return off
        if a["node"] == "source" and self.s.mig == "PRE_SWITCHOVER":
            self.s.handover()  # a failed inactivation fails the migration: accepted, as in the model
            return None
        # blockdev-set-active (QEMU 10.0); QEMU 7.2 answers that the command has not been found.
        return self.on(a["node"], ops)

    def Activate(self, a, ops):
        off = self.require_on(a["node"])
        if off:
            return off
        if self.release10:
            status = self.s.qmp(a["node"]).cmd("query-status")["status"]
            if status == "inmigrate":
                raise Unmappable("blockdev-set-active on an incoming node: bitmig refuses it, QEMU 10.0 does not")
            if a["node"] == "source" and self.s.mig != "NONE":
                raise Unmappable("blockdev-set-active on a migrating source: bitmig refuses it, QEMU 10.0 does not")
        return self.on(a["node"], ops)

    def Cont(self, a, ops):
        if a["node"] == "target" and self.s.is_frozen("target"):
            if not self.release10:
                raise Unmappable("cont on the held incoming target: QEMU 7.2 would activate it, and it cannot answer")
            if not self.s.target_autostarts:
                raise Unmappable("cont on the held incoming target after stop cleared its autostart")
            return None
        off = self.require_on(a["node"])
        if off:
            return off
        if a["node"] == "source" and self.s.mig == "PRE_SWITCHOVER":
            return None
        return self.on(a["node"], ops)

    def Stop(self, a, ops):
        if a["node"] == "target" and self.s.is_frozen("target"):
            raise Unmappable("stop on the held incoming target")
        off = self.require_on(a["node"])
        if off:
            return off
        if a["node"] == "source" and self.s.mig != "NONE":
            raise Unmappable("stop on the source while QEMU's migration holds it in finish-migrate")
        if a["node"] == "target" and self.s.qmp("target").cmd("query-status")["status"] == "inmigrate":
            self.s.target_autostarts = False  # qmp_stop on an incoming VM clears autostart
        return self.on(a["node"], ops)

    def MigrateStart(self, a, ops):
        off = self.require_on("source")
        if off:
            return off
        if not a["capability"] and self.s.mig == "NONE" and self.s.alive("target") and self.s.job("source") is not None:
            # The model leaves this out (QEMU 7.2 would assert at the handover); the harness answers with its text.
            return DATA["errors"]["backupJobRunning"]
        if self.s.mig != "NONE":
            self.s.run(DATA["migrate"])
            return None
        names, st = [], ""
        for op in ops:
            if op["op"] == "qmp" and op["command"] == "migrate" and a["capability"]:
                names = [b["name"] for b in bitmaps(self.s.qmp("source")) if b.get("name")]
            if self.s.alive("target") or op.get("node") != "target":
                st = self.s.run(op)[1]
        if st != "pre-switchover":
            if st == "failed" and self.s.may_fail_flush("source"):
                # migration/migration.c migration_completion: vm_stop_force_state flushes before
                # pause-before-switchover, so a flush that fails on a full volume fails the migration here; the
                # model's source runs on until the handover, where it fails.
                raise Unmappable("on a full volume the source's flush at the VM stop failed the migration before "
                                 "pause-before-switchover (the model fails it at the handover)")
            err = self.s.qmp("source").cmd("query-migrate").get("error-desc", "")
            self.s.wait_exit("target", 3)
            if "connect" in err or "No such file" in err or "refused" in err:
                return err
            return None
        self.s.mig = "PRE_SWITCHOVER"
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and self.s.alive("target") and names:
            try:
                have = [b.get("name") for b in bitmaps(self.s.qmp("target"))]
            except Gone:
                break
            if all(n in have for n in names):
                break
            time.sleep(0.01)
        if not self.s.wait_exit("target", 0 if not names else 0.2):
            self.s.cancel_and_wait()
            self.s.mig = "NONE"
        return None

    def MigrateComplete(self, a, ops):
        if self.s.mig == "NONE":
            return DATA["errors"]["noMigration"]
        for op in ops:
            if op["op"] == "qmp" and self.s.mig == "HANDED_OVER":
                self.s.thaw()
            elif not (op["op"] == "await" and op["node"] == "target"):
                self.s.run(op)
            elif self.s.alive("source") and self.s.procs["source"].migration_status() == "failed":
                self.s.abandon_target()  # the source failed at completion
            elif self.s.alive("target"):
                try:
                    self.s.run(op)
                except Gone:
                    pass
        self.s.mig = "NONE"
        return None

    def MigrateCancel(self, a, ops):
        if not self.s.alive("source"):
            return DATA["errors"]["notRunning"]["source"]
        if self.s.mig == "NONE":
            for op in ops:
                self.s.run(op)
            return None
        self.s.cancel_and_wait()
        if self.s.mig == "HANDED_OVER":
            self.s.kill_target()
            self.s.await_source_activation()
        else:
            self.s.wait_exit("target", 5)
        self.s.mig = "NONE"
        return None

    def MigrateFail(self, a, ops):
        if self.s.mig == "NONE":
            return DATA["errors"]["noMigration"]
        before = a["when"] == "BEFORE_HANDOVER"
        if before and self.s.mig == "HANDED_OVER":
            return DATA["errors"]["alreadyHandedOver"]
        if not before and self.s.mig == "PRE_SWITCHOVER" and not self.s.handover():
            return None  # the handover's inactivation failed, and so did the migration
        self.s.run_on_running(ops)
        if not before:
            self.s.await_source_activation()
        self.s.mig = "NONE"
        return None

    def bitmap(self, a, ops):
        return self.on(a["node"], ops)

    BitmapAdd = BitmapRemove = BitmapClear = BitmapEnable = BitmapDisable = BitmapMerge = Backup = bitmap

    def Quit(self, a, ops):
        n = a["node"]
        if not self.s.alive(n):
            return DATA["errors"]["notRunning"][n]
        if self.s.is_frozen(n):
            raise Unmappable("quit on the held incoming target")
        for op in ops:
            self.s.run(op)
        self.s.after_gone(n)
        return None

    def Crash(self, a, ops):
        n = a["node"]
        if not self.s.alive(n):
            return DATA["errors"]["notRunning"][n]
        for op in ops:
            self.s.run(op)
        self.s.after_gone(n)
        return None

    def Launch(self, a, ops):
        n = a["node"]
        if self.s.alive(n):
            return DATA["errors"]["alreadyRunning"][n]
        if n == "target":
            self.s.target_autostarts = True  # a new process, without -S
        try:
            for op in ops:
                self.s.run(op)
        except Gone as e:
            return launch_error(str(e))
        return None

    def qemu_img(self, a, ops):
        """qemu-img bitmap or check -r all on the image: its exit code says whether it was refused."""
        full = self.s.refuse_tool() if a["action"] != "ImgConvert" else None
        if full:
            return full
        for op in ops:
            rc, out = self.s.run(op)
            if rc != 0:
                return img_error(out)
        return None

    ImgBitmap = ImgCheck = qemu_img

    def ImgConvert(self, a, ops):
        """qemu-img convert --bitmaps, then the copy renamed over the image: the rename would replace a file that a
        running QEMU still has open, so it runs only while none does, and is otherwise refused in bitmig's words."""
        if self.s.alive("source") or self.s.alive("target"):
            return DATA["errors"]["convertWhileOpen"]
        if self.s.full:
            return DATA["errors"]["toolOnFullVolume"]
        return self.qemu_img(a, ops)

    def unmappable(self, a, ops):
        raise Unmappable(next(op["why"] for op in ops if op["op"] == "unmappable"))

    MirrorStart = MirrorCopy = MirrorCancel = BackupFail = unmappable

    def BackupStart(self, a, ops):
        """blockdev-backup, to the null-co target added once per QEMU process; then wait until QEMU has copied the
        first cluster, which the model's first BackupCopy stands for."""
        off = self.require_on(a["node"])
        if off:
            return off
        p = self.s.procs[a["node"]]
        if not getattr(p, "backup_target", False):
            self.s.run(DATA["backup"]["target"][a["node"]])
            p.backup_target = True
        for op in ops:
            self.s.run(op)
        job = self.s.await_job(a["node"], (), settled=True)
        p.ahead = job is not None and job["len"] > 0
        return None

    def BackupCopy(self, a, ops):
        """The model's first copy is the cluster QEMU copied on its own at the start; the copy of the last cluster lifts
        the speed limit; a copy with nothing left ends the job (job-finalize)."""
        n = a["node"]
        off = self.require_on(n)
        if off:
            return off
        p = self.s.procs[n]
        job = self.s.job(n)
        if job is None:
            return DATA["errors"]["jobNotFound"]
        ahead, p.ahead = getattr(p, "ahead", False), False
        if ahead:
            say("    # QEMU copied this cluster on its own when the job started")
            return None
        remaining = job["len"] - job["offset"]
        if job["status"] == "pending" or remaining == 0:
            self.s.await_job(n, ("pending",))
            self.s.run(DATA["backup"]["finalize"][n])
            self.s.await_job(n, ())
            return None
        if remaining == CLUSTER:
            self.s.run(DATA["backup"]["unthrottle"][n])
            self.s.await_job(n, ("pending",))
            return None
        raise Unmappable("the backup job has %d clusters left: QEMU's rate limit cannot let exactly one more 64 KiB "
                         "chunk through" % (remaining // CLUSTER))

    def BackupCancel(self, a, ops):
        """block-job-cancel (forced), then wait until the job has gone."""
        off = self.on(a["node"], ops)
        if off:
            return off
        self.s.await_job(a["node"], ())
        return None

    def VolumeFull(self, a, ops):
        """The blkdebug layer under drive0 of every running QEMU switched (LiveVolume, qemu-live/MAPPING.md)."""
        return self.s.switch_volume(a["full"], ops)


# ---------------------------------------------------------------------------------------------------- observing

def bitmaps(qmp):
    for node in qmp.cmd("query-named-block-nodes", {"flat": True}):
        if node.get("node-name") == DATA["drive"]:
            return node.get("dirty-bitmaps", [])
    return []


def observe(s):
    """What QEMU shows: per node its named bitmaps (or why it cannot be read), the image's directory and bit 0."""
    nodes = {}
    for n in ("source", "target"):
        o = {"on": s.alive(n), "held": s.is_frozen(n), "bitmaps": {}, "anonymous": [], "unreadable": None}
        if o["on"] and not o["held"]:
            try:
                for b in bitmaps(s.qmp(n)):
                    if not b.get("name"):
                        # successors of busy bitmaps, a backup job's block-copy bitmap
                        o["anonymous"].append({"count": b["count"], "granularity": b["granularity"],
                                               "recording": b["recording"]})
                        continue
                    sha = s.qmp(n).cmd("x-debug-block-dirty-bitmap-sha256",
                                       {"node": DATA["drive"], "name": b["name"]})["sha256"]
                    o["bitmaps"][b["name"]] = {
                        "count": b["count"], "granularity": b["granularity"], "recording": b["recording"],
                        "persistent": b["persistent"], "busy": b["busy"],
                        "inconsistent": b.get("inconsistent", False), "sha256": sha}
            except Gone:
                o["on"] = False
                o["bitmaps"] = {}
            except QmpError as e:
                o["unreadable"] = e.desc
                o["bitmaps"] = {}
        nodes[n] = o
    rc, out = s.tool(["qemu-img", "info", "-U", "--output=json", {"place": "IMAGE"}], merge=False)
    directory = {}
    if rc == 0:
        data = json.loads(out).get("format-specific", {}).get("data", {})
        for e in data.get("bitmaps", []):
            directory[e["name"]] = {"granularity": e["granularity"], "in-use": "in-use" in e.get("flags", []),
                                    "auto": "auto" in e.get("flags", [])}
    with open(PLACES["IMAGE"], "rb") as f:
        f.seek(95)
        autoclear = bool(f.read(1)[0] & 1)
    return {"nodes": nodes, "directory": directory, "autoclear": autoclear}


def granules_of(q):
    """The granules QEMU's bitmap holds, from its SHA-256 (the model's table of every set on this disk)."""
    return DATA["sha256"].get(str(q["granularity"]), {}).get(q["sha256"])


def observed_world(model, obs):
    """Comparison.observedWorld: QEMU's bitmaps and directory in place of the model's, with the model's ghost."""
    nodes = {}
    for n in ("source", "target"):
        m = model["nodes"][n]
        o = obs["nodes"][n]
        if o["unreadable"] and "is ejected" in o["unreadable"]:
            nodes[n] = {}  # Comparison.observedWorld: a node without its medium has no usable bitmap (D4)
            continue
        if o["held"] or not o["on"] or not m["on"] or o["unreadable"]:
            nodes[n] = dict(m["bitmaps"])
            continue
        bms = {}
        for name, q in o["bitmaps"].items():
            mine = m["bitmaps"].get(name)
            got = granules_of(q)
            if got is None:
                got = mine["granules"] if mine else []
            bms[name] = {"lineage": mine["lineage"] if mine else 0, "inconsistent": q["inconsistent"],
                         "granularity": max(1, q["granularity"] // CLUSTER), "granules": got,
                         "successor": successor_of(mine, q, o["anonymous"]),
                         "unfinished": bool(mine and mine.get("unfinished"))}
        nodes[n] = bms
    entries = {}
    for name, e in obs["directory"].items():
        mine = model["image"]["entries"].get(name)
        entries[name] = {"lineage": mine["lineage"] if mine else 0, "in-use": e["in-use"],
                         "granularity": max(1, e["granularity"] // CLUSTER),
                         "granules": mine["granules"] if mine else []}
    return {"nodes": nodes, "entries": entries, "autoclear": obs["autoclear"]}


def successor_of(mine, q, anonymous):
    """Comparison.successor: a busy bitmap's successor is anonymous on QEMU, so only its count, granularity and
    recording show. When QEMU lists one like the model's successor, the observed bitmap takes the model's granules;
    otherwise none, so that the invariants see what QEMU's successor misses."""
    if not q["busy"] or not mine or not mine.get("successor"):
        return []
    s = mine["successor"]
    count = len(s["granules"]) * q["granularity"]
    listed = any(x["granularity"] == q["granularity"] and x["recording"] == s["enabled"] and x["count"] == count
                 for x in anonymous)
    return s["granules"] if listed else []


def lost_disks(obs):
    """NoLostDisk on QEMU: a node whose reactivation failed has no medium ("Block device drive0 is ejected")."""
    return ["NoLostDisk: the %s QEMU lost its disk (%s)" % (n, obs["nodes"][n]["unreadable"]) for n in ("source", "target")
            if obs["nodes"][n]["unreadable"] and "is ejected" in obs["nodes"][n]["unreadable"]]


def under_reports(model, world):
    """NoUnderReport on the observed world: a usable copy misses a cluster its lineage's truth says changed."""
    truth = model["truth"]
    out = []

    def misses(where, name, b):
        t = truth.get(str(b["lineage"]), [])
        succ = b.get("successor") or []  # the model's own bitmap (unobserved) carries its successor whole
        succ = succ["granules"] if isinstance(succ, dict) else succ
        reported = set(b["granules"]) | set(succ)  # Bitmap.reported: its own granules and its successor's
        lost = sorted(c for c in t if c // b["granularity"] not in reported)
        if lost:
            out.append("NoUnderReport: %s '%s' does not report clusters %s that changed while it was meant to record"
                       % (where, name, lost))

    for n in ("source", "target"):
        if model["nodes"][n]["active"]:
            for name, b in world["nodes"][n].items():
                if not b["inconsistent"] and not b.get("unfinished"):  # Node.unfinished: still arriving
                    misses("bitmap on the " + n, name, b)
    if world["autoclear"]:
        for name, e in world["entries"].items():
            if not e["in-use"]:
                misses("image entry", name, e)
    return out


def available(model, world):
    """Spec.available: families of persistent lineages with a consistent copy in RAM or on the image."""
    fam = model["families"]
    got = set()
    for n in ("source", "target"):
        if model["nodes"][n]["counts"]:
            for b in world["nodes"][n].values():
                if not b["inconsistent"] and str(b["lineage"]) in fam:
                    got.add(fam[str(b["lineage"])])
    if world["autoclear"]:
        for e in world["entries"].values():
            if not e["in-use"] and str(e["lineage"]) in fam:
                got.add(fam[str(e["lineage"])])
    return got


def silent_losses(step, before_model, before, model, world):
    lost = available(before_model, before) - available(model, world)
    out = []
    names = {}
    for where in [before_model["image"]["entries"]] + [before_model["nodes"][n]["bitmaps"] for n in ("source", "target")]:
        for name, b in where.items():
            names[before_model["families"].get(str(b["lineage"]))] = name
    for f in sorted(lost):
        if step["visibleLoss"] or f in model["visibleFamilies"]:
            continue
        out.append("NoSilentLoss: persistent bitmap '%s' is gone on QEMU: no consistent copy in RAM and none "
                   "on the image, and nothing the user could see explains it" % names.get(f, "?"))
    return out


# ---------------------------------------------------------------------------------------------------- the run

def say(*words):
    print(*words, flush=True)


def show(model, obs):
    for n in ("source", "target"):
        m, o = model["nodes"][n], obs["nodes"][n]
        state = "held (SIGSTOP)" if o["held"] else ("running" if o["on"] else "off")
        say("    %s: QEMU %s, model %s%s" % (n, state, "running" if m["on"] else "off",
                                              ", unreadable: " + o["unreadable"] if o["unreadable"] else ""))
        for name in sorted(set(m["bitmaps"]) | set(o["bitmaps"])):
            q, b = o["bitmaps"].get(name), m["bitmaps"].get(name)
            qs = ("count %d, recording %s, persistent %s, busy %s, inconsistent %s"
                  % (q["count"] // q["granularity"], q["recording"], q["persistent"], q["busy"], q["inconsistent"])
                  if q else "absent")
            ms = ("count %d, recording %s, persistent %s, busy %s, inconsistent %s"
                  % (len(b["granules"]), b["recording"], b["persistent"], b["busy"], b["inconsistent"])
                  if b else "absent")
            t = model["truth"].get(str(b["lineage"]), []) if b else []
            say("      bitmap '%s' (counts in granules): QEMU %s | model %s | truth: clusters %s" % (name, qs, ms, t))
    entries = model["image"]["entries"]
    for name in sorted(set(entries) | set(obs["directory"])):
        q, e = obs["directory"].get(name), entries.get(name)
        say("    image entry '%s': QEMU %s | model %s" % (
            name, ("in-use %s" % q["in-use"]) if q else "absent", ("in-use %s" % e["inUse"]) if e else "absent"))
    say("    image autoclear bit 0: QEMU %s | model %s" % (obs["autoclear"], model["image"]["autoclear"]))


def binaries_of(prefix):
    if prefix is None:
        found = shutil.which("qemu-system-x86_64")
        if not found:
            raise CannotRun("qemu-system-x86_64 is not on PATH (give --qemu PREFIX)")
        return {}, dict(os.environ)
    for d in ("usr/bin", "bin", ""):
        if os.access(os.path.join(prefix, d, "qemu-system-x86_64"), os.X_OK):
            env = dict(os.environ)
            modules = os.path.join(prefix, "usr/lib/x86_64-linux-gnu/qemu")
            if os.path.isdir(modules):
                env["QEMU_MODULE_DIR"] = modules
            return {p: os.path.join(prefix, d, p) for p in ("qemu-system-x86_64", "qemu-img", "qemu-io")}, env
    raise CannotRun("no qemu-system-x86_64 under " + prefix)


def run(prefix):
    binaries, env = binaries_of(prefix)
    work = tempfile.mkdtemp(prefix="reproducer-")
    PLACES.update({k: os.path.join(work, v) if k != "MIGRATION_URI" else v for k, v in DATA["places"].items()})
    s = System(work, binaries, env)
    seen = []
    try:
        for op in DATA["setup"]:
            rc, out = s.run(op)
            if rc != 0:
                raise CannotRun(out.strip().splitlines()[-1] if out.strip() else "setup failed")
        version = s.qmp("source").cmd("query-version")
        say("QEMU %(major)d.%(minor)d.%(micro)d" % version["qemu"], version.get("package", "").strip())
        release10 = version["qemu"]["major"] >= 10
        m = DATA["models"]["10.0" if release10 else "7.2"]
        say("judged against the model " + m["policy"])
        steps = Steps(s, release10)
        before_model = m["initial"]
        before = observed_world(before_model, observe(s))
        for i, step in enumerate(DATA["steps"], 1):
            a = step["action"]
            say("step %d: %s" % (i, step["text"]))
            try:
                rejected = getattr(Steps, a["action"])(steps, a, step["ops"])
            except QmpError as e:
                rejected = e.desc
            except Unmappable as e:
                raise CannotRun("step %d %s is not mappable on this QEMU: %s" % (i, step["text"], e))
            s.after_step(a, rejected)
            predicted_step = m["steps"][i - 1]
            say("    outcome: QEMU %s | model %s" % ("rejected: " + rejected if rejected else "accepted",
                                                   predicted_step["model"]))
            obs = observe(s)
            model = predicted_step["world"]
            show(model, obs)
            world = observed_world(model, obs)
            found = under_reports(model, world) + lost_disks(obs) + silent_losses(step, before_model, before, model, world)
            for v in found:
                say("    QEMU state violates " + v)
                title = v.split(":")[0]
                if title not in seen:
                    seen.append(title)
            for v in model["violations"]:
                say("    the model says: " + v)
            before_model, before = model, world
    finally:
        s.close()
        shutil.rmtree(work, ignore_errors=True)
    predicted = m["predicted"]
    shown = bool(predicted) and all(t in seen for t in predicted)
    say("predicted by the model (%s): %s; shown by QEMU: %s"
        % (m["policy"], ", ".join(predicted) or "none", ", ".join(seen) or "none"))
    say("VERDICT: " + ("QEMU shows the violation" if shown else "QEMU does not show the violation"))
    return 1 if shown else 0


class Arguments(argparse.ArgumentParser):
    def error(self, message):
        print("cannot run: " + message, file=sys.stderr)
        sys.exit(2)


def main():
    p = Arguments(description=DATA["title"])
    p.add_argument("--qemu", metavar="PREFIX", help="run QEMU from PREFIX (PREFIX/usr/bin or PREFIX/bin)")
    args = p.parse_args()
    try:
        sys.exit(run(args.qemu))
    except CannotRun as e:
        print("cannot run: %s" % e, file=sys.stderr)
        sys.exit(2)
    except (OSError, Gone, QmpError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
        print("cannot run: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(2)
    except Exception as e:  # a fault of this script: never a verdict (exit 1 would claim QEMU shows the violation)
        print("cannot run: internal error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(2)


PLACES = {}
CLUSTER = DATA["clusterBytes"]

if __name__ == "__main__":
    main()
