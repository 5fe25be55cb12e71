# Shared set-up of the host agent's Pester tests: dot-source in BeforeAll. Loads the agent's files
# the way AetherV.Agent.ps1 does (same order, strict mode, ErrorActionPreference Stop), with the
# Hyper-V / FailoverClusters / CimCmdlets / Get-Service stub modules on PSModulePath so that Pester
# can mock them, maps the host's C: drive onto a folder of TestDrive (the project's rule for host
# scripts on Linux), captures the agent's NDJSON log lines, and checks results against
# Schemas/agent. Fake Hyper-V objects are in FakeHyperV.ps1, their mocks in FakeHyperVMocks.ps1.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'

$script:RepoRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).Path
$script:AgentRoot = Join-Path -Path $script:RepoRoot -ChildPath 'Powershell'
$script:SchemaRoot = Join-Path -Path $script:RepoRoot -ChildPath 'Schemas/agent'
$stubModules = Join-Path -Path $script:RepoRoot -ChildPath 'simulator/powershell/Modules'
if (-not ($env:PSModulePath -split [System.IO.Path]::PathSeparator -contains $stubModules)) {
    $env:PSModulePath = $stubModules + [System.IO.Path]::PathSeparator + $env:PSModulePath
}
Import-Module -Name 'Hyper-V', 'CimCmdlets', 'AetherV.WindowsShims' -Force -Verbose:$false
if (-not ('AetherV.Tests.FinishedJob' -as [type])) {
    # Only the type file of the simulator's backend, not the backend: the tests mock the cmdlets.
    Add-Type -Path @((Join-Path -Path $stubModules -ChildPath 'AetherV.SimBackend/AetherV.SimTypes.cs'), (Join-Path -Path $PSScriptRoot -ChildPath 'TestTypes.cs'))
}

# The agent's files, in AetherV.Agent.ps1's order.
foreach ($file in @('AetherV.Output.ps1', 'AetherV.Common.ps1', 'AetherV.Deadline.ps1', 'AetherV.Kvp.ps1',
        'AetherV.VmRecord.ps1', 'AetherV.Storage.ps1', 'Inventory.ps1', 'CopyImage.ps1', 'CopyProvisioningISO.ps1', 'RegisterVM.ps1', 'VM.ps1',
        'Power.ps1', 'Disk.ps1', 'Nic.ps1', 'PublishProvisioningData.ps1', 'WaitForProvisioningKey.ps1')) {
    . (Join-Path -Path $script:AgentRoot -ChildPath $file)
}
. (Join-Path -Path $PSScriptRoot -ChildPath 'FakeHyperV.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'FakeHyperVMocks.ps1')

# The dispatch table, read from AetherV.Agent.ps1 itself so the tests call what the agent dispatches.
$agentAst = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path -Path $script:AgentRoot -ChildPath 'AetherV.Agent.ps1'), [ref]$null, [ref]$null)
$tableAst = $agentAst.Find({
        param($node)
        $node -is [System.Management.Automation.Language.AssignmentStatementAst] -and $node.Left.Extent.Text -eq '$script:AgentOperations'
    }, $true)
$script:TestAgentOperations = $tableAst.Right.Expression.SafeGetValue()

# Test-Json resolves the operation schemas' "../common.json" references through the global registry.
if ($null -eq (Get-Variable -Name 'AetherVTestCommonSchema' -Scope Global -ErrorAction SilentlyContinue)) {
    $global:AetherVTestCommonSchema = [Json.Schema.JsonSchema]::FromFile((Join-Path -Path $script:SchemaRoot -ChildPath 'common.json'))
    [Json.Schema.SchemaRegistry]::Global.Register($global:AetherVTestCommonSchema)
}

$script:TestInstallDirectory = 'C:\Program Files\Aether-V'

function Initialize-TestHostDrive {
    # C: of the simulated host is a new folder of this container's TestDrive (one per call, so
    # each test starts from an empty disk), with the install directory and Hyper-V's folders.
    $root = Join-Path -Path $TestDrive -ChildPath ('C-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $root -Force
    if ($null -ne (Get-PSDrive -Name 'C' -ErrorAction SilentlyContinue)) {
        Remove-PSDrive -Name 'C' -Force -Scope Global
    }
    $null = New-PSDrive -Name 'C' -PSProvider FileSystem -Root $root -Scope Global
    $env:SystemDrive = 'C:'
    $env:SystemRoot = 'C:\Windows'
    $env:COMPUTERNAME = 'HV01'
    foreach ($folder in @($script:TestInstallDirectory, 'C:\Hyper-V', 'C:\Hyper-V\Virtual Hard Disks', 'C:\Windows\System32')) {
        $null = New-Item -ItemType Directory -Path $folder -Force
    }
    return $root
}

function New-TestContext {
    param([double] $DeadlineSeconds = 600)
    return [pscustomobject]@{
        RequestId        = [guid]::NewGuid().ToString()
        Operation        = 'test'
        Deadline         = New-AgentDeadline -Seconds $DeadlineSeconds
        InstallDirectory = $script:TestInstallDirectory
    }
}

function Invoke-TestOperation {
    # Runs one operation's handler as the agent dispatches it; the log lines it wrote are then
    # in Get-TestAgentLog.
    param(
        [Parameter(Mandatory = $true)] [string] $Operation,
        [hashtable] $Params = @{},
        [double] $DeadlineSeconds = 600
    )
    $script:AgentWriter = [System.IO.StringWriter]::new()
    $script:AgentWriter.NewLine = "`n"
    $handler = $script:TestAgentOperations[$Operation]
    if ($null -eq $handler) {
        throw "No handler for $Operation in AetherV.Agent.ps1."
    }
    $result = $null
    foreach ($item in @(& $handler -Params $Params -Context (New-TestContext -DeadlineSeconds $DeadlineSeconds))) {
        if ($item -is [System.Collections.IDictionary]) {
            $result = $item
        }
    }
    return $result
}

function Get-TestAgentFailure {
    # The agent error ({code, message, retryable, details}) an operation fails with, as the
    # envelope would report it; throws when the operation succeeds.
    param(
        [Parameter(Mandatory = $true)] [string] $Operation,
        [hashtable] $Params = @{},
        [double] $DeadlineSeconds = 600
    )
    try {
        $null = Invoke-TestOperation -Operation $Operation -Params $Params -DeadlineSeconds $DeadlineSeconds
    } catch {
        return (Get-AgentErrorInfo -ErrorRecord $_)
    }
    throw "$Operation succeeded; a failure was expected."
}

function Get-TestAgentLog {
    # The NDJSON log lines the last operation wrote, parsed.
    if ($null -eq $script:AgentWriter) {
        return @()
    }
    return @(([string]$script:AgentWriter) -split "`n" | Where-Object { $_ -ne '' } | ForEach-Object { ConvertFrom-Json -InputObject $_ })
}

function ConvertTo-TestWindowsPathText {
    # On Linux, Join-Path and Split-Path give C:/... for the mapped drive; the simulator's shim turns
    # '/' into '\' at its boundary, and so do the tests before comparing with the contract.
    param([Parameter(Mandatory = $true)] [string] $Json)
    return [regex]::Replace($Json, '"[A-Za-z]:(?:/|\\\\)[^"]*"', { param($m) $m.Value.Replace('/', '\\') })
}

function Assert-TestResultSchema {
    # Serialises the result with the agent's own JSON writer and validates it against
    # Schemas/agent/operations/<operation>.result.json; returns it parsed (hashtables).
    param(
        [Parameter(Mandatory = $true)] [string] $Operation,
        [Parameter(Mandatory = $true)] [AllowNull()] [object] $Result
    )
    if ($null -eq $Result) {
        throw "$Operation returned no result."
    }
    $json = ConvertTo-TestWindowsPathText -Json (ConvertTo-AgentJson -Value $Result)
    $schemaText = [System.IO.File]::ReadAllText((Join-Path -Path $script:SchemaRoot -ChildPath "operations/$Operation.result.json"))
    $errors = $null
    if (-not (Test-Json -Json $json -Schema $schemaText -ErrorAction SilentlyContinue -ErrorVariable errors)) {
        throw "$Operation result does not match its schema: $(@($errors | ForEach-Object { $_.ToString() }) -join '; ')`n$json"
    }
    return (ConvertFrom-Json -InputObject $json -AsHashtable -DateKind String)
}
