# The domain join retried after a restart (AetherV.Guest.ps1: Invoke-DomainJoinAttempt, then
# Invoke-Agent in phase 'domainjoin-retry'). DPAPI (ProtectedData) is Windows-only, so the two
# functions that wrap it, Protect-/Unprotect-DomainJoinPassword, keep the secret in memory here;
# the registry is mocked at Open-KvpKey, the Windows cmdlets are signature stubs from Stubs/,
# mocked; the agent's functions are loaded from its parse tree.
BeforeAll {
    Set-StrictMode -Version Latest
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Support/Import-GuestAgent.ps1') -Stubs -Modules @('AetherV.Log', 'AetherV.Failure', 'AetherV.Kvp', 'AetherV.Progress', 'AetherV.Task', 'AetherV.Hostname', 'AetherV.Network', 'AetherV.DomainJoin')
}

Describe 'Remove-FileSecurely' {
    It 'overwrites and deletes the file, and accepts one that is already gone' {
        $path = Join-Path -Path $TestDrive -ChildPath 'domainjoin.secret'
        [System.IO.File]::WriteAllBytes($path, [byte[]](1..64))
        Remove-FileSecurely -Path $path
        Test-Path -LiteralPath $path | Should -BeFalse
        { Remove-FileSecurely -Path $path } | Should -Not -Throw
    }
}

Describe 'a domain join retried after a restart' {
    BeforeEach {
        $script:guest = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
        Mock -ModuleName AetherV.Kvp Open-KvpKey { New-FakeRegistryKey -Values $script:guest }
        Mock -ModuleName AetherV.Task Get-ScheduledTask { [pscustomobject]@{ TaskName = 'AetherV.Guest' } }
        Mock -ModuleName AetherV.Task Unregister-ScheduledTask { }
        Mock -ModuleName AetherV.Hostname Get-ItemProperty { [pscustomobject]@{ 'Hostname' = 'WIN-3J5K2ABC'; 'NV Hostname' = $script:pendingName } }
        Mock -ModuleName AetherV.Hostname Rename-Computer { $script:pendingName = $NewName }
        Mock -ModuleName AetherV.DomainJoin Get-CimInstance { [pscustomobject]@{ PartOfDomain = $false; Domain = 'WORKGROUP' } }
        Mock -ModuleName AetherV.DomainJoin Resolve-DnsName { @([pscustomobject]@{ QueryType = 'SRV' }) }
        Mock -ModuleName AetherV.Network Get-NetAdapter { @() }
        Mock Protect-DomainJoinPassword { $script:kept = [System.Net.NetworkCredential]::new('', $Password).Password; Set-Content -LiteralPath $Path -Value 'protected' }
        Mock Unprotect-DomainJoinPassword { ConvertTo-SecureString -String $script:kept -AsPlainText -Force }
        $script:pendingName = 'WIN-3J5K2ABC'
        $script:attempts = 0

        . (Join-Path -Path $PSScriptRoot -ChildPath 'Support/Set-GuestAgentState.ps1') -Folder $TestDrive
        $AdapterTimeoutSeconds = 0
        $DomainControllerTimeoutSeconds = 1
        $DomainJoinAttempts = 2
        Remove-Item -LiteralPath $script:ProgressPath, $script:SecretPath -ErrorAction Ignore
        Initialize-AgentLog -Path (Join-Path -Path $TestDrive -ChildPath 'agent.log')
        $script:join = [pscustomobject]@{ Domain = 'corp.example'; UserName = 'joiner'; Password = (ConvertTo-SecureString -String 'J0in-Secr3t' -AsPlainText -Force); OUPath = 'OU=Servers,DC=corp,DC=example' }
    }

    It 'renames locally, keeps the password protected and records the attempt when the first join fails' {
        Mock -ModuleName AetherV.DomainJoin Add-Computer { throw [System.InvalidOperationException]::new('The specified domain either does not exist or could not be contacted.') }
        Invoke-DomainJoinAttempt -Join $script:join -NewName 'web-01' -Attempt 1 | Should -BeFalse
        Should -Invoke -ModuleName AetherV.Hostname Rename-Computer -Times 1 -Exactly -ParameterFilter { $NewName -eq 'web-01' }
        $script:kept | Should -BeExactly 'J0in-Secr3t'
        $progress = Read-AgentProgress -Path $script:ProgressPath
        $progress.phase | Should -BeExactly 'domainjoin-retry'
        $progress.attempt | Should -Be 1
        $progress.domain | Should -BeExactly 'corp.example'
        $progress.username | Should -BeExactly 'joiner'
        $progress.ouPath | Should -BeExactly 'OU=Servers,DC=corp,DC=example'
        Get-Content -LiteralPath $script:ProgressPath -Raw | Should -Not -Match 'J0in-Secr3t'
    }

    It 'joins on the retry with the kept password, deletes the secret and reports applied' {
        Mock -ModuleName AetherV.DomainJoin Add-Computer { throw [System.InvalidOperationException]::new('could not be contacted') }
        $null = Invoke-DomainJoinAttempt -Join $script:join -NewName 'web-01' -Attempt 1
        Mock -ModuleName AetherV.DomainJoin Add-Computer { $script:joinedWith = $Credential.GetNetworkCredential().Password; $script:joinedName = $PesterBoundParameters['NewName'] }
        Invoke-Agent
        $script:joinedWith | Should -BeExactly 'J0in-Secr3t'
        $script:joinedName | Should -BeNullOrEmpty -Because 'the computer was renamed before the restart'
        Test-Path -LiteralPath $script:SecretPath | Should -BeFalse
        $script:guest['aetherv.guest.state'] | Should -BeExactly 'applied'
        (Read-AgentProgress -Path $script:ProgressPath).phase | Should -BeExactly 'done'
    }

    It 'fails with the domain-join error when the last attempt fails too' {
        Mock -ModuleName AetherV.DomainJoin Add-Computer { throw [System.InvalidOperationException]::new('could not be contacted') }
        $null = Invoke-DomainJoinAttempt -Join $script:join -NewName 'web-01' -Attempt 1
        $code = try { Invoke-Agent; 'none' } catch { Get-GuestFailureCode -Exception $_.Exception -Default 'none' }
        $code | Should -Match '^error applying:domain-?join$'
        (Read-AgentProgress -Path $script:ProgressPath).attempt | Should -Be 2 -Because 'the attempt is counted before it is made'
    }
}
