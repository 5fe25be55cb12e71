# Mocks of the read side of the fake host (dot-sourced by TestHelpers.ps1): Get-VM, Get-VHD,
# Get-VMHardDiskDrive, Get-CimInstance... answer from $script:FakeHost as the real cmdlets would,
# errors included. Tests mock the cmdlets that change something themselves, so each test says
# what it expects to be called.

function Register-FakeHyperV {
    # Mocks the read side of Hyper-V, CIM, the cluster service and FailoverClusters over
    # $script:FakeHost. Call from BeforeEach (or an It) after Reset-FakeHost.
    Mock Get-VM {
        if ($null -ne $Id) {
            $found = @($script:FakeHost.Vms | Where-Object { $_.Id -eq $Id })
            if ($found.Count -eq 0) {
                # As Hyper-V: a non-terminating ObjectNotFound (made terminating by -ErrorAction Stop).
                Write-Error -Message "Hyper-V was unable to find a virtual machine with ID $Id." -Category ObjectNotFound -ErrorId 'InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM'
                return
            }
            return $found[0]
        }
        return $script:FakeHost.Vms.ToArray()
    }
    Mock Get-VMHost { $script:FakeHost.VMHost }
    Mock Get-VMSwitch { $script:FakeHost.Switches }
    Mock Get-VHD {
        foreach ($item in $Path) {
            $vhd = $script:FakeHost.Vhds[(Get-FakePathKey -Path $item)]
            if ($null -eq $vhd) {
                Write-Error -Message "The system cannot find the file specified: '$item'." -Category ObjectNotFound -ErrorId 'ObjectNotFound,Microsoft.Vhd.PowerShell.Cmdlets.GetVHD'
                continue
            }
            $vhd
        }
    }
    Mock Get-VMHardDiskDrive { foreach ($item in $VM) { $item.HardDrives.ToArray() } }
    Mock Get-VMDvdDrive { foreach ($item in $VM) { $item.DVDDrives.ToArray() } }
    Mock Get-VMScsiController {
        foreach ($item in $VM) {
            if ($item.Generation -eq 2) {
                New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMScsiController', 'Microsoft.HyperV.PowerShell.VMDriveController' -Property ([ordered]@{ ControllerNumber = 0; VMId = $item.Id; VMName = $item.Name; Name = 'SCSI Controller' })
            }
        }
    }
    Mock Get-VMNetworkAdapter {
        if ($ManagementOS) {
            return $script:FakeHost.HostAdapters
        }
        foreach ($item in $VM) { $item.NetworkAdapters.ToArray() }
    }
    Mock Get-VMNetworkAdapterVlan { foreach ($item in $VMNetworkAdapter) { $item.VlanSetting } }
    Mock Get-VMIntegrationService {
        foreach ($item in $VM) {
            New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMIntegrationComponent' -Property ([ordered]@{
                    Name = 'Shutdown'; VMId = $item.Id; VMName = $item.Name; Enabled = $true
                    Id = "Microsoft:$($item.Id.ToString().ToUpperInvariant())\9F8233AC-BE49-4C79-8EE3-E7E1985B2077"
                    PrimaryOperationalStatus = [Microsoft.HyperV.PowerShell.VMIntegrationComponentOperationalStatus]'Ok'
                })
        }
    }
    Mock Get-CimInstance {
        switch ($ClassName) {
            'Win32_ComputerSystem' {
                return (New-FakeCim -Class $ClassName -Property ([ordered]@{ DNSHostName = 'HV01'; Domain = 'lab.example'; PartOfDomain = $true; TotalPhysicalMemory = [uint64]64GB }))
            }
            'Win32_OperatingSystem' {
                return (New-FakeCim -Class $ClassName -Property ([ordered]@{ Caption = 'Microsoft Windows Server 2022 Datacenter'; Version = '10.0.20348'; FreePhysicalMemory = $script:FakeHost.FreePhysicalKb }))
            }
            'Win32_Processor' {
                return @(0, 1 | ForEach-Object { New-FakeCim -Class $ClassName -Property ([ordered]@{ DeviceID = "CPU$_"; NumberOfCores = [uint32]4; NumberOfLogicalProcessors = [uint32]8 }) })
            }
            'Win32_Volume' { return $script:FakeHost.Volumes }
            'Msvm_KvpExchangeComponent' {
                $all = $script:FakeHost.KvpComponents.ToArray()
                if ($Filter -match "^SystemName = '([0-9A-F-]{36})'$") {
                    $wanted = $Matches[1]
                    return @($all | Where-Object { $_.SystemName -ceq $wanted })
                }
                return $all
            }
        }
        throw "Get-CimInstance: the fake host has no class $ClassName."
    }
    Mock Get-Service {
        if ($Name -contains 'ClusSvc' -and $script:FakeHost.Clustered) {
            return (New-FakeObject -TypeName 'System.ServiceProcess.ServiceController' -Property ([ordered]@{ Name = 'ClusSvc'; DisplayName = 'Cluster Service'; Status = 'Running' }))
        }
        Write-Error -Message "Cannot find any service with service name '$Name'." -Category ObjectNotFound -ErrorId 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand'
    }
    Mock Get-Cluster { New-FakeObject -TypeName 'Microsoft.FailoverClusters.PowerShell.Cluster' -Property ([ordered]@{ Name = $script:FakeHost.ClusterName; Domain = 'lab.example' }) }
    Mock Get-ClusterResource { $script:FakeHost.ClusterResources.ToArray() }
    Mock Get-ClusterParameter {
        if ($Name -contains 'VmID' -and $null -ne $InputObject.PSObject.Properties['VmID']) {
            return (New-FakeObject -TypeName 'Microsoft.FailoverClusters.PowerShell.ClusterParameter' -Property ([ordered]@{ ClusterObject = $InputObject; Name = 'VmID'; Value = $InputObject.VmID; Type = 'String' }))
        }
    }
}

function Add-FakeKvpGuestIntrinsic {
    # The guest's intrinsic KVP items (Msvm_KvpExchangeComponent.GuestIntrinsicExchangeItems), as
    # the CIM-XML embedded instances Hyper-V gives.
    param([Parameter(Mandatory = $true)] [object] $Vm, [Parameter(Mandatory = $true)] [hashtable] $Items)
    $xml = foreach ($key in $Items.Keys) {
        "<INSTANCE CLASSNAME=`"Msvm_KvpExchangeDataItem`"><PROPERTY NAME=`"Data`" TYPE=`"string`"><VALUE>$([System.Security.SecurityElement]::Escape($Items[$key]))</VALUE></PROPERTY><PROPERTY NAME=`"Name`" TYPE=`"string`"><VALUE>$([System.Security.SecurityElement]::Escape($key))</VALUE></PROPERTY><PROPERTY NAME=`"Source`" TYPE=`"uint16`"><VALUE>2</VALUE></PROPERTY></INSTANCE>"
    }
    $script:FakeHost.KvpComponents.Add((New-FakeCim -Namespace 'root/virtualization/v2' -Class 'Msvm_KvpExchangeComponent' -Property ([ordered]@{
                    SystemName = $Vm.Id.ToString().ToUpperInvariant(); GuestIntrinsicExchangeItems = [string[]]@($xml); GuestExchangeItems = [string[]]@()
                })))
}

function New-FakeFinishedJob {
    # What a Hyper-V cmdlet run with -AsJob returns once the work is done.
    param([string] $Name = 'Job', [object[]] $Output = @(), [System.Management.Automation.ErrorRecord] $ErrorRecord)
    return [AetherV.Tests.FinishedJob]::new($Name, $Output, $ErrorRecord)
}
