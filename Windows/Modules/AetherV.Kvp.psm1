# The guest side of the Hyper-V KVP exchange, through the registry the integration service keeps
# (DESIGN section 5): host -> guest items are values under ...\Virtual Machine\External, guest -> host
# items are REG_SZ values under ...\Virtual Machine\Guest. The 64-bit registry view is opened
# explicitly so that a 32-bit PowerShell host could not read a redirected, empty key.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:ExternalKeyPath = 'SOFTWARE\Microsoft\Virtual Machine\External'
$script:GuestKeyPath = 'SOFTWARE\Microsoft\Virtual Machine\Guest'
# KVP values are NUL-padded on some paths; the protocol's values never contain NUL or spaces
# at either end.
$script:TrimCharacters = [char[]]@([char]0, [char]' ', [char]"`t", [char]"`r", [char]"`n")

function Open-KvpKey {
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [switch]$Writable
    )
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        if ($Writable) {
            return $base.CreateSubKey($Path)
        }
        return $base.OpenSubKey($Path, $false)
    }
    finally {
        $base.Dispose()
    }
}

# The trimmed string value $Name under the KVP registry key $Path; $null when absent.
function Read-KvpValue {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][string]$Name
    )
    $key = Open-KvpKey -Path $Path
    if ($null -eq $key) {
        return $null
    }
    try {
        $value = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    }
    finally {
        $key.Dispose()
    }
    if ($null -eq $value) {
        return $null
    }
    return ([string]$value).Trim($script:TrimCharacters)
}

# The value of a host item, trimmed; $null while the host has not written it.
function Get-KvpHostItem {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name
    )
    return Read-KvpValue -Path $script:ExternalKeyPath -Name $Name
}

function Set-KvpGuestItem {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Value
    )
    $key = Open-KvpKey -Path $script:GuestKeyPath -Writable
    try {
        $key.SetValue($Name, $Value, [Microsoft.Win32.RegistryValueKind]::String)
    }
    finally {
        $key.Dispose()
    }
}

function Remove-KvpGuestItem {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name
    )
    $key = Open-KvpKey -Path $script:GuestKeyPath -Writable
    try {
        $key.DeleteValue($Name, $false)
    }
    finally {
        $key.Dispose()
    }
}

function Get-KvpGuestItem {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name
    )
    return Read-KvpValue -Path $script:GuestKeyPath -Name $Name
}

# Polls a host item until it has a non-empty value or the deadline passes ($null then).
function Wait-KvpHostItem {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][ValidateRange(1, 604800)][int]$TimeoutSeconds,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$PollSeconds
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $value = Get-KvpHostItem -Name $Name
        if (-not [string]::IsNullOrEmpty($value)) {
            return $value
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            return $null
        }
        Start-Sleep -Seconds $PollSeconds
    }
}

# Polls aetherv.host.state until it equals $State; $false when the deadline passes first.
function Wait-KvpHostState {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateSet('awaiting-key', 'payload-published')][string]$State,
        [Parameter(Mandatory = $true)][ValidateRange(1, 604800)][int]$TimeoutSeconds,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$PollSeconds
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $current = Get-KvpHostItem -Name 'aetherv.host.state'
        if ($current -ceq $State) {
            return $true
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            return $false
        }
        Start-Sleep -Seconds $PollSeconds
    }
}

function Get-KvpHostState {
    [CmdletBinding()]
    param()
    return Get-KvpHostItem -Name 'aetherv.host.state'
}

function Set-KvpGuestState {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateSet('awaiting-payload', 'applying', 'applied', 'failed')][string]$State
    )
    Set-KvpGuestItem -Name 'aetherv.guest.state' -Value $State
}

function Get-KvpGuestState {
    [CmdletBinding()]
    param()
    return Get-KvpGuestItem -Name 'aetherv.guest.state'
}

# The error summary is written before the 'failed' state so that a host seeing 'failed' can
# always read why.
function Set-KvpGuestError {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateLength(1, 200)][string]$Summary
    )
    Set-KvpGuestItem -Name 'aetherv.guest.error' -Value $Summary
}

function Set-KvpGuestPublicKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Jwk
    )
    Set-KvpGuestItem -Name 'aetherv.guest.pubkey' -Value $Jwk
}

function Set-KvpGuestVersion {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Version
    )
    Set-KvpGuestItem -Name 'aetherv.guest.version' -Value $Version
}

function Set-KvpGuestIPv4 {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Address
    )
    Set-KvpGuestItem -Name 'aetherv.guest.ipv4' -Value $Address
}

# Removes what a previous run (or a golden image captured from a provisioned VM) left in the
# guest pool, so the host never mistakes an old state for this run's.
function Clear-KvpGuestItems {
    [CmdletBinding()]
    param()
    foreach ($name in @('aetherv.guest.state', 'aetherv.guest.error', 'aetherv.guest.pubkey', 'aetherv.guest.ipv4', 'aetherv.guest.version')) {
        Remove-KvpGuestItem -Name $name
    }
}

function Get-KvpHostVersion {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateRange(1, 604800)][int]$TimeoutSeconds,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$PollSeconds
    )
    return Wait-KvpHostItem -Name 'aetherv.version' -TimeoutSeconds $TimeoutSeconds -PollSeconds $PollSeconds
}

function Get-KvpWrappedKey {
    [CmdletBinding()]
    param()
    return Get-KvpHostItem -Name 'aetherv.key'
}

# Reassembles aetherv.payload.0 .. count-1. The host writes every chunk before
# 'payload-published', but the integration service delivers items asynchronously, so a missing
# chunk is waited for (bounded) before the payload is declared unreadable. Returns Text (the
# joined chunks, $null when unreadable) and Problem ('count' or 'chunk' when unreadable).
function Get-KvpPayload {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$TimeoutSeconds,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$PollSeconds,
        [ValidateRange(1, 4096)][int]$MaxChunks = 256
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $assembled = Read-KvpPayloadOnce -MaxChunks $MaxChunks
        if ($null -eq $assembled.Problem -or $clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            return $assembled
        }
        Start-Sleep -Seconds $PollSeconds
    }
}

function Read-KvpPayloadOnce {
    param(
        [Parameter(Mandatory = $true)][int]$MaxChunks
    )
    $countText = Get-KvpHostItem -Name 'aetherv.payload.count'
    if ([string]::IsNullOrEmpty($countText) -or $countText -notmatch '^[0-9]{1,4}$') {
        return [pscustomobject]@{ Text = $null; Problem = 'count' }
    }
    $count = [int]::Parse($countText, [System.Globalization.CultureInfo]::InvariantCulture)
    if ($count -lt 1 -or $count -gt $MaxChunks) {
        return [pscustomobject]@{ Text = $null; Problem = 'count' }
    }
    $builder = [System.Text.StringBuilder]::new()
    for ($index = 0; $index -lt $count; $index++) {
        $chunk = Get-KvpHostItem -Name ('aetherv.payload.{0}' -f $index)
        if ([string]::IsNullOrEmpty($chunk)) {
            return [pscustomobject]@{ Text = $null; Problem = 'chunk' }
        }
        [void]$builder.Append($chunk)
    }
    return [pscustomobject]@{ Text = $builder.ToString(); Problem = $null }
}

Export-ModuleMember -Function @(
    'Get-KvpHostItem', 'Get-KvpHostState', 'Wait-KvpHostItem', 'Wait-KvpHostState', 'Get-KvpHostVersion', 'Get-KvpWrappedKey', 'Get-KvpPayload',
    'Set-KvpGuestItem', 'Get-KvpGuestItem', 'Remove-KvpGuestItem', 'Set-KvpGuestState', 'Get-KvpGuestState', 'Set-KvpGuestError',
    'Set-KvpGuestPublicKey', 'Set-KvpGuestVersion', 'Set-KvpGuestIPv4', 'Clear-KvpGuestItems'
)
