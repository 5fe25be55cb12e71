# iso.attach / iso.detach. A provisioning ISO from the install directory is first copied next to
# the VM (its ConfigurationLocation) and the copy is attached: a VM never holds a file of the
# install directory open, so an agent upgrade can always swap that directory. iso.detach
# ejects the drive and deletes such a copy.

function Get-AgentIsoCopyPath {
    param([Parameter(Mandatory = $true)] [object] $Vm, [Parameter(Mandatory = $true)] [string] $IsoPath)
    # Split-Path, not [IO.Path]::GetFileName: it takes both separators (the latter only '/' on Linux).
    return (Join-Path -Path $Vm.ConfigurationLocation -ChildPath (Split-Path -Path $IsoPath -Leaf))
}

function Invoke-IsoAttach {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'isoPath'
    $isoPath = [string]$Params['isoPath']
    Assert-AgentAbsolutePath -Path $isoPath -Name 'isoPath'
    $vm = Get-AetherVm -Id $Params['vmId']
    if (-not (Test-Path -LiteralPath $isoPath -PathType Leaf)) {
        throw (New-AgentError -Code 'PATH_NOT_FOUND' -Message "ISO $isoPath does not exist." -Details @{ path = $isoPath })
    }
    $drives = @(Get-VMDvdDrive -VM $vm -ErrorAction Stop)
    # Hyper-V cannot hot-add a DVD drive (IDE or SCSI); changing the media of an existing one
    # works in any state. Refuse before copying anything.
    if ($drives.Count -eq 0 -and [string]$vm.State -ne 'Off') {
        throw (New-AgentStateError -Vm $vm -Message 'Adding a DVD drive needs the VM Off')
    }
    $target = $isoPath
    if (Test-AgentPathUnder -Path $isoPath -Folder $Context.InstallDirectory) {
        $target = Get-AgentIsoCopyPath -Vm $vm -IsoPath $isoPath
        $attached = @($drives | Where-Object { Test-AgentSamePath -Path ([string]$_.Path) -Other $target })
        if ($attached.Count -eq 0) {
            Write-AgentLog -Level 'info' -Message "Copying $(Split-Path -Path $isoPath -Leaf) next to the VM."
            Copy-Item -LiteralPath $isoPath -Destination $target -Force -ErrorAction Stop
        }
    }
    Assert-AgentDeadline -Context $Context -Step 'attaching the ISO'
    if ($drives.Count -eq 0) {
        Add-VMDvdDrive -VM $vm -Path $target -ErrorAction Stop
    } else {
        Set-VMDvdDrive -VMDvdDrive $drives[0] -Path $target -ErrorAction Stop
    }
    Write-AgentLog -Level 'info' -Message "Attached $target to VM $($vm.Id)."
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id) }
}

function Invoke-IsoDetach {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $isoPath = $null
    foreach ($drive in @(Get-VMDvdDrive -VM $vm -ErrorAction Stop)) {
        $path = [string]$drive.Path
        if ([string]::IsNullOrEmpty($path)) {
            continue
        }
        Set-VMDvdDrive -VMDvdDrive $drive -Path $null -ErrorAction Stop
        if ($null -eq $isoPath) {
            $isoPath = $path
        }
        $installed = Join-Path -Path $Context.InstallDirectory -ChildPath (Split-Path -Path $path -Leaf)
        if ((Test-AgentSamePath -Path $path -Other (Get-AgentIsoCopyPath -Vm $vm -IsoPath $path)) -and
            (Test-Path -LiteralPath $installed -PathType Leaf)) {
            try {
                Remove-Item -LiteralPath $path -Force -ErrorAction Stop
            } catch {
                Write-AgentLog -Level 'warn' -Message "Could not delete the ISO copy ${path}: $($_.Exception.Message)"
            }
        }
    }
    return [ordered]@{ vm = (Get-AgentVmRecord -VmId $vm.Id); detached = ($null -ne $isoPath); isoPath = $isoPath }
}
