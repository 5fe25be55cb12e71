# aetherv-bootstrap: version
# Reports the installed agent version and what the host offers (DESIGN.md section 4).
# Run by the bootstrap loader (server/src/agent/bootstrap-loader.ts), which reads stdin and
# passes the input JSON as text: it is parsed here, never run.
param([string] $InputJson)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$utf8 = [Text.UTF8Encoding]::new($false)
$out = [IO.StreamWriter]::new([Console]::OpenStandardOutput(), $utf8)
$out.AutoFlush = $true
function Write-Line($Record) {
    $out.Write((ConvertTo-Json -InputObject $Record -Depth 9 -Compress) + "`n")
}
function Stop-Bootstrap([string]$Code, [string]$Message) {
    Write-Line ([ordered]@{ type = 'result'; id = $null; ok = $false; error = [ordered]@{ code = $Code; message = $Message; retryable = $false } })
    exit 0
}
trap {
    Stop-Bootstrap -Code 'INTERNAL' -Message $_.Exception.Message
}
$params = ConvertFrom-Json -InputObject $InputJson
$property = $params.PSObject.Properties['installDirectory']
$dir = ''
if ($null -ne $property) {
    $dir = [string]$property.Value
}
if ($dir -notmatch '^([A-Za-z]:\\|\\\\)') {
    Stop-Bootstrap -Code 'INVALID_PARAMS' -Message 'installDirectory must be an absolute path.'
}
$dir = $dir.TrimEnd('\')
$versionFile = Join-Path -Path $dir -ChildPath 'version'
$version = $null
if (Test-Path -LiteralPath $versionFile -PathType Leaf) {
    # Trim a BOM, NULs and whitespace: older installs wrote the file with other encodings.
    # .NET needs the provider path.
    $version = [IO.File]::ReadAllText((Convert-Path -LiteralPath $versionFile)).Trim([char]0xFEFF, [char]0, ' ', "`r", "`n", "`t")
    if ($version.Length -eq 0) {
        $version = $null
    }
}
$installed = $null -ne $version -and (Test-Path -LiteralPath (Join-Path -Path $dir -ChildPath 'AetherV.Agent.ps1') -PathType Leaf)
Write-Line ([ordered]@{
        type   = 'result'
        id     = $null
        ok     = $true
        result = [ordered]@{
            installed        = $installed
            version          = $version
            installDirectory = $dir
            computerName     = [string]$env:COMPUTERNAME
            psVersion        = $PSVersionTable.PSVersion.ToString()
            hypervModule     = $null -ne (Get-Module -ListAvailable -Name 'Hyper-V')
            clusterModule    = $null -ne (Get-Module -ListAvailable -Name 'FailoverClusters')
            osVersion        = [Environment]::OSVersion.Version.ToString()
        }
    })
exit 0
