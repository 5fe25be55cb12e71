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

# The stubs, one file per area; dot-sourced so that they are this module's functions.
foreach ($part in @('Computer', 'LocalAccounts', 'Networking')) {
    . (Join-Path -Path $PSScriptRoot -ChildPath ('{0}.ps1' -f $part))
}

Export-ModuleMember -Function @(
    'Rename-Computer', 'Add-Computer',
    'Get-LocalUser', 'New-LocalUser', 'Set-LocalUser', 'Enable-LocalUser', 'Get-LocalGroup', 'Add-LocalGroupMember',
    'Get-NetAdapter', 'Get-NetIPAddress', 'New-NetIPAddress', 'Remove-NetIPAddress', 'Get-NetRoute', 'Remove-NetRoute', 'Get-NetIPInterface', 'Set-NetIPInterface',
    'Set-DnsClientServerAddress', 'Set-DnsClient', 'Set-DnsClientGlobalSetting', 'Resolve-DnsName',
    'Get-CimInstance', 'Get-ScheduledTask', 'Unregister-ScheduledTask'
)
