# The guest's receive path exactly as AetherV.Guest.ps1 runs it (Receive-GuestConfiguration: version
# check, key pair, public key, wait for the payload, reassembly, MAC check, decryption, parsing),
# for test/windows-agent/cross-language.test.ts, which plays the host with the orchestrator's own
# code. Only what PowerShell on Linux lacks is replaced, each at its narrowest point:
#   - the registry: AetherV.Kvp's Open-KvpKey opens keys over two JSON files ($Root/External.json,
#     written by the test, and $Root/Guest.json, read by it);
#   - CNG: AetherV.Crypto's New-Rsa3072Key makes the key with RSA.Create(3072);
#   - the Task Scheduler: Unregister-GuestAgentTask does nothing.
# A failure is reported the way the agent's main block reports it (Complete-Failure). Writes one
# JSON line: {"ok":true,"config":{...}} (the parsed configuration, passwords included, for the
# test to compare) or {"ok":false}.
param(
    [Parameter(Mandatory = $true)][string]$Root
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The agent's modules and its own functions, without running its main block.
. (Join-Path -Path $PSScriptRoot -ChildPath 'Import-GuestAgent.ps1') -Modules @('AetherV.Log', 'AetherV.Failure', 'AetherV.Kvp', 'AetherV.Crypto', 'AetherV.Config', 'AetherV.Progress', 'AetherV.Task', 'AetherV.DomainJoin')

& (Get-Module -Name 'AetherV.Kvp') {
    param($External, $Guest)
    $script:FakePools = @{ External = $External; Guest = $Guest }
    function script:Open-KvpKey {
        param([string]$Path, [switch]$Writable)
        $file = $script:FakePools[$Path.Split('\')[-1]]
        if (-not $Writable -and -not [System.IO.File]::Exists($file)) {
            return $null
        }
        return (New-FakeRegistryKey -File $file)
    }
} (Join-Path -Path $Root -ChildPath 'External.json') (Join-Path -Path $Root -ChildPath 'Guest.json')
& (Get-Module -Name 'AetherV.Crypto') {
    function script:New-Rsa3072Key { return [System.Security.Cryptography.RSA]::Create(3072) }
}
function Unregister-GuestAgentTask { }

# What the agent's parameters and script variables would be, in this test's folder.
. (Join-Path -Path $PSScriptRoot -ChildPath 'Set-GuestAgentState.ps1') -Folder $Root
$HostTimeoutSeconds = 60
$PayloadTimeoutSeconds = 60
$ChunkTimeoutSeconds = 5
$script:VersionPath = Join-Path -Path $Root -ChildPath 'version'
Initialize-AgentLog -Path (Join-Path -Path $Root -ChildPath 'agent.log')

function ConvertTo-Plain([securestring]$Secret) {
    return [System.Net.NetworkCredential]::new('', $Secret).Password
}

try {
    $config = Receive-GuestConfiguration
    $admin = $null
    if ($null -ne $config.LocalAdmin) {
        $admin = [ordered]@{ username = $config.LocalAdmin.UserName; password = (ConvertTo-Plain $config.LocalAdmin.Password) }
    }
    $join = $null
    if ($null -ne $config.DomainJoin) {
        $join = [ordered]@{ domain = $config.DomainJoin.Domain; username = $config.DomainJoin.UserName; password = (ConvertTo-Plain $config.DomainJoin.Password); ou = $config.DomainJoin.OUPath }
    }
    $result = [ordered]@{ ok = $true; config = [ordered]@{ hostname = $config.Hostname; localAdmin = $admin; ipv4 = $config.IPv4; dns = $config.Dns; domainJoin = $join } }
}
catch {
    $code = Get-GuestFailureCode -Exception $_.Exception -Default $script:StageCode
    $typeOnly = $script:StageCode -match '^error (reading|decrypting|validating):'
    Write-AgentLog -Level 'error' -Message ('{0}: {1}' -f $code, (Format-SafeError -Exception $_.Exception -TypeOnly:$typeOnly))
    Complete-Failure -Code $code
    $result = [ordered]@{ ok = $false }
}
finally {
    Close-GuestKey
}
[Console]::Out.WriteLine((ConvertTo-Json -InputObject $result -Depth 6 -Compress))
