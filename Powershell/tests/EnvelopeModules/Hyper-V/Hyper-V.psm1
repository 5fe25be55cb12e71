# Test-only Hyper-V for test/powershell/agent-envelope.test.ts, put on PSModulePath before the
# stubs: one VM (id in AETHERV_ENVELOPE_VM_ID, state in AETHERV_ENVELOPE_VM_STATE) with canned
# answers, so the real AetherV.Agent.ps1 can run an operation end to end as a process. Only the
# parameters the agent passes are declared; the real signatures are in simulator/powershell/Modules.
$script:Vm = [pscustomobject]@{
    Id = [guid]$env:AETHERV_ENVELOPE_VM_ID; Name = 'envelope-vm'; State = [string]$env:AETHERV_ENVELOPE_VM_STATE
    ProcessorCount = [long]2; MemoryStartup = [long]2GB; MemoryAssigned = [long]0; DynamicMemoryEnabled = $false
    MemoryMinimum = [long]512MB; MemoryMaximum = [long]1TB; Generation = 2; Version = '10.0'
    ConfigurationLocation = 'C:\Hyper-V\envelope-vm'; Uptime = [timespan]::Zero; Notes = ''
    CreationTime = [datetime]::new(2026, 1, 2, 3, 4, 5, [System.DateTimeKind]::Utc)
    HardDrives = @(); NetworkAdapters = @(); DVDDrives = @(); IsClustered = $false
}
$script:Vm.PSObject.TypeNames.Insert(0, 'Microsoft.HyperV.PowerShell.VirtualMachine')

function Get-VM {
    [CmdletBinding()]
    param([Nullable[guid]] $Id)
    if ($null -ne $Id -and $Id -ne $script:Vm.Id) {
        # Hyper-V's way: a non-terminating error, terminating only under -ErrorAction Stop.
        Write-Error -Message "Hyper-V was unable to find a virtual machine with ID $Id." -Category ObjectNotFound -ErrorId 'InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM'
        return
    }
    $script:Vm
}

function Rename-VM {
    [CmdletBinding()]
    param([object[]] $VM, [string] $NewName)
    $script:Vm.Name = $NewName
}

function Set-VM {
    [CmdletBinding()]
    param([object[]] $VM, [string] $Notes)
    if ($Notes -eq 'deny') {
        Write-Error -Message 'You do not have permission to perform the operation.' -Category PermissionDenied -ErrorId 'AccessDenied,Microsoft.HyperV.PowerShell.Commands.SetVM'
        return
    }
    if ($Notes -eq 'chatty') {
        # Cmdlets that talk: neither may reach stdout as plain text.
        Write-Warning -Message 'The VM configuration version is old.'
        Write-Host 'Setting notes.'
    }
    $script:Vm.Notes = $Notes
}

function Remove-VMSavedState {
    # The saved state goes, but the VM never reports Off: the agent waits until its deadline.
    [CmdletBinding()]
    param([object[]] $VM)
}
