# iso.attach and iso.detach (CopyProvisioningISO.ps1): an installed provisioning ISO is copied
# next to the VM and the copy attached; detaching ejects and deletes that copy.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
}

Describe 'iso.attach and iso.detach' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        Mock Set-VMDvdDrive { foreach ($d in $VMDvdDrive) { $d.Path = $Path } }
        Mock Add-VMDvdDrive { $null = Add-FakeDvdDrive -Vm $VM[0] -Path $Path }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Running')
        $null = New-Item -ItemType Directory -Path 'C:\Hyper-V\web01' -Force
        $script:dvd = Add-FakeDvdDrive -Vm $script:vm
        Set-Content -LiteralPath 'C:\Program Files\Aether-V\Linux.iso' -Value 'provisioning iso'
    }

    It 'copies an installed provisioning ISO next to the VM and inserts the copy' {
        $result = Assert-TestResultSchema -Operation 'iso.attach' -Result (Invoke-TestOperation -Operation 'iso.attach' -Params @{ vmId = $script:vm.Id.ToString(); isoPath = 'C:\Program Files\Aether-V\Linux.iso' })
        $result.vm.isoPath | Should -Be 'C:\Hyper-V\web01\Linux.iso'
        Get-Content -LiteralPath 'C:\Hyper-V\web01\Linux.iso' | Should -Be 'provisioning iso'
        Should -Invoke Set-VMDvdDrive -Times 1 -Exactly -ParameterFilter { (Test-AgentSamePath -Path $Path -Other 'C:\Hyper-V\web01\Linux.iso') -and $VMDvdDrive[0].Id -eq $script:dvd.Id }
        Should -Invoke Add-VMDvdDrive -Times 0 -Exactly
    }

    It 'inserts any other ISO where it is, and adds a DVD drive to a VM that is Off and has none' {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Off'
        $script:vm.DVDDrives.Clear()
        $null = New-Item -ItemType Directory -Path 'C:\ISOs' -Force
        Set-Content -LiteralPath 'C:\ISOs\ubuntu-24.04.iso' -Value 'iso'
        $result = Assert-TestResultSchema -Operation 'iso.attach' -Result (Invoke-TestOperation -Operation 'iso.attach' -Params @{ vmId = $script:vm.Id.ToString(); isoPath = 'C:\ISOs\ubuntu-24.04.iso' })
        $result.vm.isoPath | Should -Be 'C:\ISOs\ubuntu-24.04.iso'
        Should -Invoke Add-VMDvdDrive -Times 1 -Exactly -ParameterFilter { $Path -eq 'C:\ISOs\ubuntu-24.04.iso' -and $VM[0].Id -eq $script:vm.Id }
        Test-Path -LiteralPath 'C:\Hyper-V\web01\ubuntu-24.04.iso' | Should -BeFalse
    }

    It 'refuses to add a DVD drive to a running VM, before copying anything (INVALID_STATE)' {
        $script:vm.DVDDrives.Clear()
        $failure = Get-TestAgentFailure -Operation 'iso.attach' -Params @{ vmId = $script:vm.Id.ToString(); isoPath = 'C:\Program Files\Aether-V\Linux.iso' }
        $failure.code | Should -Be 'INVALID_STATE'
        Test-Path -LiteralPath 'C:\Hyper-V\web01\Linux.iso' | Should -BeFalse
    }

    It 'refuses an ISO that does not exist (PATH_NOT_FOUND) and a relative path (INVALID_PARAMS)' {
        $failure = Get-TestAgentFailure -Operation 'iso.attach' -Params @{ vmId = $script:vm.Id.ToString(); isoPath = 'C:\ISOs\none.iso' }
        $failure.code | Should -Be 'PATH_NOT_FOUND'
        $failure.details.path | Should -Be 'C:\ISOs\none.iso'
        (Get-TestAgentFailure -Operation 'iso.attach' -Params @{ vmId = $script:vm.Id.ToString(); isoPath = 'Linux.iso' }).code | Should -Be 'INVALID_PARAMS'
        Should -Invoke Set-VMDvdDrive -Times 0 -Exactly
    }

    It 'ejects the ISO and deletes the copy iso.attach made' {
        $null = Invoke-TestOperation -Operation 'iso.attach' -Params @{ vmId = $script:vm.Id.ToString(); isoPath = 'C:\Program Files\Aether-V\Linux.iso' }
        $copy = $script:dvd.Path
        $result = Assert-TestResultSchema -Operation 'iso.detach' -Result (Invoke-TestOperation -Operation 'iso.detach' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.detached | Should -BeTrue
        Test-AgentSamePath -Path $result.isoPath -Other 'C:\Hyper-V\web01\Linux.iso' | Should -BeTrue
        $result.vm.isoPath | Should -BeNullOrEmpty
        Should -Invoke Set-VMDvdDrive -ParameterFilter { [string]::IsNullOrEmpty($Path) }
        Test-Path -LiteralPath $copy | Should -BeFalse
        Test-Path -LiteralPath 'C:\Program Files\Aether-V\Linux.iso' | Should -BeTrue
    }

    It 'keeps an ISO it did not copy, and succeeds with detached=false on an empty drive' {
        $script:dvd.Path = 'C:\Hyper-V\web01\own.iso'
        Set-Content -LiteralPath 'C:\Hyper-V\web01\own.iso' -Value 'iso'
        $result = Assert-TestResultSchema -Operation 'iso.detach' -Result (Invoke-TestOperation -Operation 'iso.detach' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.isoPath | Should -Be 'C:\Hyper-V\web01\own.iso'
        Test-Path -LiteralPath 'C:\Hyper-V\web01\own.iso' | Should -BeTrue
        $again = Assert-TestResultSchema -Operation 'iso.detach' -Result (Invoke-TestOperation -Operation 'iso.detach' -Params @{ vmId = $script:vm.Id.ToString() })
        $again.detached | Should -BeFalse
        $again.isoPath | Should -BeNullOrEmpty
    }
}
