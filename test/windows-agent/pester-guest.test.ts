/**
 * The Windows guest agent's Pester tests (Windows/tests/*.Tests.ps1) in the real pwsh: KVP over a
 * mocked registry, RSA-3072 keys and their JWK, the apply steps against the real cmdlets'
 * signatures, and no secret in the agent's log. Each Pester test is a node:test test.
 */
import { pesterSuite } from '../support/pester.ts';

pesterSuite('Windows guest agent (Pester)', [
  'Windows/tests/Kvp.Tests.ps1',
  'Windows/tests/Crypto.Tests.ps1',
  'Windows/tests/LocalAdmin.Tests.ps1',
  'Windows/tests/Hostname.Tests.ps1',
  'Windows/tests/NetworkSettings.Tests.ps1',
  'Windows/tests/DomainJoin.Tests.ps1',
  'Windows/tests/Apply.Tests.ps1',
  'Windows/tests/Run.Tests.ps1',
  'Windows/tests/DomainJoinRetry.Tests.ps1',
  'Windows/tests/Metadata.Tests.ps1',
]);
