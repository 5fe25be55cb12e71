# image.copy: a new VHDX from a golden image, as a full copy (streamed in chunks so the deadline
# is honoured and progress is logged) or as a differencing child (New-VHD -Differencing).

$script:ImageCopyChunkBytes = 16777216 # 16 MiB

function Find-AgentGoldenImage {
    param(
        [Parameter(Mandatory = $true)] [string] $Name,
        [System.Collections.Generic.List[string]] $Warnings
    )
    $images = Get-AgentGoldenImage -StoragePaths (Get-AgentStoragePath) -Warnings $Warnings
    foreach ($image in $images) {
        if ([string]::Equals($image.name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $image
        }
    }
    $available = @($images | ForEach-Object { [string]$_.name })
    throw (New-AgentError -Code 'IMAGE_NOT_FOUND' -Message "No golden image named '$Name' on this host." -Details @{ image = $Name; available = $available })
}

function Copy-AgentFileWithDeadline {
    # Copies to <destination>.partial, then renames: a failed or interrupted copy never leaves a
    # file at the destination path.
    param(
        [Parameter(Mandatory = $true)] [object] $Context,
        [Parameter(Mandatory = $true)] [string] $Source,
        [Parameter(Mandatory = $true)] [string] $Destination
    )
    $partial = $Destination + '.partial'
    # FileStream takes the provider's path: a PSDrive path (a mapped C:) means nothing to .NET.
    $sourceFile = Convert-Path -LiteralPath $Source
    $partialFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($partial)
    $buffer = [byte[]]::new($script:ImageCopyChunkBytes)
    $sourceStream = $null
    $targetStream = $null
    $completed = $false
    try {
        $sourceStream = [System.IO.FileStream]::new($sourceFile, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read,
            [System.IO.FileShare]::Read, 65536, [System.IO.FileOptions]::SequentialScan)
        $targetStream = [System.IO.FileStream]::new($partialFile, [System.IO.FileMode]::Create, [System.IO.FileAccess]::Write,
            [System.IO.FileShare]::None, 65536, [System.IO.FileOptions]::SequentialScan)
        $total = $sourceStream.Length
        $targetStream.SetLength($total)
        $copied = [long]0
        $nextReport = 10
        while ($true) {
            $read = $sourceStream.Read($buffer, 0, $buffer.Length)
            if ($read -le 0) {
                break
            }
            $targetStream.Write($buffer, 0, $read)
            $copied += $read
            # The percentage reached, not the step: one chunk may cross several 10% steps.
            $percent = [int][math]::Floor($copied * 100 / [math]::Max(1, $total))
            if ($percent -ge $nextReport) {
                Write-AgentLog -Level 'info' -Message "Copied $percent% of $([math]::Round($total / 1048576)) MiB."
                $nextReport = $percent - ($percent % 10) + 10
            }
            Assert-AgentDeadline -Context $Context -Step 'the image copy finished'
        }
        $targetStream.Flush($true)
        $targetStream.Dispose()
        $targetStream = $null
        Move-Item -LiteralPath $partial -Destination $Destination -ErrorAction Stop
        $completed = $true
    } finally {
        if ($null -ne $sourceStream) {
            $sourceStream.Dispose()
        }
        if ($null -ne $targetStream) {
            $targetStream.Dispose()
        }
        if (-not $completed) {
            Remove-Item -LiteralPath $partial -Force -ErrorAction SilentlyContinue
        }
    }
}

function Invoke-ImageCopy {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'image', 'destinationPath', 'mode'
    $destination = [string]$Params['destinationPath']
    Assert-AgentAbsolutePath -Path $destination -Name 'destinationPath'
    $mode = [string]$Params['mode']
    if ($mode -cne 'full' -and $mode -cne 'differencing') {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'mode' must be 'full' or 'differencing'.")
    }
    $warnings = [System.Collections.Generic.List[string]]::new()
    $image = Find-AgentGoldenImage -Name ([string]$Params['image']) -Warnings $warnings
    Assert-AgentShareReachable -Path ([string]$image.path) -Name 'image'
    $sourceExtension = [System.IO.Path]::GetExtension($image.path)
    if ($mode -eq 'differencing' -and -not [string]::Equals($sourceExtension, [System.IO.Path]::GetExtension($destination), [System.StringComparison]::OrdinalIgnoreCase)) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "A differencing child must have the parent's format ($sourceExtension).")
    }
    if (Test-Path -LiteralPath $destination) {
        throw (New-AgentError -Code 'FILE_EXISTS' -Message "$destination already exists." -Details @{ path = $destination })
    }
    $folder = Split-Path -Path $destination -Parent
    $null = New-Item -ItemType Directory -Path $folder -Force -ErrorAction Stop
    if ($mode -eq 'full') {
        $free = Get-AgentVolumeFreeBytes -Path $folder
        if ($null -ne $free -and $free -lt [long]$image.fileSizeBytes) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Not enough free space for $($image.name): $($image.fileSizeBytes) bytes needed, $free free." -Details @{ requiredBytes = [long]$image.fileSizeBytes; freeBytes = $free })
        }
        Write-AgentLog -Level 'info' -Message "Copying golden image $($image.name) to $destination."
        Copy-AgentFileWithDeadline -Context $Context -Source $image.path -Destination $destination
        # A byte copy keeps the golden image's disk identifier, and Hyper-V will not attach two
        # disks with one identifier on a host: the second VM from this image would fail.
        Set-VHD -Path $destination -ResetDiskIdentifier -Force -ErrorAction Stop
    } else {
        Write-AgentLog -Level 'info' -Message "Creating a differencing disk of $($image.name) at $destination."
        $null = New-VHD -Path $destination -ParentPath $image.path -Differencing -ErrorAction Stop
    }
    $vhd = Get-VHD -Path $destination -ErrorAction Stop
    $parentPath = $null
    if (-not [string]::IsNullOrEmpty($vhd.ParentPath)) {
        $parentPath = [string]$vhd.ParentPath
    }
    return [ordered]@{
        path          = $destination
        image         = [string]$image.name
        mode          = $mode
        sizeBytes     = [long]$vhd.Size
        fileSizeBytes = [long]$vhd.FileSize
        type          = [string]$vhd.VhdType
        parentPath    = $parentPath
    }
}
