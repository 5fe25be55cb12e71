# Part of AetherV.WindowsStubs.psm1 (dot-sourced there): see that module for what these are.
Set-StrictMode -Version Latest

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
