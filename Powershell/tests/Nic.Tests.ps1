# nic.create, nic.update, nic.delete (Nic.ps1).

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
}

Describe 'nic.create, nic.update, nic.delete' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        $script:FakeHost.Switches += New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMSwitch' -Property ([ordered]@{ Name = 'Storage [10G]'; Id = [guid]::NewGuid(); SwitchType = [Microsoft.HyperV.PowerShell.VMSwitchType]'Internal' })
        Mock Add-VMNetworkAdapter {
            $mac = '00155D0A0B0C'
            if ($PesterBoundParameters.ContainsKey('StaticMacAddress')) { $mac = $StaticMacAddress }
            Add-FakeNetworkAdapter -Vm $VM[0] -Name $Name -SwitchName $SwitchName -MacAddress $mac -DynamicMacAddressEnabled (-not $PesterBoundParameters.ContainsKey('StaticMacAddress'))
        }
        Mock Set-VMNetworkAdapterVlan {
            $id = 0
            if ($Access) { $id = $VlanId }
            foreach ($a in $VMNetworkAdapter) { $a.VlanSetting = New-FakeVlanSetting -AccessVlanId $id }
        }
        Mock Remove-VMNetworkAdapter { foreach ($a in $VMNetworkAdapter) { foreach ($v in $script:FakeHost.Vms) { $null = $v.NetworkAdapters.Remove($a) } } }
        Mock Connect-VMNetworkAdapter { foreach ($a in $VMNetworkAdapter) { $a.SwitchName = $SwitchName } }
        Mock Rename-VMNetworkAdapter { foreach ($a in $VMNetworkAdapter) { $a.Name = $NewName } }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -State 'Running')
        $script:nic = Add-FakeNetworkAdapter -Vm $script:vm -Name 'eth0' -AccessVlanId 30
        $script:ref = @{ vmId = $script:vm.Id.ToString(); nicId = $script:nic.Id }
    }

    It 'adds an adapter to a running generation 2 VM on a switch (exact name, not a wildcard), VLAN and static MAC' {
        $params = @{ vmId = $script:vm.Id.ToString(); switchName = 'storage [10g]'; name = 'Storage'; vlanId = 40; macAddress = '00155D112233' }
        $result = Assert-TestResultSchema -Operation 'nic.create' -Result (Invoke-TestOperation -Operation 'nic.create' -Params $params)
        $result.nic.name | Should -Be 'Storage'
        $result.nic.switchName | Should -Be 'Storage [10G]'
        $result.nic.vlanId | Should -Be 40
        $result.nic.macAddress | Should -Be '00155D112233'
        $result.nic.dynamicMac | Should -BeFalse
        @($result.vm.nics).Count | Should -Be 2
        Should -Invoke Add-VMNetworkAdapter -Times 1 -Exactly -ParameterFilter { $VM[0].Id -eq $script:vm.Id -and $SwitchName -eq 'Storage [10G]' -and $Name -eq 'Storage' -and $StaticMacAddress -eq '00155D112233' -and $Passthru }
        Should -Invoke Set-VMNetworkAdapterVlan -Times 1 -Exactly -ParameterFilter { $Access -and $VlanId -eq 40 -and $VMNetworkAdapter[0].Name -eq 'Storage' }
        Should -Invoke Get-VMSwitch -ParameterFilter { -not $PesterBoundParameters.ContainsKey('Name') }
    }

    It 'adds an untagged adapter with a dynamic MAC by default' {
        $result = Assert-TestResultSchema -Operation 'nic.create' -Result (Invoke-TestOperation -Operation 'nic.create' -Params @{ vmId = $script:vm.Id.ToString(); switchName = 'LAN' })
        $result.nic.name | Should -Be 'Network Adapter'
        $result.nic.vlanId | Should -BeNullOrEmpty
        $result.nic.dynamicMac | Should -BeTrue
        Should -Invoke Set-VMNetworkAdapterVlan -Times 0 -Exactly
    }

    It 'removes the new adapter again when its VLAN cannot be set' {
        $failure = Get-TestAgentFailure -Operation 'nic.create' -Params @{ vmId = $script:vm.Id.ToString(); switchName = 'LAN'; name = 'bad'; vlanId = 5000 }
        $failure.code | Should -Be 'INVALID_PARAMS'
        Should -Invoke Remove-VMNetworkAdapter -Times 1 -Exactly -ParameterFilter { $VMNetworkAdapter[0].Name -eq 'bad' }
        @($script:vm.NetworkAdapters).Count | Should -Be 1
    }

    It 'refuses <case> (<code>)' -ForEach @(
        @{ case = 'a switch the host does not have'; code = 'SWITCH_NOT_FOUND'; params = @{ switchName = 'L*' } }
        @{ case = 'a MAC address in lower case'; code = 'INVALID_PARAMS'; params = @{ switchName = 'LAN'; macAddress = '00155d112233' } }
        @{ case = 'no switch'; code = 'INVALID_PARAMS'; params = @{} }
    ) {
        (Get-TestAgentFailure -Operation 'nic.create' -Params ($params + @{ vmId = $script:vm.Id.ToString() })).code | Should -Be $code
        Should -Invoke Add-VMNetworkAdapter -Times 0 -Exactly
    }

    It 'refuses to add or remove an adapter of a running generation 1 VM (INVALID_STATE)' {
        $gen1 = Add-FakeVm (New-FakeVm -Name 'old01' -Generation 1 -State 'Running')
        $old = Add-FakeNetworkAdapter -Vm $gen1
        (Get-TestAgentFailure -Operation 'nic.create' -Params @{ vmId = $gen1.Id.ToString(); switchName = 'LAN' }).code | Should -Be 'INVALID_STATE'
        $failure = Get-TestAgentFailure -Operation 'nic.delete' -Params @{ vmId = $gen1.Id.ToString(); nicId = $old.Id }
        $failure.code | Should -Be 'INVALID_STATE'
        $failure.details.currentState | Should -Be 'Running'
        Should -Invoke Remove-VMNetworkAdapter -Times 0 -Exactly
    }

    It 'moves an adapter to another switch, renames it and changes its VLAN' {
        $result = Assert-TestResultSchema -Operation 'nic.update' -Result (Invoke-TestOperation -Operation 'nic.update' -Params ($script:ref + @{ switchName = 'Storage [10G]'; name = 'eth1'; vlanId = 41 }))
        $result.nic.switchName | Should -Be 'Storage [10G]'
        $result.nic.name | Should -Be 'eth1'
        $result.nic.vlanId | Should -Be 41
        Should -Invoke Connect-VMNetworkAdapter -Times 1 -Exactly -ParameterFilter { $SwitchName -eq 'Storage [10G]' -and $VMNetworkAdapter[0].Id -eq $script:nic.Id }
        Should -Invoke Rename-VMNetworkAdapter -Times 1 -Exactly -ParameterFilter { $NewName -eq 'eth1' }
        Should -Invoke Set-VMNetworkAdapterVlan -Times 1 -Exactly -ParameterFilter { $Access -and $VlanId -eq 41 }
    }

    It 'makes an adapter untagged with vlanId null and leaves the VLAN alone without vlanId' {
        $result = Assert-TestResultSchema -Operation 'nic.update' -Result (Invoke-TestOperation -Operation 'nic.update' -Params ($script:ref + @{ vlanId = $null }))
        $result.nic.vlanId | Should -BeNullOrEmpty
        Should -Invoke Set-VMNetworkAdapterVlan -Times 1 -Exactly -ParameterFilter { $Untagged -and -not $Access }
        $null = Invoke-TestOperation -Operation 'nic.update' -Params ($script:ref + @{ name = 'eth0' })
        Should -Invoke Set-VMNetworkAdapterVlan -Times 1 -Exactly
        Should -Invoke Connect-VMNetworkAdapter -Times 0 -Exactly
        Should -Invoke Rename-VMNetworkAdapter -Times 0 -Exactly
    }

    It 'removes an adapter' {
        $result = Assert-TestResultSchema -Operation 'nic.delete' -Result (Invoke-TestOperation -Operation 'nic.delete' -Params $script:ref)
        $result.nicId | Should -Be $script:nic.Id
        @($result.vm.nics).Count | Should -Be 0
        Should -Invoke Remove-VMNetworkAdapter -Times 1 -Exactly -ParameterFilter { $VMNetworkAdapter[0].Id -eq $script:nic.Id }
    }

    It 'answers NIC_NOT_FOUND for an adapter the VM does not have' {
        $ref = @{ vmId = $script:vm.Id.ToString(); nicId = "Microsoft:$($script:vm.Id)\$([guid]::NewGuid())" }
        (Get-TestAgentFailure -Operation 'nic.update' -Params ($ref + @{ name = 'x' })).code | Should -Be 'NIC_NOT_FOUND'
        (Get-TestAgentFailure -Operation 'nic.delete' -Params $ref).code | Should -Be 'NIC_NOT_FOUND'
    }
}
