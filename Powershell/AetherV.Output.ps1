# Protocol output of the host agent (dot-sourced by AetherV.Agent.ps1): stdin and stdout as
# UTF-8 whatever the code page, JSON that reads the same on 5.1 and 7, NDJSON log lines.

$script:AgentWriter = $null

function Initialize-AgentOutput {
    # Our own UTF-8 (no BOM) writer on the stdout handle: [Console]::OutputEncoding cannot be
    # set when the process has no console (some WinRS/OpenSSH sessions), and the bytes we emit
    # must not depend on the host's code page.
    $stream = [Console]::OpenStandardOutput()
    $writer = [System.IO.StreamWriter]::new($stream, [System.Text.UTF8Encoding]::new($false))
    $writer.NewLine = "`n"
    $writer.AutoFlush = $true
    $script:AgentWriter = $writer
    try {
        [Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
    } catch {
        # No console attached: our writer above does not need it.
        $null = $_
    }
}

function Read-AgentStandardInput {
    # Reads all of stdin as UTF-8 (a BOM, if any, is skipped), whatever the console code page.
    $stream = [Console]::OpenStandardInput()
    $reader = [System.IO.StreamReader]::new($stream, [System.Text.UTF8Encoding]::new($false), $true)
    try {
        return $reader.ReadToEnd()
    } finally {
        $reader.Dispose()
    }
}

function Get-AgentTimestamp {
    param([Nullable[datetime]] $Value)
    if ($null -eq $Value) {
        $Value = [datetime]::UtcNow
    }
    return $Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

function ConvertTo-AgentJsonValue {
    # Normalises a value to plain dictionaries, object[] and scalars so that ConvertTo-Json gives
    # the same text on 5.1 and 7: no {"value":[...],"Count":n} wrappers, no "\/Date(...)\/",
    # enums and GUIDs as strings, one-element arrays kept as arrays.
    param([AllowNull()] [object] $Value)
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [System.Management.Automation.PSObject]) {
        # A [pscustomobject]'s properties live on its PSObject wrapper, not on the base object
        # (an empty PSCustomObject): read them before unwrapping, or it would serialise as {}.
        if ($Value.PSObject.BaseObject -is [System.Management.Automation.PSCustomObject]) {
            $copy = [ordered]@{}
            foreach ($property in $Value.PSObject.Properties) {
                $copy[$property.Name] = ConvertTo-AgentJsonValue -Value $property.Value
            }
            return $copy
        }
        $Value = $Value.PSObject.BaseObject
    }
    if ($Value -is [string] -or $Value -is [bool]) {
        return $Value
    }
    if ($Value -is [datetime]) {
        return (Get-AgentTimestamp -Value $Value)
    }
    if ($Value -is [datetimeoffset]) {
        return (Get-AgentTimestamp -Value $Value.UtcDateTime)
    }
    if ($Value -is [guid] -or $Value -is [enum] -or $Value -is [char] -or $Value -is [timespan]) {
        return $Value.ToString()
    }
    if ($Value -is [byte] -or $Value -is [int16] -or $Value -is [uint16] -or $Value -is [int] -or
        $Value -is [uint32] -or $Value -is [long]) {
        return [long]$Value
    }
    if ($Value -is [uint64]) {
        return [decimal]$Value
    }
    if ($Value -is [double] -or $Value -is [single] -or $Value -is [decimal]) {
        return $Value
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $copy = [ordered]@{}
        # The entries, not $Value.Keys: a dictionary with a 'keys' entry (the kvp.set result, a
        # guest's KVP items) answers .Keys with that entry's value.
        foreach ($entry in $Value.GetEnumerator()) {
            $copy[[string]$entry.Key] = ConvertTo-AgentJsonValue -Value $entry.Value
        }
        return $copy
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $list = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $Value) {
            $list.Add((ConvertTo-AgentJsonValue -Value $item))
        }
        # The comma keeps an empty or one-element array an array on return.
        return , $list.ToArray()
    }
    return $Value.ToString()
}

function ConvertTo-AgentJson {
    param([AllowNull()] [object] $Value)
    $plain = ConvertTo-AgentJsonValue -Value $Value
    return (ConvertTo-Json -InputObject $plain -Depth 20 -Compress)
}

function Write-AgentLine {
    param([Parameter(Mandatory = $true)] [System.Collections.IDictionary] $Record)
    $line = ConvertTo-AgentJson -Value $Record
    if ($null -eq $script:AgentWriter) {
        Initialize-AgentOutput
    }
    $script:AgentWriter.WriteLine($line)
}

function Write-AgentLog {
    # One NDJSON progress line. Never pass secrets or KVP values here.
    param(
        [ValidateSet('info', 'warn', 'error')] [string] $Level = 'info',
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Message
    )
    Write-AgentLine -Record ([ordered]@{ type = 'log'; level = $Level; message = $Message; time = (Get-AgentTimestamp) })
}
