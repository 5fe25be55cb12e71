# Part of AetherV.WindowsStubs.psm1 (dot-sourced there): see that module for what these are.
Set-StrictMode -Version Latest

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
