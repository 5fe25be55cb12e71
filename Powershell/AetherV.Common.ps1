# Shared helpers of the Aether-V host agent (dot-sourced by AetherV.Agent.ps1): error codes,
# parameters, VM lookup by GUID. Output is in AetherV.Output.ps1, the deadline in AetherV.Deadline.ps1.
# Written for Windows PowerShell 5.1 and PowerShell 7 under Set-StrictMode -Version 3.0.

# --- error codes ---------------------------------------------------------------------------

function New-AgentError {
    # An exception carrying an agent error code (Schemas/agent/error-codes.json); throw it.
    # Details are non-secret structured context (e.g. currentState for INVALID_STATE).
    param(
        [Parameter(Mandatory = $true)] [string] $Code,
        [Parameter(Mandatory = $true)] [string] $Message,
        [System.Collections.IDictionary] $Details,
        [System.Exception] $InnerException
    )
    $exception = [System.InvalidOperationException]::new($Message, $InnerException)
    $exception.Data['AetherV.Code'] = $Code
    if ($null -ne $Details) {
        $exception.Data['AetherV.Details'] = $Details
    }
    return $exception
}

function New-AgentStateError {
    # INVALID_STATE with details.currentState, as error-codes.json asks.
    param(
        [Parameter(Mandatory = $true)] [object] $Vm,
        [Parameter(Mandatory = $true)] [string] $Message
    )
    $state = ConvertTo-AgentVmState -State $Vm.State
    return (New-AgentError -Code 'INVALID_STATE' -Message "$Message (the VM is $state)." -Details @{ currentState = $state })
}

$script:AgentRetryableCodes = @('HOST_BUSY', 'DEADLINE_EXCEEDED', 'HYPERV_UNAVAILABLE', 'DOWNLOAD_FAILED')

function Get-AgentErrorInfo {
    # Maps any error record to { code, message, retryable, details? }: our own coded exceptions
    # first, then well-known .NET / Hyper-V failures, else INTERNAL with the exception text.
    param([Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    $exception = $ErrorRecord.Exception
    $cursor = $exception
    while ($null -ne $cursor) {
        if ($cursor.Data.Contains('AetherV.Code')) {
            $code = [string]$cursor.Data['AetherV.Code']
            $info = [ordered]@{ code = $code; message = (Limit-AgentText -Text $cursor.Message); retryable = ($script:AgentRetryableCodes -contains $code) }
            if ($cursor.Data.Contains('AetherV.Details')) {
                $info['details'] = $cursor.Data['AetherV.Details']
            }
            return $info
        }
        $cursor = $cursor.InnerException
    }
    $code = 'INTERNAL'
    $category = $ErrorRecord.CategoryInfo.Category
    $typeName = $exception.GetType().FullName
    if ($exception -is [System.UnauthorizedAccessException] -or
        $category -eq [System.Management.Automation.ErrorCategory]::PermissionDenied -or
        $category -eq [System.Management.Automation.ErrorCategory]::SecurityError) {
        $code = 'ACCESS_DENIED'
    } elseif ($exception -is [System.IO.FileNotFoundException] -or $exception -is [System.IO.DirectoryNotFoundException] -or
        $exception -is [System.Management.Automation.ItemNotFoundException]) {
        $code = 'PATH_NOT_FOUND'
    } elseif ($exception -is [System.IO.IOException] -and ($exception.HResult -band 0xFFFF) -eq 32) {
        # ERROR_SHARING_VIOLATION: another process (often vmwp.exe) holds the file.
        $code = 'FILE_IN_USE'
    } elseif ($exception -is [System.Management.Automation.CommandNotFoundException]) {
        $code = 'HYPERV_UNAVAILABLE'
    } elseif ($typeName -eq 'Microsoft.HyperV.PowerShell.VirtualizationException' -and
        $category -eq [System.Management.Automation.ErrorCategory]::InvalidOperation) {
        $code = 'INVALID_STATE'
    } elseif ($category -eq [System.Management.Automation.ErrorCategory]::InvalidArgument) {
        $code = 'INVALID_PARAMS'
    } elseif ($category -eq [System.Management.Automation.ErrorCategory]::ResourceBusy) {
        $code = 'HOST_BUSY'
    }
    return [ordered]@{ code = $code; message = (Limit-AgentText -Text $exception.Message); retryable = ($script:AgentRetryableCodes -contains $code) }
}

function Limit-AgentText {
    # error.message is at most 2,000 characters in the contract.
    param([AllowNull()] [string] $Text, [int] $Length = 1900)
    if ($null -eq $Text) {
        return ''
    }
    if ($Text.Length -gt $Length) {
        return $Text.Substring(0, $Length)
    }
    return $Text
}

# --- parameters -----------------------------------------------------------------------------

function ConvertTo-AgentHashtable {
    # ConvertFrom-Json gives PSCustomObjects; hashtables let handlers read $Params['name'] under
    # strict mode without -AsHashtable, which 5.1 lacks. Always the indexer: a missing key reads
    # as $null there, while member access ($Params.name) throws under strict mode (5.1 and 7).
    param([AllowNull()] [object] $Value)
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $table = @{}
        foreach ($property in $Value.PSObject.Properties) {
            $table[$property.Name] = ConvertTo-AgentHashtable -Value $property.Value
        }
        return $table
    }
    if ($Value -is [string]) {
        return $Value
    }
    if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [System.Collections.IDictionary]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Value) {
            $list.Add((ConvertTo-AgentHashtable -Value $item))
        }
        return , $list.ToArray()
    }
    return $Value
}

function Assert-AgentParam {
    # INVALID_PARAMS unless every named parameter is present and not an empty string.
    param(
        [Parameter(Mandatory = $true)] [hashtable] $Params,
        [Parameter(Mandatory = $true)] [string[]] $Name
    )
    foreach ($key in $Name) {
        if (-not $Params.ContainsKey($key) -or $null -eq $Params[$key] -or
            ($Params[$key] -is [string] -and [string]::IsNullOrWhiteSpace($Params[$key]))) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter '$key' is required.")
        }
    }
}

function ConvertTo-AgentGuid {
    param(
        [AllowNull()] [object] $Value,
        [string] $Name = 'vmId'
    )
    $parsed = [guid]::Empty
    if ($null -eq $Value -or -not [guid]::TryParse([string]$Value, [ref]$parsed)) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter '$Name' must be a GUID.")
    }
    return $parsed
}

function Assert-AgentAbsolutePath {
    # Host paths from the request must be absolute local or UNC paths without '..' segments.
    param(
        [AllowNull()] [string] $Path,
        [Parameter(Mandatory = $true)] [string] $Name
    )
    if ([string]::IsNullOrWhiteSpace($Path) -or -not ($Path -match '^[A-Za-z]:\\' -or $Path -match '^\\\\[^\\]+\\[^\\]+')) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter '$Name' must be an absolute Windows path.")
    }
    if ($Path -match '(^|\\)\.\.(\\|$)' -or $Path.IndexOfAny([System.IO.Path]::GetInvalidPathChars()) -ge 0) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter '$Name' must not contain '..' or invalid characters.")
    }
    # Issue 16: a share this session cannot reach (second hop) fails here, clearly (AetherV.Storage.ps1).
    Assert-AgentShareReachable -Path $Path -Name $Name
}

# --- host paths ---------------------------------------------------------------------------

function ConvertTo-AgentComparablePath {
    # Hyper-V reports C:\...; Join-Path and Split-Path give C:/... where '/' is the separator
    # (PowerShell 7 on a mapped drive). Paths are compared in this form: '\' only, no trailing one.
    param([AllowNull()] [string] $Path)
    if ($null -eq $Path) {
        return ''
    }
    return $Path.Replace('/', '\').TrimEnd('\')
}

function Test-AgentSamePath {
    param([AllowNull()] [string] $Path, [AllowNull()] [string] $Other)
    return [string]::Equals((ConvertTo-AgentComparablePath -Path $Path), (ConvertTo-AgentComparablePath -Path $Other), [System.StringComparison]::OrdinalIgnoreCase)
}

function Test-AgentPathUnder {
    param([AllowNull()] [string] $Path, [AllowNull()] [string] $Folder)
    $prefix = (ConvertTo-AgentComparablePath -Path $Folder) + '\'
    return (ConvertTo-AgentComparablePath -Path $Path).StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)
}

# --- Hyper-V lookups -----------------------------------------------------------------------

function Get-AetherVm {
    # The VM with this GUID on this host, never by name; VM_NOT_FOUND otherwise.
    param([AllowNull()] [object] $Id)
    $guid = ConvertTo-AgentGuid -Value $Id -Name 'vmId'
    try {
        $vm = Get-VM -Id $guid -ErrorAction Stop
    } catch {
        # Get-VM -Id reports a missing VM with an error whose category varies between Windows
        # versions; confirm the VM is really absent before saying so, else keep the error.
        $failure = $_
        if (@(Get-VM -ErrorAction Stop | Where-Object { $_.Id -eq $guid }).Count -gt 0) {
            throw $failure
        }
        $vm = $null
    }
    if ($null -eq $vm) {
        throw (New-AgentError -Code 'VM_NOT_FOUND' -Message "No virtual machine with id $guid on this host.")
    }
    return $vm
}

function ConvertTo-AgentVmState {
    # Hyper-V VMState -> the schema's vmState names (critical/fast variants folded, the rest Other).
    param([AllowNull()] [object] $State)
    $name = [string]$State
    switch -Regex ($name) {
        '^(Running|Off|Saved|Paused|Starting|Stopping|Saving|Pausing|Resuming|Reset)$' { return $name }
        '^(Running|Off|Saved|Paused|Starting|Stopping|Saving|Pausing|Resuming|Reset)Critical$' { return $Matches[1] }
        '^FastSaved' { return 'Saved' }
        '^FastSaving' { return 'Saving' }
        '^Hibernated' { return 'Saved' }
    }
    return 'Other'
}

function Get-AgentVolumeFreeBytes {
    # Free space of the volume holding $Path, including mount points such as C:\ClusterStorage\Volume1.
    param([Parameter(Mandatory = $true)] [string] $Path)
    # $Path is absolute (Assert-AgentAbsolutePath); compared with the volume names in '\' form
    # ([IO.Path]::GetFullPath would prefix the working directory to a C:/... path on Linux).
    $full = (ConvertTo-AgentComparablePath -Path $Path) + '\'
    if ($full.StartsWith('\\')) {
        return $null
    }
    $best = $null
    foreach ($volume in @(Get-CimInstance -ClassName Win32_Volume -ErrorAction Stop)) {
        $name = [string]$volume.Name
        if ([string]::IsNullOrEmpty($name) -or $null -eq $volume.FreeSpace) {
            continue
        }
        if ($full.StartsWith($name, [System.StringComparison]::OrdinalIgnoreCase) -and
            ($null -eq $best -or $name.Length -gt ([string]$best.Name).Length)) {
            $best = $volume
        }
    }
    if ($null -eq $best) {
        return $null
    }
    return [long]$best.FreeSpace
}
