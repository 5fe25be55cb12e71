# Aether-V host agent (protocol aetherv.agent/1, DESIGN section 3).
# Reads one JSON request on stdin, writes NDJSON {"type":"log"} lines and exactly one
# {"type":"result"} line on stdout, and exits 0 whenever that result line was written.
# User data arrives only as JSON; it is never turned into PowerShell source.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'

$script:AgentProtocol = 'aetherv.agent/1'
$script:AgentRequestId = $null
$script:AgentResultWritten = $false

function Write-AgentResult {
    param(
        [AllowNull()] [System.Collections.IDictionary] $Result,
        [AllowNull()] [System.Collections.IDictionary] $ErrorInfo
    )
    if ($script:AgentResultWritten) {
        return
    }
    $record = [ordered]@{ type = 'result'; id = $script:AgentRequestId }
    if ($null -eq $ErrorInfo) {
        $record['ok'] = $true
        if ($null -eq $Result) {
            $Result = [ordered]@{}
        }
        $record['result'] = $Result
    } else {
        $record['ok'] = $false
        $record['error'] = $ErrorInfo
    }
    Write-AgentLine -Record $record
    $script:AgentResultWritten = $true
}

function Write-AgentFatal {
    # Last resort when even the helpers failed to load: a result line built without them.
    param([string] $Message)
    if ($Message.Length -gt 1900) {
        $Message = $Message.Substring(0, 1900)
    }
    $record = [ordered]@{
        type  = 'result'
        id    = $script:AgentRequestId
        ok    = $false
        error = [ordered]@{ code = 'INTERNAL'; message = [string]$Message; retryable = $false }
    }
    $bytes = [System.Text.UTF8Encoding]::new($false).GetBytes((ConvertTo-Json -InputObject $record -Depth 5 -Compress) + "`n")
    $stdout = [Console]::OpenStandardOutput()
    $stdout.Write($bytes, 0, $bytes.Length)
    $stdout.Flush()
    $script:AgentResultWritten = $true
}

trap {
    # Anything escaping the try/catch below (e.g. while writing output) still ends in a result.
    if (-not $script:AgentResultWritten) {
        Write-AgentFatal -Message ('Agent failure: ' + $_.Exception.Message)
    }
    exit 0
}

foreach ($file in @('AetherV.Output.ps1', 'AetherV.Common.ps1', 'AetherV.Deadline.ps1', 'AetherV.Kvp.ps1')) {
    . (Join-Path -Path $PSScriptRoot -ChildPath $file)
}
Initialize-AgentOutput
if ($PSVersionTable.PSVersion.Major -lt 6) {
    # Windows PowerShell 5.1 serialises PSObject-wrapped arrays as {"value":[...],"Count":n}.
    Remove-TypeData -TypeName 'System.Array' -ErrorAction SilentlyContinue
}

foreach ($file in @('AetherV.VmRecord.ps1', 'AetherV.Storage.ps1', 'Inventory.ps1', 'CopyImage.ps1', 'CopyProvisioningISO.ps1', 'RegisterVM.ps1', 'VM.ps1',
        'Power.ps1', 'Disk.ps1', 'Nic.ps1', 'PublishProvisioningData.ps1', 'WaitForProvisioningKey.ps1')) {
    . (Join-Path -Path $PSScriptRoot -ChildPath $file)
}

# The dispatch table: one handler per operation of Schemas/agent/operations.json (a contract
# test parses this table). Nothing outside it can be invoked.
$script:AgentOperations = @{
    'host.info'         = 'Invoke-HostInfo'
    'inventory.collect' = 'Invoke-InventoryCollect'
    'image.copy'        = 'Invoke-ImageCopy'
    'iso.attach'        = 'Invoke-IsoAttach'
    'iso.detach'        = 'Invoke-IsoDetach'
    'vm.create'         = 'Invoke-VmCreate'
    'vm.update'         = 'Invoke-VmUpdate'
    'vm.delete'         = 'Invoke-VmDelete'
    'vm.power'          = 'Invoke-VmPower'
    'disk.create'       = 'Invoke-DiskCreate'
    'disk.update'       = 'Invoke-DiskUpdate'
    'disk.delete'       = 'Invoke-DiskDelete'
    'nic.create'        = 'Invoke-NicCreate'
    'nic.update'        = 'Invoke-NicUpdate'
    'nic.delete'        = 'Invoke-NicDelete'
    'kvp.get'           = 'Invoke-KvpGet'
    'kvp.set'           = 'Invoke-KvpSet'
    'kvp.remove'        = 'Invoke-KvpRemove'
    'cluster.addVm'     = 'Invoke-ClusterAddVm'
    'cluster.removeVm'  = 'Invoke-ClusterRemoveVm'
}

function Read-AgentRequest {
    # Parses and validates the envelope; INVALID_REQUEST / UNKNOWN_OPERATION / INVALID_PARAMS.
    $text = Read-AgentStandardInput
    if ([string]::IsNullOrWhiteSpace($text)) {
        throw (New-AgentError -Code 'INVALID_REQUEST' -Message 'No request on standard input.')
    }
    try {
        $convert = @{ InputObject = $text; ErrorAction = 'Stop' }
        if ((Get-Command -Name 'ConvertFrom-Json').Parameters.ContainsKey('DateKind')) {
            # PowerShell 7.5+: keep date-like strings (e.g. in notes) as strings.
            $convert['DateKind'] = 'String'
        }
        $parsed = ConvertFrom-Json @convert
    } catch {
        throw (New-AgentError -Code 'INVALID_REQUEST' -Message ('Request is not valid JSON: ' + $_.Exception.Message))
    }
    # PowerShell 7's ConvertFrom-Json enumerates a top-level array, so [{...}] would come back
    # as its one object (5.1 returns the array): the text itself must be an object.
    if ($parsed -isnot [System.Management.Automation.PSCustomObject] -or -not $text.TrimStart().StartsWith('{')) {
        throw (New-AgentError -Code 'INVALID_REQUEST' -Message 'Request must be a JSON object.')
    }
    $request = ConvertTo-AgentHashtable -Value $parsed
    $parsedId = [guid]::Empty
    if ($request['id'] -is [string] -and [guid]::TryParse($request['id'], [ref]$parsedId)) {
        $script:AgentRequestId = $request['id']
    } else {
        throw (New-AgentError -Code 'INVALID_REQUEST' -Message "Request 'id' must be a GUID.")
    }
    if ($request['protocol'] -ne $script:AgentProtocol) {
        throw (New-AgentError -Code 'UNSUPPORTED_PROTOCOL' -Message "Unsupported protocol '$($request['protocol'])'; this agent speaks $script:AgentProtocol.")
    }
    $operation = $request['operation']
    if ($operation -isnot [string] -or -not $script:AgentOperations.ContainsKey($operation)) {
        throw (New-AgentError -Code 'UNKNOWN_OPERATION' -Message "Unknown operation '$operation'.")
    }
    $params = $request['params']
    if ($null -eq $params) {
        $params = @{}
    }
    if ($params -isnot [hashtable]) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Request 'params' must be a JSON object.")
    }
    $deadlineSeconds = 600.0
    if ($null -ne $request['deadlineSeconds']) {
        $deadlineSeconds = $request['deadlineSeconds'] -as [double]
        if ($null -eq $deadlineSeconds -or $deadlineSeconds -lt 1 -or $deadlineSeconds -gt 86400) {
            throw (New-AgentError -Code 'INVALID_REQUEST' -Message "Request 'deadlineSeconds' must be between 1 and 86400.")
        }
    }
    return [pscustomobject]@{ Operation = $operation; Params = $params; DeadlineSeconds = $deadlineSeconds }
}

function Invoke-AgentRequest {
    param([Parameter(Mandatory = $true)] [object] $Request)
    $context = [pscustomobject]@{
        RequestId        = $script:AgentRequestId
        Operation        = $Request.Operation
        Deadline         = New-AgentDeadline -Seconds $Request.DeadlineSeconds
        InstallDirectory = $PSScriptRoot
    }
    $handler = $script:AgentOperations[$Request.Operation]
    # Warnings and host/information output would otherwise reach stdout as plain text;
    # they are turned into log lines and the handler's dictionary is the result.
    $result = $null
    foreach ($item in @(& $handler -Params $Request.Params -Context $context 3>&1 6>&1)) {
        if ($item -is [System.Management.Automation.WarningRecord]) {
            Write-AgentLog -Level 'warn' -Message $item.Message
        } elseif ($item -is [System.Management.Automation.InformationRecord]) {
            Write-AgentLog -Level 'info' -Message ([string]$item.MessageData)
        } elseif ($item -is [System.Collections.IDictionary]) {
            $result = $item
        }
    }
    if ($null -eq $result) {
        throw (New-AgentError -Code 'INTERNAL' -Message "Operation $($Request.Operation) returned no result.")
    }
    return $result
}

try {
    $request = Read-AgentRequest
    $result = Invoke-AgentRequest -Request $request
    Write-AgentResult -Result $result
} catch {
    $errorInfo = Get-AgentErrorInfo -ErrorRecord $_
    if ($errorInfo.code -eq 'INTERNAL') {
        Write-AgentLog -Level 'error' -Message ('Unexpected failure at ' + $_.InvocationInfo.PositionMessage)
    }
    Write-AgentResult -ErrorInfo $errorInfo
}
exit 0
