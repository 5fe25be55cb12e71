# AetherV.DomainJoin against Add-Computer, Resolve-DnsName and Get-CimInstance, which PowerShell
# on Linux does not have: signature stubs from Stubs/ (Add-Computer's -Options typed as the real
# JoinOptions flags, so only documented option names convert), mocked. DPAPI (ProtectedData) is
# Windows-only too and is not exercised here.
BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Stubs/AetherV.WindowsStubs.psm1') -Force
    Import-Module -Name (Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules/AetherV.DomainJoin.psm1') -Force
    $script:password = ConvertTo-SecureString -String 'J0in-Secr3t' -AsPlainText -Force
}

Describe 'Join-GuestDomain' {
    BeforeEach {
        Mock -ModuleName AetherV.DomainJoin Add-Computer { }
        $script:credential = New-DomainJoinCredential -Domain 'corp.example' -UserName 'joiner' -Password $script:password
    }

    It 'joins with the OU and the new name in one Add-Computer call (AccountCreate, JoinWithNewName)' {
        Join-GuestDomain -Domain 'corp.example' -Credential $script:credential -OUPath 'OU=Servers,DC=corp,DC=example' -NewName 'web-01'
        Should -Invoke -ModuleName AetherV.DomainJoin Add-Computer -Times 1 -Exactly -ParameterFilter {
            $DomainName -eq 'corp.example' -and $Credential.UserName -eq 'corp.example\joiner' -and $Force -and
            $OUPath -eq 'OU=Servers,DC=corp,DC=example' -and $NewName -eq 'web-01' -and [int]$Options -eq (2 -bor 1024)
        }
    }

    It 'joins without OU and rename when none is asked (AccountCreate only)' {
        Join-GuestDomain -Domain 'corp.example' -Credential $script:credential
        Should -Invoke -ModuleName AetherV.DomainJoin Add-Computer -Times 1 -Exactly -ParameterFilter {
            -not $PesterBoundParameters.ContainsKey('OUPath') -and -not $PesterBoundParameters.ContainsKey('NewName') -and [int]$Options -eq 2
        }
    }

    It 'lets a failed join fail' {
        Mock -ModuleName AetherV.DomainJoin Add-Computer { throw [System.InvalidOperationException]::new('The specified domain either does not exist or could not be contacted.') }
        { Join-GuestDomain -Domain 'corp.example' -Credential $script:credential } | Should -Throw '*could not be contacted*'
    }
}

Describe 'New-DomainJoinCredential' {
    It 'qualifies a bare account name with the domain and keeps DOMAIN\user and UPNs as given' {
        (New-DomainJoinCredential -Domain 'corp.example' -UserName 'joiner' -Password $script:password).UserName | Should -BeExactly 'corp.example\joiner'
        (New-DomainJoinCredential -Domain 'corp.example' -UserName 'CORP\joiner' -Password $script:password).UserName | Should -BeExactly 'CORP\joiner'
        (New-DomainJoinCredential -Domain 'corp.example' -UserName 'joiner@corp.example' -Password $script:password).UserName | Should -BeExactly 'joiner@corp.example'
        $credential = New-DomainJoinCredential -Domain 'corp.example' -UserName 'joiner' -Password $script:password
        $credential.GetNetworkCredential().Password | Should -BeExactly 'J0in-Secr3t'
    }
}

Describe 'Test-GuestDomainMember and Wait-DomainController' {
    It 'is a member only of the domain Win32_ComputerSystem names, compared case-insensitively' {
        $script:system = [pscustomobject]@{ PartOfDomain = $true; Domain = 'CORP.EXAMPLE' }
        Mock -ModuleName AetherV.DomainJoin Get-CimInstance -ParameterFilter { $ClassName -eq 'Win32_ComputerSystem' } { $script:system }
        Test-GuestDomainMember -Domain 'corp.example' | Should -BeTrue
        Test-GuestDomainMember -Domain 'other.example' | Should -BeFalse
        $script:system = [pscustomobject]@{ PartOfDomain = $false; Domain = 'WORKGROUP' }
        Test-GuestDomainMember -Domain 'corp.example' | Should -BeFalse
    }

    It 'finds a domain controller through the _ldap SRV record, over DNS only' {
        Mock -ModuleName AetherV.DomainJoin Resolve-DnsName { @([pscustomobject]@{ QueryType = 'SRV'; NameTarget = 'dc1.corp.example' }) }
        Wait-DomainController -Domain 'corp.example' -TimeoutSeconds 5 -PollSeconds 1 | Should -BeTrue
        Should -Invoke -ModuleName AetherV.DomainJoin Resolve-DnsName -Times 1 -Exactly -ParameterFilter {
            $Name -eq '_ldap._tcp.dc._msdcs.corp.example' -and $Type -eq 'SRV' -and $DnsOnly -and $QuickTimeout
        }
    }

    It 'gives up at its deadline while DNS cannot resolve the record' {
        Mock -ModuleName AetherV.DomainJoin Resolve-DnsName { throw [System.ComponentModel.Win32Exception]::new(9003, 'DNS name does not exist') }
        Mock -ModuleName AetherV.DomainJoin Start-Sleep { }
        Wait-DomainController -Domain 'corp.example' -TimeoutSeconds 1 -PollSeconds 1 | Should -BeFalse
    }
}
