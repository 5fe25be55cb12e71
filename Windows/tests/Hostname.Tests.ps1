# AetherV.Hostname: Rename-Computer is Windows-only (a signature stub from Stubs/, mocked), and the
# pending name comes from the registry, which Linux lacks: the one Get-ItemProperty call on
# HKLM:\...\Tcpip\Parameters is mocked.
BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Stubs/AetherV.WindowsStubs.psm1') -Force
    Import-Module -Name (Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules/AetherV.Hostname.psm1') -Force
}

Describe 'AetherV.Hostname' {
    BeforeEach {
        $script:tcpip = [pscustomobject]@{ 'Hostname' = 'WIN-3J5K2ABC'; 'NV Hostname' = 'WIN-3J5K2ABC' }
        Mock -ModuleName AetherV.Hostname Get-ItemProperty -ParameterFilter { $LiteralPath -eq 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters' } { $script:tcpip }
        Mock -ModuleName AetherV.Hostname Rename-Computer { }
    }

    It 'prefers the pending name (NV Hostname) over the current one' {
        $script:tcpip.'NV Hostname' = 'web-01'
        Get-GuestPendingHostname | Should -BeExactly 'web-01'
        Test-GuestHostnameChange -Name 'WEB-01' | Should -BeFalse
        Test-GuestHostnameChange -Name 'web-02' | Should -BeTrue
    }

    It 'renames a workgroup computer with Rename-Computer -NewName -Force and says a restart is needed' {
        Set-GuestHostname -Name 'web-01' | Should -BeTrue
        Should -Invoke -ModuleName AetherV.Hostname Rename-Computer -Times 1 -Exactly -ParameterFilter {
            $NewName -eq 'web-01' -and $Force -and $null -eq $DomainCredential
        }
    }

    It 'renames a domain member with its domain credential' {
        $credential = [pscredential]::new('corp.example\joiner', (ConvertTo-SecureString -String 'x' -AsPlainText -Force))
        Set-GuestHostname -Name 'web-01' -DomainCredential $credential | Should -BeTrue
        Should -Invoke -ModuleName AetherV.Hostname Rename-Computer -Times 1 -Exactly -ParameterFilter { $DomainCredential.UserName -eq 'corp.example\joiner' }
    }

    It 'does nothing when the name is already the one asked for (case-insensitively)' {
        Set-GuestHostname -Name 'win-3j5k2abc' | Should -BeFalse
        Should -Invoke -ModuleName AetherV.Hostname Rename-Computer -Times 0 -Exactly
    }
}
