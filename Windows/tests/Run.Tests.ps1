# AetherV.Guest.ps1 around the apply step: where a run resumes after a restart (progress.json),
# how it reports (aetherv.guest.error before aetherv.guest.state=failed; the address before
# 'applied') and how it ends (the scheduled task removed). The registry is mocked at AetherV.Kvp's
# one accessor (Support/FakeRegistry.psm1); the Task Scheduler and NetTCPIP cmdlets are signature
# stubs from Stubs/, mocked; the agent's functions are loaded from its parse tree, so its main
# block does not run.
BeforeAll {
    Set-StrictMode -Version Latest
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Support/Import-GuestAgent.ps1') -Stubs -Modules @('AetherV.Log', 'AetherV.Failure', 'AetherV.Kvp', 'AetherV.Progress', 'AetherV.Task', 'AetherV.Network', 'AetherV.DomainJoin')
}

Describe 'progress.json' {
    It 'round-trips the phase and its data, replacing the previous file' {
        $path = Join-Path -Path $TestDrive -ChildPath 'progress.json'
        Write-AgentProgress -Path $path -Phase 'handshake'
        Write-AgentProgress -Path $path -Phase 'domainjoin-retry' -Data @{ attempt = 1; domain = 'corp.example' }
        $progress = Read-AgentProgress -Path $path
        $progress.phase | Should -BeExactly 'domainjoin-retry'
        $progress.attempt | Should -Be 1
        $progress.domain | Should -BeExactly 'corp.example'
        @(Get-ChildItem -LiteralPath $TestDrive -Filter '*.tmp').Count | Should -Be 0
    }

    It 'has no progress before the first run, and refuses a file with an unknown phase' {
        Read-AgentProgress -Path (Join-Path -Path $TestDrive -ChildPath 'none.json') | Should -BeNullOrEmpty
        $path = Join-Path -Path $TestDrive -ChildPath 'odd.json'
        Set-Content -LiteralPath $path -Value '{"phase":"upgrading"}'
        { Read-AgentProgress -Path $path } | Should -Throw '*no known phase*'
    }
}

Describe 'a run of the guest agent' {
    BeforeEach {
        $script:external = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $script:guest = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
        $script:writes = [System.Collections.Generic.List[string]]::new()
        Mock -ModuleName AetherV.Kvp Open-KvpKey {
            $values = if ($Path.EndsWith('External')) { $script:external } else { $script:guest }
            $key = New-FakeRegistryKey -Values $values
            # Every guest write, in order, as the host would see them arrive.
            $key | Add-Member -MemberType ScriptMethod -Name SetValue -Force -Value {
                param([string]$Name, $Value, $Kind)
                $script:writes.Add(('{0}={1}' -f $Name, $Value))
                $this.Values[$Name] = $Value
            }
            return $key
        }
        Mock -ModuleName AetherV.Task Get-ScheduledTask { [pscustomobject]@{ TaskName = 'AetherV.Guest'; TaskPath = '\Aether-V\' } }
        Mock -ModuleName AetherV.Task Unregister-ScheduledTask { }

        # The agent's parameters and script state, as AetherV.Guest.ps1 sets them.
        . (Join-Path -Path $PSScriptRoot -ChildPath 'Support/Set-GuestAgentState.ps1') -Folder $TestDrive
        $AdapterTimeoutSeconds = 0
        $AddressTimeoutSeconds = 0
        Remove-Item -LiteralPath $script:ProgressPath -ErrorAction Ignore
        Initialize-AgentLog -Path (Join-Path -Path $TestDrive -ChildPath 'agent.log')
    }

    It 'reports a failure by writing aetherv.guest.error before aetherv.guest.state=failed, then removes its task' {
        $script:RestartRequired = $true
        Complete-Failure -Code 'error validating:mac'
        @($script:writes) | Should -Be @('aetherv.guest.error=error validating:mac', 'aetherv.guest.state=failed')
        $script:RestartRequired | Should -BeFalse -Because 'a failed guest stays as it is, for inspection'
        Should -Invoke -ModuleName AetherV.Task Unregister-ScheduledTask -Times 1 -Exactly -ParameterFilter { $TaskName[0] -eq 'AetherV.Guest' -and $TaskPath[0] -eq '\Aether-V\' }
        (Read-AgentProgress -Path $script:ProgressPath).phase | Should -BeExactly 'done'
    }

    It 'reports an error outside the vocabulary as error:unknown' {
        Complete-Failure -Code "not`r`nan error"
        $script:guest['aetherv.guest.error'] | Should -BeExactly 'error:unknown'
    }

    It 'reports success with the adapter''s address first, then applied' {
        $script:InterfaceIndex = 6
        Mock -ModuleName AetherV.Network Get-NetIPAddress { @([pscustomobject]@{ IPAddress = '10.0.0.25'; InterfaceIndex = 6; AddressState = 'Preferred' }) }
        Complete-Success
        @($script:writes) | Should -Be @('aetherv.guest.ipv4=10.0.0.25', 'aetherv.guest.state=applied')
        Should -Invoke -ModuleName AetherV.Task Unregister-ScheduledTask -Times 1 -Exactly
    }

    It 'reports success without an address when the VM has no network adapter' {
        Mock -ModuleName AetherV.Network Get-NetAdapter { @() }
        Complete-Success
        @($script:writes) | Should -Be @('aetherv.guest.state=applied')
    }

    It 'after a restart while applying, refuses to go on: error interrupted:applying' {
        Write-AgentProgress -Path $script:ProgressPath -Phase 'applying'
        $code = try { Invoke-Agent; 'none' } catch { Get-GuestFailureCode -Exception $_.Exception -Default 'none' }
        $code | Should -BeExactly 'error interrupted:applying'
    }

    It 'after a restart during the handshake, starts over while the host still waits for a key, and fails once it has used the lost one' {
        Mock Invoke-FreshRun { }
        Write-AgentProgress -Path $script:ProgressPath -Phase 'handshake'
        $script:external['aetherv.host.state'] = 'awaiting-key'
        Invoke-Agent
        Should -Invoke Invoke-FreshRun -Times 1 -Exactly
        $script:external['aetherv.host.state'] = 'payload-published'
        $code = try { Invoke-Agent; 'none' } catch { Get-GuestFailureCode -Exception $_.Exception -Default 'none' }
        $code | Should -BeExactly 'error interrupted:handshake'
    }

    It 'once done, only removes its task' {
        Write-AgentProgress -Path $script:ProgressPath -Phase 'done'
        Invoke-Agent
        Should -Invoke -ModuleName AetherV.Task Unregister-ScheduledTask -Times 1 -Exactly
        $script:writes.Count | Should -Be 0
    }
}
