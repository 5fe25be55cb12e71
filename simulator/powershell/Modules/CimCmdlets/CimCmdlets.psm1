# Stand-in for the CimCmdlets module, which PowerShell on Linux does not ship, so that the host
# agent's Get-CimInstance calls (Win32_*, root/virtualization/v2) run in the real pwsh under Pester
# and the simulator. Signatures from the PowerShell 7 CimCmdlets reference
# (learn.microsoft.com/powershell/module/cimcmdlets, MicrosoftDocs/PowerShell-Docs); the
# -ResourceUri (WS-Management) and -CimClass parameter sets are left out (the agent uses neither).
# The CIM types themselves (Microsoft.Management.Infrastructure) do exist in pwsh on Linux.
# Every body only forwards to AetherV.SimBackend\Invoke-AetherVSimCmdlet.

function Get-CimInstance {
    [CmdletBinding(DefaultParameterSetName = 'ClassNameComputerSet')]
    [OutputType([Microsoft.Management.Infrastructure.CimInstance])]
    param(
        [Parameter(ParameterSetName = 'ClassNameComputerSet', Mandatory = $true, Position = 0)]
        [Parameter(ParameterSetName = 'ClassNameSessionSet', Mandatory = $true, Position = 0)]
        [string] $ClassName,
        [Parameter(ParameterSetName = 'QueryComputerSet', Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [string] $Query,
        [Parameter(ParameterSetName = 'CimInstanceComputerSet', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'CimInstanceSessionSet', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('CimInstance')] [Microsoft.Management.Infrastructure.CimInstance] $InputObject,
        [Parameter(ParameterSetName = 'ClassNameComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'ClassNameSessionSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QueryComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', ValueFromPipelineByPropertyName = $true)]
        [string] $Namespace,
        [Parameter(ParameterSetName = 'ClassNameComputerSet')] [Parameter(ParameterSetName = 'ClassNameSessionSet')] [string] $Filter,
        [Parameter(ParameterSetName = 'ClassNameComputerSet')] [Parameter(ParameterSetName = 'ClassNameSessionSet')]
        [Alias('SelectProperties')] [string[]] $Property,
        [Parameter(ParameterSetName = 'ClassNameComputerSet')] [Parameter(ParameterSetName = 'ClassNameSessionSet')] [switch] $KeyOnly,
        [Parameter(ParameterSetName = 'QueryComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', ValueFromPipelineByPropertyName = $true)]
        [string] $QueryDialect,
        [Parameter(ParameterSetName = 'ClassNameComputerSet')] [Parameter(ParameterSetName = 'ClassNameSessionSet')]
        [Parameter(ParameterSetName = 'QueryComputerSet')] [Parameter(ParameterSetName = 'QuerySessionSet')]
        [switch] $Shallow,
        [Alias('OT')] [uint32] $OperationTimeoutSec,
        [Parameter(ParameterSetName = 'ClassNameComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QueryComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'CimInstanceComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Alias('CN', 'ServerName')] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'ClassNameSessionSet', Mandatory = $true, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', Mandatory = $true, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'CimInstanceSessionSet', Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Invoke-CimMethod {
    [CmdletBinding(DefaultParameterSetName = 'ClassNameComputerSet', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'ClassNameComputerSet', Mandatory = $true, Position = 0)]
        [Parameter(ParameterSetName = 'ClassNameSessionSet', Mandatory = $true, Position = 0)]
        [Alias('Class')] [string] $ClassName,
        [Parameter(ParameterSetName = 'QueryComputerSet', Mandatory = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', Mandatory = $true)]
        [string] $Query,
        [Parameter(ParameterSetName = 'CimInstanceComputerSet', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'CimInstanceSessionSet', Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('CimInstance')] [Microsoft.Management.Infrastructure.CimInstance] $InputObject,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = $true)] [System.Collections.IDictionary] $Arguments,
        [Parameter(Mandatory = $true, Position = 2, ValueFromPipelineByPropertyName = $true)] [Alias('Name')] [string] $MethodName,
        [Parameter(ParameterSetName = 'ClassNameComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'ClassNameSessionSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QueryComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', ValueFromPipelineByPropertyName = $true)]
        [string] $Namespace,
        [Parameter(ParameterSetName = 'QueryComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', ValueFromPipelineByPropertyName = $true)]
        [string] $QueryDialect,
        [Alias('OT')] [uint32] $OperationTimeoutSec,
        [Parameter(ParameterSetName = 'ClassNameComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'QueryComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'CimInstanceComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Alias('CN', 'ServerName')] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'ClassNameSessionSet', Mandatory = $true, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'QuerySessionSet', Mandatory = $true, ValueFromPipeline = $true)]
        [Parameter(ParameterSetName = 'CimInstanceSessionSet', Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-CimAssociatedInstance {
    [CmdletBinding(DefaultParameterSetName = 'ComputerSet')]
    [OutputType([Microsoft.Management.Infrastructure.CimInstance])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('CimInstance')] [Microsoft.Management.Infrastructure.CimInstance] $InputObject,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = $true)] [string] $Association,
        [Parameter(ValueFromPipelineByPropertyName = $true)] [string] $ResultClassName,
        [Parameter(ValueFromPipelineByPropertyName = $true)] [string] $Namespace,
        [Alias('OT')] [uint32] $OperationTimeoutSec,
        [switch] $KeyOnly,
        [Parameter(ParameterSetName = 'ComputerSet', ValueFromPipelineByPropertyName = $true)]
        [Alias('CN', 'ServerName')] [string[]] $ComputerName,
        [Parameter(ParameterSetName = 'SessionSet', Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()] [Microsoft.Management.Infrastructure.CimSession[]] $CimSession
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

. (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'AetherV.WindowsShims/StubFallback.ps1')
