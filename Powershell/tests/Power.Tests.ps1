# vm.power (Power.ps1): every action as a -AsJob cmdlet, the wait for the target state, the
# state rules, the deadline.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')

    function Set-FakeState {
        # What a power cmdlet does to the fake VM; returns the finished job -AsJob gives.
        param([object] $Vm, [string] $State)
        $Vm[0].State = [Microsoft.HyperV.PowerShell.VMState]$State
        return (New-FakeFinishedJob -Name 'power')
    }
}

Describe 'vm.power' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        Mock Start-VM { Set-FakeState -Vm $VM -State 'Running' }
        Mock Stop-VM { Set-FakeState -Vm $VM -State 'Off' }
        Mock Restart-VM { Set-FakeState -Vm $VM -State 'Running' }
        Mock Save-VM { Set-FakeState -Vm $VM -State 'Saved' }
        Mock Suspend-VM { Set-FakeState -Vm $VM -State 'Paused' }
        Mock Resume-VM { Set-FakeState -Vm $VM -State 'Running' }
        Mock Remove-VMSavedState { $null = Set-FakeState -Vm $VM -State 'Off' }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Off' -MemoryStartup 4GB)
    }

    It '<action> from <from> runs <cmdlet> and returns once the VM is <to>' -ForEach @(
        @{ action = 'start'; from = 'Off'; to = 'Running'; cmdlet = 'Start-VM'; filter = { $AsJob -and $VM[0].Name -eq 'web01' } }
        @{ action = 'start'; from = 'Saved'; to = 'Running'; cmdlet = 'Start-VM'; filter = { $AsJob } }
        @{ action = 'shutdown'; from = 'Running'; to = 'Off'; cmdlet = 'Stop-VM'; filter = { $AsJob -and $Force -and -not $TurnOff } }
        @{ action = 'stop'; from = 'Running'; to = 'Off'; cmdlet = 'Stop-VM'; filter = { $AsJob -and $Force -and $TurnOff } }
        @{ action = 'stop'; from = 'Paused'; to = 'Off'; cmdlet = 'Stop-VM'; filter = { $TurnOff } }
        @{ action = 'stop'; from = 'Saved'; to = 'Off'; cmdlet = 'Remove-VMSavedState'; filter = { $VM[0].Name -eq 'web01' } }
        @{ action = 'reset'; from = 'Running'; to = 'Running'; cmdlet = 'Restart-VM'; filter = { $AsJob -and $Force } }
        @{ action = 'save'; from = 'Running'; to = 'Saved'; cmdlet = 'Save-VM'; filter = { $AsJob } }
        @{ action = 'save'; from = 'Paused'; to = 'Saved'; cmdlet = 'Save-VM'; filter = { $AsJob } }
        @{ action = 'pause'; from = 'Running'; to = 'Paused'; cmdlet = 'Suspend-VM'; filter = { $AsJob } }
        @{ action = 'resume'; from = 'Paused'; to = 'Running'; cmdlet = 'Resume-VM'; filter = { $AsJob } }
    ) {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]$from
        $result = Assert-TestResultSchema -Operation 'vm.power' -Result (Invoke-TestOperation -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = $action })
        $result.previousState | Should -Be $from
        $result.vm.state | Should -Be $to
        Should -Invoke $cmdlet -Times 1 -Exactly -ParameterFilter $filter
        if ($cmdlet -eq 'Remove-VMSavedState') {
            Should -Invoke Stop-VM -Times 0 -Exactly
        }
    }

    It 'succeeds without a cmdlet when the VM is already in the target state' {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Running'
        $result = Assert-TestResultSchema -Operation 'vm.power' -Result (Invoke-TestOperation -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'start' })
        $result.previousState | Should -Be 'Running'
        Should -Invoke Start-VM -Times 0 -Exactly
    }

    It 'refuses <action> from <from> (INVALID_STATE with details.currentState)' -ForEach @(
        @{ action = 'shutdown'; from = 'Paused' }
        @{ action = 'reset'; from = 'Paused' }
        @{ action = 'save'; from = 'Off' }
        @{ action = 'pause'; from = 'Saved' }
        @{ action = 'resume'; from = 'Off' }
        @{ action = 'start'; from = 'Paused' }
    ) {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]$from
        $failure = Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = $action }
        $failure.code | Should -Be 'INVALID_STATE'
        $failure.details.currentState | Should -Be $from
    }

    It 'refuses an unknown or wrongly cased action (INVALID_PARAMS)' {
        (Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'Start' }).code | Should -Be 'INVALID_PARAMS'
        (Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'hibernate' }).code | Should -Be 'INVALID_PARAMS'
        (Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString() }).code | Should -Be 'INVALID_PARAMS'
    }

    It 'refuses to start a VM that needs more memory than is free (INSUFFICIENT_MEMORY)' {
        $script:FakeHost.FreePhysicalKb = [uint64](2GB / 1KB)
        $failure = Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'start' }
        $failure.code | Should -Be 'INSUFFICIENT_MEMORY'
        $failure.details.requiredBytes | Should -Be 4GB
        $failure.details.freeBytes | Should -Be 2GB
        Should -Invoke Start-VM -Times 0 -Exactly
    }

    It 'refuses a shutdown the guest cannot do (GUEST_UNAVAILABLE)' {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Running'
        Mock Get-VMIntegrationService {
            New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMIntegrationComponent' -Property ([ordered]@{
                    Name = 'Shutdown'; Enabled = $true; Id = "Microsoft:$($VM[0].Id.ToString().ToUpperInvariant())\9F8233AC-BE49-4C79-8EE3-E7E1985B2077"
                    PrimaryOperationalStatus = [Microsoft.HyperV.PowerShell.VMIntegrationComponentOperationalStatus]'NoContact'
                })
        }
        (Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'shutdown' }).code | Should -Be 'GUEST_UNAVAILABLE'
        Should -Invoke Stop-VM -Times 0 -Exactly
    }

    It "reports Hyper-V's refusal from the job as INVALID_STATE" {
        Mock Start-VM {
            $record = [System.Management.Automation.ErrorRecord]::new([Microsoft.HyperV.PowerShell.VirtualizationException]::new("'web01' failed to start."), 'OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM', 'InvalidOperation', $VM[0])
            New-FakeFinishedJob -Name 'Start-VM' -ErrorRecord $record
        }
        $failure = Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'start' }
        $failure.code | Should -Be 'INVALID_STATE'
        $failure.message | Should -BeLike "*failed to start*"
    }

    It 'reports a busy host from the job as HOST_BUSY, retryable' {
        Mock Save-VM {
            $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new('Another operation is in progress.'), 'OperationFailed,Microsoft.HyperV.PowerShell.Commands.SaveVM', 'ResourceBusy', $VM[0])
            New-FakeFinishedJob -Name 'Save-VM' -ErrorRecord $record
        }
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Running'
        $failure = Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'save' }
        $failure.code | Should -Be 'HOST_BUSY'
        $failure.retryable | Should -BeTrue
    }

    It 'gives up at the deadline while Hyper-V still works on the transition (DEADLINE_EXCEEDED, retryable)' {
        Mock Start-VM { [AetherV.Tests.RunningJob]::new('Start-VM') }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $failure = Get-TestAgentFailure -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'start' } -DeadlineSeconds 1
        $watch.Stop()
        $failure.code | Should -Be 'DEADLINE_EXCEEDED'
        $failure.retryable | Should -BeTrue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It 'waits for the state when the job ends before Hyper-V reports it' {
        $script:polls = 0
        Mock Start-VM { New-FakeFinishedJob -Name 'Start-VM' }
        Mock Get-VM -ParameterFilter { $null -ne $Id } -MockWith {
            $script:polls++
            if ($script:polls -ge 3) { $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Running' }
            $script:vm
        }
        $result = Assert-TestResultSchema -Operation 'vm.power' -Result (Invoke-TestOperation -Operation 'vm.power' -Params @{ vmId = $script:vm.Id.ToString(); action = 'start' })
        $result.vm.state | Should -Be 'Running'
        $script:polls | Should -BeGreaterOrEqual 3
    }
}
