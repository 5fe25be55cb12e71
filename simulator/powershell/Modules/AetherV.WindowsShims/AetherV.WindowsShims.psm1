# Windows-only cmdlets of Microsoft.PowerShell.Management that the host agent calls and that
# PowerShell on Linux does not have (Get-Service). Signatures from the PowerShell 7.6 reference
# (learn.microsoft.com/powershell/module/microsoft.powershell.management/get-service); Windows
# PowerShell 5.1's -ComputerName is included since hosts run 5.1. The body only forwards to
# AetherV.SimBackend\Invoke-AetherVSimCmdlet.

function Get-Service {
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    [OutputType('System.ServiceProcess.ServiceController')]
    param(
        [Parameter(ParameterSetName = 'Default', Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('ServiceName')] [string[]] $Name,
        [Parameter(ParameterSetName = 'DisplayName', Mandatory = $true)] [string[]] $DisplayName,
        [Parameter(ParameterSetName = 'InputObject', ValueFromPipeline = $true)]
        [System.ServiceProcess.ServiceController[]] $InputObject,
        [Parameter(ValueFromPipelineByPropertyName = $true)] [Alias('Cn')] [ValidateNotNullOrEmpty()] [string[]] $ComputerName,
        [Alias('DS')] [switch] $DependentServices,
        [Alias('SDO', 'ServicesDependedOn')] [switch] $RequiredServices,
        [ValidateNotNullOrEmpty()] [string[]] $Include,
        [ValidateNotNullOrEmpty()] [string[]] $Exclude
    )
    process { AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters }
}

. (Join-Path -Path $PSScriptRoot -ChildPath 'StubFallback.ps1')
