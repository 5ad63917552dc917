"""A stand-in QMP monitor that misreads the first commands it gets, talked to by a reproducer's own QMP client.

python3 misreading_monitor.py REPRODUCER MISREADS DESC: loads REPRODUCER without running it, serves one QMP
connection on a unix socket (greeting, qmp_capabilities), answers the first MISREADS commands after it with the
error DESC and no id (as QEMU does when it cannot read a command's id), then answers with {"status": "running"}; the
client sends query-status once. Prints one JSON line: the commands received, and the client's result or error.
"""
import json
import os
import runpy
import socket
import sys
import tempfile
import threading
import time

script, misreads, desc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
received = []
resets = []
path = os.path.join(tempfile.mkdtemp(), "monitor.qmp")
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)


def serve():
    conn, _ = server.accept()
    out = conn.makefile("wb")
    out.write(b'{"QMP": {"version": {}, "capabilities": []}}\n')
    out.flush()
    for line in conn.makefile("rb"):
        if line.strip() == b"\xff":
            # the byte that resets QEMU's JSON parser: a lexical error, answered as QEMU answers it
            resets.append(line)
            out.write(b'{"error": {"class": "GenericError", "desc": "JSON parse error, stray \'\\uFFFD\'"}}\n')
            out.flush()
            continue
        cmd = json.loads(line)
        if cmd["execute"] == "qmp_capabilities":
            reply = {"return": {}, "id": cmd.get("id")}
        else:
            received.append(cmd)
            if len(received) <= misreads:
                # the misread, then what the monitor says of the rest of the altered bytes (errors without an id)
                out.write(json.dumps({"error": {"class": "GenericError", "desc": desc}}).encode() + b"\n")
                out.flush()
                time.sleep(0.3)  # a loaded machine
                reply = {"error": {"class": "GenericError", "desc": "JSON parse error, expecting value"}}
            else:
                reply = {"return": {"status": "running"}, "id": cmd.get("id")}
        out.write(json.dumps(reply).encode() + b"\n")
        out.flush()


threading.Thread(target=serve, daemon=True).start()
reproducer = runpy.run_path(script, run_name="reproducer")
result = {}
try:
    result["return"] = reproducer["Qmp"](path).cmd("query-status")
except reproducer["QmpError"] as e:
    result["error"] = e.desc
result["received"] = [c["execute"] for c in received]
result["ids"] = [c.get("id") for c in received]
result["resets"] = len(resets)
print(json.dumps(result))
