/**
 * Hyper-V KVP pool files as hv_kvp_daemon keeps them on a Linux guest: records of a 512-byte key
 * and a 2,048-byte value, NUL-padded, updated in place under flock + a POSIX record lock. Node has
 * no flock, so a few lines of Debian's python3 do the locked I/O.
 */
import { spawn } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

const HELPER = String.raw`
import fcntl, json, os, sys
K, V = 512, 2048
R = K + V
op, path = sys.argv[1], sys.argv[2]
def lock(fd, ex):
    fcntl.flock(fd, fcntl.LOCK_EX if ex else fcntl.LOCK_SH)
    fcntl.lockf(fd, fcntl.LOCK_EX if ex else fcntl.LOCK_SH)
def read_all(fd):
    os.lseek(fd, 0, os.SEEK_SET)
    out = []
    while True:
        b = os.read(fd, 65536)
        if not b: return b"".join(out)
        out.append(b)
def field(raw): return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
def records(data):
    return [(at, field(data[at:at+K])) for at in range(0, len(data) - len(data) % R, R)]
if op == "get":
    try: fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        print("{}"); sys.exit(0)
    try:
        lock(fd, False); data = read_all(fd)
    finally: os.close(fd)
    items = {}
    for at, k in records(data): items.setdefault(k, field(data[at+K:at+R]))
    print(json.dumps(items)); sys.exit(0)
changes = json.load(sys.stdin)
os.makedirs(os.path.dirname(path), exist_ok=True)
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
try:
    lock(fd, True)
    for ch in changes:
        data = read_all(fd)
        if ch[0] == "set":
            rec = ch[1].encode().ljust(K, b"\0") + ch[2].encode().ljust(V, b"\0")
            at = next((a for a, k in records(data) if k == ch[1]), None)
            os.pwrite(fd, rec, (len(data) - len(data) % R) if at is None else at)
        else:
            kept = b"".join(data[a:a+R] for a, k in records(data) if k != ch[1])
            if len(kept) != len(data) - len(data) % R:
                os.pwrite(fd, kept, 0); os.ftruncate(fd, len(kept))
finally: os.close(fd)
`;

function python(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', HELPER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kvp pool helper failed (${code}): ${err.trim().split('\n').pop() ?? ''}`))));
    child.stdin.end(input);
  });
}

export type PoolChange = ['set', string, string] | ['remove', string];

export function readPool(path: string): Promise<Map<string, string>> {
  return python(['get', path], '').then((out) => new Map(Object.entries(JSON.parse(out) as Record<string, string>)));
}

/** Applies changes in order, each key updated in place (or appended), under the pool's locks. */
export function writePool(path: string, changes: PoolChange[]): Promise<void> {
  return python(['write', path], JSON.stringify(changes)).then(() => undefined);
}
