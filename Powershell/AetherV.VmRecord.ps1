# The one VM projection every VM-changing operation and inventory.collect returns
# (Schemas/agent/common.json $defs/vm, disk, nic), with the guest OS name from KVP.

function Get-AgentGuestOsName {
    # Guest intrinsic KVP item OSName per VM GUID (upper case), from one WMI query.
    # A VM id filter is a validated [guid], never request text.
    param([Nullable[guid]] $VmId)
    $names = @{}
    $query = @{ Namespace = 'root/virtualization/v2'; ClassName = 'Msvm_KvpExchangeComponent'; ErrorAction = 'Stop' }
    if ($null -ne $VmId) {
        # PowerShell unwraps [Nullable[guid]] to the [guid] itself: there is no .Value to read.
        $query['Filter'] = "SystemName = '$($VmId.ToString().ToUpperInvariant())'"
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
    # Only .vhd/.vhdx/.avhdx files are disks in the contract: pass-through disks have no path, and a
    # checkpoint's .avhdx (the file a VM with checkpoints writes to) is its disk as Hyper-V reports it.
    $drives = @(@($Vm.HardDrives) | Where-Object { $null -ne $_ -and -not [string]::IsNullOrEmpty($_.Path) })
    foreach ($drive in $drives) {
        if ($drive.Path -notmatch '\.a?vhdx?$' -and $null -ne $Warnings) {
            $Warnings.Add("VM $($Vm.Id): disk $($drive.Path) is not reported (not a .vhd/.vhdx/.avhdx file).")
        }
    }
    $disks = @($drives | Where-Object { $_.Path -match '\.a?vhdx?$' } | ForEach-Object { ConvertTo-AgentDiskRecord -Drive $_ -Warnings $Warnings })
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
