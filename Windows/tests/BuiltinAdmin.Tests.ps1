# Issue 16 item 2: after OOBE, SetupComplete.cmd replaces the built-in Administrator's
# throw-away password (unattend.xml) with a random one. Microsoft.PowerShell.LocalAccounts is
# Windows-only: the stubs below, with its real parameter names, exist only so Mock can replace them.

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not (Get-Command -Name 'Get-LocalUser' -ErrorAction SilentlyContinue)) {
        function global:Get-LocalUser { [CmdletBinding()] param([string[]] $Name, [object[]] $SID) throw 'stub: mock me' }
    }
    if (-not (Get-Command -Name 'Set-LocalUser' -ErrorAction SilentlyContinue)) {
        function global:Set-LocalUser { [CmdletBinding()] param([object] $InputObject, [string] $Name, [System.Security.SecureString] $Password) throw 'stub: mock me' }
    }
    Import-Module -Name (Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules/AetherV.BuiltinAdmin.psm1') -Force
}

Describe 'Reset-GuestBuiltinAdministratorPassword' {
    BeforeEach {
        $script:given = [System.Collections.Generic.List[string]]::new()
        # Localised name on purpose: the account is found by its RID, 500.
        Mock -ModuleName AetherV.BuiltinAdmin Get-LocalUser {
            @([pscustomobject]@{ Name = 'ops'; SID = 'S-1-5-21-1004336348-1177238915-682003330-1001' },
                [pscustomobject]@{ Name = 'Administrateur'; SID = 'S-1-5-21-1004336348-1177238915-682003330-500' })
        }
        Mock -ModuleName AetherV.BuiltinAdmin Set-LocalUser {
            $plain = [System.Net.NetworkCredential]::new('', $Password).Password
            $script:given.Add($InputObject.Name + '|' + $plain)
        }
    }

    It 'gives the RID-500 account a fresh random password, different every time, and returns only its name' {
        $output = @(Reset-GuestBuiltinAdministratorPassword)
        $null = Reset-GuestBuiltinAdministratorPassword
        $output | Should -Be @('Administrateur')
        $script:given.Count | Should -Be 2
        $first = $script:given[0].Split('|', 2)
        $second = $script:given[1].Split('|', 2)
        $first[0] | Should -Be 'Administrateur'
        $first[1].Length | Should -BeGreaterOrEqual 32
        $first[1] | Should -Match '[A-Z]' -Because 'complexity: upper case'
        $first[1] | Should -Match '[0-9]' -Because 'complexity: a digit'
        $first[1] | Should -Not -Be $second[1]
        $first[1] | Should -Not -Match 'AETHERV' -Because 'never the build token'
    }

    It 'fails when there is no built-in Administrator' {
        Mock -ModuleName AetherV.BuiltinAdmin Get-LocalUser { @([pscustomobject]@{ Name = 'ops'; SID = 'S-1-5-21-1-2-3-1001' }) }
        { Reset-GuestBuiltinAdministratorPassword } | Should -Throw '*RID 500*'
        Should -Invoke -ModuleName AetherV.BuiltinAdmin Set-LocalUser -Times 0 -Exactly
    }
}
