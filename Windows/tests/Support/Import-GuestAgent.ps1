# Dot-source this (in BeforeAll, or at a test script's top) to load the Windows guest agent the
# way its tests need it: the named Windows/Modules (list them in AetherV.Guest.ps1's order),
# Support/FakeRegistry.psm1, with -Stubs the Windows cmdlets' signature stubs (Stubs/, for Pester
# to mock), and AetherV.Guest.ps1's own functions, taken from its parse tree so that its main
# block does not run. Dot-sourced, so the functions land in the caller's scope.
param(
    [Parameter(Mandatory = $true)][string[]]$Modules,
    [switch]$Stubs
)
$guestTests = Split-Path -Parent $PSScriptRoot
$guestWindows = Split-Path -Parent $guestTests
if ($Stubs) {
    Import-Module -Name (Join-Path -Path $guestTests -ChildPath 'Stubs/AetherV.WindowsStubs.psm1') -Force
}
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'FakeRegistry.psm1') -Force
foreach ($guestModule in $Modules) {
    Import-Module -Name (Join-Path -Path $guestWindows -ChildPath ('Modules/{0}.psm1' -f $guestModule)) -Force
}
$guestAst = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path -Path $guestWindows -ChildPath 'AetherV.Guest.ps1'), [ref]$null, [ref]$null)
foreach ($guestFunction in @($guestAst.EndBlock.Statements | Where-Object { $_ -is [System.Management.Automation.Language.FunctionDefinitionAst] })) {
    . ([scriptblock]::Create($guestFunction.Extent.Text))
}
