// .NET types the real Hyper-V module exposes and the agent relies on (enum values as in
// Microsoft.HyperV.PowerShell / Microsoft.Vhd.PowerShell, and VirtualizationException, whose
// full name the agent's error mapping checks), plus a finished Job for -AsJob. Compiled once per
// machine by the simulator (Add-Type -OutputAssembly), so a pwsh start pays no compilation; the
// host agent's Pester tests compile it too (Powershell/tests/TestHelpers.ps1), for the same types.
using System;
using System.Management.Automation;
using System.Reflection;

// The DLL doubles as C:\Windows\System32\vmms.exe, whose product version the agent reports as
// hypervVersion (Windows Server 2022's).
[assembly: AssemblyFileVersion("10.0.20348.1")]
[assembly: AssemblyInformationalVersion("10.0.20348.1")]

namespace Microsoft.HyperV.PowerShell
{
    public enum VMState
    {
        Other = 1, Running = 2, Off = 3, Stopping = 4, Saved = 6, Paused = 9, Starting = 10, Reset = 11,
        Saving = 32773, Pausing = 32776, Resuming = 32777, FastSaved = 32779, FastSaving = 32780,
        RunningCritical = 32781, OffCritical = 32782, StoppingCritical = 32783, SavedCritical = 32784,
        PausedCritical = 32785, StartingCritical = 32786, ResetCritical = 32787, SavingCritical = 32788,
        PausingCritical = 32789, ResumingCritical = 32790, FastSavedCritical = 32791, FastSavingCritical = 32792
    }
    public enum VMSwitchType { Private = 0, Internal = 1, External = 2 }
    public enum ControllerType { IDE = 0, SCSI = 1, PMEM = 2 }
    public enum VMNetworkAdapterVlanMode { Untagged = 0, Access = 1, Trunk = 2, Private = 3, Isolated = 4 }
    public enum OnOffState { On = 0, Off = 1 }
    public enum VMOperationalStatus { Ok = 2, Degraded = 3, Error = 6, NonRecoverableError = 7, NoContact = 12, LostCommunication = 13 }
    public enum VMIntegrationComponentOperationalStatus { Ok = 2, Degraded = 3, Error = 6, NonRecoverableError = 7, NoContact = 12, LostCommunication = 13 }

    public class VirtualizationException : Exception
    {
        public VirtualizationException(string message) : base(message) { }
    }
}

namespace Microsoft.Vhd.PowerShell
{
    public enum VhdType { Unknown = 0, Fixed = 2, Dynamic = 3, Differencing = 4 }
    public enum VhdFormat { Unknown = 0, VHD = 2, VHDX = 3, VHDSet = 4 }
}

namespace AetherV.Simulator
{
    /// <summary>What a Hyper-V cmdlet run with -AsJob returns: the simulator has already done the work.</summary>
    public sealed class FinishedJob : Job
    {
        public FinishedJob(string command, string name) : base(command, name) { PSJobTypeName = "AetherVSimJob"; }
        public void Finish(object[] output, ErrorRecord[] errors)
        {
            foreach (object o in output) Output.Add(PSObject.AsPSObject(o));
            foreach (ErrorRecord e in errors) Error.Add(e);
            SetJobState(errors.Length > 0 ? JobState.Failed : JobState.Completed);
        }
        public override string StatusMessage { get { return ""; } }
        public override bool HasMoreData { get { return Output.Count > 0 || Error.Count > 0; } }
        public override string Location { get { return Environment.MachineName; } }
        public override void StopJob() { }
    }
}
