# Where VMs, golden images and provisioning ISOs live on this host (README: host conventions):
# storage paths with their free space, golden images with their sidecar descriptions.

$script:AgentGoldenImageFolders = @('Golden Images', 'DiskImages')

function Assert-AgentShareReachable {
    # A UNC path works only when this session can authenticate to the file server: with
    # delegated credentials (Kerberos with delegation, SSH with a password). Without them
    # (Basic, NTLM, no delegation: the second hop) every access is denied, and Hyper-V's own
    # messages say nothing about why: SHARE_UNREACHABLE says it before anything is changed.
    param([Parameter(Mandatory = $true)] [string] $Path, [Parameter(Mandatory = $true)] [string] $Name)
    if ($Path -notmatch '^\\\\([^\\?.][^\\]*)\\([^\\]+)') {
        return
    }
    $share = '\\' + $Matches[1] + '\' + $Matches[2] + '\'
    if (-not (Test-Path -LiteralPath $share)) {
        throw (New-AgentError -Code 'SHARE_UNREACHABLE' -Details @{ path = $Path } -Message ("Parameter '$Name' is on the share $share, which this session cannot reach. " +
                'Without delegated credentials (WinRM Basic or NTLM, Kerberos without delegation, SSH with a key) the host cannot authenticate to the file server (the second hop): ' +
                'use local or Cluster Shared Volume storage, or Kerberos with delegation.'))
    }
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
            # Paths are built in the host's namespace (C:\...), never from FullName, which is the
            # provider's path and differs from it on a mapped drive.
            $candidates.Add([pscustomobject]@{ Path = [string](Join-Path -Path $csvRoot -ChildPath $volume.Name); Shared = $true })
        }
    }
    $volumes = @(Get-CimInstance -ClassName 'Win32_Volume' -ErrorAction Stop | Where-Object { -not [string]::IsNullOrEmpty($_.Name) -and $null -ne $_.Capacity })
    $seen = @{}
    $result = [System.Collections.Generic.List[object]]::new()
    foreach ($candidate in $candidates) {
        # Compared in '\' form: Join-Path gives C:/... on a mapped drive, Win32_Volume names C:\...\.
        $key = (ConvertTo-AgentComparablePath -Path $candidate.Path).ToUpperInvariant()
        if ($seen.ContainsKey($key)) {
            continue
        }
        $seen[$key] = $true
        $full = (ConvertTo-AgentComparablePath -Path $candidate.Path) + '\'
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
                $path = [string](Join-Path -Path $folder -ChildPath $file.Name)
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
                    $size = [long](Get-VHD -Path $path -ErrorAction Stop).Size
                } catch {
                    if ($null -ne $Warnings) {
                        $Warnings.Add("Get-VHD failed for golden image ${path}: $($_.Exception.Message)")
                    }
                }
                $images.Add([ordered]@{
                        name          = $name
                        path          = $path
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
            $isos.Add([ordered]@{ name = $file.Name; path = [string](Join-Path -Path $InstallDirectory -ChildPath $file.Name); osFamily = $osFamily })
        }
    }
    return , $isos.ToArray()
}
