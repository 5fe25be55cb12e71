import { pesterSuite } from '../support/pester.ts';

// Every host agent operation run in the real pwsh by Pester, with the Hyper-V, FailoverClusters,
// CIM and Get-Service stubs of simulator/powershell/Modules mocked (Powershell/tests/TestHelpers.ps1).
// Each file is one concept; RealWindows.Tests.ps1 has its own wrapper (test/review).
const files = ['Stubs', 'Inventory', 'Vm', 'VmDelete', 'Power', 'Disk', 'Nic', 'Iso', 'Image', 'Kvp', 'Cluster'];

pesterSuite('host agent operations (Pester)', files.map((f) => `Powershell/tests/${f}.Tests.ps1`));
