# AetherV.Kvp against a registry mocked at its one accessor (Open-KvpKey): PowerShell on Linux has
# no registry, so only the RegistryKey the module opens is replaced (Support/FakeRegistry.psm1).
BeforeAll {
    Set-StrictMode -Version Latest
    $modules = Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules'
    Import-Module -Name (Join-Path -Path $modules -ChildPath 'AetherV.Kvp.psm1') -Force
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Support/FakeRegistry.psm1') -Force

    function New-Pool {
        return [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
    }
}

Describe 'AetherV.Kvp over the registry' {
    BeforeEach {
        # host -> guest items (External) and guest -> host items (Guest), as the integration
        # service keeps them; $script:present says which keys exist at all.
        $script:external = New-Pool
        $script:guest = New-Pool
        $script:present = @{ External = $true; Guest = $true }
        $script:opened = [System.Collections.Generic.List[object]]::new()
        Mock -ModuleName AetherV.Kvp Open-KvpKey {
            $pool = $Path.Split('\')[-1]
            $writable = $PesterBoundParameters.ContainsKey('Writable') -and [bool]$PesterBoundParameters['Writable']
            $script:opened.Add([pscustomobject]@{ Path = $Path; Writable = $writable })
            if (-not $writable -and -not $script:present[$pool]) { return $null }
            $values = if ($pool -eq 'External') { $script:external } else { $script:guest }
            $script:lastKey = New-FakeRegistryKey -Values $values
            return $script:lastKey
        }
    }

    It 'reads host items from HKLM\SOFTWARE\Microsoft\Virtual Machine\External, read-only, trimmed of NUL padding' {
        $script:external['aetherv.host.state'] = "awaiting-key`0`0`0"
        Get-KvpHostState | Should -BeExactly 'awaiting-key'
        $script:opened[0].Path | Should -BeExactly 'SOFTWARE\Microsoft\Virtual Machine\External'
        $script:opened[0].Writable | Should -BeFalse
        $script:lastKey.Disposed | Should -Be 1
    }

    It 'returns $null for an item the host has not written, and when the External key does not exist yet' {
        Get-KvpHostItem -Name 'aetherv.key' | Should -BeNullOrEmpty
        $script:present.External = $false
        Get-KvpHostItem -Name 'aetherv.version' | Should -BeNullOrEmpty
    }

    It 'writes guest items as REG_SZ values under ...\Virtual Machine\Guest and reads them back' {
        Set-KvpGuestState -State 'awaiting-payload'
        Set-KvpGuestPublicKey -Jwk '{"kty":"RSA","n":"xyz","e":"AQAB"}'
        $script:guest['aetherv.guest.state'] | Should -BeExactly 'awaiting-payload'
        $script:guest['aetherv.guest.pubkey'] | Should -BeExactly '{"kty":"RSA","n":"xyz","e":"AQAB"}'
        $script:lastKey.Kinds['aetherv.guest.pubkey'] | Should -Be ([Microsoft.Win32.RegistryValueKind]::String)
        $writes = @($script:opened | Where-Object { $_.Writable })
        $writes.Count | Should -Be 2
        $writes[0].Path | Should -BeExactly 'SOFTWARE\Microsoft\Virtual Machine\Guest'
        Get-KvpGuestState | Should -BeExactly 'awaiting-payload'
    }

    It 'refuses a guest state outside the protocol and an error summary over 200 characters' {
        { Set-KvpGuestState -State 'done' } | Should -Throw
        { Set-KvpGuestError -Summary ('error applying:' + 'x' * 190) } | Should -Throw
        $script:guest.Count | Should -Be 0
    }

    It 'clears what a previous run left in the guest pool, and nothing else' {
        foreach ($name in @('aetherv.guest.state', 'aetherv.guest.error', 'aetherv.guest.pubkey', 'aetherv.guest.ipv4', 'aetherv.guest.version', 'other.item')) {
            $script:guest[$name] = 'old'
        }
        Clear-KvpGuestItems
        @($script:guest.Keys) | Should -Be @('other.item')
    }

    It 'reassembles the payload from its chunks in index order' {
        $script:external['aetherv.payload.count'] = '3'
        $script:external['aetherv.payload.2'] = 'cc'
        $script:external['aetherv.payload.0'] = "aa`0"
        $script:external['aetherv.payload.1'] = 'bb'
        $payload = Get-KvpPayload -TimeoutSeconds 1 -PollSeconds 1
        $payload.Problem | Should -BeNullOrEmpty
        $payload.Text | Should -BeExactly 'aabbcc'
    }

    It 'reports a missing or impossible chunk count as "count" and a missing chunk as "chunk"' {
        (Get-KvpPayload -TimeoutSeconds 1 -PollSeconds 1).Problem | Should -BeExactly 'count'
        foreach ($count in @('0', '257', '-1', 'two')) {
            $script:external['aetherv.payload.count'] = $count
            (Get-KvpPayload -TimeoutSeconds 1 -PollSeconds 1).Problem | Should -BeExactly 'count' -Because "count $count"
        }
        $script:external['aetherv.payload.count'] = '2'
        $script:external['aetherv.payload.0'] = 'aa'
        $payload = Get-KvpPayload -TimeoutSeconds 1 -PollSeconds 1
        $payload.Problem | Should -BeExactly 'chunk'
        $payload.Text | Should -BeNullOrEmpty
    }

    It 'waits for a host state until its deadline, and sees it once the host writes it' {
        Mock -ModuleName AetherV.Kvp Start-Sleep { $script:external['aetherv.host.state'] = 'payload-published' }
        Wait-KvpHostState -State 'payload-published' -TimeoutSeconds 5 -PollSeconds 1 | Should -BeTrue
        $script:external.Clear()
        Mock -ModuleName AetherV.Kvp Start-Sleep { }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        Wait-KvpHostState -State 'awaiting-key' -TimeoutSeconds 1 -PollSeconds 1 | Should -BeFalse
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1
    }
}
