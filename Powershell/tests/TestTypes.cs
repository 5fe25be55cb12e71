// Test doubles of the few .NET types the host agent sees from Hyper-V and that do not exist in
// PowerShell on Linux: the enums behind Get-VM/Get-VHD properties (same names and values as the
// real Microsoft.HyperV.PowerShell / Microsoft.Vhd.PowerShell ones, so [string]$vm.State reads as
// on a host), and jobs standing for what a cmdlet's -AsJob returns. Compiled by TestHelpers.ps1.
using System.Management.Automation;

namespace Microsoft.HyperV.PowerShell
{
    public enum VMState { Other = 1, Running = 2, Off = 3, Stopping = 4, Saved = 6, Paused = 9, Starting = 10, Reset = 11, Saving = 32773, Pausing = 32776, Resuming = 32777, FastSaved = 32779, FastSaving = 32780, RunningCritical = 32781, OffCritical = 32782, SavedCritical = 32784 }
    public enum ControllerType { IDE = 0, SCSI = 1, PMEM = 2 }
    public enum VMSwitchType { Private = 0, Internal = 1, External = 2 }
    public enum VMNetworkAdapterVlanMode { Untagged = 0, Access = 1, Trunk = 2, Private = 3 }
    public enum VMIntegrationComponentOperationalStatus { Ok = 2, Degraded = 3, Error = 6, NonRecoverableError = 7, NoContact = 12, LostCommunication = 13 }

    /// What Hyper-V cmdlets throw for a refused operation (the agent maps it by full name).
    public class VirtualizationException : System.Exception
    {
        public VirtualizationException(string message) : base(message) { }
    }
}

namespace Microsoft.Vhd.PowerShell
{
    public enum VhdType { Unknown = 0, Fixed = 2, Dynamic = 3, Differencing = 4 }
    public enum VhdFormat { Unknown = 0, VHD = 2, VHDX = 3, VHDSet = 4 }
}

namespace AetherV.Tests
{
    /// A job that has already finished: Completed with its output, or Failed with one error.
    public sealed class FinishedJob : Job
    {
        public FinishedJob(string name, object[] output, ErrorRecord error) : base("test", name)
        {
            if (output != null) { foreach (object item in output) { Output.Add(PSObject.AsPSObject(item)); } }
            if (error != null) { Error.Add(error); SetJobState(JobState.Failed); } else { SetJobState(JobState.Completed); }
        }
        public override string StatusMessage { get { return string.Empty; } }
        public override bool HasMoreData { get { return Output.Count > 0 || Error.Count > 0; } }
        public override string Location { get { return "localhost"; } }
        public override void StopJob() { }
    }

    /// A job that never finishes by itself (a transition Hyper-V is still working on).
    public sealed class RunningJob : Job
    {
        public RunningJob(string name) : base("test", name) { SetJobState(JobState.Running); }
        public override string StatusMessage { get { return string.Empty; } }
        public override bool HasMoreData { get { return false; } }
        public override string Location { get { return "localhost"; } }
        public override void StopJob() { SetJobState(JobState.Stopped); }
    }
}
