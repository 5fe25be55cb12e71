import { pesterSuite } from '../support/pester.ts';

// Issue 16: host-agent defects only a real PowerShell shows (Nullable unwrapping, PSObject
// serialisation, UTF-16 KVP limits, the install swap), run by Pester in the real pwsh.
pesterSuite('issue 16 on a real PowerShell (Pester)', ['Powershell/tests/RealWindows.Tests.ps1']);
