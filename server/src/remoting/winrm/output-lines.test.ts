import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './output-lines.ts';

test('lines split across chunks and inside multi-byte characters come out whole', () => {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  const bytes = Buffer.from('{"a":"é€"}\r\nsecond line\nlast', 'utf8');
  for (let i = 0; i < bytes.length; i += 3) splitter.push(bytes.subarray(i, i + 3));
  assert.deepEqual(lines, ['{"a":"é€"}', 'second line']);
  splitter.end();
  assert.deepEqual(lines, ['{"a":"é€"}', 'second line', 'last']);
});

test('no trailing empty line after a final newline', () => {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  splitter.push(Buffer.from('a\n\nb\n'));
  splitter.end();
  assert.deepEqual(lines, ['a', '', 'b']);
});
