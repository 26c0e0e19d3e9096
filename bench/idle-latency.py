#!/usr/bin/env python3
# IDLE latency: time from an SMTP 250 on port 25 to the "* n EXISTS" an idling IMAP session receives.
# Usage: bench/idle-latency.py PASSWORD PORT_OFFSET   (user postmaster@localhost of a running postern serve)
import socket, ssl, smtplib, time, sys, statistics, re
pw = sys.argv[1]; off = int(sys.argv[2])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", 993 + off)), server_hostname="localhost")
f = s.makefile("rb")
def cmd(line):
    s.sendall(line.encode() + b"\r\n")
f.readline()
cmd(f'a LOGIN postmaster@localhost "{pw}"')
while not f.readline().startswith(b"a "): pass
cmd("b SELECT INBOX")
while not f.readline().startswith(b"b "): pass
lat = []
for i in range(20):
    cmd(f"i{i} IDLE"); assert f.readline().startswith(b"+")
    smtp = smtplib.SMTP("127.0.0.1", 25 + off, local_hostname="bench.test")
    msg = f"From: x@bench.test\r\nTo: postmaster@localhost\r\nSubject: idle {i}\r\n\r\nhello\r\n"
    smtp.sendmail("x@bench.test", ["postmaster@localhost"], msg)
    t0 = time.monotonic()
    while True:
        line = f.readline()
        if re.match(rb"\* \d+ EXISTS", line): break
    lat.append((time.monotonic() - t0) * 1000)
    smtp.quit()
    cmd("DONE")
    while not f.readline().startswith(f"i{i} ".encode()): pass
print(f"IDLE new-mail latency after SMTP 250, 20 deliveries: median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms")
