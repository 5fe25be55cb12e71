# Entry of every powershell.exe call that reaches a simulated host in powershell agent mode
# (simulator/src/pwsh/runner.ts): maps the host's C: drive onto its folder, then runs what
# powershell.exe was asked to run -- the agent script by its Windows path, or the text of an
# -EncodedCommand (the bootstrap loader, which reads its script and input from stdin) -- with
# stdin, stdout, stderr and the exit code left to it. It writes nothing.
param(
    [Parameter(Mandatory = $true)] [string] $SimulatedRoot,
    [string] $AgentFile,
    [string] $EncodedCommand
)
$null = New-PSDrive -Name 'C' -PSProvider FileSystem -Root $SimulatedRoot -Scope Global
Set-Location -LiteralPath 'C:\'

# On Windows, Join-Path and Split-Path answer with '\'; on Linux the FileSystem provider answers
# with '/' even on this C: drive. The simulated host is Windows, so it answers as Windows does.
function Join-Path {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)] [Alias('PSPath')] [string[]] $Path,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = $true)] [AllowNull()] [AllowEmptyString()] [string] $ChildPath,
        [Parameter(Position = 2, ValueFromRemainingArguments = $true)] [AllowNull()] [AllowEmptyString()] [string[]] $AdditionalChildPath,
        [switch] $Resolve,
        [pscredential] $Credential
    )
    process {
        foreach ($item in @(Microsoft.PowerShell.Management\Join-Path @PSBoundParameters)) {
            if ($item -is [string]) { $item.Replace('/', '\') } else { $item }
        }
    }
}
function Split-Path {
    [CmdletBinding(DefaultParameterSetName = 'ParentSet')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)] [string[]] $Path,
        [Parameter(ParameterSetName = 'ParentSet')] [switch] $Parent,
        [Parameter(ParameterSetName = 'LeafSet')] [switch] $Leaf,
        [Parameter(ParameterSetName = 'LeafBaseSet')] [switch] $LeafBase,
        [Parameter(ParameterSetName = 'ExtensionSet')] [switch] $Extension,
        [Parameter(ParameterSetName = 'QualifierSet')] [switch] $Qualifier,
        [Parameter(ParameterSetName = 'NoQualifierSet')] [switch] $NoQualifier,
        [Parameter(ParameterSetName = 'IsAbsoluteSet')] [switch] $IsAbsolute,
        [switch] $Resolve
    )
    process {
        foreach ($item in @(Microsoft.PowerShell.Management\Split-Path @PSBoundParameters)) {
            if ($item -is [string]) { $item.Replace('/', '\') } else { $item }
        }
    }
}
if ($AgentFile) {
    # A Linux path: the Join-Path above answers as Windows does.
    . "$PSScriptRoot/SimulatedWmi.ps1"
    # Parsed under its Windows path so that $PSScriptRoot is 'C:\Program Files\Aether-V', not the
    # folder on Linux: pwsh takes $PSScriptRoot from Path.GetDirectoryName, which on Linux splits
    # at the last '/' only, hence that one '/' before the file name.
    $aethervSplit = $AgentFile.LastIndexOf('\')
    $aethervPath = $AgentFile.Substring(0, $aethervSplit) + '/' + $AgentFile.Substring($aethervSplit + 1)
    $aethervText = Get-Content -LiteralPath $AgentFile -Raw -Encoding UTF8
    $aethervTokens = $null
    $aethervErrors = $null
    $aethervAst = [System.Management.Automation.Language.Parser]::ParseInput($aethervText, $aethervPath, [ref]$aethervTokens, [ref]$aethervErrors)
    if ($aethervErrors.Count -gt 0) {
        [Console]::Error.WriteLine("$AgentFile : $($aethervErrors[0].Message)")
        exit 1
    }
    $aethervBlock = $aethervAst.GetScriptBlock()
} else {
    $aethervBlock = [scriptblock]::Create([System.Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($EncodedCommand)))
}
Remove-Variable -Name 'SimulatedRoot', 'AgentFile', 'EncodedCommand', 'aethervSplit', 'aethervPath', 'aethervText', 'aethervTokens', 'aethervErrors', 'aethervAst' -ErrorAction SilentlyContinue
& $aethervBlock
exit $LASTEXITCODE
