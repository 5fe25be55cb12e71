# aetherv-bootstrap: install
# DESIGN.md section 4: pull or push install; output: one result line. Run by the bootstrap
# loader (server/src/agent/bootstrap-loader.ts), which reads stdin and passes the input JSON as
# text: it is parsed here, never run. The script travels on stdin, so its size is not limited by
# the command line (cmd.exe's 8,191 characters over SSH).
param([string] $InputJson)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$utf8 = [Text.UTF8Encoding]::new($false)
$out = [IO.StreamWriter]::new([Console]::OpenStandardOutput(), $utf8)
$mode = $null
# $Key is 'result' or 'error'.
function Write-Result($Key, $Value) {
  $out.Write((ConvertTo-Json ([ordered]@{ type = 'result'; id = $null; ok = $Key -eq 'result'; $Key = $Value }) -Depth 9 -Compress) + "`n")
  $out.Flush()
  exit 0
}
# A pull install removes its own staging folder; a push install keeps it for the next attempt.
# DOWNLOAD_FAILED and HOST_BUSY are the retryable ones (Schemas/agent/error-codes.json).
function Stop-Bootstrap([string]$Code, [string]$Message, $File) {
  if ($mode -eq 'pull') { Remove-Item -LiteralPath $staging -Recurse -Force -ea Ignore }
  Write-Result 'error' ([ordered]@{ code = $Code; message = $Message; retryable = $Code -in 'DOWNLOAD_FAILED', 'HOST_BUSY'; details = @{ file = $File } })
}
trap { Stop-Bootstrap 'INTERNAL' $_.Exception.Message }
$p = ConvertFrom-Json $InputJson
$dir = ([string]$p.installDirectory).TrimEnd('\')
$mode = $p.mode
$id = [guid]::NewGuid()
if ($mode -eq 'push') { $id = [string]$p.stagingId }
$staging = "$dir.staging-$id"
if ($dir -notmatch '^(\w:\\|\\\\)' -or $id -cnotmatch '^[\w-]{1,64}$') {
  Stop-Bootstrap 'INVALID_PARAMS' 'Bad installDirectory/stagingId.'
}
[Net.ServicePointManager]::SecurityProtocol = 'Tls12'
foreach ($f in @($p.manifest.files)) {
  $name = [string]$f.name
  if ($name -cnotmatch '^\w[\w.-]*(/\w[\w.-]*)*$') { Stop-Bootstrap 'INVALID_PARAMS' 'Bad file name.' $name }
  $path = Join-Path $staging $name.Replace('/', '\')
  if ($mode -eq 'pull') {
    $null = New-Item -ItemType Directory (Split-Path $path) -Force
    try {
      Invoke-WebRequest ($p.baseUrl.TrimEnd('/') + '/' + $name) -OutFile $path -UseBasicParsing
    } catch {
      Stop-Bootstrap 'DOWNLOAD_FAILED' $_.Exception.Message $name
    }
  } elseif (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
    Stop-Bootstrap 'STAGING_INCOMPLETE' 'File not staged.' $name
  }
  if ((Get-Item -LiteralPath $path).Length -ne $f.size -or (Get-FileHash -LiteralPath $path).Hash -ne $f.sha256) {
    Stop-Bootstrap 'CHECKSUM_MISMATCH' 'Size or SHA-256 differs.' $name
  }
}
# version last: a partial install never looks current.
$version = Join-Path $dir 'version'
Remove-Item -LiteralPath (Join-Path $staging 'version') -Force -ea Ignore
$previous = $null
if (Test-Path -LiteralPath $version) { $previous = "$(Get-Content -LiteralPath $version -Raw)".Trim() }
# The live install is moved aside to .previous, so .previous must be gone first: one that
# survives its removal (a file in it held open) would receive the live install *inside* it.
# Retried briefly, then HOST_BUSY (retryable) with the install where it was.
$old = "$dir.previous"
foreach ($i in 1..3) {
  Remove-Item -LiteralPath $old -Recurse -Force -ea Ignore
  if (!(Test-Path -LiteralPath $old)) { break }
  if ($i -eq 3) { Stop-Bootstrap 'HOST_BUSY' "$old cannot be removed (in use)." }
  Start-Sleep 1
}
if (Test-Path -LiteralPath $dir) { Move-Item -LiteralPath $dir $old }
try {
  Move-Item -LiteralPath $staging $dir
} catch {
  if (Test-Path -LiteralPath $old) { Move-Item -LiteralPath $old $dir }
  throw
}
Set-Content -LiteralPath $version $p.manifest.version -NoNewline -Encoding Ascii
Write-Result 'result' ([ordered]@{ installDirectory = $dir; mode = $mode; version = $p.manifest.version; previousVersion = $previous; files = $p.manifest.files })
