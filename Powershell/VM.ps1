# vm.update (name, CPU, memory, notes) and vm.delete (VM, cluster role, optionally disks and folder).

function Invoke-VmUpdate {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $isOff = [string]$vm.State -eq 'Off'
    if ($null -ne $Params['cpuCount'] -and [int]$Params['cpuCount'] -ne [int]$vm.ProcessorCount) {
        if (-not $isOff) {
            throw (New-AgentStateError -Vm $vm -Message 'Changing the CPU count needs the VM Off')
        }
        Assert-AgentCpuCount -Count ([int]$Params['cpuCount'])
    }
    $memory = $Params['memory']
    if ($null -ne $memory) {
        if ($memory -isnot [hashtable]) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'memory' must be an object.")
        }
        $changesDynamic = $null -ne $memory['dynamic'] -and [bool]$memory['dynamic'] -ne [bool]$vm.DynamicMemoryEnabled
        # Startup memory is fixed while the VM runs, with dynamic memory too; only the dynamic
        # minimum and maximum may change then.
        $changesStartup = $null -ne $memory['startupBytes'] -and [long]$memory['startupBytes'] -ne [long]$vm.MemoryStartup
        if (($changesDynamic -or $changesStartup) -and -not $isOff) {
            throw (New-AgentStateError -Vm $vm -Message 'Changing dynamic memory or the startup memory needs the VM Off')
        }
    }
    if ($null -ne $Params['name'] -and [string]$Params['name'] -cne [string]$vm.Name) {
        $newName = [string]$Params['name']
        $others = @(Find-AgentVmByName -Name $newName | Where-Object { $_.Id -ne $vm.Id })
        if ($others.Count -gt 0) {
            throw (New-AgentError -Code 'VM_NAME_CONFLICT' -Message "A VM named '$newName' already exists on this host." -Details @{ vmId = $others[0].Id.ToString() })
        }
        Rename-VM -VM $vm -NewName $newName -ErrorAction Stop
    }
    if ($null -ne $Params['cpuCount'] -and [int]$Params['cpuCount'] -ne [int]$vm.ProcessorCount) {
        Set-VMProcessor -VM $vm -Count ([int]$Params['cpuCount']) -ErrorAction Stop
    }
    if ($null -ne $memory) {
        Set-AgentVmMemory -Vm $vm -Memory $memory
    }
    if ($null -ne $Params['notes']) {
        Set-VM -VM $vm -Notes ([string]$Params['notes']) -ErrorAction Stop
    }
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id) }
}

function Get-AgentVhdChain {
    # The disk file and its differencing parents that live inside $Folder (checkpoint AVHDX
    # chains); a golden image outside the VM's folder is never part of it.
    param([Parameter(Mandatory = $true)] [string] $Path, [Parameter(Mandatory = $true)] [string] $Folder)
    $chain = [System.Collections.Generic.List[string]]::new()
    $current = $Path
    while (-not [string]::IsNullOrEmpty($current) -and $chain.Count -lt 64) {
        $chain.Add($current)
        $parent = $null
        try {
            $parent = [string](Get-VHD -Path $current -ErrorAction Stop).ParentPath
        } catch {
            break
        }
        if ([string]::IsNullOrEmpty($parent) -or -not (Test-AgentPathUnder -Path $parent -Folder $Folder)) {
            break
        }
        $current = $parent
    }
    return , $chain.ToArray()
}

function Invoke-VmDelete {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $force = [bool]$Params['force']
    $deleteDisks = [bool]$Params['deleteDisks']
    $state = [string]$vm.State
    # Remove-VM takes a Saved VM as it is (its saved state goes with it); anything else that is
    # not Off is turned off first, which needs force.
    if ($state -ne 'Off' -and $state -ne 'Saved' -and -not $force) {
        throw (New-AgentStateError -Vm $vm -Message 'Deleting a VM that is not Off or Saved needs force')
    }
    $vmId = $vm.Id
    $name = [string]$vm.Name
    $folder = [string]$vm.ConfigurationLocation
    $diskPaths = @(@($vm.HardDrives) | Where-Object { -not [string]::IsNullOrEmpty($_.Path) } | ForEach-Object { [string]$_.Path })
    $isoPaths = @(@($vm.DVDDrives) | Where-Object { -not [string]::IsNullOrEmpty($_.Path) } | ForEach-Object { [string]$_.Path })
    if ($state -ne 'Off') {
        Write-AgentLog -Level 'info' -Message "Turning VM $vmId off before deletion."
        if ($state -eq 'Saved') {
            Remove-VMSavedState -VM $vm -ErrorAction Stop
        } else {
            $null = Wait-AgentJob -Context $Context -Description 'turning the VM off' -Job (Stop-VM -VM $vm -TurnOff -Force -AsJob -ErrorAction Stop)
        }
        Wait-AgentCondition -Context $Context -Description 'the VM to be Off' -TimeoutSeconds 120 -Condition {
            [string](Get-VM -Id $vmId -ErrorAction Stop).State -eq 'Off'
        }
    }
    $roleRemoved = Remove-AgentClusterRole -Vm $vm
    Assert-AgentDeadline -Context $Context -Step 'removing the VM'
    Remove-VM -VM (Get-AetherVm -Id $vmId) -Force -ErrorAction Stop
    Write-AgentLog -Level 'info' -Message "Removed VM '$name' ($vmId)."
    $deleted = [System.Collections.Generic.List[string]]::new()
    # A provisioning ISO copy that iso.attach made next to the VM always goes.
    foreach ($iso in $isoPaths) {
        # Split-Path, not [IO.Path]: it takes both separators, as the host's paths may have either.
        if ((Test-AgentSamePath -Path (Split-Path -Path $iso -Parent) -Other $folder) -and
            (Test-Path -LiteralPath (Join-Path -Path $Context.InstallDirectory -ChildPath (Split-Path -Path $iso -Leaf)) -PathType Leaf) -and
            (Test-Path -LiteralPath $iso -PathType Leaf)) {
            Remove-Item -LiteralPath $iso -Force -ErrorAction Stop
            $deleted.Add($iso)
        }
    }
    if ($deleteDisks) {
        $inUse = @{}
        foreach ($drive in @(Get-VM -ErrorAction Stop | Get-VMHardDiskDrive -ErrorAction Stop)) {
            if (-not [string]::IsNullOrEmpty($drive.Path)) {
                $inUse[$drive.Path.ToUpperInvariant()] = $true
            }
        }
        foreach ($disk in $diskPaths) {
            foreach ($file in (Get-AgentVhdChain -Path $disk -Folder $folder)) {
                if ($inUse.ContainsKey($file.ToUpperInvariant())) {
                    Write-AgentLog -Level 'warn' -Message "Keeping ${file}: another VM uses it."
                    continue
                }
                if (Test-Path -LiteralPath $file -PathType Leaf) {
                    Remove-Item -LiteralPath $file -Force -ErrorAction Stop
                    $deleted.Add($file)
                }
            }
        }
        # The VM folder goes too once nothing but empty Hyper-V subfolders remain in it.
        if (Test-Path -LiteralPath $folder -PathType Container) {
            $remaining = @(Get-ChildItem -LiteralPath $folder -Recurse -File -Force -ErrorAction Stop)
            if ($remaining.Count -eq 0) {
                Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Stop
                $deleted.Add($folder)
            } else {
                Write-AgentLog -Level 'warn' -Message "Keeping ${folder}: $($remaining.Count) file(s) remain in it."
            }
        }
    }
    return [ordered]@{ vmId = $vmId.ToString(); name = $name; deletedFiles = $deleted.ToArray(); clusterRoleRemoved = $roleRemoved }
}
