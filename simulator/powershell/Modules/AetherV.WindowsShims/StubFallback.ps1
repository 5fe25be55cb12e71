# Dot-sourced by every stub module (Hyper-V, FailoverClusters, CimCmdlets, AetherV.WindowsShims).
# Stubs forward to AetherV.SimBackend\Invoke-AetherVSimCmdlet. Where that module is not installed
# (a copy of the stubs without the simulator), PowerShell would only say the module "could not
# be loaded", which the agent reports as HYPERV_UNAVAILABLE; this stand-in says what happened.
if ($null -eq (Get-Module -Name 'AetherV.SimBackend') -and $null -eq (Get-Module -ListAvailable -Name 'AetherV.SimBackend')) {
    New-Module -Name 'AetherV.SimBackend' -ScriptBlock {
        function Invoke-AetherVSimCmdlet {
            param([System.Management.Automation.PSCmdlet] $Cmdlet, [System.Collections.IDictionary] $BoundParameters)
            throw [System.InvalidOperationException]::new("Stub cmdlet $($Cmdlet.MyInvocation.MyCommand.Name) was called without a Pester Mock and without the simulator (module AetherV.SimBackend is not installed): mock it in the test, or run the agent under the simulator.")
        }
    } | Import-Module -Global
}
