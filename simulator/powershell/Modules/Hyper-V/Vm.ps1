# Hyper-V stubs: virtual machines and the host (Get-VM, New-VM, Set-VM, Rename-VM, Remove-VM, Get-VMHost).
# Signatures from the Windows Server 2022 Hyper-V module reference (learn.microsoft.com,
# MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/hyper-v/*.md).

function Get-VM {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0, ValueFromPipeline = $true)]
        [Alias('VMName')] [ValidateNotNullOrEmpty()] [string[]] $Name,
        [Parameter(ParameterSetName = 'Id', Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('VMId')] [Nullable[guid]] $Id,
        [Parameter(ParameterSetName = 'ClusterObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.FailoverClusters.PowerShell.ClusterObject')] [psobject] $ClusterObject,
        [Parameter(ParameterSetName = 'Name')] [Parameter(ParameterSetName = 'Id')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'Name')] [Parameter(ParameterSetName = 'Id')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'Name')] [Parameter(ParameterSetName = 'Id')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function New-VM {
    [CmdletBinding(DefaultParameterSetName = 'No VHD', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('VMName')] [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(Position = 1)] [long] $MemoryStartupBytes,
        [ValidateSet('Floppy', 'CD', 'IDE', 'LegacyNetworkAdapter', 'NetworkAdapter', 'VHD')] [string] $BootDevice,
        [Parameter(ParameterSetName = 'No VHD')] [switch] $NoVHD,
        [ValidateNotNullOrEmpty()] [string] $SwitchName,
        [Parameter(ParameterSetName = 'New VHD', Mandatory = $true)] [ValidateNotNullOrEmpty()] [string] $NewVHDPath,
        [Parameter(ParameterSetName = 'New VHD', Mandatory = $true)] [uint64] $NewVHDSizeBytes,
        [Parameter(ParameterSetName = 'Existing VHD', Mandatory = $true)] [ValidateNotNullOrEmpty()] [string] $VHDPath,
        [ValidateNotNullOrEmpty()] [string] $Path,
        [ValidateNotNullOrEmpty()] [version] $Version,
        [switch] $Prerelease,
        [Parameter(Position = 2)] [ValidateSet(1, 2)] [int16] $Generation,
        [switch] $Force,
        [switch] $AsJob,
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Set-VM {
    [CmdletBinding(DefaultParameterSetName = 'Name', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('VMName')] [ValidateNotNullOrEmpty()] [string[]] $Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [ValidateSet('Standard', 'Production', 'ProductionOnly', 'Disabled')] [string] $CheckpointType,
        [ValidateNotNullOrEmpty()] [Alias('CheckpointFileLocation')] [string] $SnapshotFileLocation,
        [ValidateNotNullOrEmpty()] [string] $SmartPagingFilePath,
        [ValidateSet('Nothing', 'StartIfRunning', 'Start')] [string] $AutomaticStartAction,
        [ValidateSet('TurnOff', 'Save', 'ShutDown')] [string] $AutomaticStopAction,
        [int] $AutomaticStartDelay,
        [ValidateSet('None', 'Pause')] [string] $AutomaticCriticalErrorAction,
        [int] $AutomaticCriticalErrorActionTimeout,
        [bool] $AutomaticCheckpointsEnabled,
        [bool] $LockOnDisconnect,
        [long] $ProcessorCount,
        [switch] $DynamicMemory,
        [switch] $StaticMemory,
        [long] $MemoryMinimumBytes,
        [long] $MemoryMaximumBytes,
        [long] $MemoryStartupBytes,
        [uint32] $LowMemoryMappedIoSpace,
        [uint64] $HighMemoryMappedIoSpace,
        [uint64] $HighMemoryMappedIoBaseAddress,
        [bool] $GuestControlledCacheTypes,
        # No validation: Set-VM -Notes '' clears a VM's notes (what provisioning's finish step does
        # when the request had none); fix by the real-agent e2e tests.
        [string] $Notes,
        [ValidateNotNullOrEmpty()] [string] $NewVMName,
        [ValidateSet('VMBus', 'HvSocket')] [string] $EnhancedSessionTransportType,
        [switch] $AllowUnverifiedPaths,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Rename-VM {
    [CmdletBinding(DefaultParameterSetName = 'Name', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('VMName')] [ValidateNotNullOrEmpty()] [string[]] $Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(Mandatory = $true, Position = 1)] [ValidateNotNullOrEmpty()] [string] $NewName,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Remove-VM {
    [CmdletBinding(DefaultParameterSetName = 'Name', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('VMName')] [ValidateNotNullOrEmpty()] [string[]] $Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'Name')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Force,
        [switch] $AsJob,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-VMHost {
    [CmdletBinding(DefaultParameterSetName = 'ComputerName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMHost')]
    param(
        [Parameter(ParameterSetName = 'ComputerName', Position = 0)] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'CimSession', Mandatory = $true)] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'ComputerName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}
