# Test-only signature stubs of the Windows cmdlets the guest agent calls that PowerShell on Linux
# does not have (LocalAccounts, NetAdapter, NetTCPIP, DnsClient, Add-/Rename-Computer, CIM,
# ScheduledTasks). Pester's Mock needs the command to exist and copies its signature, so a call
# with a parameter name, parameter set or value the real cmdlet would refuse fails the test too.
# Parameter names, sets and types follow Microsoft's reference for Windows Server 2022 /
# Windows PowerShell 5.1 (learn.microsoft.com/powershell/module/...; MicrosoftDocs/
# windows-powershell-docs docset/winserver2022-ps). Object types that exist only on Windows
# (LocalUser, LocalGroup, CimInstance; SecurityIdentifier, whose constructor is Windows-only) are
# [object]. Unmocked, every stub throws.
Set-StrictMode -Version Latest

# Microsoft.PowerShell.Commands.JoinOptions (Add-Computer -Options), values as documented; a
# compiled type under its real name, so that the mocks Pester generates resolve it too.
if (-not ('Microsoft.PowerShell.Commands.JoinOptions' -as [type])) {
    Add-Type -TypeDefinition @'
namespace Microsoft.PowerShell.Commands {
    [System.Flags]
    public enum JoinOptions {
        Default = 0, AccountCreate = 2, Win9XUpgrade = 16, UnsecuredJoin = 64, PasswordPass = 128,
        DeferSPNSet = 256, JoinWithNewName = 1024, JoinReadOnly = 2048, InstallInvoke = 262144
    }
}
'@
}

function Stop-Unmocked([string]$Name) {
    throw "$Name is a test stub: mock it"
}

# --- Microsoft.PowerShell.Management ---
function Rename-Computer {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [string]$ComputerName,
        [switch]$PassThru,
        [pscredential]$DomainCredential,
        [pscredential]$LocalCredential,
        [Parameter(Mandatory = $true, Position = 0)][string]$NewName,
        [switch]$Force,
        [switch]$Restart,
        [ValidateSet('Default', 'Basic', 'Negotiate', 'CredSSP', 'Digest', 'Kerberos')][string]$WsmanAuthentication,
        [ValidateSet('DCOM', 'WSMan')][string]$Protocol
    )
    Stop-Unmocked 'Rename-Computer'
}

function Add-Computer {
    [CmdletBinding(DefaultParameterSetName = 'Domain', SupportsShouldProcess = $true)]
    param(
        [string[]]$ComputerName,
        [pscredential]$LocalCredential,
        [Parameter(ParameterSetName = 'Domain')][pscredential]$UnjoinDomainCredential,
        [Parameter(ParameterSetName = 'Domain', Mandatory = $true)][Parameter(ParameterSetName = 'Workgroup')][pscredential]$Credential,
        [Parameter(ParameterSetName = 'Domain', Mandatory = $true, Position = 0)][string]$DomainName,
        [Parameter(ParameterSetName = 'Domain')][string]$OUPath,
        [Parameter(ParameterSetName = 'Domain')][string]$Server,
        [Parameter(ParameterSetName = 'Domain')][switch]$Unsecure,
        [Parameter(ParameterSetName = 'Domain')][Microsoft.PowerShell.Commands.JoinOptions]$Options,
        [Parameter(ParameterSetName = 'Workgroup', Mandatory = $true, Position = 0)][string]$WorkgroupName,
        [switch]$Restart,
        [switch]$PassThru,
        [string]$NewName,
        [switch]$Force
    )
    Stop-Unmocked 'Add-Computer'
}

# --- Microsoft.PowerShell.LocalAccounts ---
function Get-LocalUser {
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    param(
        [Parameter(ParameterSetName = 'Default', Position = 0)][string[]]$Name,
        [Parameter(ParameterSetName = 'SecurityIdentifier', Position = 0)][object[]]$SID
    )
    Stop-Unmocked 'Get-LocalUser'
}

function New-LocalUser {
    [CmdletBinding(DefaultParameterSetName = 'Password', SupportsShouldProcess = $true)]
    param(
        [datetime]$AccountExpires,
        [switch]$AccountNeverExpires,
        [string]$Description,
        [switch]$Disabled,
        [string]$FullName,
        [Parameter(Mandatory = $true, Position = 0)][string]$Name,
        [Parameter(ParameterSetName = 'Password', Mandatory = $true)][securestring]$Password,
        [Parameter(ParameterSetName = 'NoPassword', Mandatory = $true)][switch]$NoPassword,
        [Parameter(ParameterSetName = 'Password')][switch]$PasswordNeverExpires,
        [switch]$UserMayNotChangePassword
    )
    Stop-Unmocked 'New-LocalUser'
}

function Set-LocalUser {
    [CmdletBinding(DefaultParameterSetName = 'Name', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0)][string]$Name,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][object]$InputObject,
        [Parameter(ParameterSetName = 'SecurityIdentifier', Mandatory = $true, Position = 0)][object]$SID,
        [datetime]$AccountExpires,
        [switch]$AccountNeverExpires,
        [string]$Description,
        [string]$FullName,
        [securestring]$Password,
        [bool]$PasswordNeverExpires,
        [bool]$UserMayChangePassword
    )
    Stop-Unmocked 'Set-LocalUser'
}

function Enable-LocalUser {
    [CmdletBinding(DefaultParameterSetName = 'InputObject', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][object[]]$InputObject,
        [Parameter(ParameterSetName = 'Default', Mandatory = $true, Position = 0)][string[]]$Name,
        [Parameter(ParameterSetName = 'SecurityIdentifier', Mandatory = $true, Position = 0)][object[]]$SID
    )
    Stop-Unmocked 'Enable-LocalUser'
}

function Get-LocalGroup {
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    param(
        [Parameter(ParameterSetName = 'Default', Position = 0)][string[]]$Name,
        [Parameter(ParameterSetName = 'SecurityIdentifier', Position = 0)][object[]]$SID
    )
    Stop-Unmocked 'Get-LocalGroup'
}

function Add-LocalGroupMember {
    [CmdletBinding(DefaultParameterSetName = 'Default', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'Group', Mandatory = $true, Position = 0)][object]$Group,
        [Parameter(ParameterSetName = 'Default', Mandatory = $true, Position = 0)][string]$Name,
        [Parameter(ParameterSetName = 'SecurityIdentifier', Mandatory = $true, Position = 0)][object]$SID,
        [Parameter(Mandatory = $true, Position = 1, ValueFromPipeline = $true)][object[]]$Member
    )
    Stop-Unmocked 'Add-LocalGroupMember'
}

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

# --- CimCmdlets (only the ClassName set the agent uses) ---
function Get-CimInstance {
    [CmdletBinding(DefaultParameterSetName = 'ClassNameComputerSet')]
    param(
        [Parameter(ParameterSetName = 'ClassNameComputerSet', Mandatory = $true, Position = 0)][string]$ClassName,
        [string]$Namespace,
        [string]$Filter,
        [string[]]$Property,
        [string[]]$ComputerName,
        [uint32]$OperationTimeoutSec,
        [switch]$Shallow,
        [switch]$KeyOnly
    )
    Stop-Unmocked 'Get-CimInstance'
}

# --- ScheduledTasks (what AetherV.Task.psm1 calls) ---
function Get-ScheduledTask {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)][string[]]$TaskName,
        [Parameter(Position = 1)][string[]]$TaskPath
    )
    Stop-Unmocked 'Get-ScheduledTask'
}

function Unregister-ScheduledTask {
    [CmdletBinding(DefaultParameterSetName = 'TaskName', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(ParameterSetName = 'TaskName', Position = 0)][string[]]$TaskName,
        [Parameter(ParameterSetName = 'TaskName', Position = 1)][string[]]$TaskPath,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, ValueFromPipeline = $true)][object[]]$InputObject,
        [switch]$PassThru
    )
    Stop-Unmocked 'Unregister-ScheduledTask'
}

Export-ModuleMember -Function @(
    'Rename-Computer', 'Add-Computer',
    'Get-LocalUser', 'New-LocalUser', 'Set-LocalUser', 'Enable-LocalUser', 'Get-LocalGroup', 'Add-LocalGroupMember',
    'Get-NetAdapter', 'Get-NetIPAddress', 'New-NetIPAddress', 'Remove-NetIPAddress', 'Get-NetRoute', 'Remove-NetRoute', 'Get-NetIPInterface', 'Set-NetIPInterface',
    'Set-DnsClientServerAddress', 'Set-DnsClient', 'Set-DnsClientGlobalSetting', 'Resolve-DnsName',
    'Get-CimInstance', 'Get-ScheduledTask', 'Unregister-ScheduledTask'
)
