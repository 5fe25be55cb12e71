# aetherv-bootstrap: install
# DESIGN.md section 4: pull or push install.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$utf8 = [Text.UTF8Encoding]::new($false)
$out = [IO.StreamWriter]::new([Console]::OpenStandardOutput(), $utf8)
$mode = $null
function Write-Result($Key, $Value) {
  $out.Write((ConvertTo-Json ([ordered]@{ type = 'result'; id = $null; ok = $Key -eq 'result'; $Key = $Value }) -Depth 9 -Compress) + "`n")
  $out.Flush()
  exit 0
}
function Stop-Bootstrap([string]$Code, [string]$Message, $File) {
  if ($mode -eq 'pull') { Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction Ignore }
  Write-Result 'error' ([ordered]@{ code = $Code; message = $Message; retryable = $Code -eq 'DOWNLOAD_FAILED'; details = @{ file = $File } })
}
trap { Stop-Bootstrap 'INTERNAL' $_.Exception.Message }
$p = ConvertFrom-Json ([IO.StreamReader]::new([Console]::OpenStandardInput(), $utf8).ReadToEnd())
$dir = ([string]$p.installDirectory).TrimEnd('\')
$id = [guid]::NewGuid()
if ($p.mode -eq 'push') { $id = [string]$p.stagingId }
$staging = "$dir.staging-$id"
$mode = $p.mode
if ($dir -notmatch '^(\w:\\|\\\\)' -or $id -cnotmatch '^[\w-]{1,64}$') {
  Stop-Bootstrap 'INVALID_PARAMS' 'Bad installDirectory/stagingId.'
}
[Net.ServicePointManager]::SecurityProtocol = 'Tls12'
foreach ($f in @($p.manifest.files)) {
  $name = [string]$f.name
  if ($name -cnotmatch '^\w[\w.-]*(/\w[\w.-]*)*$') {
    Stop-Bootstrap 'INVALID_PARAMS' 'Bad file name.' $name
  }
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
Remove-Item -LiteralPath "$staging\version" -Force -ErrorAction Ignore
$previous = $null
if (Test-Path -LiteralPath "$dir\version") { $previous = "$(Get-Content -LiteralPath "$dir\version" -Raw)".Trim() }
$old = "$dir.previous"
Remove-Item -LiteralPath $old -Recurse -Force -ErrorAction Ignore
if (Test-Path -LiteralPath $dir) { Move-Item -LiteralPath $dir $old }
try {
  Move-Item -LiteralPath $staging $dir
} catch {
  if (Test-Path -LiteralPath $old) { Move-Item -LiteralPath $old $dir }
  throw
}
Set-Content -LiteralPath "$dir\version" $p.manifest.version -NoNewline -Encoding Ascii
Write-Result 'result' ([ordered]@{ installDirectory = $dir; mode = $mode; version = $p.manifest.version; previousVersion = $previous; files = $p.manifest.files })
