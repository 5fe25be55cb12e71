# vm.create (New-VM, left Off) and the cluster role operations cluster.addVm / cluster.removeVm.

function Find-AgentVmByName {
    # Exact, case-insensitive name match (Get-VM -Name would treat the name as a wildcard).
    param([Parameter(Mandatory = $true)] [string] $Name)
    return @(Get-VM -ErrorAction Stop | Where-Object { [string]::Equals($_.Name, $Name, [System.StringComparison]::OrdinalIgnoreCase) })
}

function Assert-AgentCpuCount {
    # INVALID_PARAMS before Set-VMProcessor fails with an error of no useful category.
    param([Parameter(Mandatory = $true)] [int] $Count)
    $logical = [int](Get-VMHost -ErrorAction Stop).LogicalProcessorCount
    if ($Count -lt 1 -or $Count -gt $logical) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "cpuCount $Count exceeds the host's $logical logical processors.")
    }
}

function Set-AgentVmMemory {
    # Validates a memory object of vm.create / vm.update and applies only what changes, so that
    # settings Hyper-V allows on a running VM (dynamic minimum/maximum) are not refused because
    # an unchanged one (startup, dynamic) was passed along.
    param([Parameter(Mandatory = $true)] [object] $Vm, [Parameter(Mandatory = $true)] [hashtable] $Memory)
    $dynamic = [bool]$Vm.DynamicMemoryEnabled
    if ($null -ne $Memory['dynamic']) {
        $dynamic = [bool]$Memory['dynamic']
    }
    $startup = [long]$Vm.MemoryStartup
    if ($null -ne $Memory['startupBytes']) {
        $startup = [long]$Memory['startupBytes']
    }
    $arguments = @{ VM = $Vm; ErrorAction = 'Stop' }
    if ($dynamic -ne [bool]$Vm.DynamicMemoryEnabled) {
        $arguments['DynamicMemoryEnabled'] = $dynamic
    }
    if ($startup -ne [long]$Vm.MemoryStartup) {
        $arguments['StartupBytes'] = $startup
    }
    if ($dynamic) {
        $minimum = [long]$Vm.MemoryMinimum
        $maximum = [long]$Vm.MemoryMaximum
        if ($null -ne $Memory['minimumBytes']) {
            $minimum = [long]$Memory['minimumBytes']
        } elseif (-not [bool]$Vm.DynamicMemoryEnabled) {
            $minimum = [math]::Min($minimum, $startup)
        }
        if ($null -ne $Memory['maximumBytes']) {
            $maximum = [long]$Memory['maximumBytes']
        }
        if ($minimum -gt $startup -or $startup -gt $maximum) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message 'Dynamic memory needs minimumBytes <= startupBytes <= maximumBytes.')
        }
        if ($minimum -ne [long]$Vm.MemoryMinimum) {
            $arguments['MinimumBytes'] = $minimum
        }
        if ($maximum -ne [long]$Vm.MemoryMaximum) {
            $arguments['MaximumBytes'] = $maximum
        }
    }
    if ($arguments.Count -gt 2) {
        Set-VMMemory @arguments
    }
}

function Invoke-VmCreate {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'name', 'path', 'generation', 'cpuCount', 'memory'
    $name = [string]$Params['name']
    $path = [string]$Params['path']
    Assert-AgentAbsolutePath -Path $path -Name 'path'
    if ($name -match '[\\/:*?"<>|]' -or $name.Trim().Length -eq 0) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'name' must be usable as a folder name.")
    }
    $generation = [int]$Params['generation']
    if ($generation -ne 1 -and $generation -ne 2) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'generation' must be 1 or 2.")
    }
    $memory = $Params['memory']
    if ($memory -isnot [hashtable] -or $null -eq $memory['startupBytes'] -or $null -eq $memory['dynamic']) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'memory' needs startupBytes and dynamic.")
    }
    if ($generation -eq 1 -and $null -ne $Params['secureBootTemplate']) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message 'secureBootTemplate applies to generation 2 VMs only.')
    }
    $sameName = @(Find-AgentVmByName -Name $name)
    if ($sameName.Count -gt 0) {
        throw (New-AgentError -Code 'VM_NAME_CONFLICT' -Message "A VM named '$name' already exists on this host." -Details @{ vmId = $sameName[0].Id.ToString() })
    }
    Assert-AgentCpuCount -Count ([int]$Params['cpuCount'])
    $vmFolder = Join-Path -Path $path -ChildPath $name
    # A configuration file, not the folder: Remove-VM leaves an empty 'Virtual Machines' folder
    # behind, and a VM of the same name may be created there again.
    $configFolder = Join-Path -Path $vmFolder -ChildPath 'Virtual Machines'
    if ((Test-Path -LiteralPath $configFolder -PathType Container) -and
        @(Get-ChildItem -LiteralPath $configFolder -File -Filter '*.vmcx' -ErrorAction Stop).Count -gt 0) {
        throw (New-AgentError -Code 'FILE_EXISTS' -Message "$vmFolder already holds a virtual machine configuration." -Details @{ path = $vmFolder })
    }
    $bootDisk = $null
    if ($null -ne $Params['bootDiskPath']) {
        $bootDisk = [string]$Params['bootDiskPath']
        Assert-AgentAbsolutePath -Path $bootDisk -Name 'bootDiskPath'
        if (-not (Test-Path -LiteralPath $bootDisk -PathType Leaf)) {
            throw (New-AgentError -Code 'PATH_NOT_FOUND' -Message "Boot disk $bootDisk does not exist." -Details @{ path = $bootDisk })
        }
        if (Test-AgentFileAttached -Path $bootDisk) {
            throw (New-AgentError -Code 'FILE_IN_USE' -Message "$bootDisk is already attached to a VM." -Details @{ path = $bootDisk })
        }
    }
    $null = New-Item -ItemType Directory -Path $path -Force -ErrorAction Stop
    # New-VM -Path <path> keeps the VM's files in <path>\<name>. Without -VHDPath it would
    # also create nothing; with it, the disk goes to SCSI 0:0 (generation 2) or IDE 0:0 (1).
    $arguments = @{ Name = $name; Path = $path; Generation = $generation; MemoryStartupBytes = [long]$memory['startupBytes']; ErrorAction = 'Stop' }
    if ($null -ne $bootDisk) {
        $arguments['VHDPath'] = $bootDisk
    } else {
        $arguments['NoVHD'] = $true
    }
    Write-AgentLog -Level 'info' -Message "Creating VM '$name' in $vmFolder."
    $vm = New-VM @arguments
    try {
        # New-VM adds an unconnected adapter; NICs are added explicitly by nic.create.
        foreach ($adapter in @(Get-VMNetworkAdapter -VM $vm -ErrorAction Stop)) {
            Remove-VMNetworkAdapter -VMNetworkAdapter $adapter -ErrorAction Stop
        }
        Set-VMProcessor -VM $vm -Count ([int]$Params['cpuCount']) -ErrorAction Stop
        Set-AgentVmMemory -Vm $vm -Memory $memory
        if ($generation -eq 2) {
            $template = [string]$Params['secureBootTemplate']
            if ($template -eq 'Disabled') {
                Set-VMFirmware -VM $vm -EnableSecureBoot 'Off' -ErrorAction Stop
            } elseif (-not [string]::IsNullOrEmpty($template)) {
                Set-VMFirmware -VM $vm -EnableSecureBoot 'On' -SecureBootTemplate $template -ErrorAction Stop
            }
            if ($null -ne $bootDisk) {
                $drive = @(Get-VMHardDiskDrive -VM $vm -ErrorAction Stop)[0]
                Set-VMFirmware -VM $vm -FirstBootDevice $drive -ErrorAction Stop
            }
        }
        if ($null -ne $Params['notes']) {
            Set-VM -VM $vm -Notes ([string]$Params['notes']) -ErrorAction Stop
        }
    } catch {
        # Leave nothing half-made behind: a retry of vm.create must not meet VM_NAME_CONFLICT.
        $failure = $_
        Write-AgentLog -Level 'warn' -Message "Configuring VM '$name' failed; removing it."
        Remove-VM -VM $vm -Force -ErrorAction SilentlyContinue
        throw $failure
    }
    Write-AgentLog -Level 'info' -Message "Created VM '$name' ($($vm.Id))."
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id) }
}

# --- failover cluster roles -----------------------------------------------------------------

function Get-AgentClusterVmGroup {
    # The name of the cluster group holding the VM's 'Virtual Machine' resource, or $null.
    param([Parameter(Mandatory = $true)] [guid] $VmId)
    foreach ($resource in @(Get-ClusterResource -ErrorAction Stop | Where-Object { [string]$_.ResourceType -eq 'Virtual Machine' })) {
        $parameter = Get-ClusterParameter -InputObject $resource -Name 'VmID' -ErrorAction SilentlyContinue
        if ($null -ne $parameter -and [string]::Equals([string]$parameter.Value, $VmId.ToString(), [System.StringComparison]::OrdinalIgnoreCase)) {
            # OwnerGroup is a ClusterGroup whose text is its name.
            return [string]$resource.OwnerGroup
        }
    }
    return $null
}

function Test-AgentSharedStoragePath {
    # Cluster Shared Volumes (C:\ClusterStorage\...) and SMB shares are reachable from every node.
    param([string] $Path)
    if ([string]::IsNullOrEmpty($Path)) {
        return $true
    }
    $csvRoot = Join-Path -Path $env:SystemDrive -ChildPath 'ClusterStorage'
    return ($Path.StartsWith('\\') -or (Test-AgentPathUnder -Path $Path -Folder $csvRoot))
}

function Invoke-ClusterAddVm {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $cluster = Get-AgentClusterName
    if ($null -eq $cluster) {
        throw (New-AgentError -Code 'NOT_CLUSTERED' -Message 'This host is not a member of a failover cluster.')
    }
    if ($null -ne $Params['cluster'] -and -not [string]::Equals([string]$Params['cluster'], $cluster, [System.StringComparison]::OrdinalIgnoreCase)) {
        throw (New-AgentError -Code 'CLUSTER_NOT_FOUND' -Message "This host belongs to cluster '$cluster', not '$($Params['cluster'])'.")
    }
    $group = Get-AgentClusterVmGroup -VmId $vm.Id
    if ($null -eq $group) {
        $paths = @($vm.ConfigurationLocation) + @(@($vm.HardDrives) | ForEach-Object { [string]$_.Path }) + @(@($vm.DVDDrives) | ForEach-Object { [string]$_.Path })
        $local = @($paths | Where-Object { -not (Test-AgentSharedStoragePath -Path $_) })
        if ($local.Count -gt 0) {
            throw (New-AgentError -Code 'STORAGE_NOT_SHARED' -Message "VM files are not on shared cluster storage: $($local -join ', ')." -Details @{ paths = $local })
        }
        Write-AgentLog -Level 'info' -Message "Adding VM $($vm.Id) to cluster '$cluster'."
        $group = [string](Add-ClusterVirtualMachineRole -VMId $vm.Id -ErrorAction Stop).Name
    }
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id); cluster = $cluster; roleName = $group }
}

function Invoke-ClusterRemoveVm {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId'
    $vm = Get-AetherVm -Id $Params['vmId']
    if ($null -eq (Get-AgentClusterName)) {
        throw (New-AgentError -Code 'NOT_CLUSTERED' -Message 'This host is not a member of a failover cluster.')
    }
    $removed = Remove-AgentClusterRole -Vm $vm
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id); roleRemoved = $removed }
}

function Remove-AgentClusterRole {
    # Removes the VM's cluster group (the VM itself stays); $false when there was none.
    param([Parameter(Mandatory = $true)] [object] $Vm)
    if (-not [bool]$Vm.IsClustered -and $null -eq (Get-AgentClusterName)) {
        return $false
    }
    $group = Get-AgentClusterVmGroup -VmId $Vm.Id
    if ($null -eq $group) {
        return $false
    }
    Write-AgentLog -Level 'info' -Message "Removing cluster role '$group'."
    Remove-ClusterGroup -Name $group -RemoveResources -Force -ErrorAction Stop
    return $true
}
