# AetherV.Guest.ps1's apply step (Invoke-GuestConfiguration) on a configuration parsed by the real
# ConvertFrom-GuestConfigJson: hostname, local administrator, static IPv4/DNS and domain join in
# that order, through the modules, down to the Windows cmdlets - signature stubs from Stubs/
# (PowerShell on Linux has none of them), mocked; the registry read of the pending hostname is
# the one Get-ItemProperty call mocked. The agent's functions are loaded from its parse tree, so
# its main block does not run. Passwords must never reach the agent's log.
BeforeAll {
    Set-StrictMode -Version Latest
    $windows = Split-Path -Parent $PSScriptRoot
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Stubs/AetherV.WindowsStubs.psm1') -Force
    foreach ($moduleName in @('AetherV.Log', 'AetherV.Failure', 'AetherV.Config', 'AetherV.Progress', 'AetherV.Hostname', 'AetherV.LocalAdmin', 'AetherV.Network', 'AetherV.DomainJoin')) {
        Import-Module -Name (Join-Path -Path $windows -ChildPath ('Modules/{0}.psm1' -f $moduleName)) -Force
    }
    $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path -Path $windows -ChildPath 'AetherV.Guest.ps1'), [ref]$null, [ref]$null)
    foreach ($definition in @($ast.EndBlock.Statements | Where-Object { $_ -is [System.Management.Automation.Language.FunctionDefinitionAst] })) {
        . ([scriptblock]::Create($definition.Extent.Text))
    }

    $script:AdminPassword = 'Adm1n-P@ss-7Qx'
    $script:JoinPassword = 'J0in-Secr3t-9Kv'
    $script:Document = [ordered]@{
        hostname   = 'web-01'
        localAdmin = [ordered]@{ username = 'ops'; password = $script:AdminPassword }
        network    = [ordered]@{
            ipv4 = [ordered]@{ address = '10.0.0.25'; prefixLength = 24; gateway = '10.0.0.1' }
            dns  = [ordered]@{ servers = @('10.0.0.2'); searchSuffix = 'corp.example' }
        }
        domainJoin = [ordered]@{ domain = 'corp.example'; username = 'joiner'; password = $script:JoinPassword; ou = 'OU=Servers,DC=corp,DC=example' }
    }
    function Read-TestConfig($Document) {
        return ConvertFrom-GuestConfigJson -JsonBytes ([System.Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $Document -Depth 5)))
    }
}

Describe 'Invoke-GuestConfiguration' {
    BeforeEach {
        # The agent's parameters and script state, as AetherV.Guest.ps1 sets them.
        $PollSeconds = 1
        $AdapterTimeoutSeconds = 1
        $DomainControllerTimeoutSeconds = 1
        $DomainJoinAttempts = 1
        $script:RestartRequired = $false
        $script:InterfaceIndex = $null
        $script:AdapterMac = $null
        $script:ProgressPath = Join-Path -Path $TestDrive -ChildPath 'progress.json'
        $script:SecretPath = Join-Path -Path $TestDrive -ChildPath 'domainjoin.secret'
        $script:LogFile = Join-Path -Path $TestDrive -ChildPath 'agent.log'
        Initialize-AgentLog -Path $script:LogFile
        $script:calls = [System.Collections.Generic.List[string]]::new()

        Mock -ModuleName AetherV.Hostname Get-ItemProperty { [pscustomobject]@{ 'Hostname' = 'WIN-3J5K2ABC'; 'NV Hostname' = 'WIN-3J5K2ABC' } }
        Mock -ModuleName AetherV.Hostname Rename-Computer { $script:calls.Add('Rename-Computer') }
        Mock -ModuleName AetherV.LocalAdmin Get-LocalUser { @() }
        Mock -ModuleName AetherV.LocalAdmin New-LocalUser { $script:calls.Add('New-LocalUser'); [pscustomobject]@{ Name = $Name } }
        Mock -ModuleName AetherV.LocalAdmin Get-LocalGroup { [pscustomobject]@{ Name = 'Administrators' } }
        Mock -ModuleName AetherV.LocalAdmin Add-LocalGroupMember { $script:calls.Add('Add-LocalGroupMember') }
        Mock -ModuleName AetherV.Network Get-NetAdapter { @([pscustomobject]@{ Name = 'Ethernet'; InterfaceIndex = 6; Status = 'Up'; MacAddress = '00-15-5D-00-00-01' }) }
        Mock -ModuleName AetherV.Network Get-NetIPAddress { @([pscustomobject]@{ IPAddress = '169.254.1.1'; InterfaceIndex = 6; PrefixLength = 16; PrefixOrigin = 'WellKnown'; AddressState = 'Preferred' }) }
        Mock -ModuleName AetherV.Network Get-NetRoute { @() }
        Mock -ModuleName AetherV.Network Set-NetIPInterface { }
        Mock -ModuleName AetherV.Network Remove-NetIPAddress { }
        Mock -ModuleName AetherV.Network New-NetIPAddress { $script:calls.Add('New-NetIPAddress') }
        Mock -ModuleName AetherV.Network Set-DnsClientServerAddress { $script:calls.Add('Set-DnsClientServerAddress') }
        Mock -ModuleName AetherV.Network Set-DnsClient { }
        Mock -ModuleName AetherV.Network Set-DnsClientGlobalSetting { }
        Mock -ModuleName AetherV.DomainJoin Get-CimInstance { [pscustomobject]@{ PartOfDomain = $false; Domain = 'WORKGROUP' } }
        Mock -ModuleName AetherV.DomainJoin Resolve-DnsName { @([pscustomobject]@{ QueryType = 'SRV' }) }
        Mock -ModuleName AetherV.DomainJoin Add-Computer { $script:calls.Add('Add-Computer') }
    }

    It 'applies local administrator, network and domain join in order, the rename folded into the join' {
        $config = Read-TestConfig $script:Document
        Invoke-GuestConfiguration -Config $config | Should -BeTrue
        @($script:calls) | Should -Be @('New-LocalUser', 'Add-LocalGroupMember', 'New-NetIPAddress', 'Set-DnsClientServerAddress', 'Add-Computer')
        Should -Invoke -ModuleName AetherV.LocalAdmin New-LocalUser -Times 1 -Exactly -ParameterFilter {
            $Name -eq 'ops' -and [System.Net.NetworkCredential]::new('', $Password).Password -eq $script:AdminPassword
        }
        Should -Invoke -ModuleName AetherV.Network New-NetIPAddress -Times 1 -Exactly -ParameterFilter { $InterfaceIndex -eq 6 -and $IPAddress -eq '10.0.0.25' -and $PrefixLength -eq 24 -and $DefaultGateway -eq '10.0.0.1' }
        Should -Invoke -ModuleName AetherV.Network Set-DnsClientServerAddress -Times 1 -Exactly -ParameterFilter { $InterfaceIndex[0] -eq 6 -and @($ServerAddresses) -join ',' -eq '10.0.0.2' }
        Should -Invoke -ModuleName AetherV.DomainJoin Add-Computer -Times 1 -Exactly -ParameterFilter {
            $DomainName -eq 'corp.example' -and $NewName -eq 'web-01' -and $OUPath -eq 'OU=Servers,DC=corp,DC=example' -and
            $Credential.UserName -eq 'corp.example\joiner' -and $Credential.GetNetworkCredential().Password -eq $script:JoinPassword
        }
        Should -Invoke -ModuleName AetherV.Hostname Rename-Computer -Times 0 -Exactly
        $script:RestartRequired | Should -BeTrue
    }

    It 'renames with Rename-Computer when there is no domain to join' {
        $document = [ordered]@{ hostname = 'web-01'; localAdmin = $script:Document.localAdmin }
        Invoke-GuestConfiguration -Config (Read-TestConfig $document) | Should -BeTrue
        @($script:calls) | Should -Be @('Rename-Computer', 'New-LocalUser', 'Add-LocalGroupMember')
        Should -Invoke -ModuleName AetherV.Hostname Rename-Computer -Times 1 -Exactly -ParameterFilter { $NewName -eq 'web-01' -and $Force }
    }

    It 'fails the domain join on its last attempt with the domain-join error code' {
        Mock -ModuleName AetherV.DomainJoin Add-Computer { throw [System.InvalidOperationException]::new('The specified domain either does not exist or could not be contacted.') }
        $failure = $null
        try {
            $null = Invoke-GuestConfiguration -Config (Read-TestConfig $script:Document)
        }
        catch {
            $failure = $_.Exception
        }
        Get-GuestFailureCode -Exception $failure -Default 'none' | Should -Match '^error applying:domain-?join$'
        Get-Content -LiteralPath $script:LogFile -Raw | Should -Match 'domain join attempt 1 failed'
    }

    It 'never writes a password to the log, whether it succeeds or fails' {
        $null = Invoke-GuestConfiguration -Config (Read-TestConfig $script:Document)
        Mock -ModuleName AetherV.DomainJoin Add-Computer { throw [System.UnauthorizedAccessException]::new('Access is denied.') }
        try { $null = Invoke-GuestConfiguration -Config (Read-TestConfig $script:Document) } catch { $null = $_ }
        $log = Get-Content -LiteralPath $script:LogFile -Raw
        $log | Should -Match 'local administrator configured'
        $log | Should -Not -Match ([regex]::Escape($script:AdminPassword))
        $log | Should -Not -Match ([regex]::Escape($script:JoinPassword))
    }
}
