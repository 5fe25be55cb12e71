# nic.create, nic.update, nic.delete. Switches are matched by exact name (Get-VMSwitch -Name
# would read a name as a wildcard pattern); adapters by their Hyper-V Id.

function Get-AgentVmSwitch {
    param([Parameter(Mandatory = $true)] [string] $Name)
    $switches = @(Get-VMSwitch -ErrorAction Stop | Where-Object { [string]::Equals($_.Name, $Name, [System.StringComparison]::OrdinalIgnoreCase) })
    if ($switches.Count -eq 0) {
        throw (New-AgentError -Code 'SWITCH_NOT_FOUND' -Message "No virtual switch named '$Name'.")
    }
    return $switches[0]
}

function Get-AgentVmNic {
    param([Parameter(Mandatory = $true)] [object] $Vm, [AllowNull()] [object] $NicId)
    $id = [string]$NicId
    $adapters = @(Get-VMNetworkAdapter -VM $Vm -ErrorAction Stop | Where-Object { [string]::Equals([string]$_.Id, $id, [System.StringComparison]::OrdinalIgnoreCase) })
    if ($adapters.Count -eq 0) {
        throw (New-AgentError -Code 'NIC_NOT_FOUND' -Message "VM $($Vm.Id) has no network adapter $id.")
    }
    return $adapters[0]
}

function Assert-AgentNicHotPlug {
    # Generation 1 VMs cannot add or remove (synthetic) adapters while running.
    param([Parameter(Mandatory = $true)] [object] $Vm, [Parameter(Mandatory = $true)] [string] $What)
    if ([int]$Vm.Generation -eq 1 -and [string]$Vm.State -ne 'Off') {
        throw (New-AgentStateError -Vm $Vm -Message "$What a network adapter of a generation 1 VM needs it Off")
    }
}

function Set-AgentNicVlan {
    param([Parameter(Mandatory = $true)] [object] $Adapter, [AllowNull()] [object] $VlanId)
    if ($null -eq $VlanId) {
        Set-VMNetworkAdapterVlan -VMNetworkAdapter $Adapter -Untagged -ErrorAction Stop
    } else {
        $id = [int]$VlanId
        if ($id -lt 1 -or $id -gt 4094) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'vlanId' must be between 1 and 4094.")
        }
        Set-VMNetworkAdapterVlan -VMNetworkAdapter $Adapter -Access -VlanId $id -ErrorAction Stop
    }
}

function Invoke-NicCreate {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'switchName'
    $vm = Get-AetherVm -Id $Params['vmId']
    $switch = Get-AgentVmSwitch -Name ([string]$Params['switchName'])
    Assert-AgentNicHotPlug -Vm $vm -What 'Adding'
    $name = 'Network Adapter'
    if ($null -ne $Params['name']) {
        $name = [string]$Params['name']
    }
    $arguments = @{ VM = $vm; SwitchName = $switch.Name; Name = $name; Passthru = $true; ErrorAction = 'Stop' }
    if ($null -ne $Params['macAddress']) {
        $mac = [string]$Params['macAddress']
        if ($mac -cnotmatch '^[0-9A-F]{12}$') {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'macAddress' must be 12 upper-case hex digits.")
        }
        $arguments['StaticMacAddress'] = $mac
    }
    $adapter = Add-VMNetworkAdapter @arguments
    try {
        if ($Params.ContainsKey('vlanId') -and $null -ne $Params['vlanId']) {
            Set-AgentNicVlan -Adapter $adapter -VlanId $Params['vlanId']
        }
    } catch {
        $failure = $_
        Remove-VMNetworkAdapter -VMNetworkAdapter $adapter -ErrorAction SilentlyContinue
        throw $failure
    }
    Write-AgentLog -Level 'info' -Message "Added adapter '$name' on switch '$($switch.Name)' to VM $($vm.Id)."
    $vm = Get-AetherVm -Id $vm.Id
    return [ordered]@{ vm = (ConvertTo-AgentVmRecord -Vm $vm); nic = (ConvertTo-AgentNicRecord -Adapter (Get-AgentVmNic -Vm $vm -NicId $adapter.Id)) }
}

function Invoke-NicUpdate {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'nicId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $adapter = Get-AgentVmNic -Vm $vm -NicId $Params['nicId']
    if ($null -ne $Params['switchName']) {
        $switch = Get-AgentVmSwitch -Name ([string]$Params['switchName'])
        if (-not [string]::Equals([string]$adapter.SwitchName, $switch.Name, [System.StringComparison]::OrdinalIgnoreCase)) {
            Connect-VMNetworkAdapter -VMNetworkAdapter $adapter -SwitchName $switch.Name -ErrorAction Stop
        }
    }
    # vlanId: absent = unchanged, null = untagged.
    if ($Params.ContainsKey('vlanId')) {
        Set-AgentNicVlan -Adapter $adapter -VlanId $Params['vlanId']
    }
    if ($null -ne $Params['name'] -and [string]$Params['name'] -cne [string]$adapter.Name) {
        Rename-VMNetworkAdapter -VMNetworkAdapter $adapter -NewName ([string]$Params['name']) -ErrorAction Stop
    }
    $vm = Get-AetherVm -Id $vm.Id
    return [ordered]@{ vm = (ConvertTo-AgentVmRecord -Vm $vm); nic = (ConvertTo-AgentNicRecord -Adapter (Get-AgentVmNic -Vm $vm -NicId $Params['nicId'])) }
}

function Invoke-NicDelete {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'nicId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $adapter = Get-AgentVmNic -Vm $vm -NicId $Params['nicId']
    Assert-AgentNicHotPlug -Vm $vm -What 'Removing'
    $nicId = [string]$adapter.Id
    Remove-VMNetworkAdapter -VMNetworkAdapter $adapter -ErrorAction Stop
    Write-AgentLog -Level 'info' -Message "Removed adapter $nicId from VM $($vm.Id)."
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id); nicId = $nicId }
}
