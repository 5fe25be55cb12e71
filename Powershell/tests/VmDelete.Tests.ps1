# vm.delete (VM.ps1): the VM, its saved state, its cluster role, optionally its disks and folder.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
}

Describe 'vm.delete' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        Mock Remove-VM { foreach ($v in $VM) { $null = $script:FakeHost.Vms.Remove($v) } }
        Mock Stop-VM { $VM[0].State = [Microsoft.HyperV.PowerShell.VMState]'Off'; New-FakeFinishedJob -Name 'Stop-VM' }
        Mock Remove-VMSavedState { $VM[0].State = [Microsoft.HyperV.PowerShell.VMState]'Off' }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01')
        $folder = 'C:\Hyper-V\web01'
        $null = New-Item -ItemType Directory -Path "$folder\Virtual Hard Disks" -Force
        $null = New-Item -ItemType Directory -Path "$folder\Virtual Machines" -Force
        Set-Content -LiteralPath "$folder\Virtual Hard Disks\web01.vhdx" -Value 'disk'
        Set-Content -LiteralPath "$folder\Virtual Hard Disks\data.vhdx" -Value 'disk'
        $null = Add-FakeHardDrive -Vm $script:vm -Path "$folder\Virtual Hard Disks\web01.vhdx"
        $null = Add-FakeHardDrive -Vm $script:vm -Path "$folder\Virtual Hard Disks\data.vhdx" -ControllerLocation 1
    }

    It 'removes an Off VM and keeps its files unless deleteDisks' {
        $result = Assert-TestResultSchema -Operation 'vm.delete' -Result (Invoke-TestOperation -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.vmId | Should -Be $script:vm.Id.ToString()
        $result.name | Should -Be 'web01'
        @($result.deletedFiles).Count | Should -Be 0
        $result.clusterRoleRemoved | Should -BeFalse
        Should -Invoke Remove-VM -Times 1 -Exactly -ParameterFilter { $Force -and $VM[0].Id -eq $script:vm.Id }
        Should -Invoke Stop-VM -Times 0 -Exactly
        Test-Path -LiteralPath 'C:\Hyper-V\web01\Virtual Hard Disks\web01.vhdx' | Should -BeTrue
    }

    It 'with deleteDisks deletes the disks and the folder once only empty folders remain' {
        $result = Assert-TestResultSchema -Operation 'vm.delete' -Result (Invoke-TestOperation -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString(); deleteDisks = $true })
        $result.deletedFiles | Should -Be @('C:\Hyper-V\web01\Virtual Hard Disks\web01.vhdx', 'C:\Hyper-V\web01\Virtual Hard Disks\data.vhdx', 'C:\Hyper-V\web01')
        Test-Path -LiteralPath 'C:\Hyper-V\web01' | Should -BeFalse
    }

    It 'keeps a disk another VM uses, and the folder that still holds it' {
        $other = Add-FakeVm (New-FakeVm -Name 'db01')
        $null = Add-FakeHardDrive -Vm $other -Path 'C:\Hyper-V\web01\Virtual Hard Disks\data.vhdx'
        $result = Assert-TestResultSchema -Operation 'vm.delete' -Result (Invoke-TestOperation -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString(); deleteDisks = $true })
        $result.deletedFiles | Should -Be @('C:\Hyper-V\web01\Virtual Hard Disks\web01.vhdx')
        Test-Path -LiteralPath 'C:\Hyper-V\web01\Virtual Hard Disks\data.vhdx' | Should -BeTrue
        @(Get-TestAgentLog | Where-Object { $_.level -eq 'warn' -and $_.message -like 'Keeping*data.vhdx*another VM*' }).Count | Should -Be 1
    }

    It 'deletes the provisioning ISO copy that iso.attach put next to the VM' {
        Set-Content -LiteralPath 'C:\Program Files\Aether-V\Linux.iso' -Value 'iso'
        Set-Content -LiteralPath 'C:\Hyper-V\web01\Linux.iso' -Value 'iso'
        $null = Add-FakeDvdDrive -Vm $script:vm -Path 'C:\Hyper-V\web01\Linux.iso'
        $result = Assert-TestResultSchema -Operation 'vm.delete' -Result (Invoke-TestOperation -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.deletedFiles | Should -Be @('C:\Hyper-V\web01\Linux.iso')
        Test-Path -LiteralPath 'C:\Hyper-V\web01\Linux.iso' | Should -BeFalse
        Test-Path -LiteralPath 'C:\Program Files\Aether-V\Linux.iso' | Should -BeTrue
    }

    It 'refuses a running VM without force (INVALID_STATE) and turns it off with force' {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Running'
        $failure = Get-TestAgentFailure -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString() }
        $failure.code | Should -Be 'INVALID_STATE'
        $failure.details.currentState | Should -Be 'Running'
        Should -Invoke Remove-VM -Times 0 -Exactly

        $null = Assert-TestResultSchema -Operation 'vm.delete' -Result (Invoke-TestOperation -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString(); force = $true })
        Should -Invoke Stop-VM -Times 1 -Exactly -ParameterFilter { $TurnOff -and $Force -and $AsJob }
        Should -Invoke Remove-VM -Times 1 -Exactly
    }

    It 'removes a Saved VM with its saved state, without force and without turning it off' {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Saved'
        $null = Assert-TestResultSchema -Operation 'vm.delete' -Result (Invoke-TestOperation -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString() })
        Should -Invoke Remove-VMSavedState -Times 1 -Exactly
        Should -Invoke Stop-VM -Times 0 -Exactly
        Should -Invoke Remove-VM -Times 1 -Exactly
    }

    It 'answers VM_NOT_FOUND for a VM that is not on this host' {
        (Get-TestAgentFailure -Operation 'vm.delete' -Params @{ vmId = [guid]::NewGuid().ToString() }).code | Should -Be 'VM_NOT_FOUND'
        Should -Invoke Remove-VM -Times 0 -Exactly
    }
}
