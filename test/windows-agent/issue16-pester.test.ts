import { pesterSuite } from '../support/pester.ts';

// Issue 16: the Windows guest pieces run by Pester in the real pwsh (only Windows-only cmdlets stubbed).
pesterSuite('Windows guest: throw-away OOBE password and adapter by MAC (Pester)', ['Windows/tests/BuiltinAdmin.Tests.ps1', 'Windows/tests/Network.Tests.ps1']);
