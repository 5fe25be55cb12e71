# Manifest of the FailoverClusters stub module (see FailoverClusters.psm1).
@{
    RootModule        = 'FailoverClusters.psm1'
    ModuleVersion     = '2.0.0.0'
    GUID              = '7793d792-1765-460b-b98a-f042e8bc4a65'
    Author            = 'Aether-V'
    Description       = 'Signature stubs of the FailoverClusters cmdlets the Aether-V host agent uses; calls go to AetherV.SimBackend.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @(
        'Get-Cluster',
        'Get-ClusterResource',
        'Get-ClusterParameter',
        'Get-ClusterGroup',
        'Remove-ClusterGroup',
        'Add-ClusterVirtualMachineRole'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
