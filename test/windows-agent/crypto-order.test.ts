/**
 * The Windows agent's receive path, read from its parse tree: RSA-3072 with OAEP-SHA-256, the
 * MAC over "aetherv.kvp/1" || IV || C checked in constant time BEFORE anything is decrypted, and
 * no way to reach the AES decryptor except through that check.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SyntaxNode } from 'tree-sitter';
import { commandCalls, descendants, enclosingFunction, functionNodes, loadScripts, stringLiterals } from './ps-tree.ts';

const files = loadScripts();
const crypto = files.find((f) => f.path === 'Modules/AetherV.Crypto.psm1');
assert.ok(crypto, 'Windows/Modules/AetherV.Crypto.psm1 exists');
const functions = functionNodes(crypto);
const calls = commandCalls(files);

function fn(name: string): SyntaxNode {
  const node = functions.get(name);
  assert.ok(node, `function ${name} is defined in AetherV.Crypto.psm1`);
  return node;
}

/** Member invocations (`$x.Method(...)` / `[T]::Method(...)`) named `member` anywhere in Windows/. */
function memberCalls(member: string): { file: string; fn: string | undefined; node: SyntaxNode }[] {
  return files.flatMap((file) =>
    descendants(file.root, 'invokation_expression')
      .filter((node) => node.namedChildren.some((c) => c.type === 'member_name' && c.text === member))
      .map((node) => ({ file: file.path, fn: enclosingFunction(node), node })),
  );
}

function firstCall(scope: SyntaxNode, name: string): SyntaxNode {
  const found = descendants(scope, 'command').find((c) => c.childForFieldName('command_name')?.text === name);
  assert.ok(found, `${name} is called`);
  return found;
}

describe('Windows guest agent: cryptography', () => {
  it('verifies the MAC before decrypting, and fails with "error validating:mac" when it does not match', () => {
    const receive = fn('Unprotect-GuestPayload');
    const unwrap = firstCall(receive, 'Unprotect-WrappedKey');
    const verify = firstCall(receive, 'Test-PayloadMac');
    const decrypt = firstCall(receive, 'Invoke-AesCbcDecrypt');
    const macFailure = descendants(receive, 'string_literal').find((s) => s.text === "'error validating:mac'");
    assert.ok(macFailure, 'the MAC failure is reported as error validating:mac');
    assert.ok(unwrap.startIndex < verify.startIndex, 'keys are unwrapped before the MAC is computed');
    assert.ok(verify.startIndex < macFailure.startIndex && macFailure.startIndex < decrypt.startIndex, 'MAC check, then its failure, then decryption');

    // The failure is thrown from an `if` on the check's result, and decryption is outside that `if`.
    const guard = descendants(receive, 'if_statement').find((s) => s.startIndex < macFailure.startIndex && macFailure.endIndex <= s.endIndex);
    assert.ok(guard, 'the MAC failure sits in an if statement');
    assert.match(guard.text, /^if \(-not \$macValid\)/);
    assert.match(guard.text, /throw \(New-GuestFailure -Code 'error validating:mac'/);
    assert.ok(decrypt.startIndex > guard.endIndex);
    assert.match(receive.text, /\$macValid = Test-PayloadMac -MacKey \$keys\.MacKey -InitializationVector \$parts\.Iv -Ciphertext \$parts\.Ciphertext -Tag \$parts\.Tag/);
  });

  it('has exactly one way to the AES decryptor: through Unprotect-GuestPayload', () => {
    assert.deepEqual(memberCalls('CreateDecryptor').map((c) => `${c.file}#${c.fn}`), ['Modules/AetherV.Crypto.psm1#Invoke-AesCbcDecrypt']);
    assert.deepEqual(calls.filter((c) => c.name === 'Invoke-AesCbcDecrypt').map((c) => enclosingFunction(c.node)), ['Unprotect-GuestPayload']);
    assert.deepEqual(calls.filter((c) => c.name === 'Unprotect-GuestPayload').map((c) => `${c.file}#${enclosingFunction(c.node)}`), ['AetherV.Guest.ps1#Receive-GuestConfiguration']);
    assert.ok(!/Invoke-AesCbcDecrypt/.test(crypto.source.slice(crypto.source.indexOf('Export-ModuleMember'))), 'the raw decryptor is not exported');
    const aes = fn('Invoke-AesCbcDecrypt').text;
    assert.match(aes, /CipherMode\]::CBC/);
    assert.match(aes, /PaddingMode\]::PKCS7/);
  });

  it('computes HMAC-SHA-256 over "aetherv.kvp/1" || IV || C and compares it in constant time', () => {
    const mac = fn('Test-PayloadMac');
    assert.ok(stringLiterals([crypto]).some((l) => l.value === 'aetherv.kvp/1'));
    assert.match(mac.text, /HMACSHA256\]::new\(\$MacKey\)/);
    const feeds = memberCalls('TransformBlock').filter((c) => c.fn === 'Test-PayloadMac').map((c) => c.node.text);
    assert.deepEqual(feeds, ['$hmac.TransformBlock($label, 0, $label.Length, $null, 0)', '$hmac.TransformBlock($InitializationVector, 0, $InitializationVector.Length, $null, 0)']);
    assert.match(mac.text, /\$hmac\.TransformFinalBlock\(\$Ciphertext, 0, \$Ciphertext\.Length\)/);
    assert.match(mac.text, /Test-BytesEqualConstantTime -Left \$expected -Right \$Tag/);
    assert.doesNotMatch(mac.text, /-eq \$Tag|-ceq|SequenceEqual|\.Equals\(/);

    // The comparison loop never leaves early.
    const compare = fn('Test-BytesEqualConstantTime');
    const loops = descendants(compare, 'for_statement');
    assert.equal(loops.length, 1);
    const loop = loops[0] as SyntaxNode;
    assert.doesNotMatch(loop.text, /\b(return|break|throw)\b/);
    assert.match(loop.text, /\$difference = \$difference -bor \(\$Left\[\$index\] -bxor \$Right\[\$index\]\)/);
  });

  it('splits the blob as IV(16) || C || T(32) and refuses impossible lengths', () => {
    assert.match(crypto.source, /\$script:IvLength = 16\b/);
    assert.match(crypto.source, /\$script:MacLength = 32\b/);
    assert.match(crypto.source, /\$script:KeyLength = 32\b/);
    const split = fn('Split-PayloadBlob').text;
    assert.match(split, /\$cipherLength -lt \$script:AesBlockLength -or \(\$cipherLength % \$script:AesBlockLength\) -ne 0/);
    const unwrap = fn('Unprotect-WrappedKey').text;
    assert.match(unwrap, /\$keys\.Length -ne \(2 \* \$script:KeyLength\)/);
  });

  it('makes an RSA-3072 key, unwraps with OAEP-SHA-256 and never exports the private key', () => {
    // The CNG constructor lives alone in New-Rsa3072Key, the one piece tests on Linux replace.
    assert.match(fn('New-GuestKeyPair').text, /\$rsa = New-Rsa3072Key\n/);
    assert.match(fn('New-Rsa3072Key').text, /RSACng\]::new\(3072\)/);
    assert.match(fn('Unprotect-WrappedKey').text, /\$Rsa\.Decrypt\(\$wrapped, \[System\.Security\.Cryptography\.RSAEncryptionPadding\]::OaepSHA256\)/);
    const exports = memberCalls('ExportParameters');
    assert.ok(exports.length > 0);
    for (const call of exports) assert.match(call.node.text, /ExportParameters\(\$false\)$/, `${call.file}#${call.fn}`);
    for (const member of ['ToXmlString', 'ExportCspBlob', 'ExportRSAPrivateKey', 'ExportPkcs8PrivateKey', 'Export']) {
      assert.deepEqual(memberCalls(member), [], member);
    }
    // The JWK carries the public parameters only, base64url without padding.
    const jwk = fn('ConvertTo-PublicJwk').text;
    assert.match(jwk, /kty = 'RSA'/);
    assert.match(jwk, /n {3}= ConvertTo-Base64Url -Bytes \$public\.Modulus/);
    assert.match(jwk, /e {3}= ConvertTo-Base64Url -Bytes \$public\.Exponent/);
    assert.match(fn('ConvertTo-Base64Url').text, /TrimEnd\('='\)\.Replace\('\+', '-'\)\.Replace\('\/', '_'\)/);
  });

  it('disposes the key and zeroes key material and plaintext', () => {
    const receive = fn('Unprotect-GuestPayload').text;
    assert.match(receive, /finally \{\s+Clear-Bytes -Bytes \$keys\.EncryptionKey\s+Clear-Bytes -Bytes \$keys\.MacKey/);
    const guest = files.find((f) => f.path === 'AetherV.Guest.ps1');
    assert.ok(guest);
    assert.match(guest.source, /finally \{\s+Clear-Bytes -Bytes \$plaintext\s+\}/);
    assert.match(guest.source, /\$script:Rsa\.Dispose\(\)/);
  });
});
