# host.info and inventory.collect, and the one VM projection every VM-changing operation
# returns (Schemas/agent/common.json $defs/vm, host, disk, nic, switch, image).

$script:AgentGoldenImageFolders = @('Golden Images', 'DiskImages')

function Get-AgentGuestOsName {
    # Guest intrinsic KVP item OSName per VM GUID (upper case), from one WMI query.
    # A VM id filter is a validated [guid], never request text.
    param([Nullable[guid]] $VmId)
    $names = @{}
    $query = @{ Namespace = 'root/virtualization/v2'; ClassName = 'Msvm_KvpExchangeComponent'; ErrorAction = 'Stop' }
    if ($null -ne $VmId) {
        $query['Filter'] = "SystemName = '$($VmId.Value.ToString().ToUpperInvariant())'"
    }
    $components = @(Get-CimInstance @query)
    foreach ($component in $components) {
        foreach ($itemXml in @($component.GuestIntrinsicExchangeItems)) {
            $item = ConvertFrom-AgentKvpItemXml -Xml ([string]$itemXml)
            if ($null -ne $item -and $item.Name -eq 'OSName') {
                $names[([string]$component.SystemName).ToUpperInvariant()] = $item.Data
            }
        }
    }
    return $names
}

function ConvertFrom-AgentKvpItemXml {
    # One Msvm_KvpExchangeDataItem embedded instance (CIM-XML) -> @{ Name; Data }, or $null.
    # Parsed with DTDs and external resolution off: the Data text comes from the guest.
    param([AllowEmptyString()] [string] $Xml)
    if ([string]::IsNullOrWhiteSpace($Xml)) {
        return $null
    }
    $settings = [System.Xml.XmlReaderSettings]::new()
    $settings.DtdProcessing = [System.Xml.DtdProcessing]::Prohibit
    $settings.XmlResolver = $null
    $reader = [System.Xml.XmlReader]::Create([System.IO.StringReader]::new($Xml), $settings)
    try {
        $document = [System.Xml.XmlDocument]::new()
        $document.XmlResolver = $null
        $document.Load($reader)
    } catch {
        return $null
    } finally {
        $reader.Dispose()
    }
    $nameNode = $document.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
    $dataNode = $document.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE")
    if ($null -eq $nameNode) {
        return $null
    }
    $data = ''
    if ($null -ne $dataNode) {
        $data = $dataNode.InnerText
    }
    return [pscustomobject]@{ Name = $nameNode.InnerText; Data = $data }
}

function ConvertTo-AgentDiskRecord {
    param(
        [Parameter(Mandatory = $true)] [object] $Drive,
        [System.Collections.Generic.List[string]] $Warnings
    )
    $record = [ordered]@{
        diskId             = [string]$Drive.Id
        path               = [string]$Drive.Path
        sizeBytes          = [long]0
        fileSizeBytes      = [long]0
        type               = 'Dynamic'
        parentPath         = $null
        controllerType     = [string]$Drive.ControllerType
        controllerNumber   = [int]$Drive.ControllerNumber
        controllerLocation = [int]$Drive.ControllerLocation
    }
    try {
        $vhd = Get-VHD -Path $Drive.Path -ErrorAction Stop
        $record['sizeBytes'] = [long]$vhd.Size
        $record['fileSizeBytes'] = [long]$vhd.FileSize
        $record['type'] = [string]$vhd.VhdType
        if (-not [string]::IsNullOrEmpty($vhd.ParentPath)) {
            $record['parentPath'] = [string]$vhd.ParentPath
        }
    } catch {
        if ($null -ne $Warnings) {
            $Warnings.Add("Get-VHD failed for $($Drive.Path): $($_.Exception.Message)")
        }
    }
    return $record
}

function ConvertTo-AgentNicRecord {
    param([Parameter(Mandatory = $true)] [object] $Adapter)
    $vlanId = $null
    $vlan = $null
    if ($null -ne $Adapter.PSObject.Properties['VlanSetting']) {
        $vlan = $Adapter.VlanSetting
    }
    if ($null -eq $vlan) {
        $vlan = Get-VMNetworkAdapterVlan -VMNetworkAdapter $Adapter -ErrorAction Stop
    }
    if ($null -ne $vlan -and [string]$vlan.OperationMode -eq 'Access' -and [int]$vlan.AccessVlanId -gt 0) {
        $vlanId = [int]$vlan.AccessVlanId
    }
    $switchName = $null
    if (-not [string]::IsNullOrEmpty($Adapter.SwitchName)) {
        $switchName = [string]$Adapter.SwitchName
    }
    $addresses = @(@($Adapter.IPAddresses) | Where-Object { $null -ne $_ -and -not ([string]$_).StartsWith('fe80', [System.StringComparison]::OrdinalIgnoreCase) } |
            ForEach-Object { [string]$_ })
    return [ordered]@{
        nicId       = [string]$Adapter.Id
        name        = [string]$Adapter.Name
        macAddress  = ([string]$Adapter.MacAddress).ToUpperInvariant()
        dynamicMac  = [bool]$Adapter.DynamicMacAddressEnabled
        switchName  = $switchName
        vlanId      = $vlanId
        ipAddresses = $addresses
    }
}

function ConvertTo-AgentVmRecord {
    # A Get-VM object -> common.json $defs/vm. $OsNames comes from Get-AgentGuestOsName.
    param(
        [Parameter(Mandatory = $true)] [object] $Vm,
        [hashtable] $OsNames,
        [System.Collections.Generic.List[string]] $Warnings
    )
    if ($null -eq $OsNames) {
        $OsNames = @{}
        try {
            $OsNames = Get-AgentGuestOsName -VmId $Vm.Id
        } catch {
            if ($null -ne $Warnings) {
                $Warnings.Add("Guest OS name of $($Vm.Id) unavailable: $($_.Exception.Message)")
            }
        }
    }
    # Only .vhd/.vhdx files are disks in the contract: pass-through disks have no path, and a
    # checkpoint's .avhdx is reported as a warning.
    $drives = @(@($Vm.HardDrives) | Where-Object { $null -ne $_ -and -not [string]::IsNullOrEmpty($_.Path) })
    foreach ($drive in $drives) {
        if ($drive.Path -notmatch '\.vhdx?$' -and $null -ne $Warnings) {
            $Warnings.Add("VM $($Vm.Id): disk $($drive.Path) is not reported (not a .vhd/.vhdx file).")
        }
    }
    $disks = @($drives | Where-Object { $_.Path -match '\.vhdx?$' } | ForEach-Object { ConvertTo-AgentDiskRecord -Drive $_ -Warnings $Warnings })
    $nics = @(@($Vm.NetworkAdapters) | Where-Object { $null -ne $_ } | ForEach-Object { ConvertTo-AgentNicRecord -Adapter $_ })
    $addresses = [System.Collections.Generic.List[string]]::new()
    foreach ($nic in $nics) {
        foreach ($address in $nic.ipAddresses) {
            if (-not $addresses.Contains($address)) {
                $addresses.Add($address)
            }
        }
    }
    $isoPath = $null
    foreach ($dvd in @($Vm.DVDDrives)) {
        if ($null -ne $dvd -and -not [string]::IsNullOrEmpty($dvd.Path)) {
            $isoPath = [string]$dvd.Path
            break
        }
    }
    $key = $Vm.Id.ToString().ToUpperInvariant()
    $osName = $null
    if ($OsNames.ContainsKey($key)) {
        $osName = [string]$OsNames[$key]
    }
    $notes = ''
    if ($null -ne $Vm.Notes) {
        $notes = [string]$Vm.Notes
    }
    return [ordered]@{
        vmId                 = $Vm.Id.ToString()
        name                 = [string]$Vm.Name
        state                = ConvertTo-AgentVmState -State $Vm.State
        cpuCount             = [int]$Vm.ProcessorCount
        memory               = [ordered]@{
            startupBytes  = [long]$Vm.MemoryStartup
            assignedBytes = [long]$Vm.MemoryAssigned
            dynamic       = [bool]$Vm.DynamicMemoryEnabled
            minimumBytes  = [long]$Vm.MemoryMinimum
            maximumBytes  = [long]$Vm.MemoryMaximum
        }
        generation           = [int]$Vm.Generation
        configurationVersion = [string]$Vm.Version
        configurationPath    = [string]$Vm.ConfigurationLocation
        osName               = $osName
        uptimeSeconds        = [long][math]::Floor($Vm.Uptime.TotalSeconds)
        notes                = $notes
        creationTime         = Get-AgentTimestamp -Value $Vm.CreationTime
        ipAddresses          = $addresses.ToArray()
        disks                = $disks
        nics                 = $nics
        clustered            = [bool]$Vm.IsClustered
        isoPath              = $isoPath
    }
}

function Get-AgentVmRecord {
    # Re-reads the VM by GUID and projects it: what every VM-changing operation returns.
    param([Parameter(Mandatory = $true)] [object] $VmId)
    $vm = Get-AetherVm -Id $VmId
    return (ConvertTo-AgentVmRecord -Vm $vm)
}

function Get-AgentClusterName {
    # The failover cluster of this host, or $null (no FailoverClusters module, or not clustered).
    if ($null -eq (Get-Module -ListAvailable -Name 'FailoverClusters')) {
        return $null
    }
    $service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
    if ($null -eq $service -or [string]$service.Status -ne 'Running') {
        return $null
    }
    Import-Module -Name 'FailoverClusters' -ErrorAction Stop -Verbose:$false
    $cluster = Get-Cluster -ErrorAction Stop
    return [string]$cluster.Name
}

function Get-AgentStoragePath {
    # Where VMs may live: the Hyper-V default folders and every Cluster Shared Volume.
    $hostSettings = Get-VMHost -ErrorAction Stop
    $candidates = [System.Collections.Generic.List[object]]::new()
    foreach ($path in @($hostSettings.VirtualMachinePath, $hostSettings.VirtualHardDiskPath)) {
        if (-not [string]::IsNullOrWhiteSpace($path)) {
            $candidates.Add([pscustomobject]@{ Path = [string]$path.TrimEnd('\'); Shared = $false })
        }
    }
    $csvRoot = Join-Path -Path $env:SystemDrive -ChildPath 'ClusterStorage'
    if (Test-Path -LiteralPath $csvRoot -PathType Container) {
        foreach ($volume in @(Get-ChildItem -LiteralPath $csvRoot -Directory -ErrorAction Stop)) {
            $candidates.Add([pscustomobject]@{ Path = [string]$volume.FullName; Shared = $true })
        }
    }
    $volumes = @(Get-CimInstance -ClassName 'Win32_Volume' -ErrorAction Stop | Where-Object { -not [string]::IsNullOrEmpty($_.Name) -and $null -ne $_.Capacity })
    $seen = @{}
    $result = [System.Collections.Generic.List[object]]::new()
    foreach ($candidate in $candidates) {
        $key = $candidate.Path.ToUpperInvariant()
        if ($seen.ContainsKey($key)) {
            continue
        }
        $seen[$key] = $true
        $full = $candidate.Path + '\'
        $best = $null
        foreach ($volume in $volumes) {
            if ($full.StartsWith([string]$volume.Name, [System.StringComparison]::OrdinalIgnoreCase) -and
                ($null -eq $best -or ([string]$volume.Name).Length -gt ([string]$best.Name).Length)) {
                $best = $volume
            }
        }
        $total = [long]0
        $free = [long]0
        if ($null -ne $best) {
            $total = [long]$best.Capacity
            $free = [long]$best.FreeSpace
        }
        $result.Add([ordered]@{ path = $candidate.Path; totalBytes = $total; freeBytes = $free; shared = [bool]$candidate.Shared })
    }
    return , $result.ToArray()
}

function Get-AgentGoldenImage {
    # Golden images: *.vhdx / *.vhd in a 'Golden Images' (or the seed's 'DiskImages') folder at
    # the root of a storage path. OS family and generation come from an optional sidecar
    # <image>.json ({"osFamily":"linux","generation":2}); else from the name and the format.
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyCollection()] [object[]] $StoragePaths,
        [System.Collections.Generic.List[string]] $Warnings
    )
    $images = [System.Collections.Generic.List[object]]::new()
    $seen = @{}
    foreach ($storage in $StoragePaths) {
        foreach ($folderName in $script:AgentGoldenImageFolders) {
            $folder = Join-Path -Path $storage.path -ChildPath $folderName
            if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
                continue
            }
            foreach ($file in @(Get-ChildItem -LiteralPath $folder -File -ErrorAction Stop | Where-Object { $_.Extension -match '^\.vhdx?$' })) {
                $name = [System.IO.Path]::GetFileNameWithoutExtension($file.Name)
                if ($seen.ContainsKey($name.ToUpperInvariant())) {
                    continue
                }
                $seen[$name.ToUpperInvariant()] = $true
                $osFamily = 'linux'
                if ($name -match '(?i)win') {
                    $osFamily = 'windows'
                }
                $generation = 2
                if ($file.Extension -eq '.vhd') {
                    $generation = 1
                }
                $sidecar = [System.IO.Path]::ChangeExtension($file.FullName, '.json')
                if (Test-Path -LiteralPath $sidecar -PathType Leaf) {
                    try {
                        $meta = ConvertTo-AgentHashtable -Value (ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($sidecar)) -ErrorAction Stop)
                        if ($meta['osFamily'] -eq 'windows' -or $meta['osFamily'] -eq 'linux') {
                            $osFamily = [string]$meta['osFamily']
                        }
                        if ($meta['generation'] -eq 1 -or $meta['generation'] -eq 2) {
                            $generation = [int]$meta['generation']
                        }
                    } catch {
                        if ($null -ne $Warnings) {
                            $Warnings.Add("Ignoring unreadable image description $sidecar.")
                        }
                    }
                }
                $size = [long]$file.Length
                try {
                    $size = [long](Get-VHD -Path $file.FullName -ErrorAction Stop).Size
                } catch {
                    if ($null -ne $Warnings) {
                        $Warnings.Add("Get-VHD failed for golden image $($file.FullName): $($_.Exception.Message)")
                    }
                }
                $images.Add([ordered]@{
                        name          = $name
                        path          = [string]$file.FullName
                        osFamily      = $osFamily
                        generation    = $generation
                        sizeBytes     = $size
                        fileSizeBytes = [long]$file.Length
                    })
            }
        }
    }
    return , $images.ToArray()
}

function Get-AgentProvisioningIso {
    param([Parameter(Mandatory = $true)] [string] $InstallDirectory)
    $isos = [System.Collections.Generic.List[object]]::new()
    foreach ($file in @(Get-ChildItem -LiteralPath $InstallDirectory -File -Filter '*.iso' -ErrorAction Stop)) {
        $osFamily = $null
        if ($file.Name -match '^(?i)windows') {
            $osFamily = 'windows'
        } elseif ($file.Name -match '^(?i)linux') {
            $osFamily = 'linux'
        }
        if ($null -ne $osFamily) {
            $isos.Add([ordered]@{ name = $file.Name; path = [string]$file.FullName; osFamily = $osFamily })
        }
    }
    return , $isos.ToArray()
}

function Get-AgentSwitchRecord {
    $records = [System.Collections.Generic.List[object]]::new()
    foreach ($switch in @(Get-VMSwitch -ErrorAction Stop)) {
        $managementVlan = $null
        $hostAdapters = @(Get-VMNetworkAdapter -ManagementOS -ErrorAction Stop | Where-Object { $_.SwitchName -eq $switch.Name })
        foreach ($adapter in $hostAdapters) {
            $vlan = Get-VMNetworkAdapterVlan -VMNetworkAdapter $adapter -ErrorAction Stop
            if ($null -ne $vlan -and [string]$vlan.OperationMode -eq 'Access' -and [int]$vlan.AccessVlanId -gt 0) {
                $managementVlan = [int]$vlan.AccessVlanId
                break
            }
        }
        $records.Add([ordered]@{
                name             = [string]$switch.Name
                id               = $switch.Id.ToString()
                type             = [string]$switch.SwitchType
                managementVlanId = $managementVlan
                # Hyper-V does not know which VLANs the uplink trunks: empty means any.
                allowedVlanIds   = @()
            })
    }
    return , $records.ToArray()
}

function Get-AgentHostRecord {
    param(
        [Parameter(Mandatory = $true)] [object] $Context,
        [System.Collections.Generic.List[string]] $Warnings
    )
    $computer = Get-CimInstance -ClassName 'Win32_ComputerSystem' -ErrorAction Stop
    $os = Get-CimInstance -ClassName 'Win32_OperatingSystem' -ErrorAction Stop
    $processors = @(Get-CimInstance -ClassName 'Win32_Processor' -ErrorAction Stop)
    $cores = [int](($processors | Measure-Object -Property 'NumberOfCores' -Sum).Sum)
    $logical = [int](($processors | Measure-Object -Property 'NumberOfLogicalProcessors' -Sum).Sum)
    $fqdn = [string]$computer.DNSHostName
    if ([bool]$computer.PartOfDomain -and -not [string]::IsNullOrEmpty($computer.Domain)) {
        $fqdn = $fqdn + '.' + [string]$computer.Domain
    }
    $cluster = $null
    try {
        $cluster = Get-AgentClusterName
    } catch {
        if ($null -ne $Warnings) {
            $Warnings.Add("Cluster lookup failed: $($_.Exception.Message)")
        }
    }
    $versionFile = Join-Path -Path $Context.InstallDirectory -ChildPath 'version'
    $agentVersion = 'unknown'
    if (Test-Path -LiteralPath $versionFile -PathType Leaf) {
        $text = [System.IO.File]::ReadAllText($versionFile).Trim([char]0xFEFF, [char]0, ' ', "`r", "`n", "`t")
        if ($text.Length -gt 0) {
            $agentVersion = $text
        }
    }
    $hypervVersion = ''
    $vmms = Join-Path -Path $env:SystemRoot -ChildPath 'System32\vmms.exe'
    if (Test-Path -LiteralPath $vmms -PathType Leaf) {
        $hypervVersion = [string](Get-Item -LiteralPath $vmms -ErrorAction Stop).VersionInfo.ProductVersion
    }
    $storagePaths = Get-AgentStoragePath
    return [ordered]@{
        name              = [string]$env:COMPUTERNAME
        fqdn              = $fqdn
        cluster           = $cluster
        cpuCores          = $cores
        logicalProcessors = $logical
        memoryTotalBytes  = [long]$computer.TotalPhysicalMemory
        memoryFreeBytes   = [long]$os.FreePhysicalMemory * 1024
        switches          = Get-AgentSwitchRecord
        storagePaths      = $storagePaths
        images            = Get-AgentGoldenImage -StoragePaths $storagePaths -Warnings $Warnings
        provisioningIsos  = Get-AgentProvisioningIso -InstallDirectory $Context.InstallDirectory
        installDirectory  = [string]$Context.InstallDirectory
        agentVersion      = $agentVersion
        osName            = [string]$os.Caption
        osVersion         = [string]$os.Version
        psVersion         = $PSVersionTable.PSVersion.ToString()
        hypervVersion     = $hypervVersion
        time              = Get-AgentTimestamp
    }
}

function Invoke-HostInfo {
    param([hashtable] $Params, [object] $Context)
    $warnings = [System.Collections.Generic.List[string]]::new()
    $record = Get-AgentHostRecord -Context $Context -Warnings $warnings
    foreach ($warning in $warnings) {
        Write-AgentLog -Level 'warn' -Message $warning
    }
    return $record
}

function Invoke-InventoryCollect {
    param([hashtable] $Params, [object] $Context)
    $warnings = [System.Collections.Generic.List[string]]::new()
    $hostRecord = Get-AgentHostRecord -Context $Context -Warnings $warnings
    Assert-AgentDeadline -Context $Context -Step 'listing VMs'
    $wanted = $null
    if ($null -ne $Params.vmIds) {
        $wanted = @{}
        foreach ($id in @($Params.vmIds)) {
            $wanted[(ConvertTo-AgentGuid -Value $id -Name 'vmIds').ToString()] = [string]$id
        }
    }
    $osNames = @{}
    try {
        $osNames = Get-AgentGuestOsName
    } catch {
        $warnings.Add("Guest OS names unavailable: $($_.Exception.Message)")
    }
    $records = [System.Collections.Generic.List[object]]::new()
    $found = @{}
    foreach ($vm in @(Get-VM -ErrorAction Stop)) {
        $id = $vm.Id.ToString()
        if ($null -ne $wanted -and -not $wanted.ContainsKey($id)) {
            continue
        }
        Assert-AgentDeadline -Context $Context -Step "reading VM $id"
        try {
            $records.Add((ConvertTo-AgentVmRecord -Vm $vm -OsNames $osNames -Warnings $warnings))
            $found[$id] = $true
        } catch {
            # A VM deleted while we read it, or one whose files are unreachable: report, go on.
            $warnings.Add("VM ${id}: $($_.Exception.Message)")
        }
    }
    $result = [ordered]@{ host = $hostRecord; vms = $records.ToArray(); warnings = $warnings.ToArray() }
    if ($null -ne $wanted) {
        $result['notFound'] = @($wanted.Keys | Where-Object { -not $found.ContainsKey($_) } | ForEach-Object { $wanted[$_] })
    }
    return $result
}
