# Hyper-V stubs: drives and controllers (Get/Add/Remove-VMHardDiskDrive, Get/Add/Set-VMDvdDrive,
# Get-VMScsiController). Signatures from the Windows Server 2022 Hyper-V module reference
# (MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/hyper-v/*.md).

function Get-VMHardDiskDrive {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.HardDiskDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMSnapshot', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMSnapshot')] [ValidateNotNullOrEmpty()] [object] $VMSnapshot,
        [Parameter(ParameterSetName = 'VMDriveController', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMDriveController')] [ValidateNotNullOrEmpty()] [object[]] $VMDriveController,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [int] $ControllerLocation,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'VMSnapshot')] [int] $ControllerNumber,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'VMSnapshot')]
        [ValidateSet('IDE', 'SCSI', 'PMEM')] [string] $ControllerType
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Add-VMHardDiskDrive {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.HardDiskDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMDriveController', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMDriveController')] [ValidateNotNullOrEmpty()] [object] $VMDriveController,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [Parameter(ParameterSetName = 'VMName', Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'VMObject', Position = 1, ValueFromPipelineByPropertyName = $true)]
        [ValidateSet('IDE', 'SCSI', 'PMEM')] [string] $ControllerType,
        [Parameter(ParameterSetName = 'VMName', Position = 2, ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'VMObject', Position = 2, ValueFromPipelineByPropertyName = $true)]
        [int] $ControllerNumber,
        [Parameter(Position = 3, ValueFromPipelineByPropertyName = $true)] [int] $ControllerLocation,
        [Parameter(Position = 4, ValueFromPipelineByPropertyName = $true)] [ValidateNotNullOrEmpty()] [Alias('FullName')] [string] $Path,
        [Parameter(ValueFromPipelineByPropertyName = $true)] [Alias('Number')] [uint32] $DiskNumber,
        [ValidateNotNullOrEmpty()] [string] $ResourcePoolName,
        [switch] $SupportPersistentReservations,
        [switch] $AllowUnverifiedPaths,
        [uint64] $MaximumIOPS,
        [uint64] $MinimumIOPS,
        [ValidateNotNullOrEmpty()] [string] $QoSPolicyID,
        [ValidateNotNull()] [Microsoft.Management.Infrastructure.CimInstance] $QoSPolicy,
        [ValidateSet('Default', 'WriteCacheEnabled', 'WriteCacheAndFUAEnabled', 'WriteCacheDisabled')] [string] $OverrideCacheAttributes,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Remove-VMHardDiskDrive {
    [CmdletBinding(DefaultParameterSetName = 'Object', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.HardDiskDrive')]
    param(
        [Parameter(ParameterSetName = 'Object', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.HardDiskDrive')] [ValidateNotNullOrEmpty()] [object[]] $VMHardDiskDrive,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)] [ValidateNotNullOrEmpty()] [string] $VMName,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 1)] [ValidateSet('IDE', 'SCSI', 'PMEM')] [string] $ControllerType,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 2)] [int] $ControllerNumber,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 3)] [int] $ControllerLocation,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-VMDvdDrive {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.DvdDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMSnapshot', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMSnapshot')] [ValidateNotNullOrEmpty()] [object] $VMSnapshot,
        [Parameter(ParameterSetName = 'VMDriveController', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMDriveController')] [ValidateNotNullOrEmpty()] [object[]] $VMDriveController,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [int] $ControllerLocation,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'VMSnapshot')] [int] $ControllerNumber
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Add-VMDvdDrive {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.DvdDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMDriveController', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMDriveController')] [ValidateNotNullOrEmpty()] [object[]] $VMDriveController,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [Parameter(ParameterSetName = 'VMName', Position = 1)] [Parameter(ParameterSetName = 'VMObject', Position = 1)] [int] $ControllerNumber,
        [Parameter(Position = 2)] [int] $ControllerLocation,
        [Parameter(Position = 3)] [ValidateNotNullOrEmpty()] [string] $Path,
        [ValidateNotNullOrEmpty()] [string] $ResourcePoolName,
        [switch] $AllowUnverifiedPaths,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Set-VMDvdDrive {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.DvdDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()] [string] $VMName,
        [Parameter(ParameterSetName = 'Object', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.DvdDrive')] [ValidateNotNullOrEmpty()] [object[]] $VMDvdDrive,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [Parameter(ParameterSetName = 'VMName', Position = 1, ValueFromPipelineByPropertyName = $true)] [int] $ControllerNumber,
        [Parameter(ParameterSetName = 'VMName', Position = 2, ValueFromPipelineByPropertyName = $true)] [int] $ControllerLocation,
        [int] $ToControllerNumber,
        [int] $ToControllerLocation,
        # Not validated: -Path $null ejects the media.
        [Parameter(ValueFromPipelineByPropertyName = $true)] [string] $Path,
        [ValidateNotNullOrEmpty()] [string] $ResourcePoolName,
        [switch] $AllowUnverifiedPaths,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-VMScsiController {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMScsiController')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMSnapshot', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMSnapshot')] [ValidateNotNullOrEmpty()] [object] $VMSnapshot,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [Parameter(Position = 1)] [int] $ControllerNumber
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}
