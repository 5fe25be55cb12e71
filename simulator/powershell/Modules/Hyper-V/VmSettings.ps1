# Hyper-V stubs: VM settings (Set-VMProcessor, Set-VMMemory, Set-VMFirmware, Get-VMIntegrationService).
# Signatures from the Windows Server 2022 Hyper-V module reference
# (MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/hyper-v/*.md).

function Set-VMProcessor {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMProcessor')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMProcessor', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMProcessor')] [ValidateNotNullOrEmpty()] [object[]] $VMProcessor,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [Parameter(Position = 1)] [long] $Count,
        [bool] $CompatibilityForMigrationEnabled,
        [ValidateSet('CommonClusterFeatureSet', 'MinimumFeatureSet')] [string] $CompatibilityForMigrationMode,
        [bool] $CompatibilityForOlderOperatingSystemsEnabled,
        [long] $HwThreadCountPerCore,
        [long] $Maximum,
        [long] $Reserve,
        [int] $RelativeWeight,
        [long] $MaximumCountPerNumaNode,
        [long] $MaximumCountPerNumaSocket,
        [ValidateNotNullOrEmpty()] [string] $ResourcePoolName,
        [bool] $EnableHostResourceProtection,
        [bool] $ExposeVirtualizationExtensions,
        [ValidateNotNullOrEmpty()] [string[]] $Perfmon,
        [bool] $EnableLegacyApicMode,
        [bool] $AllowACountMCount,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Set-VMMemory {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMMemory')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'ResourceObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMMemory')] [ValidateNotNullOrEmpty()] [object[]] $VMMemory,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [int] $Buffer,
        [Alias('DynamicMemory')] [bool] $DynamicMemoryEnabled,
        [long] $MaximumBytes,
        [long] $StartupBytes,
        [long] $MinimumBytes,
        [int] $Priority,
        [Alias('MaximumAmountPerNumaNode')] [long] $MaximumAmountPerNumaNodeBytes,
        [ValidateNotNullOrEmpty()] [string] $ResourcePoolName,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Set-VMFirmware {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMFirmware')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMFirmware', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMFirmware')] [ValidateNotNullOrEmpty()] [object[]] $VMFirmware,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        # VMComponentObject: a HardDiskDrive, DvdDrive, VMNetworkAdapter or VMBootSource.
        [ValidateNotNull()] [object[]] $BootOrder,
        [ValidateNotNull()] [object] $FirstBootDevice,
        [ValidateSet('On', 'Off')] [string] $EnableSecureBoot,
        [ValidateNotNullOrEmpty()] [string] $SecureBootTemplate,
        [Nullable[guid]] $SecureBootTemplateId,
        [ValidateSet('IPv4', 'IPv6')] [string] $PreferredNetworkBootProtocol,
        [ValidateSet('Default', 'COM1', 'COM2', 'None')] [string] $ConsoleMode,
        [ValidateSet('On', 'Off')] [string] $PauseAfterBootFailure,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-VMIntegrationService {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMIntegrationComponent')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMSnapshot', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMSnapshot')] [ValidateNotNullOrEmpty()] [object] $VMSnapshot,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [Parameter(Position = 1)] [ValidateNotNullOrEmpty()] [string[]] $Name
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}
