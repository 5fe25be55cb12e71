// Review: every string the WinRM client writes into XML comes back byte for byte through a
// strict XML 1.0 parser (expat, via Debian's python3): markup characters, and CR/LF/tab that a
// parser would otherwise normalise; characters XML cannot carry are refused with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildCommand } from '../../server/src/remoting/winrm/command.ts';
import { buildCreateShell } from '../../server/src/remoting/winrm/shell.ts';
import { buildReceive } from '../../server/src/remoting/winrm/receive.ts';
import { isAppError } from '../../server/src/errors.ts';

const ctx = { to: 'http://windows-host:5985/wsman', maxEnvelopeSize: 153600, operationTimeoutSeconds: 20 };
const HOSTILE = 'a"b\'c<d>e&f]]>g\r\nh\ti\rj\nk </rsp:Command><x y="1"/> ü €';

/** Element texts and attribute values by local name, as a conforming parser reads them. */
function strictParse(xml: string): { texts: Record<string, string[]>; attrs: Record<string, string[]> } {
  const script = `
import sys, json, xml.dom.minidom as m
doc = m.parseString(sys.stdin.buffer.read())
texts, attrs = {}, {}
for el in doc.getElementsByTagName('*'):
    name = el.localName
    t = ''.join(n.data for n in el.childNodes if n.nodeType == n.TEXT_NODE)
    texts.setdefault(name, []).append(t)
    for k, v in el.attributes.items(): attrs.setdefault(k, []).append(v)
print(json.dumps({'texts': texts, 'attrs': attrs}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: Buffer.from(xml, 'utf8') }).toString('utf8')) as ReturnType<typeof strictParse>;
}

test('a command line with markup, CR LF and tabs arrives unchanged', () => {
  const parsed = strictParse(buildCommand(ctx, 'shell-1', HOSTILE));
  assert.deepEqual(parsed.texts.Command, [HOSTILE]);
});

test('environment names and values (an attribute and a text) arrive unchanged', () => {
  const parsed = strictParse(buildCreateShell(ctx, { environment: { [`N"a\tme`]: HOSTILE } }));
  assert.ok(parsed.attrs.Name!.includes(`N"a\tme`), JSON.stringify(parsed.attrs.Name));
  assert.deepEqual(parsed.texts.Variable, [HOSTILE]);
});

test('ids taken from a host\'s answer are escaped in attributes and selectors', () => {
  const id = 'x" evil="1\n2';
  const parsed = strictParse(buildReceive(ctx, id, id));
  assert.ok(parsed.attrs.CommandId!.includes(id));
  assert.ok(parsed.texts.Selector!.includes(id));
});

test('characters XML 1.0 cannot hold are refused, not sent', () => {
  for (const bad of ['a\u0001b', 'a\u0000', 'x\u001b[31m', 'lone \ud800 surrogate', '\uffff']) {
    assert.throws(() => buildCommand(ctx, 'shell-1', bad), (e: unknown) => isAppError(e) && /cannot carry the character U\+/.test(e.message), JSON.stringify(bad));
  }
  assert.doesNotThrow(() => buildCommand(ctx, 'shell-1', 'emoji 😀 ok'));
});
