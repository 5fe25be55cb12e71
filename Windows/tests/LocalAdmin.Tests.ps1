# AetherV.LocalAdmin against Microsoft.PowerShell.LocalAccounts, which PowerShell on Linux does not
# have: its cmdlets are the signature stubs of Stubs/AetherV.WindowsStubs.psm1 (real parameter
# names and sets), mocked here, so a call the real cmdlet would refuse fails the test.
BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Stubs/AetherV.WindowsStubs.psm1') -Force
    Import-Module -Name (Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules/AetherV.LocalAdmin.psm1') -Force
    if (-not ('Microsoft.PowerShell.Commands.MemberExistsException' -as [type])) {
        # What Add-LocalGroupMember throws for an existing member (Windows-only assembly).
        Add-Type -TypeDefinition 'namespace Microsoft.PowerShell.Commands { public class MemberExistsException : System.Exception { public MemberExistsException(string m) : base(m) { } } }'
    }

    function ConvertTo-Plain([securestring]$Secret) {
        return [System.Net.NetworkCredential]::new('', $Secret).Password
    }
}

Describe 'Set-GuestLocalAdministrator' {
    BeforeEach {
        $script:password = ConvertTo-SecureString -String 'S3cret-Adm1n!' -AsPlainText -Force
        $script:administrators = [pscustomobject]@{ Name = 'Administrateurs'; SID = 'S-1-5-32-544' }
        $script:created = [pscustomobject]@{ Name = 'ops'; SID = 'S-1-5-21-1-2-3-1001' }
        Mock -ModuleName AetherV.LocalAdmin Get-LocalUser { @([pscustomobject]@{ Name = 'Administrator' }, [pscustomobject]@{ Name = 'Guest' }) }
        Mock -ModuleName AetherV.LocalAdmin New-LocalUser { $script:created }
        Mock -ModuleName AetherV.LocalAdmin Set-LocalUser { }
        Mock -ModuleName AetherV.LocalAdmin Enable-LocalUser { }
        Mock -ModuleName AetherV.LocalAdmin Get-LocalGroup { $script:administrators }
        Mock -ModuleName AetherV.LocalAdmin Add-LocalGroupMember { }
    }

    It 'creates a missing account with its password, never expiring, and adds it to Administrators found by SID' {
        Set-GuestLocalAdministrator -UserName 'ops' -Password $script:password
        Should -Invoke -ModuleName AetherV.LocalAdmin New-LocalUser -Times 1 -Exactly -ParameterFilter {
            $Name -eq 'ops' -and (ConvertTo-Plain $Password) -eq 'S3cret-Adm1n!' -and $PasswordNeverExpires -and $AccountNeverExpires
        }
        Should -Invoke -ModuleName AetherV.LocalAdmin Set-LocalUser -Times 0 -Exactly
        Should -Invoke -ModuleName AetherV.LocalAdmin Get-LocalGroup -Times 1 -Exactly -ParameterFilter { [string]$SID[0] -eq 'S-1-5-32-544' }
        Should -Invoke -ModuleName AetherV.LocalAdmin Add-LocalGroupMember -Times 1 -Exactly -ParameterFilter {
            $Group.Name -eq 'Administrateurs' -and $Member[0].Name -eq 'ops'
        }
    }

    It 'updates an existing account (name compared case-insensitively): password, never expiring, enabled' {
        $existing = [pscustomobject]@{ Name = 'OPS'; SID = 'S-1-5-21-1-2-3-1002' }
        Mock -ModuleName AetherV.LocalAdmin Get-LocalUser { @([pscustomobject]@{ Name = 'Administrator' }, $existing) }
        Set-GuestLocalAdministrator -UserName 'ops' -Password $script:password
        Should -Invoke -ModuleName AetherV.LocalAdmin New-LocalUser -Times 0 -Exactly
        Should -Invoke -ModuleName AetherV.LocalAdmin Set-LocalUser -Times 1 -Exactly -ParameterFilter {
            $InputObject.Name -eq 'OPS' -and (ConvertTo-Plain $Password) -eq 'S3cret-Adm1n!' -and $PasswordNeverExpires -eq $true -and $AccountNeverExpires
        }
        Should -Invoke -ModuleName AetherV.LocalAdmin Enable-LocalUser -Times 1 -Exactly -ParameterFilter { $InputObject[0].Name -eq 'OPS' }
        Should -Invoke -ModuleName AetherV.LocalAdmin Add-LocalGroupMember -Times 1 -Exactly -ParameterFilter { $Member[0].Name -eq 'OPS' }
    }

    It 'accepts an account that is already an administrator' {
        Mock -ModuleName AetherV.LocalAdmin Add-LocalGroupMember { throw [Microsoft.PowerShell.Commands.MemberExistsException]::new('ops is already a member of Administrators') }
        { Set-GuestLocalAdministrator -UserName 'ops' -Password $script:password } | Should -Not -Throw
    }

    It 'fails on any other error adding the member' {
        Mock -ModuleName AetherV.LocalAdmin Add-LocalGroupMember { throw [System.UnauthorizedAccessException]::new('access denied') }
        { Set-GuestLocalAdministrator -UserName 'ops' -Password $script:password } | Should -Throw '*access denied*'
    }

    It 'refuses a name longer than the 20 characters of a Windows account, before touching any account' {
        { Set-GuestLocalAdministrator -UserName ('a' * 21) -Password $script:password } | Should -Throw '*20 characters*'
        Should -Invoke -ModuleName AetherV.LocalAdmin Get-LocalUser -Times 0 -Exactly
    }
}
