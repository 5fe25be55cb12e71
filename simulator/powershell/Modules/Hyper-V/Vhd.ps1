# Hyper-V stubs: virtual hard disk files (Get-VHD, New-VHD, Resize-VHD, Set-VHD). Signatures from
# the Windows Server 2022 Hyper-V module reference (MicrosoftDocs/windows-powershell-docs
# docset/winserver2022-ps/hyper-v/*.md). Output type Microsoft.Vhd.PowerShell.VirtualHardDisk.

function Get-VHD {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('Microsoft.Vhd.PowerShell.VirtualHardDisk')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')] [ValidateNotNullOrEmpty()] [string[]] $Path,
        [Parameter(ParameterSetName = 'Disk', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Number')] [uint32] $DiskNumber,
        [Parameter(ParameterSetName = 'VMId', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()] [guid[]] $VMId,
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function New-VHD {
    [CmdletBinding(DefaultParameterSetName = 'DynamicWithoutSource', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.Vhd.PowerShell.VirtualHardDisk')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()] [string[]] $Path,
        [Parameter(ParameterSetName = 'Differencing', Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()] [string] $ParentPath,
        [Parameter(ParameterSetName = 'DynamicWithoutSource', Mandatory = $true, Position = 1)]
        [Parameter(ParameterSetName = 'FixedWithoutSource', Mandatory = $true, Position = 1)]
        [Parameter(ParameterSetName = 'Differencing', Position = 2)]
        [ValidateNotNullOrEmpty()] [uint64] $SizeBytes,
        [Parameter(ParameterSetName = 'FixedWithSource', Mandatory = $true)]
        [Parameter(ParameterSetName = 'DynamicWithSource', Mandatory = $true)]
        [Alias('Number')] [uint32] $SourceDisk,
        [Parameter(ParameterSetName = 'DynamicWithoutSource')] [Parameter(ParameterSetName = 'DynamicWithSource')] [switch] $Dynamic,
        [Parameter(ParameterSetName = 'FixedWithoutSource', Mandatory = $true)] [Parameter(ParameterSetName = 'FixedWithSource', Mandatory = $true)] [switch] $Fixed,
        [Parameter(ParameterSetName = 'Differencing')] [switch] $Differencing,
        [uint32] $BlockSizeBytes,
        [Parameter(ParameterSetName = 'DynamicWithoutSource')] [Parameter(ParameterSetName = 'FixedWithoutSource')]
        [ValidateSet(512, 4096)] [uint32] $LogicalSectorSizeBytes,
        [Parameter(ParameterSetName = 'DynamicWithoutSource')] [Parameter(ParameterSetName = 'FixedWithoutSource')] [Parameter(ParameterSetName = 'Differencing')]
        [ValidateSet(512, 4096)] [uint32] $PhysicalSectorSizeBytes,
        [switch] $AsJob,
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Resize-VHD {
    [CmdletBinding(DefaultParameterSetName = 'Size', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.Vhd.PowerShell.VirtualHardDisk')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')] [ValidateNotNullOrEmpty()] [string[]] $Path,
        [Parameter(ParameterSetName = 'Size', Mandatory = $true, Position = 1)] [uint64] $SizeBytes,
        [Parameter(ParameterSetName = 'MinimumSize', Mandatory = $true)] [switch] $ToMinimumSize,
        [switch] $AsJob,
        [switch] $Passthru,
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Set-VHD {
    [CmdletBinding(DefaultParameterSetName = 'Parent', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.Vhd.PowerShell.VirtualHardDisk')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')] [ValidateNotNullOrEmpty()] [string] $Path,
        [Parameter(ParameterSetName = 'Parent', Mandatory = $true, Position = 1)] [ValidateNotNullOrEmpty()] [string] $ParentPath,
        [Parameter(ParameterSetName = 'Parent')] [ValidateNotNullOrEmpty()] [string] $LeafPath,
        [Parameter(ParameterSetName = 'Parent')] [switch] $IgnoreIdMismatch,
        [Parameter(ParameterSetName = 'PhysicalSectorSize', Mandatory = $true)] [ValidateSet(512, 4096)] [uint32] $PhysicalSectorSizeBytes,
        # Gives the disk a new unique identifier (needed when a copy of a disk is attached next to its source).
        [Parameter(ParameterSetName = 'DiskIdentifier', Mandatory = $true)] [switch] $ResetDiskIdentifier,
        [Parameter(ParameterSetName = 'DiskIdentifier')] [switch] $Force,
        [switch] $Passthru,
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}
