// Every fault shape in fixtures/ maps to a typed error with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { faultToError, isOperationTimeout, parseFault } from './faults.ts';
import { parseEnvelope } from './response.ts';

const faultOf = (name: string) => {
  const fault = parseFault(parseEnvelope(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')).body);
  assert.ok(fault, `${name} holds a fault`);
  return fault;
};

test('w:TimedOut is recognised as "poll again" and otherwise maps to REMOTE_TIMEOUT', () => {
  const fault = faultOf('fault_wsman_fault_known_fault.xml');
  assert.equal(fault.subcode, 'TimedOut');
  assert.equal(fault.wsmanCode, 2150858793);
  assert.equal(fault.machine, 'server2022.domain.test');
  assert.ok(isOperationTimeout(fault));
  const err = faultToError(fault, 'hv01', 'Command');
  assert.equal(err.code, 'REMOTE_TIMEOUT');
  assert.match(err.message, /hv01.*Command.*OperationTimeout/);
});

test('SchemaValidationError keeps the WSManFault detail message', () => {
  const fault = faultOf('fault_wsman_fault_with_wsmanfault.xml');
  assert.deepEqual([fault.code, fault.subcode, fault.wsmanCode, fault.reason, fault.message], ['Sender', 'SchemaValidationError', 2150858817, 'Reason text.', 'Detail message.']);
  const err = faultToError(fault, 'hv01', 'Create');
  assert.equal(err.code, 'REMOTE_FAULT');
  assert.match(err.message, /SchemaValidationError.*Create.*Host said: Detail message\./);
  assert.equal(isOperationTimeout(fault), false);
});

test('MustUnderstand without subcode uses the reason', () => {
  const fault = faultOf('fault_wsman_fault_must_understand.xml');
  assert.equal(fault.code, 'MustUnderstand');
  assert.equal(fault.subcode, undefined);
  const err = faultToError(fault, 'hv01', 'Send');
  assert.equal(err.code, 'REMOTE_FAULT');
  assert.match(err.message, /MustUnderstand on Send.*Host said: Test reason\./);
});

test('a fault with no reason still gives a readable message', () => {
  const fault = faultOf('fault_wsman_fault_no_reason.xml');
  assert.equal(fault.code, 'Unknown');
  assert.equal(fault.message, undefined);
  const err = faultToError(fault, 'hv01', 'Receive');
  assert.equal(err.code, 'REMOTE_FAULT');
  assert.match(err.message, /fault Unknown on Receive \(no reason given\)/);
});

test('an MSFT_WmiError detail contributes its code and message', () => {
  const fault = faultOf('fault_wsman_fault_wmi_error_detail.xml');
  assert.equal(fault.subcode, 'InternalError');
  assert.equal(fault.wsmanCode, 2150859174);
  assert.equal(fault.message, 'WMI Message.');
  assert.match(faultToError(fault, 'hv01', 'Command').message, /InternalError.*WMI Message\./);
});

const windowsFault = (code: string, subcode: string, wsmanCode: number, message: string) => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header/><s:Body><s:Fault><s:Code><s:Value>s:${code}</s:Value><s:Subcode><s:Value>w:${subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">r</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${wsmanCode}" Machine="hv01"><f:Message>${message}</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`;

test('access denied, shell quota, unknown shell and envelope limit map to their codes', () => {
  const cases: Array<[string, string, number, string, RegExp]> = [
    ['AccessDenied', 'Sender', 5, 'REMOTE_ACCESS_DENIED', /Remote Management Users/],
    ['QuotaLimit', 'Sender', 2150859173, 'REMOTE_SHELL_QUOTA', /MaxShellsPerUser/],
    ['InvalidSelectors', 'Sender', 2150858843, 'REMOTE_SHELL_GONE', /shell no longer exists/],
    ['EncodingLimit', 'Sender', 2150858824, 'REMOTE_FAULT', /MaxEnvelopeSize/],
  ];
  for (const [subcode, code, wsmanCode, expected, hint] of cases) {
    const fault = parseFault(parseEnvelope(windowsFault(code, subcode, wsmanCode, 'm')).body);
    assert.ok(fault);
    const err = faultToError(fault, 'hv01', 'Command');
    assert.equal(err.code, expected, subcode);
    assert.match(err.message, hint);
    assert.equal(err.details.wsmanCode, wsmanCode);
  }
});
