# AetherV.Network's static IPv4, DHCP and DNS steps against the NetTCPIP and DnsClient cmdlets,
# which PowerShell on Linux does not have: signature stubs from Stubs/ (real parameter names and
# sets), mocked. Which adapter is chosen (Get-GuestPrimaryAdapter) is tested with its owner's
# change to choosing it by MAC address (Network.Tests.ps1).
BeforeAll {
    Set-StrictMode -Version Latest
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Stubs/AetherV.WindowsStubs.psm1') -Force
    Import-Module -Name (Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules/AetherV.Network.psm1') -Force

    function New-Address([string]$Address, [int]$Index, [string]$Origin = 'Dhcp', [string]$State = 'Preferred') {
        return [pscustomobject]@{ IPAddress = $Address; InterfaceIndex = $Index; PrefixLength = 24; PrefixOrigin = $Origin; AddressState = $State }
    }
}

Describe 'Set-GuestStaticIPv4' {
    BeforeEach {
        $script:addresses = @((New-Address '127.0.0.1' 1 'WellKnown'), (New-Address '192.168.5.20' 7), (New-Address '192.168.9.9' 8))
        $script:routes = @([pscustomobject]@{ InterfaceIndex = 7; DestinationPrefix = '0.0.0.0/0'; NextHop = '192.168.5.1' }, [pscustomobject]@{ InterfaceIndex = 7; DestinationPrefix = '192.168.5.0/24'; NextHop = '0.0.0.0' })
        Mock -ModuleName AetherV.Network Get-NetIPAddress { $script:addresses }
        Mock -ModuleName AetherV.Network Get-NetRoute { $script:routes }
        Mock -ModuleName AetherV.Network Set-NetIPInterface { }
        Mock -ModuleName AetherV.Network Remove-NetIPAddress { }
        Mock -ModuleName AetherV.Network Remove-NetRoute { }
        Mock -ModuleName AetherV.Network New-NetIPAddress { }
    }

    It 'turns DHCP off, removes the interface''s addresses and default route, then adds the address with its gateway' {
        Set-GuestStaticIPv4 -InterfaceIndex 7 -Address '10.0.0.25' -PrefixLength 24 -Gateway '10.0.0.1'
        Should -Invoke -ModuleName AetherV.Network Set-NetIPInterface -Times 1 -Exactly -ParameterFilter { $InterfaceIndex[0] -eq 7 -and $AddressFamily[0] -eq 'IPv4' -and $Dhcp -eq 'Disabled' }
        Should -Invoke -ModuleName AetherV.Network Remove-NetIPAddress -Times 1 -Exactly -ParameterFilter { $InputObject[0].IPAddress -eq '192.168.5.20' }
        Should -Invoke -ModuleName AetherV.Network Remove-NetRoute -Times 1 -Exactly -ParameterFilter { $InputObject[0].NextHop -eq '192.168.5.1' }
        Should -Invoke -ModuleName AetherV.Network New-NetIPAddress -Times 1 -Exactly -ParameterFilter {
            $InterfaceIndex -eq 7 -and $AddressFamily -eq 'IPv4' -and $IPAddress -eq '10.0.0.25' -and $PrefixLength -eq 24 -and $DefaultGateway -eq '10.0.0.1'
        }
    }

    It 'leaves an interface alone that already has the address (manual) and the gateway' {
        $script:addresses = @((New-Address '10.0.0.25' 7 'Manual'))
        $script:routes = @([pscustomobject]@{ InterfaceIndex = 7; DestinationPrefix = '0.0.0.0/0'; NextHop = '10.0.0.1' })
        Set-GuestStaticIPv4 -InterfaceIndex 7 -Address '10.0.0.25' -PrefixLength 24 -Gateway '10.0.0.1'
        Should -Invoke -ModuleName AetherV.Network Set-NetIPInterface -Times 0 -Exactly
        Should -Invoke -ModuleName AetherV.Network New-NetIPAddress -Times 0 -Exactly
    }

    It 'goes on when an address disappears by itself while it is being removed (ObjectNotFound)' {
        Mock -ModuleName AetherV.Network Remove-NetIPAddress {
            Write-Error -Message 'No matching MSFT_NetIPAddress objects found' -Category ObjectNotFound -ErrorAction Stop
        }
        { Set-GuestStaticIPv4 -InterfaceIndex 7 -Address '10.0.0.25' -PrefixLength 24 -Gateway '10.0.0.1' } | Should -Not -Throw
        Should -Invoke -ModuleName AetherV.Network New-NetIPAddress -Times 1 -Exactly
    }
}

Describe 'Set-GuestDhcpIPv4' {
    It 'removes static addresses and turns DHCP on when it is off, and does nothing when it is on' {
        Mock -ModuleName AetherV.Network Get-NetIPInterface { [pscustomobject]@{ InterfaceIndex = 7; Dhcp = 'Disabled' } }
        Mock -ModuleName AetherV.Network Get-NetIPAddress { @((New-Address '10.0.0.25' 7 'Manual')) }
        Mock -ModuleName AetherV.Network Get-NetRoute { @() }
        Mock -ModuleName AetherV.Network Remove-NetIPAddress { }
        Mock -ModuleName AetherV.Network Set-NetIPInterface { }
        Set-GuestDhcpIPv4 -InterfaceIndex 7
        Should -Invoke -ModuleName AetherV.Network Get-NetIPInterface -Times 1 -Exactly -ParameterFilter { $InterfaceIndex[0] -eq 7 -and $AddressFamily[0] -eq 'IPv4' }
        Should -Invoke -ModuleName AetherV.Network Remove-NetIPAddress -Times 1 -Exactly
        Should -Invoke -ModuleName AetherV.Network Set-NetIPInterface -Times 1 -Exactly -ParameterFilter { $Dhcp -eq 'Enabled' }
        Mock -ModuleName AetherV.Network Get-NetIPInterface { [pscustomobject]@{ InterfaceIndex = 7; Dhcp = 'Enabled' } }
        Set-GuestDhcpIPv4 -InterfaceIndex 7
        Should -Invoke -ModuleName AetherV.Network Set-NetIPInterface -Times 1 -Exactly
    }
}

Describe 'Set-GuestDns' {
    BeforeEach {
        Mock -ModuleName AetherV.Network Set-DnsClientServerAddress { }
        Mock -ModuleName AetherV.Network Set-DnsClient { }
        Mock -ModuleName AetherV.Network Set-DnsClientGlobalSetting { }
    }

    It 'sets the servers on the interface and the suffix as connection suffix and global search list' {
        Set-GuestDns -InterfaceIndex 7 -Servers @('10.0.0.2', '10.0.0.3') -SearchSuffix 'corp.example'
        Should -Invoke -ModuleName AetherV.Network Set-DnsClientServerAddress -Times 1 -Exactly -ParameterFilter {
            $InterfaceIndex[0] -eq 7 -and ($ServerAddresses -join ',') -eq '10.0.0.2,10.0.0.3' -and -not $ResetServerAddresses
        }
        Should -Invoke -ModuleName AetherV.Network Set-DnsClient -Times 1 -Exactly -ParameterFilter { $InterfaceIndex[0] -eq 7 -and $ConnectionSpecificSuffix -eq 'corp.example' }
        Should -Invoke -ModuleName AetherV.Network Set-DnsClientGlobalSetting -Times 1 -Exactly -ParameterFilter { ($SuffixSearchList -join ',') -eq 'corp.example' }
    }

    It 'gives a DHCP interface without servers back the servers DHCP offers' {
        Set-GuestDns -InterfaceIndex 7 -Servers @() -Dhcp
        Should -Invoke -ModuleName AetherV.Network Set-DnsClientServerAddress -Times 1 -Exactly -ParameterFilter { $ResetServerAddresses -and $null -eq $ServerAddresses }
        Should -Invoke -ModuleName AetherV.Network Set-DnsClient -Times 0 -Exactly
    }
}

Describe 'Get-GuestIPv4Address' {
    It 'reports the preferred, non-link-local address of the interface' {
        Mock -ModuleName AetherV.Network Get-NetIPAddress { @((New-Address '169.254.3.4' 7), (New-Address '10.0.0.26' 7 'Manual' 'Tentative'), (New-Address '10.0.0.25' 7 'Manual'), (New-Address '10.9.9.9' 8 'Manual')) }
        Get-GuestIPv4Address -InterfaceIndex 7 -TimeoutSeconds 0 -PollSeconds 1 | Should -BeExactly '10.0.0.25'
        Should -Invoke -ModuleName AetherV.Network Get-NetIPAddress -ParameterFilter { $AddressFamily[0] -eq 'IPv4' }
    }

    It 'returns $null when no usable address appears before the deadline' {
        Mock -ModuleName AetherV.Network Get-NetIPAddress { @((New-Address '169.254.3.4' 7)) }
        Mock -ModuleName AetherV.Network Start-Sleep { }
        Get-GuestIPv4Address -InterfaceIndex 7 -TimeoutSeconds 1 -PollSeconds 1 | Should -BeNullOrEmpty
    }
}
