#!/usr/bin/python3
"""Recording stand-in for a system command in the Linux agent tests (symlinked under each name).

Appends {"cmd", "argv", "stdin"} as one JSON line to $STANDIN_LOG, fails (exit 1) when its name is
listed in $STANDIN_FAIL, and otherwise does the least the agent relies on, inside $AETHERV_GUEST_ROOT:
useradd adds a passwd entry (and the home directory with -m); ip prints $STANDIN_IP_OUTPUT;
`nmcli connection delete` of an unknown connection fails as the real one does.
`openssl` is recorded (key and IV values redacted, stdin untouched) and then becomes the real /usr/bin/openssl.
"""
import json
import os
import sys

cmd = os.path.basename(sys.argv[0])
argv = sys.argv[1:]


def record(entry):
    with open(os.environ["STANDIN_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")


if cmd == "openssl":
    redacted = ["<redacted>" if i > 0 and argv[i - 1] in ("-K", "-iv") else a for i, a in enumerate(argv)]
    record({"cmd": cmd, "argv": redacted, "stdin": ""})
    os.execv("/usr/bin/openssl", ["openssl"] + argv)

stdin = sys.stdin.buffer.read().decode("utf-8", "replace") if sys.stdin is not None else ""
record({"cmd": cmd, "argv": argv, "stdin": stdin})

if cmd in os.environ.get("STANDIN_FAIL", "").split(","):
    sys.exit(1)

root = os.environ["AETHERV_GUEST_ROOT"]
if cmd == "useradd":
    name = argv[-1]
    gecos = argv[argv.index("-c") + 1] if "-c" in argv else ""
    passwd = os.path.join(root, "etc/passwd")
    with open(passwd, encoding="utf-8") as f:
        uid = 1000 + sum(1 for line in f if int(line.split(":")[2]) >= 1000)
    with open(passwd, "a", encoding="utf-8") as f:
        f.write("%s:x:%d:%d:%s:/home/%s:/bin/bash\n" % (name, uid, uid, gecos, name))
    if "-m" in argv:
        os.makedirs(os.path.join(root, "home", name), mode=0o750)
elif cmd == "ip":
    print(os.environ.get("STANDIN_IP_OUTPUT", ""))
elif cmd == "nmcli" and argv[:2] == ["connection", "delete"]:
    sys.exit(10)
