# Manifest of the Hyper-V stub module (see Hyper-V.psm1). The version is the real module's.
@{
    RootModule        = 'Hyper-V.psm1'
    ModuleVersion     = '2.0.0.0'
    GUID              = '01c18e1a-3ba4-4a03-befb-12a951f4f6eb'
    Author            = 'Aether-V'
    Description       = 'Signature stubs of the Hyper-V cmdlets the Aether-V host agent uses; calls go to AetherV.SimBackend.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @(
        'Get-VMHardDiskDrive',
        'Add-VMHardDiskDrive',
        'Remove-VMHardDiskDrive',
        'Get-VMDvdDrive',
        'Add-VMDvdDrive',
        'Set-VMDvdDrive',
        'Get-VMScsiController',
        'Get-VMSwitch',
        'Get-VMNetworkAdapter',
        'Add-VMNetworkAdapter',
        'Remove-VMNetworkAdapter',
        'Rename-VMNetworkAdapter',
        'Connect-VMNetworkAdapter',
        'Get-VMNetworkAdapterVlan',
        'Set-VMNetworkAdapterVlan',
        'Get-VHD',
        'New-VHD',
        'Resize-VHD',
        'Set-VHD',
        'Get-VM',
        'New-VM',
        'Set-VM',
        'Rename-VM',
        'Remove-VM',
        'Get-VMHost',
        'Start-VM',
        'Stop-VM',
        'Save-VM',
        'Suspend-VM',
        'Resume-VM',
        'Restart-VM',
        'Remove-VMSavedState',
        'Set-VMProcessor',
        'Set-VMMemory',
        'Set-VMFirmware',
        'Get-VMIntegrationService'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
