// Jobs standing for what a Hyper-V cmdlet's -AsJob returns in the host agent's Pester tests. The
// Hyper-V enums and VirtualizationException that PowerShell on Linux lacks are the simulator's
// (simulator/powershell/Modules/AetherV.SimBackend/AetherV.SimTypes.cs, same names and values as
// the real Microsoft.HyperV.PowerShell / Microsoft.Vhd.PowerShell ones, so [string]$vm.State
// reads as on a host); TestHelpers.ps1 compiles both files into one assembly.
using System.Management.Automation;

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
