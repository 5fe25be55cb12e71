# Manifest of the AetherV.WindowsShims stub module (see AetherV.WindowsShims.psm1).
@{
    RootModule        = 'AetherV.WindowsShims.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '77550fa9-4b08-4680-80c5-eb8a38acd9a3'
    Author            = 'Aether-V'
    Description       = 'Signature stubs of the Windows-only Microsoft.PowerShell.Management cmdlets the Aether-V host agent uses; calls go to AetherV.SimBackend.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @(
        'Get-Service'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
