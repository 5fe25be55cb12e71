# Issue 16 item 7c: the guest configures the adapter whose MAC the orchestrator names
# (network.macAddress), never another; and a single DNS server is a list of one. Get-NetAdapter is
# Windows-only: a signature stub from Stubs/ (real parameter names and sets), mocked.
# (Reconstructed: the first version of this file was overwritten by mistake before its commit;
# the static IPv4/DHCP/DNS steps are in NetworkSettings.Tests.ps1.)
BeforeAll {
    Set-StrictMode -Version Latest
    $modules = Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules'
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Stubs/AetherV.WindowsStubs.psm1') -Force
    Import-Module -Name (Join-Path -Path $modules -ChildPath 'AetherV.Failure.psm1') -Force
    Import-Module -Name (Join-Path -Path $modules -ChildPath 'AetherV.Network.psm1') -Force
    Import-Module -Name (Join-Path -Path $modules -ChildPath 'AetherV.Config.psm1') -Force

    function ConvertTo-ConfigBytes([string]$Json) {
        return , [System.Text.Encoding]::UTF8.GetBytes($Json)
    }
}

Describe 'Get-GuestPrimaryAdapter' {
    BeforeEach {
        Mock -ModuleName AetherV.Network Start-Sleep { }
        Mock -ModuleName AetherV.Network Get-NetAdapter {
            @(
                [pscustomobject]@{ Name = 'Ethernet 3'; InterfaceIndex = 9; Status = 'Up'; MacAddress = '00-15-5D-0A-0B-0C' },
                [pscustomobject]@{ Name = 'Ethernet'; InterfaceIndex = 4; Status = 'Up'; MacAddress = '00-15-5D-0A-0B-01' },
                [pscustomobject]@{ Name = 'Ethernet 2'; InterfaceIndex = 2; Status = 'Disconnected'; MacAddress = '00-15-5D-0A-0B-02' }
            )
        }
    }

    It 'takes the adapter with the MAC the configuration names, whatever its index or case' {
        (Get-GuestPrimaryAdapter -TimeoutSeconds 1 -PollSeconds 1 -MacAddress '00155D0A0B0C').InterfaceIndex | Should -Be 9
        (Get-GuestPrimaryAdapter -TimeoutSeconds 1 -PollSeconds 1 -MacAddress '00155d0a0b0c').InterfaceIndex | Should -Be 9
        Should -Invoke -ModuleName AetherV.Network Get-NetAdapter -ParameterFilter { $Physical }
    }

    It 'without a MAC, takes the first physical adapter that is Up, by interface index' {
        (Get-GuestPrimaryAdapter -TimeoutSeconds 1 -PollSeconds 1).InterfaceIndex | Should -Be 4
        (Get-GuestPrimaryAdapter -TimeoutSeconds 1 -PollSeconds 1 -MacAddress '').InterfaceIndex | Should -Be 4
    }

    It 'never falls back to another adapter: it times out naming the MAC' {
        { Get-GuestPrimaryAdapter -TimeoutSeconds 1 -PollSeconds 1 -MacAddress '00155D0A0B02' } | Should -Throw '*00155D0A0B02*'
    }
}

Describe 'ConvertFrom-GuestConfigJson: network' {
    It 'keeps a single DNS server a list of one' {
        $config = ConvertFrom-GuestConfigJson -JsonBytes (ConvertTo-ConfigBytes '{"network":{"dns":{"servers":["10.0.0.2"]}}}')
        , $config.Dns.Servers | Should -BeOfType [string[]]
        @($config.Dns.Servers) | Should -Be @('10.0.0.2')
    }

    It 'reads network.macAddress and refuses one that is not 12 hex digits' {
        $config = ConvertFrom-GuestConfigJson -JsonBytes (ConvertTo-ConfigBytes '{"network":{"macAddress":"00155D0A0B0C","ipv4":{"address":"10.0.0.5","prefixLength":24,"gateway":"10.0.0.1"}}}')
        $config.MacAddress | Should -BeExactly '00155D0A0B0C'
        $failure = $null
        try {
            $null = ConvertFrom-GuestConfigJson -JsonBytes (ConvertTo-ConfigBytes '{"network":{"macAddress":"00-15-5D-0A-0B-0C"}}')
        }
        catch {
            $failure = $_.Exception
        }
        Get-GuestFailureCode -Exception $failure -Default 'none' | Should -BeExactly 'error validating:config'
    }
}
