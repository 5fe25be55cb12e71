# vm.create (RegisterVM.ps1), vm.update and vm.delete (VM.ps1).

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
}

Describe 'vm.create' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        # New-VM as Hyper-V does it: the VM, Off, with one unconnected adapter (and the disk if given).
        Mock New-VM {
            $vm = Add-FakeVm (New-FakeVm -Name $Name -Generation $Generation -MemoryStartup $MemoryStartupBytes -Path $Path)
            $null = Add-FakeNetworkAdapter -Vm $vm -SwitchName ''
            if ($PesterBoundParameters.ContainsKey('VHDPath')) {
                $type = 'SCSI'
                if ($Generation -eq 1) { $type = 'IDE' }
                $null = Add-FakeHardDrive -Vm $vm -Path $VHDPath -ControllerType $type
            }
            return $vm
        }
        Mock Remove-VMNetworkAdapter { foreach ($a in $VMNetworkAdapter) { foreach ($vm in $script:FakeHost.Vms) { $null = $vm.NetworkAdapters.Remove($a) } } }
        Mock Set-VMProcessor { $VM[0].ProcessorCount = $Count }
        Mock Set-VMMemory {
            if ($PesterBoundParameters.ContainsKey('DynamicMemoryEnabled')) { $VM[0].DynamicMemoryEnabled = $DynamicMemoryEnabled }
            if ($PesterBoundParameters.ContainsKey('StartupBytes')) { $VM[0].MemoryStartup = $StartupBytes }
            if ($PesterBoundParameters.ContainsKey('MinimumBytes')) { $VM[0].MemoryMinimum = $MinimumBytes }
            if ($PesterBoundParameters.ContainsKey('MaximumBytes')) { $VM[0].MemoryMaximum = $MaximumBytes }
        }
        Mock Set-VMFirmware { }
        Mock Set-VM { $VM[0].Notes = $Notes }
        Mock Remove-VM { foreach ($v in $VM) { $null = $script:FakeHost.Vms.Remove($v) } }
        $script:bootDisk = 'C:\Hyper-V\Virtual Hard Disks\app01.vhdx'
        Set-Content -LiteralPath $script:bootDisk -Value 'disk'
        $script:create = @{ name = 'app01'; path = 'C:\Hyper-V'; generation = 2; cpuCount = 4; memory = @{ startupBytes = [long]2GB; dynamic = $true; minimumBytes = [long]1GB; maximumBytes = [long]8GB } }
    }

    It 'creates a generation 2 VM Off with its boot disk first, secure boot template, CPUs, memory and notes' {
        $params = $script:create + @{ bootDiskPath = $script:bootDisk; secureBootTemplate = 'MicrosoftUEFICertificateAuthority'; notes = 'Prüf-VM 日本' }
        $result = Assert-TestResultSchema -Operation 'vm.create' -Result (Invoke-TestOperation -Operation 'vm.create' -Params $params)
        $result.vm.name | Should -Be 'app01'
        $result.vm.state | Should -Be 'Off'
        $result.vm.cpuCount | Should -Be 4
        $result.vm.memory.dynamic | Should -BeTrue
        $result.vm.memory.maximumBytes | Should -Be 8GB
        $result.vm.notes | Should -Be 'Prüf-VM 日本'
        $result.vm.disks[0].path | Should -Be $script:bootDisk
        @($result.vm.nics).Count | Should -Be 0
        Should -Invoke New-VM -Times 1 -Exactly -ParameterFilter {
            $Name -eq 'app01' -and $Path -eq 'C:\Hyper-V' -and $Generation -eq 2 -and $MemoryStartupBytes -eq 2GB -and $VHDPath -eq 'C:\Hyper-V\Virtual Hard Disks\app01.vhdx' -and -not $NoVHD
        }
        Should -Invoke Remove-VMNetworkAdapter -Times 1 -Exactly
        Should -Invoke Set-VMProcessor -ParameterFilter { $Count -eq 4 }
        Should -Invoke Set-VMMemory -ParameterFilter { $DynamicMemoryEnabled -eq $true -and $MinimumBytes -eq 1GB -and $MaximumBytes -eq 8GB -and -not $PesterBoundParameters.ContainsKey('StartupBytes') }
        Should -Invoke Set-VMFirmware -ParameterFilter { $EnableSecureBoot -eq 'On' -and $SecureBootTemplate -eq 'MicrosoftUEFICertificateAuthority' }
        Should -Invoke Set-VMFirmware -ParameterFilter { $null -ne $FirstBootDevice -and $FirstBootDevice.Path -eq 'C:\Hyper-V\Virtual Hard Disks\app01.vhdx' }
        Should -Invoke Set-VM -ParameterFilter { $Notes -eq 'Prüf-VM 日本' }
        Test-Path -LiteralPath 'C:\Hyper-V' -PathType Container | Should -BeTrue
    }

    It 'creates a generation 1 VM without a disk (New-VM -NoVHD) and leaves its firmware alone' {
        $params = $script:create.Clone()
        $params['generation'] = 1
        $params['memory'] = @{ startupBytes = [long]1GB; dynamic = $false }
        $result = Assert-TestResultSchema -Operation 'vm.create' -Result (Invoke-TestOperation -Operation 'vm.create' -Params $params)
        $result.vm.generation | Should -Be 1
        Should -Invoke New-VM -ParameterFilter { $NoVHD -and $Generation -eq 1 -and -not $PesterBoundParameters.ContainsKey('VHDPath') }
        Should -Invoke Set-VMFirmware -Times 0 -Exactly
        Should -Invoke Set-VMMemory -Times 0 -Exactly
    }

    It 'turns secure boot off for secureBootTemplate Disabled' {
        $null = Invoke-TestOperation -Operation 'vm.create' -Params ($script:create + @{ secureBootTemplate = 'Disabled' })
        Should -Invoke Set-VMFirmware -Times 1 -Exactly -ParameterFilter { $EnableSecureBoot -eq 'Off' -and -not $SecureBootTemplate }
    }

    It 'refuses a name another VM has, whatever its case (VM_NAME_CONFLICT with details.vmId)' {
        $other = Add-FakeVm (New-FakeVm -Name 'APP01')
        $failure = Get-TestAgentFailure -Operation 'vm.create' -Params $script:create
        $failure.code | Should -Be 'VM_NAME_CONFLICT'
        $failure.details.vmId | Should -Be $other.Id.ToString()
        Should -Invoke New-VM -Times 0 -Exactly
    }

    It 'refuses <case> (INVALID_PARAMS)' -ForEach @(
        @{ case = 'more CPUs than the host has'; change = @{ cpuCount = 17 } }
        @{ case = 'generation 3'; change = @{ generation = 3 } }
        @{ case = 'a name that is no folder name'; change = @{ name = 'a\b' } }
        @{ case = 'a relative path'; change = @{ path = 'Hyper-V' } }
        @{ case = 'a path with ..'; change = @{ path = 'C:\Hyper-V\..\Windows' } }
        @{ case = 'memory without dynamic'; change = @{ memory = @{ startupBytes = [long]1GB } } }
        @{ case = 'a secure boot template on generation 1'; change = @{ generation = 1; secureBootTemplate = 'MicrosoftWindows' } }
        @{ case = 'dynamic memory below its minimum'; change = @{ memory = @{ startupBytes = [long]1GB; dynamic = $true; minimumBytes = [long]2GB } } }
    ) {
        $params = $script:create.Clone()
        foreach ($key in $change.Keys) { $params[$key] = $change[$key] }
        (Get-TestAgentFailure -Operation 'vm.create' -Params $params).code | Should -Be 'INVALID_PARAMS'
    }

    It 'refuses a share this session cannot reach, before creating anything (SHARE_UNREACHABLE)' {
        $params = $script:create.Clone()
        $params['path'] = '\\files.lab.example\vms'
        $failure = Get-TestAgentFailure -Operation 'vm.create' -Params $params
        $failure.code | Should -Be 'SHARE_UNREACHABLE'
        Should -Invoke New-VM -Times 0 -Exactly
    }

    It 'refuses a folder that already holds a VM configuration (FILE_EXISTS)' {
        $null = New-Item -ItemType Directory -Path 'C:\Hyper-V\app01\Virtual Machines' -Force
        Set-Content -LiteralPath 'C:\Hyper-V\app01\Virtual Machines\0D7E1B4C.vmcx' -Value 'cfg'
        $failure = Get-TestAgentFailure -Operation 'vm.create' -Params $script:create
        $failure.code | Should -Be 'FILE_EXISTS'
        Should -Invoke New-VM -Times 0 -Exactly
    }

    It 'refuses a boot disk that does not exist (PATH_NOT_FOUND) or that a VM uses (FILE_IN_USE)' {
        (Get-TestAgentFailure -Operation 'vm.create' -Params ($script:create + @{ bootDiskPath = 'C:\Hyper-V\missing.vhdx' })).code | Should -Be 'PATH_NOT_FOUND'
        $user = Add-FakeVm (New-FakeVm -Name 'user')
        $null = Add-FakeHardDrive -Vm $user -Path $script:bootDisk
        (Get-TestAgentFailure -Operation 'vm.create' -Params ($script:create + @{ bootDiskPath = $script:bootDisk })).code | Should -Be 'FILE_IN_USE'
    }

    It 'removes the half-made VM when configuring it fails, and reports the failure' {
        Mock Set-VMProcessor { throw [System.InvalidOperationException]::new('The operation failed.') }
        $failure = Get-TestAgentFailure -Operation 'vm.create' -Params $script:create
        $failure.code | Should -Be 'INTERNAL'
        $failure.message | Should -BeLike '*operation failed*'
        Should -Invoke Remove-VM -Times 1 -Exactly -ParameterFilter { $Force -and $VM[0].Name -eq 'app01' }
        $script:FakeHost.Vms.Count | Should -Be 0
    }
}

Describe 'vm.update' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        Mock Rename-VM { $VM[0].Name = $NewName; $VM[0].VMName = $NewName }
        Mock Set-VMProcessor { $VM[0].ProcessorCount = $Count }
        Mock Set-VMMemory {
            if ($PesterBoundParameters.ContainsKey('StartupBytes')) { $VM[0].MemoryStartup = $StartupBytes }
            if ($PesterBoundParameters.ContainsKey('MinimumBytes')) { $VM[0].MemoryMinimum = $MinimumBytes }
            if ($PesterBoundParameters.ContainsKey('MaximumBytes')) { $VM[0].MemoryMaximum = $MaximumBytes }
        }
        Mock Set-VM { $VM[0].Notes = $Notes }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Running' -DynamicMemoryEnabled $true -MemoryStartup 2GB -MemoryMinimum 1GB -MemoryMaximum 4GB)
    }

    It 'renames the VM, changes its notes and the dynamic memory range while it runs' {
        $params = @{ vmId = $script:vm.Id.ToString(); name = 'web01-new'; notes = 'moved'; memory = @{ startupBytes = [long]2GB; dynamic = $true; minimumBytes = [long]512MB; maximumBytes = [long]8GB } }
        $result = Assert-TestResultSchema -Operation 'vm.update' -Result (Invoke-TestOperation -Operation 'vm.update' -Params $params)
        $result.vm.name | Should -Be 'web01-new'
        $result.vm.notes | Should -Be 'moved'
        $result.vm.memory.maximumBytes | Should -Be 8GB
        Should -Invoke Rename-VM -Times 1 -Exactly -ParameterFilter { $NewName -eq 'web01-new' -and $VM[0].Id -eq $script:vm.Id }
        # Unchanged startup memory and dynamic flag are not passed: Hyper-V refuses them on a running VM.
        Should -Invoke Set-VMMemory -Times 1 -Exactly -ParameterFilter {
            $MinimumBytes -eq 512MB -and $MaximumBytes -eq 8GB -and -not $PesterBoundParameters.ContainsKey('StartupBytes') -and -not $PesterBoundParameters.ContainsKey('DynamicMemoryEnabled')
        }
        Should -Invoke Set-VM -ParameterFilter { $Notes -eq 'moved' }
    }

    It 'changes the CPU count of a VM that is Off' {
        $script:vm.State = [Microsoft.HyperV.PowerShell.VMState]'Off'
        $result = Assert-TestResultSchema -Operation 'vm.update' -Result (Invoke-TestOperation -Operation 'vm.update' -Params @{ vmId = $script:vm.Id.ToString(); cpuCount = 8 })
        $result.vm.cpuCount | Should -Be 8
        Should -Invoke Set-VMProcessor -Times 1 -Exactly -ParameterFilter { $Count -eq 8 }
    }

    It 'refuses <case> on a running VM (INVALID_STATE with details.currentState)' -ForEach @(
        @{ case = 'a CPU count change'; params = @{ cpuCount = 4 } }
        @{ case = 'a startup memory change'; params = @{ memory = @{ startupBytes = [long]3GB } } }
        @{ case = 'turning dynamic memory off'; params = @{ memory = @{ dynamic = $false } } }
    ) {
        $failure = Get-TestAgentFailure -Operation 'vm.update' -Params ($params + @{ vmId = $script:vm.Id.ToString() })
        $failure.code | Should -Be 'INVALID_STATE'
        $failure.details.currentState | Should -Be 'Running'
        Should -Invoke Set-VMProcessor -Times 0 -Exactly
        Should -Invoke Set-VMMemory -Times 0 -Exactly
    }

    It 'refuses the name of another VM (VM_NAME_CONFLICT)' {
        $other = Add-FakeVm (New-FakeVm -Name 'db01')
        $failure = Get-TestAgentFailure -Operation 'vm.update' -Params @{ vmId = $script:vm.Id.ToString(); name = 'DB01' }
        $failure.code | Should -Be 'VM_NAME_CONFLICT'
        $failure.details.vmId | Should -Be $other.Id.ToString()
        Should -Invoke Rename-VM -Times 0 -Exactly
    }

    It 'answers VM_NOT_FOUND for an unknown vmId and INVALID_PARAMS for one that is no GUID' {
        (Get-TestAgentFailure -Operation 'vm.update' -Params @{ vmId = [guid]::NewGuid().ToString(); notes = 'x' }).code | Should -Be 'VM_NOT_FOUND'
        (Get-TestAgentFailure -Operation 'vm.update' -Params @{ vmId = 'web01'; notes = 'x' }).code | Should -Be 'INVALID_PARAMS'
        (Get-TestAgentFailure -Operation 'vm.update' -Params @{ notes = 'x' }).code | Should -Be 'INVALID_PARAMS'
        Should -Invoke Get-VM -ParameterFilter { $null -ne $Id }
    }
}
