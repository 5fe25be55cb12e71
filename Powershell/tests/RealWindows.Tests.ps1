# Issue 16: what a real Windows host would break on, run in a real PowerShell under the agent's
# own Set-StrictMode -Version 3.0. Only Windows-only commands (CIM, Hyper-V) are replaced, by
# stubs defined here with their real parameter names, so that Pester can Mock them.

BeforeAll {
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    $agent = Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath ''
    foreach ($file in @('AetherV.Output.ps1', 'AetherV.Common.ps1', 'AetherV.Deadline.ps1', 'AetherV.Kvp.ps1', 'AetherV.VmRecord.ps1', 'AetherV.Storage.ps1', 'Inventory.ps1', 'CopyImage.ps1', 'Disk.ps1', 'PublishProvisioningData.ps1')) {
        . (Join-Path -Path $agent -ChildPath $file)
    }

    # Windows-only: CimCmdlets' Get-CimInstance and Hyper-V's Get-VM / Get-VHD do not exist on
    # Linux. Each stub only gives Mock a command with the real parameters to replace.
    if (-not (Get-Command -Name 'Get-CimInstance' -ErrorAction SilentlyContinue)) {
        function global:Get-CimInstance { [CmdletBinding()] param([string] $Namespace, [string] $ClassName, [string] $Filter) throw 'stub: mock me' }
    }
    if (-not (Get-Command -Name 'Get-VM' -ErrorAction SilentlyContinue)) {
        function global:Get-VM { [CmdletBinding()] param([string[]] $Name, [guid[]] $Id) throw 'stub: mock me' }
    }
    if (-not (Get-Command -Name 'Get-Service' -ErrorAction SilentlyContinue)) {
        function global:Get-Service { [CmdletBinding()] param([string[]] $Name) throw 'stub: mock me' }
    }
    if (-not (Get-Command -Name 'Get-Cluster' -ErrorAction SilentlyContinue)) {
        function global:Get-Cluster { [CmdletBinding()] param([string] $Name) throw 'stub: mock me' }
    }
    if (-not (Get-Command -Name 'Set-VHD' -ErrorAction SilentlyContinue)) {
        function global:Set-VHD { [CmdletBinding()] param([Parameter(Position = 0)][string] $Path, [switch] $ResetDiskIdentifier, [switch] $Force, [string] $ParentPath) throw 'stub: mock me' }
    }
    if (-not (Get-Command -Name 'New-VHD' -ErrorAction SilentlyContinue)) {
        function global:New-VHD { [CmdletBinding()] param([string] $Path, [string] $ParentPath, [switch] $Differencing) throw 'stub: mock me' }
    }
    if (-not (Get-Command -Name 'Get-VHD' -ErrorAction SilentlyContinue)) {
        function global:Get-VHD { [CmdletBinding()] param([string[]] $Path) throw 'stub: mock me' }
    }

    function Get-AgentErrorCode([scriptblock] $Script) {
        try {
            & $Script
        } catch {
            return [string]$_.Exception.Data['AetherV.Code']
        }
        return '(no error)'
    }

    function New-TestVm([guid] $Id, [object[]] $HardDrives = @()) {
        return [pscustomobject]@{
            Id = $Id; Name = 'web-01'; State = 'Running'; ProcessorCount = 2
            MemoryStartup = 2GB; MemoryAssigned = 2GB; DynamicMemoryEnabled = $false; MemoryMinimum = 2GB; MemoryMaximum = 2GB
            Generation = 2; Version = '10.0'; ConfigurationLocation = 'C:\Hyper-V\web-01'; Uptime = [timespan]::FromMinutes(5)
            Notes = ''; CreationTime = [datetime]::UtcNow; HardDrives = $HardDrives; DVDDrives = @(); NetworkAdapters = @(); IsClustered = $false
        }
    }
}

Describe 'VM records carry the guest OS name ([Nullable[guid]] is unwrapped)' {
    It 'Get-AgentGuestOsName filters by the VM id and ConvertTo-AgentVmRecord fills osName' {
        $id = [guid]'6f0c1c3e-8a1b-4a53-9e0f-2b6d1e7a9c41'
        $upper = $id.ToString().ToUpperInvariant()
        $item = "<INSTANCE CLASSNAME=""Msvm_KvpExchangeDataItem""><PROPERTY NAME=""Data"" TYPE=""string""><VALUE>Windows Server 2022 Datacenter</VALUE></PROPERTY><PROPERTY NAME=""Name"" TYPE=""string""><VALUE>OSName</VALUE></PROPERTY></INSTANCE>"
        Mock Get-CimInstance -ParameterFilter { $Filter -eq "SystemName = '$upper'" } -MockWith {
            [pscustomobject]@{ SystemName = $upper; GuestIntrinsicExchangeItems = @($item) }
        }
        $warnings = [System.Collections.Generic.List[string]]::new()
        $record = ConvertTo-AgentVmRecord -Vm (New-TestVm -Id $id) -Warnings $warnings
        $warnings | Should -BeNullOrEmpty
        $record['osName'] | Should -Be 'Windows Server 2022 Datacenter'
        Should -Invoke Get-CimInstance -Times 1 -Exactly
    }

    It 'Test-AgentFileAttached skips the excepted VM' {
        $self = [guid]'0b7d9f43-62a1-4c57-8f4e-0c2e7b1d5a90'
        $path = 'C:\Hyper-V\web-01\web-01.vhdx'
        Mock Get-VM { New-TestVm -Id $self -HardDrives @([pscustomobject]@{ Path = $path }) }
        Test-AgentFileAttached -Path $path -ExceptVmId $self | Should -BeFalse
        Test-AgentFileAttached -Path $path | Should -BeTrue
    }
}

Describe 'results serialise [pscustomobject] values with their properties' {
    It 'a [pscustomobject] at any depth keeps its properties' {
        $value = [ordered]@{ item = [pscustomobject]@{ name = 'a'; size = 3 }; list = @([pscustomobject]@{ z = $true }); table = @{ inner = [pscustomobject]@{ k = 'v' } } }
        ConvertTo-AgentJson -Value $value | Should -Be '{"item":{"name":"a","size":3},"list":[{"z":true}],"table":{"inner":{"k":"v"}}}'
    }
}

Describe 'kvp.set counts UTF-16 code units as Hyper-V does' {
    BeforeEach {
        # Past the size check the agent asks WMI for the VM: a stand-in that says "reached".
        Mock Get-AgentMsvmComputerSystem { throw (New-AgentError -Code 'VM_NOT_FOUND' -Message 'reached WMI') }
    }
    It 'refuses a 1,024-unit value, a 256-unit key and 600 astral characters (1,200 units) before any WMI call' {
        $vmId = '6f0c1c3e-8a1b-4a53-9e0f-2b6d1e7a9c41'
        $astral = [string]::new([char[]]@([char]0xD83D, [char]0xDE00)) * 600
        foreach ($item in @(@{ key = 'big'; value = 'x' * 1024 }, @{ key = 'k' * 256; value = 'x' }, @{ key = 'astral'; value = $astral })) {
            Get-AgentErrorCode { Invoke-KvpSet -Params @{ vmId = $vmId; items = @(@{ key = 'first'; value = 'ok' }, $item) } -Context $null } | Should -Be 'INVALID_PARAMS'
        }
        Should -Invoke Get-AgentMsvmComputerSystem -Times 0 -Exactly
    }
    It 'accepts 1,023 units of a two-byte UTF-8 character and a 255-unit key (2,046 UTF-8 bytes: units, not bytes, count)' {
        $vmId = '6f0c1c3e-8a1b-4a53-9e0f-2b6d1e7a9c41'
        $accented = [string][char]0x00E9 * 1023
        Get-AgentErrorCode { Invoke-KvpSet -Params @{ vmId = $vmId; items = @(@{ key = 'k' * 255; value = $accented }) } -Context $null } | Should -Be 'VM_NOT_FOUND'
        Should -Invoke Get-AgentMsvmComputerSystem -Times 1 -Exactly
    }
}

Describe 'storage paths on a share this session cannot reach (the second hop)' {
    It 'refuses with SHARE_UNREACHABLE when the share does not open, and names the second hop' {
        # On a real host Test-Path on \\server\share\ is $false without delegated credentials.
        Mock Test-Path -ParameterFilter { $LiteralPath -eq '\\fs01\vms\' } -MockWith { $false }
        Get-AgentErrorCode { Assert-AgentAbsolutePath -Path '\\fs01\vms\web-01\web-01.vhdx' -Name 'destinationPath' } | Should -Be 'SHARE_UNREACHABLE'
        try { Assert-AgentAbsolutePath -Path '\\fs01\vms\web-01\web-01.vhdx' -Name 'destinationPath' } catch { $_.Exception.Message | Should -Match 'second hop' }
    }
    It 'lets a reachable share and local paths through (local paths are not probed)' {
        Mock Test-Path -ParameterFilter { $LiteralPath -eq '\\fs01\vms\' } -MockWith { $true }
        Get-AgentErrorCode { Assert-AgentAbsolutePath -Path '\\fs01\vms\web-01\web-01.vhdx' -Name 'path' } | Should -Be '(no error)'
        Get-AgentErrorCode { Assert-AgentAbsolutePath -Path 'C:\ClusterStorage\Volume1\web-01.vhdx' -Name 'path' } | Should -Be '(no error)'
        Should -Invoke Test-Path -Times 1 -Exactly
    }
}

Describe 'the FailoverClusters module is looked for once per process' {
    BeforeEach {
        $script:AgentClusterModuleInstalled = $null
        Mock Get-Module -ParameterFilter { $ListAvailable } -MockWith { [pscustomobject]@{ Name = 'FailoverClusters' } }
        Mock Import-Module -ParameterFilter { $Name -contains 'FailoverClusters' } -MockWith { }
        Mock Get-Cluster { [pscustomobject]@{ Name = 'CLU01' } }
    }
    It 'a clustered host scans the module folders once, however often the cluster is asked for' {
        Mock Get-Service -ParameterFilter { $Name -contains 'ClusSvc' } -MockWith { [pscustomobject]@{ Name = 'ClusSvc'; Status = 'Running' } }
        1..3 | ForEach-Object { Get-AgentClusterName | Should -Be 'CLU01' }
        Should -Invoke Get-Module -ParameterFilter { $ListAvailable } -Times 1 -Exactly
    }
    It 'a standalone host (no cluster service) never scans them' {
        Mock Get-Service -ParameterFilter { $Name -contains 'ClusSvc' } -MockWith { $null }
        Get-AgentClusterName | Should -BeNullOrEmpty
        Should -Invoke Get-Module -ParameterFilter { $ListAvailable } -Times 0 -Exactly
    }
}

Describe 'image.copy gives a full copy its own disk identifier' {
    BeforeEach {
        # A C: drive for the destination folder (the project's rule for host paths on Linux).
        $script:root = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ([guid]::NewGuid().ToString())
        $null = New-Item -ItemType Directory -Path $script:root
        $null = New-PSDrive -Name C -PSProvider FileSystem -Root $script:root -Scope Global
        Mock Find-AgentGoldenImage { [pscustomobject]@{ name = 'Ubuntu-24.04'; path = 'C:\Hyper-V\Golden Images\Ubuntu-24.04.vhdx'; fileSizeBytes = 10GB } }
        Mock Get-AgentVolumeFreeBytes { 100GB }
        Mock Copy-AgentFileWithDeadline { }
        Mock New-VHD { }
        Mock Set-VHD { }
        Mock Get-VHD { [pscustomobject]@{ Size = 40GB; FileSize = 10GB; VhdType = 'Dynamic'; ParentPath = $null } }
    }
    AfterEach {
        Remove-PSDrive -Name C -Force -Scope Global
        Remove-Item -LiteralPath $script:root -Recurse -Force
    }
    It 'full: the copy gets a new identifier (Set-VHD -ResetDiskIdentifier -Force on the copy)' {
        $null = Invoke-ImageCopy -Params @{ image = 'Ubuntu-24.04'; destinationPath = 'C:\Hyper-V\web-01\web-01.vhdx'; mode = 'full' } -Context ([pscustomobject]@{ Step = 'test' })
        Should -Invoke Copy-AgentFileWithDeadline -Times 1 -Exactly
        Should -Invoke Set-VHD -Times 1 -Exactly -ParameterFilter { $Path -eq 'C:\Hyper-V\web-01\web-01.vhdx' -and $ResetDiskIdentifier -and $Force }
    }
    It 'differencing: a new child has its own identifier already; nothing is reset' {
        $null = Invoke-ImageCopy -Params @{ image = 'Ubuntu-24.04'; destinationPath = 'C:\Hyper-V\web-02\web-02.vhdx'; mode = 'differencing' } -Context ([pscustomobject]@{ Step = 'test' })
        Should -Invoke New-VHD -Times 1 -Exactly
        Should -Invoke Set-VHD -Times 0 -Exactly
    }
}
