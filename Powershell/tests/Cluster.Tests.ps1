# cluster.addVm and cluster.removeVm (RegisterVM.ps1), and vm.delete of a clustered VM.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')

    function Add-FakeClusterRole {
        # The VM's cluster group and its 'Virtual Machine' resource, whose VmID parameter is the VM's GUID.
        param([object] $Vm, [string] $GroupName)
        $group = New-FakeObject -TypeName 'Microsoft.FailoverClusters.PowerShell.ClusterGroup' -Property ([ordered]@{ Name = $GroupName; OwnerNode = 'HV01'; State = 'Online' })
        $group | Add-Member -MemberType ScriptMethod -Name ToString -Value { $this.Name } -Force
        $type = New-FakeObject -TypeName 'Microsoft.FailoverClusters.PowerShell.ClusterResourceType' -Property ([ordered]@{ Name = 'Virtual Machine' })
        $type | Add-Member -MemberType ScriptMethod -Name ToString -Value { $this.Name } -Force
        $script:FakeHost.ClusterResources.Add((New-FakeObject -TypeName 'Microsoft.FailoverClusters.PowerShell.ClusterResource' -Property ([ordered]@{
                        Name = "Virtual Machine $GroupName"; ResourceType = $type; OwnerGroup = $group; State = 'Online'; VmID = $Vm.Id.ToString()
                    })))
        $Vm.IsClustered = $true
        return $group
    }
}

Describe 'cluster.addVm and cluster.removeVm' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        $script:FakeHost.Clustered = $true
        $null = New-Item -ItemType Directory -Path 'C:\ClusterStorage\Volume1' -Force
        Mock Add-ClusterVirtualMachineRole { Add-FakeClusterRole -Vm @($script:FakeHost.Vms | Where-Object { $_.Id -eq $VMId })[0] -GroupName 'web01' }
        Mock Remove-ClusterGroup {
            foreach ($r in @($script:FakeHost.ClusterResources)) { if ($Name -contains [string]$r.OwnerGroup) { $null = $script:FakeHost.ClusterResources.Remove($r) } }
        }
        Mock Remove-VM { foreach ($v in $VM) { $null = $script:FakeHost.Vms.Remove($v) } }
        $script:vm = Add-FakeVm (New-FakeVm -Name 'web01' -Path 'C:\ClusterStorage\Volume1')
        $null = Add-FakeHardDrive -Vm $script:vm -Path 'C:\ClusterStorage\Volume1\web01\web01.vhdx'
    }

    It 'makes a VM on Cluster Shared Volumes highly available and names its role' {
        $result = Assert-TestResultSchema -Operation 'cluster.addVm' -Result (Invoke-TestOperation -Operation 'cluster.addVm' -Params @{ vmId = $script:vm.Id.ToString(); cluster = 'clu01' })
        $result.cluster | Should -Be 'CLU01'
        $result.roleName | Should -Be 'web01'
        $result.vm.clustered | Should -BeTrue
        Should -Invoke Add-ClusterVirtualMachineRole -Times 1 -Exactly -ParameterFilter { $VMId -eq $script:vm.Id }
    }

    It 'returns the existing role of a VM that already has one' {
        $null = Add-FakeClusterRole -Vm $script:vm -GroupName 'web01-role'
        $result = Assert-TestResultSchema -Operation 'cluster.addVm' -Result (Invoke-TestOperation -Operation 'cluster.addVm' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.roleName | Should -Be 'web01-role'
        Should -Invoke Add-ClusterVirtualMachineRole -Times 0 -Exactly
        Should -Invoke Get-ClusterParameter -ParameterFilter { $Name -contains 'VmID' }
    }

    It 'refuses a VM whose files are on local storage (STORAGE_NOT_SHARED with the paths)' {
        $local = Add-FakeVm (New-FakeVm -Name 'local01')
        $null = Add-FakeHardDrive -Vm $local -Path 'C:\Hyper-V\local01\local01.vhdx'
        $failure = Get-TestAgentFailure -Operation 'cluster.addVm' -Params @{ vmId = $local.Id.ToString() }
        $failure.code | Should -Be 'STORAGE_NOT_SHARED'
        $failure.details.paths | Should -Be @('C:\Hyper-V\local01', 'C:\Hyper-V\local01\local01.vhdx')
        Should -Invoke Add-ClusterVirtualMachineRole -Times 0 -Exactly
    }

    It 'refuses another cluster name (CLUSTER_NOT_FOUND) and a host out of any cluster (NOT_CLUSTERED)' {
        (Get-TestAgentFailure -Operation 'cluster.addVm' -Params @{ vmId = $script:vm.Id.ToString(); cluster = 'CLU02' }).code | Should -Be 'CLUSTER_NOT_FOUND'
        $script:FakeHost.Clustered = $false
        (Get-TestAgentFailure -Operation 'cluster.addVm' -Params @{ vmId = $script:vm.Id.ToString() }).code | Should -Be 'NOT_CLUSTERED'
        (Get-TestAgentFailure -Operation 'cluster.removeVm' -Params @{ vmId = $script:vm.Id.ToString() }).code | Should -Be 'NOT_CLUSTERED'
        Should -Invoke Add-ClusterVirtualMachineRole -Times 0 -Exactly
    }

    It 'removes the role and keeps the VM; a VM without one is no error' {
        $null = Add-FakeClusterRole -Vm $script:vm -GroupName 'web01'
        $result = Assert-TestResultSchema -Operation 'cluster.removeVm' -Result (Invoke-TestOperation -Operation 'cluster.removeVm' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.roleRemoved | Should -BeTrue
        Should -Invoke Remove-ClusterGroup -Times 1 -Exactly -ParameterFilter { $Name -contains 'web01' -and $RemoveResources -and $Force }
        Should -Invoke Remove-VM -Times 0 -Exactly
        $again = Assert-TestResultSchema -Operation 'cluster.removeVm' -Result (Invoke-TestOperation -Operation 'cluster.removeVm' -Params @{ vmId = $script:vm.Id.ToString() })
        $again.roleRemoved | Should -BeFalse
    }

    It 'vm.delete removes the cluster role before the VM' {
        $null = Add-FakeClusterRole -Vm $script:vm -GroupName 'web01'
        $result = Assert-TestResultSchema -Operation 'vm.delete' -Result (Invoke-TestOperation -Operation 'vm.delete' -Params @{ vmId = $script:vm.Id.ToString() })
        $result.clusterRoleRemoved | Should -BeTrue
        Should -Invoke Remove-ClusterGroup -Times 1 -Exactly
        Should -Invoke Remove-VM -Times 1 -Exactly
    }
}
