# Test-only CimCmdlets for test/powershell/agent-envelope.test.ts: the guest reports no KVP items.
function Get-CimInstance {
    [CmdletBinding()]
    param([string] $Namespace, [string] $ClassName, [string] $Filter)
}
