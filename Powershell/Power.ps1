# vm.power: start, shutdown (through the guest), stop (turn off), reset, save, pause, resume.
# The state checks are Hyper-V's own; asking for the state the VM is already in succeeds.
# Every cmdlet runs as a job so the wait is bounded by the deadline, and the operation returns
# only once the VM has reached the target state.

# Shutdown integration service (Microsoft:<VMID>\9F8233AC-...): its id is the same in every language.
$script:ShutdownServiceId = '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'

$script:PowerActions = @{
    start    = @{ Target = 'Running'; From = @('Off', 'Saved') }
    shutdown = @{ Target = 'Off'; From = @('Running') }
    stop     = @{ Target = 'Off'; From = @('Running', 'Paused', 'Saved') }
    # Reset of a paused VM is refused, as the orchestrator and the simulator do: resume it first.
    reset    = @{ Target = 'Running'; From = @('Running') }
    save     = @{ Target = 'Saved'; From = @('Running', 'Paused') }
    pause    = @{ Target = 'Paused'; From = @('Running') }
    resume   = @{ Target = 'Running'; From = @('Paused') }
}

function Assert-AgentMemoryToStart {
    # INSUFFICIENT_MEMORY before Hyper-V fails the start with a less useful error.
    param([Parameter(Mandatory = $true)] [object] $Vm)
    $required = [long]$Vm.MemoryStartup
    $os = Get-CimInstance -ClassName 'Win32_OperatingSystem' -ErrorAction Stop
    $free = [long]$os.FreePhysicalMemory * 1024
    if ($required -gt $free) {
        throw (New-AgentError -Code 'INSUFFICIENT_MEMORY' -Message "Starting the VM needs $required bytes; $free are free." -Details @{ requiredBytes = $required; freeBytes = $free })
    }
}

function Assert-AgentGuestShutdownAvailable {
    param([Parameter(Mandatory = $true)] [object] $Vm)
    $service = @(Get-VMIntegrationService -VM $Vm -ErrorAction Stop | Where-Object { ([string]$_.Id).EndsWith($script:ShutdownServiceId, [System.StringComparison]::OrdinalIgnoreCase) })
    # Not found by id: let Stop-VM decide rather than refuse on a guess.
    if ($service.Count -gt 0 -and (-not [bool]$service[0].Enabled -or [string]$service[0].PrimaryOperationalStatus -ne 'Ok')) {
        throw (New-AgentError -Code 'GUEST_UNAVAILABLE' -Message 'The guest is not running its shutdown integration service; use stop to turn the VM off.')
    }
}

function Start-AgentPowerJob {
    param([Parameter(Mandatory = $true)] [object] $Vm, [Parameter(Mandatory = $true)] [string] $Action)
    switch ($Action) {
        'start' { return (Start-VM -VM $Vm -AsJob -ErrorAction Stop) }
        'shutdown' { return (Stop-VM -VM $Vm -Force -AsJob -ErrorAction Stop) }
        'reset' { return (Restart-VM -VM $Vm -Force -AsJob -ErrorAction Stop) }
        'save' { return (Save-VM -VM $Vm -AsJob -ErrorAction Stop) }
        'pause' { return (Suspend-VM -VM $Vm -AsJob -ErrorAction Stop) }
        'resume' { return (Resume-VM -VM $Vm -AsJob -ErrorAction Stop) }
        'stop' {
            if ([string]$Vm.State -eq 'Saved') {
                # Turning off a saved VM means discarding its saved state.
                Remove-VMSavedState -VM $Vm -ErrorAction Stop
                return $null
            }
            return (Stop-VM -VM $Vm -TurnOff -Force -AsJob -ErrorAction Stop)
        }
    }
    throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Unknown power action '$Action'.")
}

function Invoke-VmPower {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'action'
    $action = [string]$Params['action']
    if (-not $script:PowerActions.ContainsKey($action) -or $action -cne $action.ToLowerInvariant()) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'action' must be one of start, shutdown, stop, reset, save, pause, resume.")
    }
    $rule = $script:PowerActions[$action]
    $vm = Get-AetherVm -Id $Params['vmId']
    $vmId = $vm.Id
    $previous = ConvertTo-AgentVmState -State $vm.State
    if ($previous -eq $rule.Target -and $action -ne 'reset') {
        Write-AgentLog -Level 'info' -Message "VM $vmId is already $previous."
        return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vmId); previousState = $previous }
    }
    if ($rule.From -notcontains $previous) {
        throw (New-AgentStateError -Vm $vm -Message "Cannot $action the VM")
    }
    if ($action -eq 'start') {
        # A paused VM keeps its memory; an Off or Saved one needs it back.
        Assert-AgentMemoryToStart -Vm $vm
    }
    if ($action -eq 'shutdown') {
        Assert-AgentGuestShutdownAvailable -Vm $vm
    }
    Write-AgentLog -Level 'info' -Message "VM ${vmId}: $action (was $previous)."
    $job = Start-AgentPowerJob -Vm $vm -Action $action
    if ($null -ne $job) {
        $null = Wait-AgentJob -Context $Context -Job $job -Description "the VM's $action"
    }
    $target = $rule.Target
    Wait-AgentCondition -Context $Context -Description "the VM to be $target" -TimeoutSeconds 86400 -Condition {
        (ConvertTo-AgentVmState -State (Get-VM -Id $vmId -ErrorAction Stop).State) -eq $target
    }
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vmId); previousState = $previous }
}
