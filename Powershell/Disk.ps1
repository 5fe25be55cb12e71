# disk.create (attach a new or existing VHDX), disk.update (expand), disk.delete (detach, and
# delete the file only when asked).

function Get-AgentVmDisk {
    # The VM's hard disk drive with this Id (Microsoft:<VMGUID>\...\D), else DISK_NOT_FOUND.
    param([Parameter(Mandatory = $true)] [object] $Vm, [AllowNull()] [object] $DiskId)
    $id = [string]$DiskId
    $drives = @(Get-VMHardDiskDrive -VM $Vm -ErrorAction Stop | Where-Object { [string]::Equals([string]$_.Id, $id, [System.StringComparison]::OrdinalIgnoreCase) })
    if ($drives.Count -eq 0) {
        throw (New-AgentError -Code 'DISK_NOT_FOUND' -Message "VM $($Vm.Id) has no disk $id.")
    }
    return $drives[0]
}

function Test-AgentFileAttached {
    # Whether any VM on this host (other than $ExceptVmId) has this file in a drive.
    param([Parameter(Mandatory = $true)] [string] $Path, [Nullable[guid]] $ExceptVmId)
    foreach ($vm in @(Get-VM -ErrorAction Stop)) {
        # $ExceptVmId is the unwrapped [guid] ([Nullable[guid]] has no .Value in PowerShell).
        if ($null -ne $ExceptVmId -and $vm.Id -eq $ExceptVmId) {
            continue
        }
        foreach ($drive in @(@($vm.HardDrives) + @($vm.DVDDrives))) {
            if ($null -ne $drive -and [string]::Equals([string]$drive.Path, $Path, [System.StringComparison]::OrdinalIgnoreCase)) {
                return $true
            }
        }
    }
    return $false
}

function Find-AgentDifferencingChild {
    # The path of an attached disk whose parent chain contains $Path, else $null: deleting a
    # parent would break that child.
    param([Parameter(Mandatory = $true)] [string] $Path)
    foreach ($drive in @(Get-VM -ErrorAction Stop | Get-VMHardDiskDrive -ErrorAction Stop)) {
        $current = [string]$drive.Path
        for ($depth = 0; $depth -lt 64 -and -not [string]::IsNullOrEmpty($current); $depth++) {
            $parent = $null
            try {
                $parent = [string](Get-VHD -Path $current -ErrorAction Stop).ParentPath
            } catch {
                break
            }
            if ([string]::Equals($parent, $Path, [System.StringComparison]::OrdinalIgnoreCase)) {
                return [string]$drive.Path
            }
            $current = $parent
        }
    }
    return $null
}

function Resolve-AgentDiskSlot {
    # Picks (or checks) the controller slot of a new disk; CONTROLLER_LOCATION_IN_USE when the
    # slot is taken or does not exist for this generation.
    param([Parameter(Mandatory = $true)] [object] $Vm, [Parameter(Mandatory = $true)] [hashtable] $Params)
    # New-VM gives a generation 1 VM IDE controllers only; generation 2 has SCSI only.
    $type = 'SCSI'
    if ([int]$Vm.Generation -eq 1) {
        $type = 'IDE'
    }
    if ($null -ne $Params['controllerType']) {
        $type = [string]$Params['controllerType']
    }
    if ($type -ne 'SCSI' -and $type -ne 'IDE') {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'controllerType' must be SCSI or IDE.")
    }
    if ($type -eq 'IDE' -and [int]$Vm.Generation -eq 2) {
        throw (New-AgentError -Code 'CONTROLLER_LOCATION_IN_USE' -Message 'Generation 2 VMs have no IDE controller.')
    }
    if ($type -eq 'IDE' -and [string]$Vm.State -ne 'Off') {
        throw (New-AgentStateError -Vm $Vm -Message 'Adding an IDE disk needs the VM Off')
    }
    $used = @{}
    foreach ($drive in @(@($Vm.HardDrives) + @($Vm.DVDDrives))) {
        if ($null -ne $drive -and [string]$drive.ControllerType -eq $type) {
            $used["$($drive.ControllerNumber):$($drive.ControllerLocation)"] = $true
        }
    }
    $controllers = @()
    $locations = 64
    if ($type -eq 'SCSI') {
        $controllers = @(Get-VMScsiController -VM $Vm -ErrorAction Stop | ForEach-Object { [int]$_.ControllerNumber } | Sort-Object)
    } else {
        $controllers = @(0, 1)
        $locations = 2
    }
    if ($null -ne $Params['controllerNumber'] -or $null -ne $Params['controllerLocation']) {
        $number = 0
        if ($null -ne $Params['controllerNumber']) {
            $number = [int]$Params['controllerNumber']
        }
        if ($controllers -notcontains $number) {
            throw (New-AgentError -Code 'CONTROLLER_LOCATION_IN_USE' -Message "The VM has no $type controller $number.")
        }
        if ($null -ne $Params['controllerLocation']) {
            $location = [int]$Params['controllerLocation']
            if ($location -ge $locations -or $used.ContainsKey("${number}:$location")) {
                throw (New-AgentError -Code 'CONTROLLER_LOCATION_IN_USE' -Message "$type ${number}:$location is in use or does not exist.")
            }
            return [pscustomobject]@{ Type = $type; Number = $number; Location = $location }
        }
        $controllers = @($number)
    }
    foreach ($number in $controllers) {
        for ($location = 0; $location -lt $locations; $location++) {
            if (-not $used.ContainsKey("${number}:$location")) {
                return [pscustomobject]@{ Type = $type; Number = $number; Location = $location }
            }
        }
    }
    throw (New-AgentError -Code 'CONTROLLER_LOCATION_IN_USE' -Message "No free $type location on the VM.")
}

function Invoke-DiskCreate {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'path'
    $path = [string]$Params['path']
    Assert-AgentAbsolutePath -Path $path -Name 'path'
    $vm = Get-AetherVm -Id $Params['vmId']
    $slot = Resolve-AgentDiskSlot -Vm $vm -Params $Params
    $newDisk = $Params['newDisk']
    if ($null -ne $newDisk) {
        if ($newDisk -isnot [hashtable] -or $null -eq $newDisk['sizeBytes'] -or ($newDisk['type'] -cne 'Fixed' -and $newDisk['type'] -cne 'Dynamic')) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'newDisk' needs sizeBytes and type Fixed or Dynamic.")
        }
        if (Test-Path -LiteralPath $path) {
            throw (New-AgentError -Code 'FILE_EXISTS' -Message "$path already exists." -Details @{ path = $path })
        }
        $null = New-Item -ItemType Directory -Path (Split-Path -Path $path -Parent) -Force -ErrorAction Stop
        $arguments = @{ Path = $path; SizeBytes = [uint64]$newDisk['sizeBytes']; AsJob = $true; ErrorAction = 'Stop' }
        if ($newDisk['type'] -eq 'Fixed') {
            $arguments['Fixed'] = $true
        } else {
            $arguments['Dynamic'] = $true
        }
        Write-AgentLog -Level 'info' -Message "Creating a $($newDisk['type']) disk of $($newDisk['sizeBytes']) bytes at $path."
        $null = Wait-AgentJob -Context $Context -Job (New-VHD @arguments) -Description 'creating the virtual disk'
    } else {
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
            throw (New-AgentError -Code 'PATH_NOT_FOUND' -Message "$path does not exist." -Details @{ path = $path })
        }
        if (Test-AgentFileAttached -Path $path) {
            throw (New-AgentError -Code 'FILE_IN_USE' -Message "$path is already attached to a VM." -Details @{ path = $path })
        }
    }
    Assert-AgentDeadline -Context $Context -Step 'attaching the disk'
    $drive = Add-VMHardDiskDrive -VM $vm -ControllerType $slot.Type -ControllerNumber $slot.Number -ControllerLocation $slot.Location -Path $path -Passthru -ErrorAction Stop
    Write-AgentLog -Level 'info' -Message "Attached $path at $($slot.Type) $($slot.Number):$($slot.Location)."
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id); disk = (ConvertTo-AgentDiskRecord -Drive $drive) }
}

function Invoke-DiskUpdate {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'diskId', 'sizeBytes'
    $vm = Get-AetherVm -Id $Params['vmId']
    $drive = Get-AgentVmDisk -Vm $vm -DiskId $Params['diskId']
    $size = [uint64]$Params['sizeBytes']
    if ([string]$drive.Path -match '\.avhdx$') {
        # Resize-VHD cannot expand a disk that has checkpoints.
        throw (New-AgentStateError -Vm $vm -Message 'Expanding a disk that has checkpoints needs them deleted first')
    }
    $vhd = Get-VHD -Path $drive.Path -ErrorAction Stop
    if ($size -lt [uint64]$vhd.Size) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Shrinking a disk is not supported ($($vhd.Size) bytes now, $size asked).")
    }
    if ($size -gt [uint64]$vhd.Size) {
        if ([string]$vm.State -ne 'Off' -and ([string]$drive.ControllerType -eq 'IDE' -or [string]$vhd.VhdFormat -ne 'VHDX')) {
            throw (New-AgentStateError -Vm $vm -Message 'Expanding an IDE or VHD (not VHDX) disk needs the VM Off')
        }
        Write-AgentLog -Level 'info' -Message "Expanding $($drive.Path) to $size bytes."
        $null = Wait-AgentJob -Context $Context -Job (Resize-VHD -Path $drive.Path -SizeBytes $size -AsJob -ErrorAction Stop) -Description 'expanding the virtual disk'
    }
    $drive = Get-AgentVmDisk -Vm (Get-AetherVm -Id $vm.Id) -DiskId $Params['diskId']
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id); disk = (ConvertTo-AgentDiskRecord -Drive $drive) }
}

function Invoke-DiskDelete {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'diskId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $drive = Get-AgentVmDisk -Vm $vm -DiskId $Params['diskId']
    $path = [string]$drive.Path
    $diskId = [string]$drive.Id
    if ([string]$drive.ControllerType -eq 'IDE' -and [string]$vm.State -ne 'Off') {
        throw (New-AgentStateError -Vm $vm -Message 'Removing an IDE disk needs the VM Off')
    }
    if ([bool]$Params['deleteFile'] -and -not [string]::IsNullOrEmpty($path)) {
        # Checked before detaching, so a refusal leaves the VM as it was. An .avhdx is the
        # current file of a disk with checkpoints: deleting it would break them.
        if ($path -match '\.avhdx$') {
            throw (New-AgentStateError -Vm $vm -Message "$path belongs to a checkpoint chain; delete the checkpoints first")
        }
        $child = Find-AgentDifferencingChild -Path $path
        if ($null -ne $child) {
            throw (New-AgentError -Code 'FILE_IN_USE' -Message "$path is the parent of differencing disk $child." -Details @{ path = $path })
        }
    }
    Remove-VMHardDiskDrive -VMHardDiskDrive $drive -ErrorAction Stop
    Write-AgentLog -Level 'info' -Message "Detached $path."
    $fileDeleted = $false
    if ([bool]$Params['deleteFile'] -and -not [string]::IsNullOrEmpty($path)) {
        if (Test-AgentFileAttached -Path $path) {
            Write-AgentLog -Level 'warn' -Message "Keeping ${path}: another VM uses it."
        } elseif (Test-Path -LiteralPath $path -PathType Leaf) {
            Remove-Item -LiteralPath $path -Force -ErrorAction Stop
            $fileDeleted = $true
        }
    }
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id); diskId = $diskId; path = $path; fileDeleted = $fileDeleted }
}
