# The simulator's side of every cmdlet stub (Hyper-V, FailoverClusters, CimCmdlets,
# AetherV.WindowsShims): the bound parameters go to the simulator over loopback HTTP
# (AETHERV_SIM_URL, a per-run bearer token, the simulated host's name), and what comes back
# becomes what the real cmdlet would produce: objects with the real type names, property names
# and .NET types, non-terminating or terminating ErrorRecords with the real categories and
# FullyQualifiedErrorIds, or a finished job for -AsJob.
# Runs only under the simulator (PowerShell 7 on Linux); it never ships to a host.
Set-StrictMode -Version 3.0

if ($env:AETHERV_SIM_TYPES -and -not ('AetherV.Simulator.FinishedJob' -as [type])) {
    Add-Type -Path $env:AETHERV_SIM_TYPES
}

$script:Client = [System.Net.Http.HttpClient]::new()
$script:Client.Timeout = [timespan]::FromHours(2)
# Objects that came out of the shim -> the simulator's reference to them, so they can be passed
# back (-VM $vm, Get-VM | Stop-VM) without a visible extra property.
$script:References = [System.Runtime.CompilerServices.ConditionalWeakTable[object, string]]::new()
$script:PreserveInvocationInfo = [System.Management.Automation.ErrorRecord].GetProperty('PreserveInvocationInfoOnce', [System.Reflection.BindingFlags]'NonPublic,Instance')
$script:CommonParameters = [System.Collections.Generic.HashSet[string]]::new([string[]]@(
        'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction', 'Verbose', 'Debug', 'ErrorVariable',
        'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'WhatIf', 'Confirm'),
    [System.StringComparer]::OrdinalIgnoreCase)

function ConvertTo-SimWire {
    # A bound parameter value -> JSON-ready data; shim objects travel as {"$ref": ...}.
    param([AllowNull()] [object] $Value)
    if ($null -eq $Value) { return $null }
    $ref = $null
    if ($Value -is [psobject] -and $script:References.TryGetValue($Value, [ref]$ref)) {
        return @{ '$ref' = $ref }
    }
    $base = $Value
    if ($Value -is [psobject]) { $base = $Value.PSObject.BaseObject }
    if ($base -is [System.Management.Automation.SwitchParameter]) { return $base.IsPresent }
    if ($base -is [string] -or $base -is [bool] -or $base -is [int] -or $base -is [long] -or $base -is [double] -or
        $base -is [int16] -or $base -is [uint16] -or $base -is [uint32] -or $base -is [byte]) {
        return $base
    }
    if ($base -is [uint64] -or $base -is [decimal]) { return [decimal]$base }
    if ($base -is [guid] -or $base -is [enum] -or $base -is [version] -or $base -is [char]) { return $base.ToString() }
    if ($base -is [System.Collections.IDictionary]) {
        $table = @{}
        foreach ($key in $base.Keys) { $table[[string]$key] = ConvertTo-SimWire -Value $base[$key] }
        return $table
    }
    if ($base -is [System.Collections.IEnumerable]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $base) { $list.Add((ConvertTo-SimWire -Value $item)) }
        return , $list.ToArray()
    }
    return [string]$base
}

function ConvertFrom-SimWire {
    # The simulator's typed JSON -> .NET values and shim objects (see simulator/src/pwsh/wire.ts).
    param([AllowNull()] [object] $Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $props = $Value.PSObject.Properties
        if ($null -ne $props['$t']) {
            $v = $Value.'$v'
            switch ([string]$Value.'$t') {
                'guid' { return [guid]$v }
                'int' { return [int]$v }
                'int16' { return [int16]$v }
                'uint16' { return [uint16]$v }
                'uint32' { return [uint32]$v }
                'long' { return [long]$v }
                'uint64' { return [uint64]$v }
                'date' { return [datetime]::Parse([string]$v, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind) }
                'timespan' { return [timespan]::FromMilliseconds([double]$v) }
                'version' { return [version]$v }
                'strings' { return [string[]]@($v) }
                'enum' { return ([System.Enum]::Parse(([type][string]$Value.'$e'), [string]$v)) }
            }
            throw "Unknown simulator wire type '$($Value.'$t')'."
        }
        $object = [pscustomobject]@{}
        $typeNames = $null
        $ref = $null
        foreach ($p in $props) {
            if ($p.Name -eq '$type') { $typeNames = @($p.Value) }
            elseif ($p.Name -eq '$ref') { $ref = [string]$p.Value }
            else { $object.PSObject.Properties.Add([psnoteproperty]::new($p.Name, (ConvertFrom-SimWire -Value $p.Value))) }
        }
        if ($null -ne $typeNames) {
            [array]::Reverse($typeNames)
            foreach ($name in $typeNames) { $object.PSObject.TypeNames.Insert(0, [string]$name) }
        }
        if ($null -ne $ref) { $script:References.AddOrUpdate($object, $ref) }
        return $object
    }
    if ($Value -is [string] -or $Value -is [bool] -or $Value -is [long] -or $Value -is [int] -or $Value -is [double] -or $Value -is [decimal]) {
        return $Value
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Value) { $list.Add((ConvertFrom-SimWire -Value $item)) }
        return , $list.ToArray()
    }
    return $Value
}

function New-SimErrorRecord {
    param([Parameter(Mandatory = $true)] [object] $Wire)
    $message = [string]$Wire.message
    $kind = ''
    if ($null -ne $Wire.PSObject.Properties['exception']) { $kind = [string]$Wire.exception }
    $exception = switch ($kind) {
        'ItemNotFound' { [System.Management.Automation.ItemNotFoundException]::new($message) }
        'Argument' { [System.ArgumentException]::new($message) }
        'InvalidOperation' { [System.InvalidOperationException]::new($message) }
        'CimException' { [Microsoft.Management.Infrastructure.CimException]::new($message) }
        'Command' { [System.Management.Automation.RuntimeException]::new($message) }
        default { [Microsoft.HyperV.PowerShell.VirtualizationException]::new($message) }
    }
    $category = [System.Management.Automation.ErrorCategory]([string]$Wire.category)
    $target = $null
    if ($null -ne $Wire.PSObject.Properties['target']) { $target = $Wire.target }
    $record = [System.Management.Automation.ErrorRecord]::new($exception, [string]$Wire.fqid, $category, $target)
    # A compiled cmdlet's FullyQualifiedErrorId ends with its class (…Commands.GetVM); a function's
    # would get ',Get-VM' appended when written. The id comes complete from the simulator: keep it.
    $script:PreserveInvocationInfo.SetValue($record, $true)
    return $record
}

function Invoke-AetherVSimCmdlet {
    # Called by every stub's process block with its $PSCmdlet and $PSBoundParameters.
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet] $Cmdlet,
        [Parameter(Mandatory = $true)] [System.Collections.IDictionary] $BoundParameters
    )
    $name = $Cmdlet.MyInvocation.MyCommand.Name
    $params = @{}
    foreach ($key in $BoundParameters.Keys) {
        if (-not $script:CommonParameters.Contains([string]$key)) {
            $params[[string]$key] = ConvertTo-SimWire -Value $BoundParameters[$key]
        }
    }
    $body = ConvertTo-Json -Depth 12 -Compress -InputObject @{
        host = $env:AETHERV_SIM_HOST; cmdlet = $name; parameterSet = $Cmdlet.ParameterSetName; params = $params
    }
    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Post, $env:AETHERV_SIM_URL)
    $request.Headers.TryAddWithoutValidation('Authorization', 'Bearer ' + $env:AETHERV_SIM_TOKEN) | Out-Null
    $request.Content = [System.Net.Http.StringContent]::new($body, [System.Text.UTF8Encoding]::new($false), 'application/json')
    $response = $script:Client.SendAsync($request).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode) {
        throw [System.InvalidOperationException]::new("The simulator refused $name ($([int]$response.StatusCode)): $text")
    }
    $answer = ConvertFrom-Json -InputObject $text -DateKind String
    $output = @(foreach ($wire in @($answer.output)) { if ($null -ne $wire) { ConvertFrom-SimWire -Value $wire } })
    $errors = @(@($answer.errors) | Where-Object { $null -ne $_ } | ForEach-Object { New-SimErrorRecord -Wire $_ })
    $terminating = $null
    if ($null -ne $answer.terminating) { $terminating = New-SimErrorRecord -Wire $answer.terminating }
    if ($BoundParameters.ContainsKey('AsJob') -and [bool]$BoundParameters['AsJob'] -and $null -eq $terminating) {
        # The work is done: the job only carries its outcome to Wait-Job / Receive-Job.
        $job = [AetherV.Simulator.FinishedJob]::new($Cmdlet.MyInvocation.Line, "Job$name")
        $job.Finish([object[]]$output, [System.Management.Automation.ErrorRecord[]]$errors)
        $Cmdlet.JobRepository.Add($job)
        $Cmdlet.WriteObject($job)
        return
    }
    # A compiled cmdlet follows its caller's $ErrorActionPreference; a script module's function
    # would see only the module's. $PSCmdlet.SessionState is the caller's.
    if (-not $BoundParameters.ContainsKey('ErrorAction')) {
        $ErrorActionPreference = $Cmdlet.SessionState.PSVariable.GetValue('ErrorActionPreference', 'Continue')
    } else {
        $ErrorActionPreference = $BoundParameters['ErrorAction']
    }
    if ($errors.Count -gt 0 -and [string]$ErrorActionPreference -eq 'Stop') { throw $errors[0] }
    foreach ($record in $errors) { $Cmdlet.WriteError($record) }
    foreach ($item in $output) { $Cmdlet.WriteObject($item) }
    # As ThrowTerminatingError, without the function name it would append to the error id.
    if ($null -ne $terminating) { throw $terminating }
}

Export-ModuleMember -Function 'Invoke-AetherVSimCmdlet'
