# host.info and inventory.collect: the host record (identity, capacity, cluster, switches, and
# from AetherV.Storage.ps1 storage paths, images, ISOs) and the VMs (AetherV.VmRecord.ps1).

# Whether the FailoverClusters module is installed: asked once per process, because
# Get-Module -ListAvailable reads every module folder (seconds on a host with many modules).
$script:AgentClusterModuleInstalled = $null

function Get-AgentClusterName {
    # The failover cluster of this host, or $null (not clustered, or no FailoverClusters module).
    # The cluster service first: it is cheap, and a standalone host never scans the modules.
    $service = Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue
    if ($null -eq $service -or [string]$service.Status -ne 'Running') {
        return $null
    }
    if ($null -eq $script:AgentClusterModuleInstalled) {
        $script:AgentClusterModuleInstalled = $null -ne (Get-Module -ListAvailable -Name 'FailoverClusters')
    }
    if (-not $script:AgentClusterModuleInstalled) {
        return $null
    }
    Import-Module -Name 'FailoverClusters' -ErrorAction Stop -Verbose:$false
    $cluster = Get-Cluster -ErrorAction Stop
    return [string]$cluster.Name
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
        # .NET needs the provider path: a PSDrive path (C:\... of a mapped drive) means nothing to it.
        $text = [System.IO.File]::ReadAllText((Convert-Path -LiteralPath $versionFile)).Trim([char]0xFEFF, [char]0, ' ', "`r", "`n", "`t")
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
    if ($null -ne $Params['vmIds']) {
        $wanted = @{}
        foreach ($id in @($Params['vmIds'])) {
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
