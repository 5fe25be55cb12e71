# Part of AetherV.WindowsStubs.psm1 (dot-sourced there): see that module for what these are.
Set-StrictMode -Version Latest

# --- NetAdapter, NetTCPIP ---
function Get-NetAdapter {
    [CmdletBinding(DefaultParameterSetName = 'ByName')]
    param(
        [Parameter(ParameterSetName = 'ByName', Position = 0)][string[]]$Name,
        [Parameter(ParameterSetName = 'ByInstanceID')][string[]]$InterfaceDescription,
        [Parameter(ParameterSetName = 'ByIfIndex')][uint32[]]$InterfaceIndex,
        [switch]$IncludeHidden,
        [switch]$Physical,
        [object[]]$CimSession,
        [int]$ThrottleLimit,
        [switch]$AsJob
    )
    Stop-Unmocked 'Get-NetAdapter'
}

function Get-NetIPAddress {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)][string[]]$IPAddress,
        [uint32[]]$InterfaceIndex,
        [string[]]$InterfaceAlias,
        [ValidateSet('IPv4', 'IPv6')][string[]]$AddressFamily,
        [string[]]$Type,
        [byte[]]$PrefixLength,
        [string[]]$PrefixOrigin,
        [string[]]$SuffixOrigin,
        [string[]]$AddressState,
        [string]$PolicyStore,
        [switch]$IncludeAllCompartments
    )
    Stop-Unmocked 'Get-NetIPAddress'
}

function New-NetIPAddress {
    [CmdletBinding(DefaultParameterSetName = 'ByInterfaceIndex', SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true, Position = 0)][string]$IPAddress,
        [Parameter(ParameterSetName = 'ByInterfaceAlias', Mandatory = $true)][string]$InterfaceAlias,
        [Parameter(ParameterSetName = 'ByInterfaceIndex', Mandatory = $true)][uint32]$InterfaceIndex,
        [string]$DefaultGateway,
        [ValidateSet('IPv4', 'IPv6')][string]$AddressFamily,
        [ValidateSet('Unicast', 'Anycast')][string]$Type,
        [byte]$PrefixLength,
        [timespan]$ValidLifetime,
        [timespan]$PreferredLifetime,
        [bool]$SkipAsSource,
        [string]$PolicyStore
    )
    Stop-Unmocked 'New-NetIPAddress'
}

function Remove-NetIPAddress {
    [CmdletBinding(DefaultParameterSetName = 'Query', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(ParameterSetName = 'Query', Position = 0)][string[]]$IPAddress,
        [Parameter(ParameterSetName = 'Query')][uint32[]]$InterfaceIndex,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, ValueFromPipeline = $true)][object[]]$InputObject,
        [string]$DefaultGateway,
        [switch]$PassThru
    )
    Stop-Unmocked 'Remove-NetIPAddress'
}

function Get-NetRoute {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)][string[]]$DestinationPrefix,
        [uint32[]]$InterfaceIndex,
        [string[]]$InterfaceAlias,
        [string[]]$NextHop,
        [ValidateSet('IPv4', 'IPv6')][string[]]$AddressFamily,
        [string]$PolicyStore,
        [switch]$IncludeAllCompartments
    )
    Stop-Unmocked 'Get-NetRoute'
}

function Remove-NetRoute {
    [CmdletBinding(DefaultParameterSetName = 'ByName', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(ParameterSetName = 'ByName', Position = 0)][string[]]$DestinationPrefix,
        [Parameter(ParameterSetName = 'ByName')][uint32[]]$InterfaceIndex,
        [Parameter(ParameterSetName = 'ByName')][string[]]$NextHop,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, ValueFromPipeline = $true)][object[]]$InputObject,
        [switch]$PassThru
    )
    Stop-Unmocked 'Remove-NetRoute'
}

function Get-NetIPInterface {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)][string[]]$InterfaceAlias,
        [uint32[]]$InterfaceIndex,
        [ValidateSet('IPv4', 'IPv6')][string[]]$AddressFamily,
        [ValidateSet('Disabled', 'Enabled')][string[]]$Dhcp,
        [string]$PolicyStore,
        [switch]$IncludeAllCompartments
    )
    Stop-Unmocked 'Get-NetIPInterface'
}

function Set-NetIPInterface {
    [CmdletBinding(DefaultParameterSetName = 'ByName', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'ByName')][uint32[]]$InterfaceIndex,
        [Parameter(ParameterSetName = 'ByName', Position = 0)][string[]]$InterfaceAlias,
        [Parameter(ParameterSetName = 'ByName')][ValidateSet('IPv4', 'IPv6')][string[]]$AddressFamily,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, ValueFromPipeline = $true)][object[]]$InputObject,
        [ValidateSet('Disabled', 'Enabled')][string]$Dhcp,
        [uint32]$InterfaceMetric,
        [uint32]$NlMtuBytes,
        [switch]$PassThru
    )
    Stop-Unmocked 'Set-NetIPInterface'
}

# --- DnsClient ---
function Set-DnsClientServerAddress {
    [CmdletBinding(DefaultParameterSetName = 'ByName', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'ByName', Mandatory = $true, Position = 0)][string[]]$InterfaceAlias,
        [Parameter(ParameterSetName = 'ByIndex', Mandatory = $true)][uint32[]]$InterfaceIndex,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, ValueFromPipeline = $true)][object[]]$InputObject,
        [string[]]$ServerAddresses,
        [switch]$Validate,
        [switch]$ResetServerAddresses,
        [switch]$PassThru
    )
    Stop-Unmocked 'Set-DnsClientServerAddress'
}

function Set-DnsClient {
    [CmdletBinding(DefaultParameterSetName = 'ByName', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'ByName', Mandatory = $true, Position = 0)][string[]]$InterfaceAlias,
        [Parameter(ParameterSetName = 'ByIndex', Mandatory = $true)][uint32[]]$InterfaceIndex,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, ValueFromPipeline = $true)][object[]]$InputObject,
        [string]$ConnectionSpecificSuffix,
        [bool]$RegisterThisConnectionsAddress,
        [bool]$UseSuffixWhenRegistering,
        [switch]$ResetConnectionSpecificSuffix,
        [switch]$PassThru
    )
    Stop-Unmocked 'Set-DnsClient'
}

function Set-DnsClientGlobalSetting {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [string[]]$SuffixSearchList,
        [bool]$UseDevolution,
        [uint32]$DevolutionLevel,
        [switch]$PassThru
    )
    Stop-Unmocked 'Set-DnsClientGlobalSetting'
}

function Resolve-DnsName {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)][string]$Name,
        [Parameter(Position = 1)][ValidateSet('A', 'AAAA', 'A_AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT', 'ANY', 'ALL')][string]$Type,
        [string[]]$Server,
        [switch]$DnsOnly,
        [switch]$CacheOnly,
        [switch]$DnssecOk,
        [switch]$DnssecCd,
        [switch]$NoHostsFile,
        [switch]$LlmnrNetbiosOnly,
        [switch]$LlmnrFallback,
        [switch]$LlmnrOnly,
        [switch]$NetbiosFallback,
        [switch]$NoIdn,
        [switch]$NoRecursion,
        [switch]$QuickTimeout,
        [switch]$TcpOnly
    )
    Stop-Unmocked 'Resolve-DnsName'
}
