# One whole run of the Windows guest agent (Invoke-Agent, from a new VM to 'applied'), with the
# orchestrator's side played by test/windows-agent/cross-language.test.ts, which starts this file
# with AETHERV_XLANG_ROOT naming a folder holding External.json (the host's items, written by
# the orchestrator's own code) and version. Replaced, each at its narrowest point, is only what
# PowerShell on Linux lacks: the registry (AetherV.Kvp's Open-KvpKey opens keys over the JSON
# files), CNG (New-Rsa3072Key), the pending-hostname registry read (Get-ItemProperty), and the
# Windows cmdlets (signature stubs from ../Stubs, mocked). Not for a run without that folder.
BeforeAll {
    Set-StrictMode -Version Latest
    $root = $env:AETHERV_XLANG_ROOT
    if ([string]::IsNullOrEmpty($root) -or -not (Test-Path -LiteralPath (Join-Path -Path $root -ChildPath 'version'))) {
        throw 'AETHERV_XLANG_ROOT must name the folder prepared by test/windows-agent/cross-language.test.ts'
    }
    # The agent's own module list and order (AetherV.Guest.ps1).
    . (Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Support/Import-GuestAgent.ps1') -Stubs -Modules @('AetherV.Log', 'AetherV.Failure', 'AetherV.Kvp', 'AetherV.Crypto', 'AetherV.Config', 'AetherV.Progress', 'AetherV.Task', 'AetherV.Hostname', 'AetherV.LocalAdmin', 'AetherV.Network', 'AetherV.DomainJoin')
    $script:pools = @{ External = (Join-Path -Path $root -ChildPath 'External.json'); Guest = (Join-Path -Path $root -ChildPath 'Guest.json') }
    $script:LogFile = Join-Path -Path $root -ChildPath 'agent.log'
}

Describe 'the Windows guest agent, one run against the orchestrator' {
    BeforeAll {
        Mock -ModuleName AetherV.Kvp Open-KvpKey {
            $file = $script:pools[$Path.Split('\')[-1]]
            if (-not $PesterBoundParameters.ContainsKey('Writable') -and -not (Test-Path -LiteralPath $file)) { return $null }
            return (New-FakeRegistryKey -File $file)
        }
        Mock -ModuleName AetherV.Crypto New-Rsa3072Key { [System.Security.Cryptography.RSA]::Create(3072) }
        Mock -ModuleName AetherV.Hostname Get-ItemProperty { [pscustomobject]@{ 'Hostname' = 'WIN-3J5K2ABC'; 'NV Hostname' = 'WIN-3J5K2ABC' } }
        Mock -ModuleName AetherV.Hostname Rename-Computer { }
        Mock -ModuleName AetherV.LocalAdmin Get-LocalUser { @([pscustomobject]@{ Name = 'Administrator' }) }
        # Passwords are read when given: the agent disposes its SecureStrings once the run ends.
        Mock -ModuleName AetherV.LocalAdmin New-LocalUser { $script:adminPassword = [System.Net.NetworkCredential]::new('', $Password).Password; [pscustomobject]@{ Name = $Name } }
        Mock -ModuleName AetherV.LocalAdmin Get-LocalGroup { [pscustomobject]@{ Name = 'Administrators' } }
        Mock -ModuleName AetherV.LocalAdmin Add-LocalGroupMember { }
        Mock -ModuleName AetherV.Network Get-NetAdapter { @([pscustomobject]@{ Name = 'Ethernet 2'; InterfaceIndex = 3; Status = 'Up'; MacAddress = '00-15-5D-00-00-02' }, [pscustomobject]@{ Name = 'Ethernet'; InterfaceIndex = 6; Status = 'Up'; MacAddress = '00-15-5D-00-00-01' }) }
        $script:assigned = $false
        Mock -ModuleName AetherV.Network Get-NetIPAddress {
            if ($script:assigned) { @([pscustomobject]@{ IPAddress = '10.0.0.25'; InterfaceIndex = 6; PrefixLength = 24; PrefixOrigin = 'Manual'; AddressState = 'Preferred' }) } else { @() }
        }
        Mock -ModuleName AetherV.Network Get-NetRoute { @() }
        Mock -ModuleName AetherV.Network Set-NetIPInterface { }
        Mock -ModuleName AetherV.Network New-NetIPAddress { $script:assigned = $true }
        Mock -ModuleName AetherV.Network Set-DnsClientServerAddress { }
        Mock -ModuleName AetherV.Network Set-DnsClient { }
        Mock -ModuleName AetherV.Network Set-DnsClientGlobalSetting { }
        Mock -ModuleName AetherV.DomainJoin Get-CimInstance { [pscustomobject]@{ PartOfDomain = $false; Domain = 'WORKGROUP' } }
        Mock -ModuleName AetherV.DomainJoin Resolve-DnsName { @([pscustomobject]@{ QueryType = 'SRV' }) }
        Mock -ModuleName AetherV.DomainJoin Add-Computer { $script:joinPassword = $Credential.GetNetworkCredential().Password }
        Mock -ModuleName AetherV.Task Get-ScheduledTask { [pscustomobject]@{ TaskName = 'AetherV.Guest' } }
        Mock -ModuleName AetherV.Task Unregister-ScheduledTask { }

        # AetherV.Guest.ps1's parameters and script state, in the test's folder.
        . (Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Support/Set-GuestAgentState.ps1') -Folder $root
        $HostTimeoutSeconds = 60
        $PayloadTimeoutSeconds = 60
        $ChunkTimeoutSeconds = 5
        $AdapterTimeoutSeconds = 1
        $AddressTimeoutSeconds = 1
        $DomainControllerTimeoutSeconds = 1
        $DomainJoinAttempts = 2
        $script:VersionPath = Join-Path -Path $root -ChildPath 'version'
        Initialize-AgentLog -Path $script:LogFile
        Invoke-Agent
    }

    It 'ends applied, with the address of the adapter the configuration names' {
        $guest = Get-Content -LiteralPath $script:pools.Guest -Raw | ConvertFrom-Json
        $guest.'aetherv.guest.state' | Should -BeExactly 'applied'
        $guest.'aetherv.guest.ipv4' | Should -BeExactly '10.0.0.25'
        $guest.PSObject.Properties['aetherv.guest.error'] | Should -BeNullOrEmpty
        (Read-AgentProgress -Path $script:ProgressPath).phase | Should -BeExactly 'done'
    }

    # The calls happened in BeforeAll: counted at the Describe's scope.
    It 'applied what the orchestrator sealed, with the real cmdlets'' parameters' {
        Should -Invoke -ModuleName AetherV.LocalAdmin New-LocalUser -Scope Describe -Times 1 -Exactly -ParameterFilter { $Name -eq 'ops' }
        Should -Invoke -ModuleName AetherV.Network New-NetIPAddress -Scope Describe -Times 1 -Exactly -ParameterFilter { $InterfaceIndex -eq 6 -and $IPAddress -eq '10.0.0.25' -and $PrefixLength -eq 24 -and $DefaultGateway -eq '10.0.0.1' }
        Should -Invoke -ModuleName AetherV.Network Set-DnsClientServerAddress -Scope Describe -Times 1 -Exactly -ParameterFilter { $InterfaceIndex[0] -eq 6 -and ($ServerAddresses -join ',') -eq '10.0.0.2,10.0.0.3' }
        Should -Invoke -ModuleName AetherV.DomainJoin Add-Computer -Scope Describe -Times 1 -Exactly -ParameterFilter { $DomainName -eq 'corp.example' -and $NewName -eq 'web-01' -and $Credential.UserName -eq 'corp.example\joiner' }
        Should -Invoke -ModuleName AetherV.Task Unregister-ScheduledTask -Scope Describe -Times 1 -Exactly
        $script:adminPassword | Should -BeExactly $env:AETHERV_XLANG_ADMIN_PASSWORD
        $script:joinPassword | Should -BeExactly $env:AETHERV_XLANG_JOIN_PASSWORD
    }

    It 'leaves no password in its log' {
        $log = Get-Content -LiteralPath $script:LogFile -Raw
        $log | Should -Match 'applied'
        $log.Contains($env:AETHERV_XLANG_ADMIN_PASSWORD) | Should -BeFalse
        $log.Contains($env:AETHERV_XLANG_JOIN_PASSWORD) | Should -BeFalse
    }
}
