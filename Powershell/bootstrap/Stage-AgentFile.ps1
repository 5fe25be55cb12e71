# aetherv-bootstrap: stage
# Push mode (DESIGN.md section 4): appends one base64 chunk of one file to
# <installDirectory>.staging-<stagingId>\<name>. offset must equal the bytes already staged
# (0 restarts the file). Run by the bootstrap loader (server/src/agent/bootstrap-loader.ts),
# which reads stdin and passes the input JSON as text: it is parsed here, never run.
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
function Stop-Bootstrap([string]$Code, [string]$Message, $Details = @{}) {
    Write-Line ([ordered]@{ type = 'result'; id = $null; ok = $false; error = [ordered]@{ code = $Code; message = $Message; retryable = $false; details = $Details } })
    exit 0
}
trap {
    Stop-Bootstrap -Code 'INTERNAL' -Message $_.Exception.Message
}
$params = ConvertFrom-Json -InputObject $InputJson
function Get-Param([string]$Name) {
    $property = $params.PSObject.Properties[$Name]
    if ($null -eq $property -or $null -eq $property.Value) {
        Stop-Bootstrap -Code 'INVALID_PARAMS' -Message "$Name is required."
    }
    return $property.Value
}
$dir = ([string](Get-Param 'installDirectory')).TrimEnd('\')
$id = [string](Get-Param 'stagingId')
$name = [string](Get-Param 'name')
$offset = [long](Get-Param 'offset')
$data = [Convert]::FromBase64String([string](Get-Param 'dataBase64'))
# Names are relative '/'-separated paths whose segments cannot start with '.', so no '..'.
if ($dir -notmatch '^([A-Za-z]:\\|\\\\)' -or $id -cnotmatch '^[A-Za-z0-9][A-Za-z0-9-]{0,63}$' -or
    $name -cnotmatch '^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$') {
    Stop-Bootstrap -Code 'INVALID_PARAMS' -Message 'Bad installDirectory, stagingId or name.'
}
$path = Join-Path -Path "$dir.staging-$id" -ChildPath $name.Replace('/', '\')
$null = New-Item -ItemType Directory -Path (Split-Path -Path $path -Parent) -Force
$staged = [long]0
if (Test-Path -LiteralPath $path -PathType Leaf) {
    $staged = (Get-Item -LiteralPath $path).Length
}
if ($offset -ne 0 -and $offset -ne $staged) {
    Stop-Bootstrap -Code 'STAGING_INCOMPLETE' -Message "$name has $staged bytes staged, not $offset." -Details @{ file = $name; stagedBytes = $staged }
}
$mode = [IO.FileMode]::Append
if ($offset -eq 0) {
    $mode = [IO.FileMode]::Create
}
# .NET needs the provider path.
$stream = [IO.FileStream]::new($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($path), $mode, [IO.FileAccess]::Write)
try {
    $stream.Write($data, 0, $data.Length)
    $staged = $stream.Length
} finally {
    $stream.Dispose()
}
Write-Line ([ordered]@{ type = 'result'; id = $null; ok = $true; result = [ordered]@{ stagingId = $id; name = $name; offset = $offset; stagedBytes = $staged } })
exit 0
