# Stand-in for Windows Server's FailoverClusters module (which PowerShell on Linux lacks), so that
# the host agent runs in the real pwsh under Pester and the simulator. One advanced function per
# real cmdlet the agent calls, with the real parameter names, positions and pipeline bindings from
# the Windows Server 2022 FailoverClusters reference (learn.microsoft.com/powershell/module/failoverclusters,
# MicrosoftDocs/windows-powershell-docs docset/winserver2022-ps/failoverclusters). The real module
# has no parameter sets on these cmdlets; -InputObject takes a cluster object (PSObject).
# Every body only forwards to AetherV.SimBackend\Invoke-AetherVSimCmdlet.

function Get-Cluster {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.Cluster')]
    param(
        [Parameter(Position = 0)] [ValidateNotNullOrEmpty()] [string] $Name,
        [ValidateNotNullOrEmpty()] [string] $Domain,
        [Parameter(ValueFromPipeline = $true)] [psobject] $InputObject
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-ClusterResource {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterResource')]
    param(
        [Parameter(Position = 0)] [ValidateNotNullOrEmpty()] [System.Collections.Specialized.StringCollection] $Name,
        [Nullable[guid]] $VMId,
        [Parameter(ValueFromPipeline = $true)] [psobject] $InputObject,
        [ValidateNotNullOrEmpty()] [string] $Cluster
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-ClusterParameter {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterParameter')]
    param(
        [Parameter(Position = 0)] [ValidateNotNullOrEmpty()] [System.Collections.Specialized.StringCollection] $Name,
        [Parameter(ValueFromPipeline = $true)] [psobject] $InputObject,
        [ValidateNotNullOrEmpty()] [string] $Cluster
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Get-ClusterGroup {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterGroup')]
    param(
        [Parameter(Position = 0)] [ValidateNotNullOrEmpty()] [System.Collections.Specialized.StringCollection] $Name,
        [Nullable[guid]] $VMId,
        [Parameter(ValueFromPipeline = $true)] [psobject] $InputObject,
        [ValidateNotNullOrEmpty()] [string] $Cluster
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Remove-ClusterGroup {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Position = 0)] [ValidateNotNullOrEmpty()] [System.Collections.Specialized.StringCollection] $Name,
        [switch] $Force,
        [switch] $RemoveResources,
        [Nullable[guid]] $VMId,
        [Parameter(ValueFromPipeline = $true)] [psobject] $InputObject,
        [ValidateNotNullOrEmpty()] [string] $Cluster
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

function Add-ClusterVirtualMachineRole {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterGroup')]
    param(
        [Parameter(Position = 0)] [ValidateNotNullOrEmpty()] [string] $VirtualMachine,
        [ValidateNotNullOrEmpty()] [string] $Name,
        [int] $Wait,
        [Nullable[guid]] $VMId,
        [switch] $IgnoreLocation,
        [Parameter(ValueFromPipeline = $true)] [psobject] $InputObject,
        [ValidateNotNullOrEmpty()] [string] $Cluster
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

. (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'AetherV.WindowsShims/StubFallback.ps1')
