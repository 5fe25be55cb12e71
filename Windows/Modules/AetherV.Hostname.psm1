# The computer's name. A rename takes effect at the next restart; when the guest also joins a
# domain, the rename is done by the join itself (Add-Computer -NewName, see AetherV.DomainJoin)
# so that the computer account is created once, under its final name.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The DNS host name Windows will use after the next restart ('NV Hostname' holds a pending
# rename; 'Hostname' the current one).
function Get-GuestPendingHostname {
    [CmdletBinding()]
    param()
    $parameters = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters' -ErrorAction Stop
    foreach ($name in @('NV Hostname', 'Hostname')) {
        $property = $parameters.PSObject.Properties[$name]
        if ($null -ne $property -and -not [string]::IsNullOrEmpty([string]$property.Value)) {
            return [string]$property.Value
        }
    }
    return [System.Net.Dns]::GetHostName()
}

function Test-GuestHostnameChange {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name
    )
    $pending = Get-GuestPendingHostname
    return (-not [string]::Equals($pending, $Name, [System.StringComparison]::OrdinalIgnoreCase))
}

# Renames a workgroup computer (or a domain member, with the domain credential); returns $true
# when a restart is needed.
function Set-GuestHostname {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Name,
        [System.Management.Automation.PSCredential]$DomainCredential = $null
    )
    if (-not (Test-GuestHostnameChange -Name $Name)) {
        return $false
    }
    $arguments = @{
        NewName       = $Name
        Force         = $true
        ErrorAction   = 'Stop'
        WarningAction = 'SilentlyContinue'
    }
    if ($null -ne $DomainCredential) {
        $arguments['DomainCredential'] = $DomainCredential
    }
    Rename-Computer @arguments
    return $true
}

Export-ModuleMember -Function @('Get-GuestPendingHostname', 'Test-GuestHostnameChange', 'Set-GuestHostname')
