# Stand-in for Windows Server's Hyper-V module (which PowerShell on Linux lacks), so that the host
# agent runs in the real pwsh: under Pester (whose Mock needs the command to exist) and under the
# simulator. One advanced function per real cmdlet the agent calls, with the real cmdlet's
# parameter names, aliases, parameter sets, pipeline bindings and ShouldProcess support, taken
# from the Windows Server 2022 Hyper-V module reference (learn.microsoft.com/powershell/module/hyper-v,
# source MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/hyper-v). Hyper-V object
# types (VirtualMachine, HardDiskDrive...) do not exist here: such parameters are [object] with a
# [PSTypeName('Microsoft.HyperV.PowerShell.<Type>')] check, so objects passed to them must carry
# the real type name in PSObject.TypeNames (as the real objects do), which is also what lets
# `Get-VM | Get-VMHardDiskDrive` bind -VM and not -VMSnapshot. Every body only forwards the call to
# AetherV.SimBackend\Invoke-AetherVSimCmdlet, the simulator's model of the host.

foreach ($part in @('Vm.ps1', 'VmPower.ps1', 'VmSettings.ps1', 'Vhd.ps1', 'Drives.ps1', 'Network.ps1')) {
    . (Join-Path -Path $PSScriptRoot -ChildPath $part)
}
. (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'AetherV.WindowsShims/StubFallback.ps1')
