# Hyper-V stubs: switches and network adapters (Get-VMSwitch, Get/Add/Remove/Rename/Connect-
# VMNetworkAdapter, Get/Set-VMNetworkAdapterVlan). Signatures from the Windows Server 2022 Hyper-V
# module reference (MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/hyper-v/*.md).
# VM adapters are Microsoft.HyperV.PowerShell.VMNetworkAdapter, management OS ones
# VMInternalNetworkAdapter; both derive from VMNetworkAdapterBase.

function Get-VMSwitch {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VMSwitch')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)] [Alias('SwitchName')] [ValidateNotNullOrEmpty()] [string[]] $Name,
        [Parameter(ParameterSetName = 'Id', Position = 0)] [Nullable[guid]] $Id,
        [ValidateNotNullOrEmpty()] [string[]] $ResourcePoolName,
        [ValidateSet('Internal', 'Private', 'External')] [string[]] $SwitchType,
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-VMNetworkAdapter {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapter', 'Microsoft.HyperV.PowerShell.VMInternalNetworkAdapter')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)] [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMSnapshot', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMSnapshot')] [ValidateNotNullOrEmpty()] [object] $VMSnapshot,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)] [switch] $ManagementOS,
        [Parameter(ParameterSetName = 'All', Mandatory = $true)] [switch] $All,
        [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [string] $SwitchName,
        [Parameter(Position = 1)] [Alias('VMNetworkAdapterName')] [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'VMSnapshot')] [bool] $IsLegacy,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [Parameter(ParameterSetName = 'All')]
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [Parameter(ParameterSetName = 'All')]
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [Parameter(ParameterSetName = 'All')]
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Add-VMNetworkAdapter {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapter')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)] [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)] [switch] $ManagementOS,
        [ValidateNotNullOrEmpty()] [string] $SwitchName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [bool] $IsLegacy,
        [Alias('VMNetworkAdapterName')] [ValidateNotNullOrEmpty()] [string] $Name,
        [switch] $DynamicMacAddress,
        [ValidateNotNullOrEmpty()] [string] $StaticMacAddress,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [ValidateNotNullOrEmpty()] [string] $ResourcePoolName,
        [ValidateSet('On', 'Off')] [string] $DeviceNaming,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Remove-VMNetworkAdapter {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapterBase')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)] [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)] [switch] $ManagementOS,
        [Parameter(ParameterSetName = 'ResourceObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMNetworkAdapterBase')] [ValidateNotNullOrEmpty()] [object[]] $VMNetworkAdapter,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'ManagementOS')]
        [Alias('VMNetworkAdapterName')] [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [string] $SwitchName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Rename-VMNetworkAdapter {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapterBase')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)] [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)] [switch] $ManagementOS,
        [Parameter(ParameterSetName = 'ResourceObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMNetworkAdapterBase')] [ValidateNotNullOrEmpty()] [object[]] $VMNetworkAdapter,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'ManagementOS')]
        [Alias('VMNetworkAdapterName')] [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(Mandatory = $true, Position = 1)] [ValidateNotNullOrEmpty()] [string] $NewName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Connect-VMNetworkAdapter {
    [CmdletBinding(DefaultParameterSetName = 'Name_SwitchName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapter')]
    param(
        [Parameter(ParameterSetName = 'Name_SwitchName', Mandatory = $true, Position = 0)]
        [Parameter(ParameterSetName = 'Name_SwitchObject', Mandatory = $true, Position = 0)]
        [Parameter(ParameterSetName = 'Name_UseAutomaticConnection', Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'Obj_SwitchName', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'Obj_SwitchObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'Obj_UseAutomaticConnection', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMNetworkAdapter')] [ValidateNotNullOrEmpty()] [object[]] $VMNetworkAdapter,
        [Parameter(ParameterSetName = 'Name_SwitchName')] [Parameter(ParameterSetName = 'Name_SwitchObject')] [Parameter(ParameterSetName = 'Name_UseAutomaticConnection')]
        [Alias('VMNetworkAdapterName')] [ValidateNotNullOrEmpty()] [string[]] $Name,
        [Parameter(ParameterSetName = 'Name_SwitchName', Mandatory = $true, Position = 1)] [Parameter(ParameterSetName = 'Obj_SwitchName', Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()] [string] $SwitchName,
        [Parameter(ParameterSetName = 'Name_SwitchObject', Mandatory = $true, Position = 1)] [Parameter(ParameterSetName = 'Obj_SwitchObject', Mandatory = $true, Position = 1)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMSwitch')] [ValidateNotNull()] [object] $VMSwitch,
        [Parameter(ParameterSetName = 'Name_UseAutomaticConnection', Mandatory = $true)] [Parameter(ParameterSetName = 'Obj_UseAutomaticConnection', Mandatory = $true)]
        [switch] $UseAutomaticConnection,
        [Parameter(ParameterSetName = 'Name_SwitchName')] [Parameter(ParameterSetName = 'Name_SwitchObject')] [Parameter(ParameterSetName = 'Name_UseAutomaticConnection')]
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'Name_SwitchName')] [Parameter(ParameterSetName = 'Name_SwitchObject')] [Parameter(ParameterSetName = 'Name_UseAutomaticConnection')]
        [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'Name_SwitchName')] [Parameter(ParameterSetName = 'Name_SwitchObject')] [Parameter(ParameterSetName = 'Name_UseAutomaticConnection')]
        [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-VMNetworkAdapterVlan {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting')]
    param(
        [Parameter(ParameterSetName = 'VMName', Position = 0)] [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'VMSnapshot', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMSnapshot')] [ValidateNotNullOrEmpty()] [object] $VMSnapshot,
        [Parameter(ParameterSetName = 'ResourceObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMNetworkAdapterBase')] [ValidateNotNullOrEmpty()] [object[]] $VMNetworkAdapter,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)] [switch] $ManagementOS,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'ManagementOS')]
        [ValidateNotNullOrEmpty()] [string] $VMNetworkAdapterName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Set-VMNetworkAdapterVlan {
    [CmdletBinding(DefaultParameterSetName = 'VMName', SupportsShouldProcess = $true)]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting')]
    param(
        [Parameter(ParameterSetName = 'VMName', Position = 0)] [ValidateNotNullOrEmpty()] [string[]] $VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VirtualMachine')] [ValidateNotNullOrEmpty()] [object[]] $VM,
        [Parameter(ParameterSetName = 'ResourceObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [PSTypeName('Microsoft.HyperV.PowerShell.VMNetworkAdapterBase')] [ValidateNotNullOrEmpty()] [object[]] $VMNetworkAdapter,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)] [switch] $ManagementOS,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'VMObject')] [Parameter(ParameterSetName = 'ManagementOS')]
        [ValidateNotNullOrEmpty()] [string] $VMNetworkAdapterName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'VMName')] [Parameter(ParameterSetName = 'ManagementOS')] [ValidateNotNullOrEmpty()] [pscredential[]] $Credential,
        [switch] $Untagged,
        [switch] $Access,
        [switch] $Trunk,
        [switch] $Isolated,
        [switch] $Community,
        [switch] $Promiscuous,
        [Alias('AccessVlanId')] [int] $VlanId,
        [int] $NativeVlanId,
        [ValidateNotNullOrEmpty()] [string] $AllowedVlanIdList,
        [int] $PrimaryVlanId,
        [int] $SecondaryVlanId,
        [ValidateNotNullOrEmpty()] [string] $SecondaryVlanIdList,
        [switch] $Passthru
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}
