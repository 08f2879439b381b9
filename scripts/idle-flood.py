#!/usr/bin/env python3
# Usage: scripts/idle-flood.py DCC_PID DUIS_PORT SMKI_PORT N DCC_LOG (see BENCHMARKS.md "Hostile clients").
# Opens N idle TCP connections to 127.0.0.1:DUIS_PORT, then for 30 s: every second, tries a fresh
# GET on the SMKI repository (same process, same fd limit) and records whether it is answered
# within 2 s. Prints the CPU seconds the DCC used (from /proc/PID/stat) and the log size.
import socket, sys, time, os
pid, duis_port, smki_port, n, log = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
socks = []
c0, l0, t0 = cpu(pid), os.path.getsize(log), time.time()
for _ in range(n):
    s = socket.socket(); s.connect(("127.0.0.1", duis_port)); socks.append(s)
ok_at, tries, oks = None, 0, 0
while time.time() - t0 < 30:
    tries += 1
    try:
        s = socket.create_connection(("127.0.0.1", smki_port), timeout=2)
        s.settimeout(2)
        s.sendall(b"GET /ca/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if s.recv(12).startswith(b"HTTP/1.1 200"):
            oks += 1
            if ok_at is None: ok_at = time.time() - t0
        s.close()
    except OSError:
        pass
    time.sleep(1)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(1) == b"": closed += 1
    except BlockingIOError: pass
    except OSError: closed += 1
print(f"idle={n} cpu_s={cpu(pid)-c0:.2f} wall_s={time.time()-t0:.1f} log_bytes={os.path.getsize(log)-l0} "
      f"good_requests={oks}/{tries} first_ok_after_s={ok_at if ok_at is None else round(ok_at,1)} idle_closed_by_server={closed}")
