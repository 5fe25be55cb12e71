# host.info and inventory.collect (Inventory.ps1, AetherV.Storage.ps1, AetherV.VmRecord.ps1).

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
}

Describe 'host.info' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
    }

    It 'describes the host: identity, capacity, switches, storage, images, ISOs and agent version' {
        Set-Content -LiteralPath (Join-Path -Path $script:TestInstallDirectory -ChildPath 'version') -Value '1.4.2' -NoNewline
        $null = New-Item -ItemType File -Path (Join-Path -Path $script:TestInstallDirectory -ChildPath 'Linux.iso') -Force
        $null = New-Item -ItemType File -Path (Join-Path -Path $script:TestInstallDirectory -ChildPath 'notes.iso') -Force
        $golden = Join-Path -Path 'C:\Hyper-V' -ChildPath 'Golden Images'
        $null = New-Item -ItemType Directory -Path $golden -Force
        Set-Content -LiteralPath (Join-Path -Path $golden -ChildPath 'Win2022.vhdx') -Value 'disk'
        $null = Add-FakeVhd -Path 'C:\Hyper-V\Golden Images\Win2022.vhdx' -Size 60GB

        $result = Assert-TestResultSchema -Operation 'host.info' -Result (Invoke-TestOperation -Operation 'host.info')

        $result.name | Should -Be 'HV01'
        $result.fqdn | Should -Be 'HV01.lab.example'
        $result.cluster | Should -BeNullOrEmpty
        $result.cpuCores | Should -Be 8
        $result.logicalProcessors | Should -Be 16
        $result.memoryTotalBytes | Should -Be 64GB
        $result.memoryFreeBytes | Should -Be 48GB
        $result.agentVersion | Should -Be '1.4.2'
        $result.osVersion | Should -Be '10.0.20348'
        $result.switches[0].name | Should -Be 'LAN'
        $result.switches[0].type | Should -Be 'External'
        $result.switches[0].managementVlanId | Should -Be 20
        $result.storagePaths.path | Should -Be @('C:\Hyper-V', 'C:\Hyper-V\Virtual Hard Disks')
        $result.storagePaths[0].freeBytes | Should -Be 600GB
        $result.images.Count | Should -Be 1
        $result.images[0].name | Should -Be 'Win2022'
        $result.images[0].osFamily | Should -Be 'windows'
        $result.images[0].sizeBytes | Should -Be 60GB
        $result.images[0].path | Should -Be 'C:\Hyper-V\Golden Images\Win2022.vhdx'
        @($result.provisioningIsos).Count | Should -Be 1
        $result.provisioningIsos[0].path | Should -Be 'C:\Program Files\Aether-V\Linux.iso'
        Should -Invoke Get-VMNetworkAdapter -ParameterFilter { $ManagementOS -eq $true }
        Should -Invoke Get-CimInstance -ParameterFilter { $ClassName -eq 'Win32_Volume' }
    }

    It 'reads a version file written with a BOM and a line end, and says unknown without one' {
        [System.IO.File]::WriteAllText((Join-Path -Path (Convert-Path -LiteralPath $script:TestInstallDirectory) -ChildPath 'version'), "2.0.1`r`n", [System.Text.UTF8Encoding]::new($true))
        (Assert-TestResultSchema -Operation 'host.info' -Result (Invoke-TestOperation -Operation 'host.info')).agentVersion | Should -Be '2.0.1'
        Remove-Item -LiteralPath (Join-Path -Path $script:TestInstallDirectory -ChildPath 'version')
        (Assert-TestResultSchema -Operation 'host.info' -Result (Invoke-TestOperation -Operation 'host.info')).agentVersion | Should -Be 'unknown'
    }

    It 'names the failover cluster when the cluster service runs' {
        $script:FakeHost.Clustered = $true
        $result = Assert-TestResultSchema -Operation 'host.info' -Result (Invoke-TestOperation -Operation 'host.info')
        $result.cluster | Should -Be 'CLU01'
        Should -Invoke Get-Service -ParameterFilter { $Name -contains 'ClusSvc' }
        Should -Invoke Get-Cluster -Times 1
    }

    It 'lists every Cluster Shared Volume as a shared storage path with its own volume sizes' {
        $null = New-Item -ItemType Directory -Path 'C:\ClusterStorage\Volume1' -Force
        $script:FakeHost.Volumes += New-FakeCim -Class 'Win32_Volume' -Property ([ordered]@{ Name = 'C:\ClusterStorage\Volume1\'; Capacity = [uint64]4TB; FreeSpace = [uint64]3TB })
        $result = Assert-TestResultSchema -Operation 'host.info' -Result (Invoke-TestOperation -Operation 'host.info')
        $csv = @($result.storagePaths | Where-Object { $_.shared })
        $csv.Count | Should -Be 1
        $csv[0].path | Should -Be 'C:\ClusterStorage\Volume1'
        $csv[0].totalBytes | Should -Be 4TB
        $csv[0].freeBytes | Should -Be 3TB
        @($result.storagePaths | Where-Object { -not $_.shared })[0].freeBytes | Should -Be 600GB
    }

    It 'reads a golden image sidecar description' {
        $golden = 'C:\Hyper-V\Golden Images'
        $null = New-Item -ItemType Directory -Path $golden -Force
        Set-Content -LiteralPath (Join-Path -Path $golden -ChildPath 'Appliance.vhd') -Value 'disk'
        Set-Content -LiteralPath (Join-Path -Path $golden -ChildPath 'Appliance.json') -Value '{"osFamily":"windows","generation":2}'
        $null = Add-FakeVhd -Path 'C:\Hyper-V\Golden Images\Appliance.vhd'
        $result = Assert-TestResultSchema -Operation 'host.info' -Result (Invoke-TestOperation -Operation 'host.info')
        $image = @($result.images | Where-Object { $_.name -eq 'Appliance' })[0]
        $image.osFamily | Should -Be 'windows'
        $image.generation | Should -Be 2
    }
}

Describe 'inventory.collect' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        $vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Running' -ProcessorCount 4 -MemoryStartup 4GB -Notes 'front end')
        $null = Add-FakeHardDrive -Vm $vm -Path 'C:\Hyper-V\web01\web01.vhdx' -Size 80GB
        $null = Add-FakeNetworkAdapter -Vm $vm -AccessVlanId 30 -IPAddresses @('10.0.0.5', 'fe80::1')
        $null = Add-FakeDvdDrive -Vm $vm -Path 'C:\Hyper-V\web01\Linux.iso'
        Add-FakeKvpGuestIntrinsic -Vm $vm -Items @{ OSName = 'Ubuntu 24.04 LTS'; FullyQualifiedDomainName = 'web01' }
        $other = Add-FakeVm (New-FakeVm -Name 'db01')
        $script:web = $vm
        $script:db = $other
    }

    It 'reports the host and every VM with its disks, NICs, addresses and guest OS' {
        $result = Assert-TestResultSchema -Operation 'inventory.collect' -Result (Invoke-TestOperation -Operation 'inventory.collect')
        $result.host.name | Should -Be 'HV01'
        $result.vms.Count | Should -Be 2
        $web = @($result.vms | Where-Object { $_.name -eq 'web01' })[0]
        $web.vmId | Should -Be $script:web.Id.ToString()
        $web.state | Should -Be 'Running'
        $web.cpuCount | Should -Be 4
        $web.memory.startupBytes | Should -Be 4GB
        $web.memory.assignedBytes | Should -Be 4GB
        $web.uptimeSeconds | Should -Be 3725
        $web.osName | Should -Be 'Ubuntu 24.04 LTS'
        $web.notes | Should -Be 'front end'
        $web.creationTime | Should -Be '2026-01-02T03:04:05.000Z'
        $web.ipAddresses | Should -Be @('10.0.0.5')
        $web.disks[0].sizeBytes | Should -Be 80GB
        $web.disks[0].controllerType | Should -Be 'SCSI'
        $web.nics[0].vlanId | Should -Be 30
        $web.isoPath | Should -Be 'C:\Hyper-V\web01\Linux.iso'
        @($result.warnings).Count | Should -Be 0
    }

    It 'returns only the asked VMs and lists the missing ones in notFound' {
        $missing = [guid]::NewGuid().ToString()
        $result = Assert-TestResultSchema -Operation 'inventory.collect' -Result (Invoke-TestOperation -Operation 'inventory.collect' -Params @{ vmIds = @($script:db.Id.ToString(), $missing) })
        @($result.vms).Count | Should -Be 1
        $result.vms[0].name | Should -Be 'db01'
        $result.notFound | Should -Be @($missing)
    }

    It 'stops listing VMs once the deadline has passed (DEADLINE_EXCEEDED)' {
        $failure = Get-TestAgentFailure -Operation 'inventory.collect' -DeadlineSeconds 0.000001
        $failure.code | Should -Be 'DEADLINE_EXCEEDED'
        $failure.retryable | Should -BeTrue
    }

    It 'refuses a vmIds entry that is not a GUID (INVALID_PARAMS)' {
        (Get-TestAgentFailure -Operation 'inventory.collect' -Params @{ vmIds = @('web01') }).code | Should -Be 'INVALID_PARAMS'
    }

    It 'reports a disk Get-VHD cannot read as a warning, not a failure' {
        $script:FakeHost.Vhds.Clear()
        $result = Assert-TestResultSchema -Operation 'inventory.collect' -Result (Invoke-TestOperation -Operation 'inventory.collect')
        @($result.vms).Count | Should -Be 2
        @($result.warnings | Where-Object { $_ -like 'Get-VHD failed*' }).Count | Should -Be 1
    }
}
