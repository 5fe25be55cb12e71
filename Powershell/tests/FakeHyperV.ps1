# Fake Hyper-V host for the agent's Pester tests (dot-sourced by TestHelpers.ps1): objects with
# the real cmdlets' output type names, property names and .NET types, kept in one mutable model,
# $script:FakeHost. FakeHyperVMocks.ps1 mocks the read cmdlets over it.

function New-FakeObject {
    # A PSCustomObject whose PSObject.TypeNames are the real type and its bases (what the stubs'
    # [PSTypeName()] checks and Hyper-V's own binding see).
    param([Parameter(Mandatory = $true)] [string[]] $TypeName, [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Property)
    $object = [pscustomobject]$Property
    $object.PSObject.TypeNames.Clear()
    foreach ($name in @($TypeName) + @('System.Object')) {
        $object.PSObject.TypeNames.Add($name)
    }
    return $object
}

function New-FakeVm {
    param(
        [string] $Name = 'vm1',
        [guid] $Id = [guid]::NewGuid(),
        [string] $State = 'Off',
        [int] $Generation = 2,
        [long] $ProcessorCount = 2,
        [long] $MemoryStartup = 2GB,
        [bool] $DynamicMemoryEnabled = $false,
        [long] $MemoryMinimum = 512MB,
        [long] $MemoryMaximum = 1TB,
        [string] $Path = 'C:\Hyper-V',
        [string] $Notes = '',
        [bool] $IsClustered = $false
    )
    $running = $State -eq 'Running' -or $State -eq 'Paused'
    $assigned = [long]0
    $uptime = [timespan]::Zero
    if ($running) {
        $assigned = $MemoryStartup
        $uptime = [timespan]::FromSeconds(3725.6)
    }
    return (New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VirtualMachine' -Property ([ordered]@{
                Name                  = $Name
                VMName                = $Name
                Id                    = $Id
                VMId                  = $Id
                State                 = [Microsoft.HyperV.PowerShell.VMState]$State
                ProcessorCount        = $ProcessorCount
                MemoryStartup         = $MemoryStartup
                MemoryAssigned        = $assigned
                MemoryMinimum         = $MemoryMinimum
                MemoryMaximum         = $MemoryMaximum
                DynamicMemoryEnabled  = $DynamicMemoryEnabled
                Generation            = $Generation
                Version               = '10.0'
                Path                  = "$Path\$Name"
                ConfigurationLocation = "$Path\$Name"
                Uptime                = $uptime
                Notes                 = $Notes
                CreationTime          = [datetime]::new(2026, 1, 2, 3, 4, 5, [System.DateTimeKind]::Utc)
                HardDrives            = [System.Collections.Generic.List[object]]::new()
                DVDDrives             = [System.Collections.Generic.List[object]]::new()
                NetworkAdapters       = [System.Collections.Generic.List[object]]::new()
                IsClustered           = $IsClustered
                ComputerName          = 'HV01'
            }))
}

function New-FakeDrive {
    # What a hard disk drive and a DVD drive share (HardDriveBase): the slot, the VM, and an Id
    # of Hyper-V's form, Microsoft:<VM id>\<device GUID>\<controller>\<location>\D.
    param(
        [Parameter(Mandatory = $true)] [object] $Vm,
        [Parameter(Mandatory = $true)] [string] $TypeName,
        [Parameter(Mandatory = $true)] [string] $DeviceId,
        [Parameter(Mandatory = $true)] [string] $Name,
        [string] $Path,
        [string] $ControllerType,
        [int] $ControllerNumber,
        [int] $ControllerLocation
    )
    return (New-FakeObject -TypeName "Microsoft.HyperV.PowerShell.$TypeName", 'Microsoft.HyperV.PowerShell.HardDriveBase' -Property ([ordered]@{
                Id                 = "Microsoft:$($Vm.Id.ToString().ToUpperInvariant())\$DeviceId\$ControllerNumber\$ControllerLocation\D"
                Name               = $Name
                Path               = $Path
                ControllerType     = [Microsoft.HyperV.PowerShell.ControllerType]$ControllerType
                ControllerNumber   = $ControllerNumber
                ControllerLocation = $ControllerLocation
                VMId               = $Vm.Id
                VMName             = $Vm.Name
            }))
}

function Add-FakeHardDrive {
    # Attaches a disk to a fake VM (and gives Get-VHD an answer for it if it has none); returns the drive.
    param(
        [Parameter(Mandatory = $true)] [object] $Vm,
        [Parameter(Mandatory = $true)] [string] $Path,
        [string] $ControllerType = 'SCSI',
        [int] $ControllerNumber = 0,
        [int] $ControllerLocation = 0,
        [uint64] $Size = 40GB,
        [string] $VhdType = 'Dynamic',
        [string] $ParentPath = ''
    )
    $drive = New-FakeDrive -Vm $Vm -TypeName 'HardDiskDrive' -DeviceId '83F8638B-8DCA-4152-9EDA-2CA8B33039B4' -Name 'Hard Drive' -Path $Path -ControllerType $ControllerType -ControllerNumber $ControllerNumber -ControllerLocation $ControllerLocation
    $drive | Add-Member -NotePropertyName 'DiskNumber' -NotePropertyValue $null
    $Vm.HardDrives.Add($drive)
    $vhd = $script:FakeHost.Vhds[(Get-FakePathKey -Path $Path)]
    if ($null -eq $vhd) {
        $null = Add-FakeVhd -Path $Path -Size $Size -VhdType $VhdType -ParentPath $ParentPath -Attached $true
    } else {
        $vhd.Attached = $true
    }
    return $drive
}

function Add-FakeVhd {
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [uint64] $Size = 40GB,
        [uint64] $FileSize = 4GB,
        [string] $VhdType = 'Dynamic',
        [string] $ParentPath = '',
        [bool] $Attached = $false
    )
    $format = 'VHDX'
    if ($Path -match '\.vhd$') {
        $format = 'VHD'
    }
    $vhd = New-FakeObject -TypeName 'Microsoft.Vhd.PowerShell.VirtualHardDisk' -Property ([ordered]@{
            ComputerName     = 'HV01'
            Path             = $Path
            VhdFormat        = [Microsoft.Vhd.PowerShell.VhdFormat]$format
            VhdType          = [Microsoft.Vhd.PowerShell.VhdType]$VhdType
            FileSize         = $FileSize
            Size             = $Size
            MinimumSize      = $Size
            LogicalSectorSize = [uint32]512
            PhysicalSectorSize = [uint32]4096
            BlockSize        = [uint32]33554432
            ParentPath       = $ParentPath
            DiskIdentifier   = [guid]::NewGuid().ToString().ToUpperInvariant()
            Attached         = $Attached
            DiskNumber       = $null
        })
    $script:FakeHost.Vhds[(Get-FakePathKey -Path $Path)] = $vhd
    return $vhd
}

function Add-FakeDvdDrive {
    param([Parameter(Mandatory = $true)] [object] $Vm, [string] $Path = '', [int] $ControllerNumber = 0, [int] $ControllerLocation = 1)
    $type = 'SCSI'
    if ($Vm.Generation -eq 1) {
        $type = 'IDE'
    }
    $drive = New-FakeDrive -Vm $Vm -TypeName 'DvdDrive' -DeviceId 'D9E8C3F2-0000-4B4B-9C5E-7A53C4F0B0A1' -Name 'DVD Drive' -Path $Path -ControllerType $type -ControllerNumber $ControllerNumber -ControllerLocation $ControllerLocation
    $Vm.DVDDrives.Add($drive)
    return $drive
}

function Add-FakeNetworkAdapter {
    param(
        [Parameter(Mandatory = $true)] [object] $Vm,
        [string] $Name = 'Network Adapter',
        [string] $SwitchName = 'LAN',
        [string] $MacAddress = '00155D010203',
        [bool] $DynamicMacAddressEnabled = $true,
        [int] $AccessVlanId = 0,
        [string[]] $IPAddresses = @()
    )
    $adapter = New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMNetworkAdapter', 'Microsoft.HyperV.PowerShell.VMNetworkAdapterBase' -Property ([ordered]@{
            Id                       = "Microsoft:$($Vm.Id.ToString().ToUpperInvariant())\$([guid]::NewGuid().ToString().ToUpperInvariant())"
            Name                     = $Name
            VMId                     = $Vm.Id
            VMName                   = $Vm.Name
            SwitchName               = $SwitchName
            MacAddress               = $MacAddress
            DynamicMacAddressEnabled = $DynamicMacAddressEnabled
            IPAddresses              = $IPAddresses
            IsManagementOs           = $false
            VlanSetting              = New-FakeVlanSetting -AccessVlanId $AccessVlanId
        })
    $Vm.NetworkAdapters.Add($adapter)
    return $adapter
}

function New-FakeVlanSetting {
    param([int] $AccessVlanId = 0)
    $mode = 'Untagged'
    if ($AccessVlanId -gt 0) {
        $mode = 'Access'
    }
    return (New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting' -Property ([ordered]@{
                OperationMode = [Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanMode]$mode
                AccessVlanId  = $AccessVlanId
                NativeVlanId  = 0
            }))
}

function Get-FakePathKey {
    param([Parameter(Mandatory = $true)] [string] $Path)
    return $Path.Replace('/', '\').ToUpperInvariant()
}

function New-FakeCim {
    param([Parameter(Mandatory = $true)] [string] $Class, [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Property, [string] $Namespace = 'root/cimv2')
    return (New-FakeObject -TypeName "Microsoft.Management.Infrastructure.CimInstance#$Namespace/$Class", 'Microsoft.Management.Infrastructure.CimInstance' -Property $Property)
}

function Reset-FakeHost {
    # A standalone host HV01 (not clustered) with one external switch and no VMs.
    $script:FakeHost = @{
        Vms            = [System.Collections.Generic.List[object]]::new()
        Vhds           = @{}
        Clustered      = $false
        ClusterName    = 'CLU01'
        ClusterResources = [System.Collections.Generic.List[object]]::new()
        KvpComponents  = [System.Collections.Generic.List[object]]::new()
        FreePhysicalKb = [uint64](48GB / 1KB)
        Volumes        = @(New-FakeCim -Class 'Win32_Volume' -Property ([ordered]@{ Name = 'C:\'; Capacity = [uint64]1TB; FreeSpace = [uint64]600GB }))
        VMHost         = New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMHost' -Property ([ordered]@{
                Name = 'HV01'; ComputerName = 'HV01'; LogicalProcessorCount = 16; MemoryCapacity = [long]64GB
                VirtualMachinePath = 'C:\Hyper-V'; VirtualHardDiskPath = 'C:\Hyper-V\Virtual Hard Disks'
            })
        Switches       = @(New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMSwitch' -Property ([ordered]@{
                    Name = 'LAN'; Id = [guid]'5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d'; SwitchType = [Microsoft.HyperV.PowerShell.VMSwitchType]'External'
                }))
        HostAdapters   = @(New-FakeObject -TypeName 'Microsoft.HyperV.PowerShell.VMInternalNetworkAdapter', 'Microsoft.HyperV.PowerShell.VMNetworkAdapterBase' -Property ([ordered]@{
                    Name = 'LAN'; SwitchName = 'LAN'; IsManagementOs = $true; Id = 'Microsoft:0A1B2C3D-0000-4000-8000-000000000001'
                    VlanSetting = New-FakeVlanSetting -AccessVlanId 20
                }))
    }
}

function Add-FakeVm {
    param([Parameter(Mandatory = $true)] [object] $Vm)
    $script:FakeHost.Vms.Add($Vm)
    return $Vm
}
