# IPv4 and DNS of the VM's network adapter.
# Which adapter: the one whose MAC address the orchestrator put in the configuration
# (network.macAddress: the VM's first NIC as Hyper-V reports it). Without one (an older
# orchestrator, or no NIC known), the first physical adapter that is Up, ordered by interface
# index: usually, but not always, the VM's first NIC. Either way the choice is the same on every
# run (the domain-join retry after a restart finds the same adapter).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Get-GuestPrimaryAdapter {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateRange(0, 86400)][int]$TimeoutSeconds,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$PollSeconds,
        # 12 hex digits as Hyper-V reports them; Get-NetAdapter writes 00-15-5D-0A-0B-0C.
        [AllowNull()][AllowEmptyString()][ValidatePattern('^([0-9A-Fa-f]{12})?$')][string]$MacAddress
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $adapters = @(Get-NetAdapter -Physical -ErrorAction Stop | Where-Object { $_.Status -eq 'Up' } | Sort-Object -Property InterfaceIndex)
        if (-not [string]::IsNullOrEmpty($MacAddress)) {
            $adapters = @($adapters | Where-Object { [string]::Equals(([string]$_.MacAddress -replace '[-:]', ''), $MacAddress, [System.StringComparison]::OrdinalIgnoreCase) })
        }
        if ($adapters.Count -gt 0) {
            return $adapters[0]
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            if (-not [string]::IsNullOrEmpty($MacAddress)) {
                throw [System.TimeoutException]::new(('no network adapter with MAC address {0} came up' -f $MacAddress))
            }
            throw [System.TimeoutException]::new('no physical network adapter came up')
        }
        Start-Sleep -Seconds $PollSeconds
    }
}

function Get-AdapterIPv4Address {
    param(
        [Parameter(Mandatory = $true)][int]$InterfaceIndex
    )
    # Unfiltered on purpose: Get-NetIPAddress throws instead of returning nothing when a filter
    # matches no address; the loopback address always exists.
    return @(Get-NetIPAddress -AddressFamily IPv4 -ErrorAction Stop | Where-Object { $_.InterfaceIndex -eq $InterfaceIndex })
}

# Removes the adapter's IPv4 addresses and default routes. One that disappears on its own
# meanwhile (a DHCP lease dropped when DHCP was just disabled) is already where it should be.
function Remove-AdapterIPv4Configuration {
    param(
        [Parameter(Mandatory = $true)][int]$InterfaceIndex
    )
    foreach ($address in @(Get-AdapterIPv4Address -InterfaceIndex $InterfaceIndex)) {
        try {
            Remove-NetIPAddress -InputObject $address -Confirm:$false -ErrorAction Stop
        }
        catch {
            if ($_.CategoryInfo.Category -ne [System.Management.Automation.ErrorCategory]::ObjectNotFound) {
                throw
            }
        }
    }
    $defaultRoutes = @(Get-NetRoute -AddressFamily IPv4 -ErrorAction Stop | Where-Object { $_.InterfaceIndex -eq $InterfaceIndex -and $_.DestinationPrefix -eq '0.0.0.0/0' })
    foreach ($route in $defaultRoutes) {
        try {
            Remove-NetRoute -InputObject $route -Confirm:$false -ErrorAction Stop
        }
        catch {
            if ($_.CategoryInfo.Category -ne [System.Management.Automation.ErrorCategory]::ObjectNotFound) {
                throw
            }
        }
    }
}

function Set-GuestStaticIPv4 {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][int]$InterfaceIndex,
        [Parameter(Mandatory = $true)][string]$Address,
        [Parameter(Mandatory = $true)][ValidateRange(1, 32)][int]$PrefixLength,
        [Parameter(Mandatory = $true)][string]$Gateway
    )
    $current = @(Get-AdapterIPv4Address -InterfaceIndex $InterfaceIndex | Where-Object { $_.IPAddress -eq $Address -and $_.PrefixLength -eq $PrefixLength -and $_.PrefixOrigin -eq 'Manual' })
    $gatewayRoutes = @(Get-NetRoute -AddressFamily IPv4 -ErrorAction Stop | Where-Object { $_.InterfaceIndex -eq $InterfaceIndex -and $_.DestinationPrefix -eq '0.0.0.0/0' -and $_.NextHop -eq $Gateway })
    if ($current.Count -gt 0 -and $gatewayRoutes.Count -gt 0) {
        return
    }
    Set-NetIPInterface -InterfaceIndex $InterfaceIndex -AddressFamily IPv4 -Dhcp Disabled -ErrorAction Stop
    Remove-AdapterIPv4Configuration -InterfaceIndex $InterfaceIndex
    $null = New-NetIPAddress -InterfaceIndex $InterfaceIndex -AddressFamily IPv4 -IPAddress $Address -PrefixLength $PrefixLength -DefaultGateway $Gateway -ErrorAction Stop
}

function Set-GuestDhcpIPv4 {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][int]$InterfaceIndex
    )
    $interface = Get-NetIPInterface -InterfaceIndex $InterfaceIndex -AddressFamily IPv4 -ErrorAction Stop
    if ($interface.Dhcp -eq 'Enabled') {
        return
    }
    Remove-AdapterIPv4Configuration -InterfaceIndex $InterfaceIndex
    Set-NetIPInterface -InterfaceIndex $InterfaceIndex -AddressFamily IPv4 -Dhcp Enabled -ErrorAction Stop
}

# DNS servers replace the adapter's (including DHCP-offered ones); without servers, a DHCP
# adapter goes back to what DHCP offers. The search suffix becomes both the adapter's
# connection-specific suffix and the global search list.
function Set-GuestDns {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][int]$InterfaceIndex,
        [AllowEmptyCollection()][string[]]$Servers = @(),
        [AllowNull()][string]$SearchSuffix = $null,
        [switch]$Dhcp
    )
    if (@($Servers).Count -gt 0) {
        Set-DnsClientServerAddress -InterfaceIndex $InterfaceIndex -ServerAddresses $Servers -ErrorAction Stop
    }
    elseif ($Dhcp) {
        Set-DnsClientServerAddress -InterfaceIndex $InterfaceIndex -ResetServerAddresses -ErrorAction Stop
    }
    if (-not [string]::IsNullOrEmpty($SearchSuffix)) {
        Set-DnsClient -InterfaceIndex $InterfaceIndex -ConnectionSpecificSuffix $SearchSuffix -ErrorAction Stop
        Set-DnsClientGlobalSetting -SuffixSearchList @($SearchSuffix) -ErrorAction Stop
    }
}

# The adapter's usable IPv4 address (preferred, not link-local), waiting for duplicate address
# detection or DHCP up to the deadline; $null when none appears.
function Get-GuestIPv4Address {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][int]$InterfaceIndex,
        [Parameter(Mandatory = $true)][ValidateRange(0, 86400)][int]$TimeoutSeconds,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$PollSeconds
    )
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $usable = @(Get-AdapterIPv4Address -InterfaceIndex $InterfaceIndex | Where-Object { $_.AddressState -eq 'Preferred' -and -not $_.IPAddress.StartsWith('169.254.') } | Sort-Object -Property IPAddress)
        if ($usable.Count -gt 0) {
            return [string]$usable[0].IPAddress
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            return $null
        }
        Start-Sleep -Seconds $PollSeconds
    }
}

Export-ModuleMember -Function @('Get-GuestPrimaryAdapter', 'Set-GuestStaticIPv4', 'Set-GuestDhcpIPv4', 'Set-GuestDns', 'Get-GuestIPv4Address')
