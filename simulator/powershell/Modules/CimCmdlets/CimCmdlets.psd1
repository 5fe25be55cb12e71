# Manifest of the CimCmdlets stub module (see CimCmdlets.psm1).
@{
    RootModule        = 'CimCmdlets.psm1'
    ModuleVersion     = '7.0.0.0'
    GUID              = '9d333cba-dbd0-45c4-b2c6-7ea92eccde1e'
    Author            = 'Aether-V'
    Description       = 'Signature stubs of the CimCmdlets cmdlets the Aether-V host agent uses; calls go to AetherV.SimBackend.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @(
        'Get-CimInstance',
        'Invoke-CimMethod',
        'Get-CimAssociatedInstance'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
