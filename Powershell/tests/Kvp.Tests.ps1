# kvp.set, kvp.remove (PublishProvisioningData.ps1) and kvp.get (WaitForProvisioningKey.ps1).
# The agent reaches KVP through System.Management (WMI root\virtualization\v2), which .NET
# supports on Windows only; the tests replace only the functions of AetherV.Kvp.ps1 that touch
# it (the WQL query, the related-object walk, the CIM-DTD text of an item, the method call) and
# keep everything else, the XML parsing of the items included.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')

    function New-KvpItemXml {
        param([string] $Name, [string] $Data, [int] $Source = 1)
        return "<INSTANCE CLASSNAME=`"Msvm_KvpExchangeDataItem`"><PROPERTY NAME=`"Data`" TYPE=`"string`"><VALUE>$([System.Security.SecurityElement]::Escape($Data))</VALUE></PROPERTY><PROPERTY NAME=`"Name`" TYPE=`"string`"><VALUE>$([System.Security.SecurityElement]::Escape($Name))</VALUE></PROPERTY><PROPERTY NAME=`"Source`" TYPE=`"uint16`"><VALUE>$Source</VALUE></PROPERTY></INSTANCE>"
    }
}

Describe 'kvp.set, kvp.remove, kvp.get' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Running')
        $script:system = [pscustomobject]@{ Name = $script:vm.Id.ToString().ToUpperInvariant(); Path = [pscustomobject]@{ Path = "\\HV01\root\virtualization\v2:Msvm_ComputerSystem.CreationClassName=`"Msvm_ComputerSystem`",Name=`"$($script:vm.Id.ToString().ToUpperInvariant())`"" } }
        $script:hostKeys = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::Ordinal)
        $null = $script:hostKeys.Add('aetherv.version')
        $script:guestItems = @((New-KvpItemXml -Name 'aetherv.publicKey' -Data '{"kty":"RSA"}'), (New-KvpItemXml -Name 'aetherv.state' -Data 'ready'))
        $script:calls = [System.Collections.Generic.List[object]]::new()
        Mock Get-AgentMsvmObject {
            $wanted = $script:vm.Id.ToString().ToUpperInvariant()
            # As the real one: each object found written to the pipeline, nothing when none.
            if ($Query -eq "SELECT * FROM Msvm_ComputerSystem WHERE Name = '$wanted'") { return $script:system }
            if ($Query -eq 'SELECT * FROM Msvm_VirtualSystemManagementService') { return [pscustomobject]@{ Name = 'vmms' } }
            if ($Query -eq "SELECT * FROM Msvm_KvpExchangeComponent WHERE SystemName = '$wanted'") { return @{ GuestExchangeItems = [string[]]$script:guestItems } }
        }
        Mock Get-AgentKvpHostItemKey -RemoveParameterType 'ComputerSystem' { , $script:hostKeys }
        Mock New-AgentKvpItemText { New-KvpItemXml -Name $Key -Data $Value -Source 0 }
        Mock Invoke-AgentMsvmMethod -RemoveParameterType 'Target' { $script:calls.Add([pscustomobject]@{ Method = $Method; Arguments = $Arguments }) }
    }

    It 'writes every item in the given order, adding new keys and modifying existing ones, and logs no value' {
        $items = @(@{ key = 'aetherv.version'; value = '2' }, @{ key = 'aetherv.config.0'; value = 'c2VjcmV0LWNpcGhlcnRleHQ=' }, @{ key = 'aetherv.state'; value = 'published' })
        $result = Assert-TestResultSchema -Operation 'kvp.set' -Result (Invoke-TestOperation -Operation 'kvp.set' -Params @{ vmId = $script:vm.Id.ToString(); items = $items })
        $result.keys | Should -Be @('aetherv.version', 'aetherv.config.0', 'aetherv.state')
        $script:calls.Method | Should -Be @('ModifyKvpItems', 'AddKvpItems', 'AddKvpItems')
        $script:calls[1].Arguments.TargetSystem | Should -Be $script:system.Path.Path
        $script:calls[1].Arguments.DataItems | Should -Be @(New-KvpItemXml -Name 'aetherv.config.0' -Data 'c2VjcmV0LWNpcGhlcnRleHQ=' -Source 0)
        Should -Invoke New-AgentKvpItemText -ParameterFilter { $Key -eq 'aetherv.config.0' -and $Value -eq 'c2VjcmV0LWNpcGhlcnRleHQ=' }
        $log = (Get-TestAgentLog | ForEach-Object { $_.message }) -join "`n"
        $log | Should -Not -BeLike '*c2VjcmV0*'
        $log | Should -BeLike '*Wrote 3 KVP item(s)*'
    }

    It 'refuses <case> before writing anything (INVALID_PARAMS)' -ForEach @(
        @{ case = 'no items'; items = @() }
        @{ case = 'a value that is no string'; items = @(@{ key = 'a'; value = 5 }) }
        @{ case = 'an empty key'; items = @(@{ key = ''; value = 'x' }) }
        @{ case = 'a key over 255 UTF-16 units'; items = @(@{ key = 'k' * 256; value = 'x' }) }
        @{ case = 'a value over 1,023 UTF-16 units, the last item'; items = @(@{ key = 'a'; value = 'x' }, @{ key = 'b'; value = 'é' * 1024 }) }
    ) {
        (Get-TestAgentFailure -Operation 'kvp.set' -Params @{ vmId = $script:vm.Id.ToString(); items = $items }).code | Should -Be 'INVALID_PARAMS'
        $script:calls.Count | Should -Be 0
    }

    It 'answers VM_NOT_FOUND for a VM the host does not have, and DEADLINE_EXCEEDED once time is up' {
        (Get-TestAgentFailure -Operation 'kvp.set' -Params @{ vmId = [guid]::NewGuid().ToString(); items = @(@{ key = 'a'; value = 'b' }) }).code | Should -Be 'VM_NOT_FOUND'
        $late = Get-TestAgentFailure -Operation 'kvp.set' -Params @{ vmId = $script:vm.Id.ToString(); items = @(@{ key = 'a'; value = 'b' }) } -DeadlineSeconds 0.000001
        $late.code | Should -Be 'DEADLINE_EXCEEDED'
        $late.retryable | Should -BeTrue
        $script:calls.Count | Should -Be 0
    }

    It 'removes the keys the VM has and lists the others as missing' {
        $result = Assert-TestResultSchema -Operation 'kvp.remove' -Result (Invoke-TestOperation -Operation 'kvp.remove' -Params @{ vmId = $script:vm.Id.ToString(); keys = @('aetherv.version', 'aetherv.nothing') })
        $result.removed | Should -Be @('aetherv.version')
        $result.missing | Should -Be @('aetherv.nothing')
        $script:calls.Method | Should -Be @('RemoveKvpItems')
        (Get-TestAgentFailure -Operation 'kvp.remove' -Params @{ vmId = $script:vm.Id.ToString(); keys = @() }).code | Should -Be 'INVALID_PARAMS'
    }

    It "reads the guest's items, all or the asked ones, with the VM state" {
        $all = Assert-TestResultSchema -Operation 'kvp.get' -Result (Invoke-TestOperation -Operation 'kvp.get' -Params @{ vmId = $script:vm.Id.ToString() })
        $all.state | Should -Be 'Running'
        $all.items['aetherv.publicKey'] | Should -Be '{"kty":"RSA"}'
        $all.items['aetherv.state'] | Should -Be 'ready'
        $some = Assert-TestResultSchema -Operation 'kvp.get' -Result (Invoke-TestOperation -Operation 'kvp.get' -Params @{ vmId = $script:vm.Id.ToString(); keys = @('aetherv.state', 'aetherv.absent') })
        @($some.items.Keys) | Should -Be @('aetherv.state')
    }

    It "reports a guest item named 'keys' like any other" {
        $script:guestItems = @((New-KvpItemXml -Name 'keys' -Data 'k'), (New-KvpItemXml -Name 'Count' -Data 'c'))
        $result = Assert-TestResultSchema -Operation 'kvp.get' -Result (Invoke-TestOperation -Operation 'kvp.get' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.items['keys'] | Should -Be 'k'
        $result.items['Count'] | Should -Be 'c'
    }

    It 'ignores an item whose XML carries a DTD (the text comes from the guest)' {
        $script:guestItems = @('<?xml version="1.0"?><!DOCTYPE INSTANCE [<!ENTITY x SYSTEM "file:///etc/passwd">]><INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem"><PROPERTY NAME="Name" TYPE="string"><VALUE>evil</VALUE></PROPERTY><PROPERTY NAME="Data" TYPE="string"><VALUE>&x;</VALUE></PROPERTY></INSTANCE>', (New-KvpItemXml -Name 'ok' -Data 'fine'))
        $result = Assert-TestResultSchema -Operation 'kvp.get' -Result (Invoke-TestOperation -Operation 'kvp.get' -Params @{ vmId = $script:vm.Id.ToString() })
        @($result.items.Keys) | Should -Be @('ok')
    }

    It 'answers VM_NOT_FOUND from kvp.get for an unknown VM' {
        (Get-TestAgentFailure -Operation 'kvp.get' -Params @{ vmId = [guid]::NewGuid().ToString() }).code | Should -Be 'VM_NOT_FOUND'
    }
}
