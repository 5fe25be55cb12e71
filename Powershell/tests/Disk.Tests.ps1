# disk.create, disk.update, disk.delete (Disk.ps1).

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
}

Describe 'disk.create' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        Mock New-VHD {
            Set-Content -LiteralPath $Path[0] -Value 'vhdx'
            $vhd = Add-FakeVhd -Path $Path[0] -Size $SizeBytes -VhdType $(if ($Fixed) { 'Fixed' } else { 'Dynamic' })
            New-FakeFinishedJob -Name 'New-VHD' -Output @($vhd)
        }
        Mock Add-VMHardDiskDrive { Add-FakeHardDrive -Vm $VM[0] -Path $Path -ControllerType $ControllerType -ControllerNumber $ControllerNumber -ControllerLocation $ControllerLocation }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Running')
        $null = New-Item -ItemType Directory -Path 'C:\Hyper-V\web01' -Force
        $null = Add-FakeHardDrive -Vm $script:vm -Path 'C:\Hyper-V\web01\web01.vhdx'
        $null = Add-FakeDvdDrive -Vm $script:vm -ControllerLocation 1
        $script:new = @{ vmId = $script:vm.Id.ToString(); path = 'C:\Hyper-V\web01\data.vhdx'; newDisk = @{ sizeBytes = [long]100GB; type = 'Dynamic' } }
    }

    It 'creates a new dynamic VHDX and attaches it at the first free SCSI location of a running VM' {
        $result = Assert-TestResultSchema -Operation 'disk.create' -Result (Invoke-TestOperation -Operation 'disk.create' -Params $script:new)
        $result.disk.path | Should -Be 'C:\Hyper-V\web01\data.vhdx'
        $result.disk.sizeBytes | Should -Be 100GB
        $result.disk.controllerType | Should -Be 'SCSI'
        $result.disk.controllerLocation | Should -Be 2
        @($result.vm.disks).Count | Should -Be 2
        Should -Invoke New-VHD -Times 1 -Exactly -ParameterFilter { $Path -eq 'C:\Hyper-V\web01\data.vhdx' -and $SizeBytes -eq 100GB -and $Dynamic -and -not $Fixed -and $AsJob }
        Should -Invoke Add-VMHardDiskDrive -Times 1 -Exactly -ParameterFilter {
            $VM[0].Id -eq $script:vm.Id -and $ControllerType -eq 'SCSI' -and $ControllerNumber -eq 0 -and $ControllerLocation -eq 2 -and $Path -eq 'C:\Hyper-V\web01\data.vhdx' -and $Passthru
        }
    }

    It 'creates a fixed disk with New-VHD -Fixed' {
        $params = $script:new.Clone()
        $params['newDisk'] = @{ sizeBytes = [long]10GB; type = 'Fixed' }
        $null = Invoke-TestOperation -Operation 'disk.create' -Params $params
        Should -Invoke New-VHD -Times 1 -Exactly -ParameterFilter { $Fixed -and -not $Dynamic }
    }

    It 'attaches an existing disk to a generation 1 VM that is Off on IDE, at the asked location' {
        $gen1 = Add-FakeVm (New-FakeVm -Name 'old01' -Generation 1)
        $null = Add-FakeHardDrive -Vm $gen1 -Path 'C:\Hyper-V\old01\old01.vhd' -ControllerType 'IDE'
        Set-Content -LiteralPath 'C:\Hyper-V\copy.vhdx' -Value 'vhdx'
        $null = Add-FakeVhd -Path 'C:\Hyper-V\copy.vhdx'
        $result = Assert-TestResultSchema -Operation 'disk.create' -Result (Invoke-TestOperation -Operation 'disk.create' -Params @{ vmId = $gen1.Id.ToString(); path = 'C:\Hyper-V\copy.vhdx'; controllerNumber = 1; controllerLocation = 0 })
        $result.disk.controllerType | Should -Be 'IDE'
        Should -Invoke Add-VMHardDiskDrive -Times 1 -Exactly -ParameterFilter { $ControllerType -eq 'IDE' -and $ControllerNumber -eq 1 -and $ControllerLocation -eq 0 }
        Should -Invoke New-VHD -Times 0 -Exactly
    }

    It 'refuses <case> (<code>)' -ForEach @(
        @{ case = 'IDE on a generation 2 VM'; code = 'CONTROLLER_LOCATION_IN_USE'; change = @{ controllerType = 'IDE' } }
        @{ case = 'a location in use'; code = 'CONTROLLER_LOCATION_IN_USE'; change = @{ controllerNumber = 0; controllerLocation = 1 } }
        @{ case = 'a SCSI controller the VM does not have'; code = 'CONTROLLER_LOCATION_IN_USE'; change = @{ controllerNumber = 1 } }
        @{ case = 'an unknown controller type'; code = 'INVALID_PARAMS'; change = @{ controllerType = 'NVMe' } }
        @{ case = 'a disk type in the wrong case'; code = 'INVALID_PARAMS'; change = @{ newDisk = @{ sizeBytes = [long]1GB; type = 'dynamic' } } }
        @{ case = 'a relative path'; code = 'INVALID_PARAMS'; change = @{ path = 'data.vhdx' } }
        @{ case = 'an unknown VM'; code = 'VM_NOT_FOUND'; change = @{ vmId = [guid]::NewGuid().ToString() } }
    ) {
        $params = $script:new.Clone()
        foreach ($key in $change.Keys) { $params[$key] = $change[$key] }
        (Get-TestAgentFailure -Operation 'disk.create' -Params $params).code | Should -Be $code
        Should -Invoke Add-VMHardDiskDrive -Times 0 -Exactly
    }

    It 'refuses a new disk whose file exists (FILE_EXISTS), an existing one that does not (PATH_NOT_FOUND) or that a VM uses (FILE_IN_USE)' {
        Set-Content -LiteralPath 'C:\Hyper-V\web01\data.vhdx' -Value 'old' -Force
        (Get-TestAgentFailure -Operation 'disk.create' -Params $script:new).code | Should -Be 'FILE_EXISTS'
        (Get-TestAgentFailure -Operation 'disk.create' -Params @{ vmId = $script:vm.Id.ToString(); path = 'C:\Hyper-V\missing.vhdx' }).code | Should -Be 'PATH_NOT_FOUND'
        $other = Add-FakeVm (New-FakeVm -Name 'db01')
        $null = Add-FakeHardDrive -Vm $other -Path 'C:\Hyper-V\web01\data.vhdx'
        (Get-TestAgentFailure -Operation 'disk.create' -Params @{ vmId = $script:vm.Id.ToString(); path = 'C:\Hyper-V\web01\data.vhdx' }).code | Should -Be 'FILE_IN_USE'
        Should -Invoke New-VHD -Times 0 -Exactly
    }

    It 'refuses an IDE disk on a generation 1 VM that runs (INVALID_STATE)' {
        $gen1 = Add-FakeVm (New-FakeVm -Name 'old01' -Generation 1 -State 'Running')
        $failure = Get-TestAgentFailure -Operation 'disk.create' -Params @{ vmId = $gen1.Id.ToString(); path = 'C:\Hyper-V\x.vhdx'; newDisk = @{ sizeBytes = [long]1GB; type = 'Dynamic' } }
        $failure.code | Should -Be 'INVALID_STATE'
        $failure.details.currentState | Should -Be 'Running'
    }
}

Describe 'disk.update and disk.delete' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        Mock Resize-VHD { $script:FakeHost.Vhds[(Get-FakePathKey -Path $Path[0])].Size = $SizeBytes; New-FakeFinishedJob -Name 'Resize-VHD' }
        Mock Remove-VMHardDiskDrive { foreach ($d in $VMHardDiskDrive) { foreach ($v in $script:FakeHost.Vms) { $null = $v.HardDrives.Remove($d) } } }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Running')
        Set-Content -LiteralPath 'C:\Hyper-V\data.vhdx' -Value 'vhdx'
        $script:drive = Add-FakeHardDrive -Vm $script:vm -Path 'C:\Hyper-V\data.vhdx' -ControllerLocation 1 -Size 20GB
        $script:ref = @{ vmId = $script:vm.Id.ToString(); diskId = $script:drive.Id }
    }

    It 'expands a VHDX of a running VM with Resize-VHD' {
        $result = Assert-TestResultSchema -Operation 'disk.update' -Result (Invoke-TestOperation -Operation 'disk.update' -Params ($script:ref + @{ sizeBytes = [long]30GB }))
        $result.disk.sizeBytes | Should -Be 30GB
        $result.disk.diskId | Should -Be $script:drive.Id
        Should -Invoke Resize-VHD -Times 1 -Exactly -ParameterFilter { $Path -eq 'C:\Hyper-V\data.vhdx' -and $SizeBytes -eq 30GB -and $AsJob }
    }

    It 'leaves a disk of the asked size alone and refuses to shrink one (INVALID_PARAMS)' {
        $null = Assert-TestResultSchema -Operation 'disk.update' -Result (Invoke-TestOperation -Operation 'disk.update' -Params ($script:ref + @{ sizeBytes = [long]20GB }))
        (Get-TestAgentFailure -Operation 'disk.update' -Params ($script:ref + @{ sizeBytes = [long]10GB })).code | Should -Be 'INVALID_PARAMS'
        Should -Invoke Resize-VHD -Times 0 -Exactly
    }

    It 'refuses to expand a checkpoint disk or an IDE disk of a running VM (INVALID_STATE)' {
        $avhdx = Add-FakeHardDrive -Vm $script:vm -Path 'C:\Hyper-V\data_1A2B.avhdx' -ControllerLocation 2 -VhdType 'Differencing' -ParentPath 'C:\Hyper-V\data.vhdx'
        (Get-TestAgentFailure -Operation 'disk.update' -Params @{ vmId = $script:vm.Id.ToString(); diskId = $avhdx.Id; sizeBytes = [long]50GB }).code | Should -Be 'INVALID_STATE'
        $gen1 = Add-FakeVm (New-FakeVm -Name 'old01' -Generation 1 -State 'Running')
        $ide = Add-FakeHardDrive -Vm $gen1 -Path 'C:\Hyper-V\old01.vhdx' -ControllerType 'IDE'
        (Get-TestAgentFailure -Operation 'disk.update' -Params @{ vmId = $gen1.Id.ToString(); diskId = $ide.Id; sizeBytes = [long]50GB }).code | Should -Be 'INVALID_STATE'
        Should -Invoke Resize-VHD -Times 0 -Exactly
    }

    It 'answers DISK_NOT_FOUND for a disk the VM does not have' {
        (Get-TestAgentFailure -Operation 'disk.update' -Params @{ vmId = $script:vm.Id.ToString(); diskId = 'Microsoft:X\Y\0\9\D'; sizeBytes = [long]50GB }).code | Should -Be 'DISK_NOT_FOUND'
        (Get-TestAgentFailure -Operation 'disk.delete' -Params @{ vmId = $script:vm.Id.ToString(); diskId = 'Microsoft:X\Y\0\9\D' }).code | Should -Be 'DISK_NOT_FOUND'
    }

    It 'detaches a disk and keeps its file unless deleteFile' {
        $result = Assert-TestResultSchema -Operation 'disk.delete' -Result (Invoke-TestOperation -Operation 'disk.delete' -Params $script:ref)
        $result.fileDeleted | Should -BeFalse
        $result.path | Should -Be 'C:\Hyper-V\data.vhdx'
        @($result.vm.disks).Count | Should -Be 0
        Should -Invoke Remove-VMHardDiskDrive -Times 1 -Exactly -ParameterFilter { $VMHardDiskDrive[0].Id -eq $script:drive.Id }
        Test-Path -LiteralPath 'C:\Hyper-V\data.vhdx' | Should -BeTrue
    }

    It 'deletes the file with deleteFile' {
        $result = Assert-TestResultSchema -Operation 'disk.delete' -Result (Invoke-TestOperation -Operation 'disk.delete' -Params ($script:ref + @{ deleteFile = $true }))
        $result.fileDeleted | Should -BeTrue
        Test-Path -LiteralPath 'C:\Hyper-V\data.vhdx' | Should -BeFalse
    }

    It 'refuses to delete the parent of a differencing disk another VM uses (FILE_IN_USE), before detaching' {
        $child = Add-FakeVm (New-FakeVm -Name 'clone')
        $null = Add-FakeHardDrive -Vm $child -Path 'C:\Hyper-V\clone.vhdx' -VhdType 'Differencing' -ParentPath 'C:\Hyper-V\data.vhdx'
        $failure = Get-TestAgentFailure -Operation 'disk.delete' -Params ($script:ref + @{ deleteFile = $true })
        $failure.code | Should -Be 'FILE_IN_USE'
        $failure.details.path | Should -Be 'C:\Hyper-V\data.vhdx'
        Should -Invoke Remove-VMHardDiskDrive -Times 0 -Exactly
    }

    It 'refuses to delete the file of a checkpoint disk (INVALID_STATE) and to remove an IDE disk of a running VM' {
        $avhdx = Add-FakeHardDrive -Vm $script:vm -Path 'C:\Hyper-V\data_1A2B.avhdx' -ControllerLocation 2 -VhdType 'Differencing' -ParentPath 'C:\Hyper-V\data.vhdx'
        (Get-TestAgentFailure -Operation 'disk.delete' -Params @{ vmId = $script:vm.Id.ToString(); diskId = $avhdx.Id; deleteFile = $true }).code | Should -Be 'INVALID_STATE'
        $gen1 = Add-FakeVm (New-FakeVm -Name 'old01' -Generation 1 -State 'Running')
        $ide = Add-FakeHardDrive -Vm $gen1 -Path 'C:\Hyper-V\old01.vhdx' -ControllerType 'IDE'
        (Get-TestAgentFailure -Operation 'disk.delete' -Params @{ vmId = $gen1.Id.ToString(); diskId = $ide.Id }).code | Should -Be 'INVALID_STATE'
        Should -Invoke Remove-VMHardDiskDrive -Times 0 -Exactly
    }

    It 'keeps the file when another VM still has it attached' {
        $other = Add-FakeVm (New-FakeVm -Name 'db01')
        $null = Add-FakeHardDrive -Vm $other -Path 'C:\Hyper-V\data.vhdx'
        $result = Assert-TestResultSchema -Operation 'disk.delete' -Result (Invoke-TestOperation -Operation 'disk.delete' -Params ($script:ref + @{ deleteFile = $true }))
        $result.fileDeleted | Should -BeFalse
        Test-Path -LiteralPath 'C:\Hyper-V\data.vhdx' | Should -BeTrue
        @(Get-TestAgentLog | Where-Object { $_.level -eq 'warn' }).Count | Should -Be 1
    }
}
