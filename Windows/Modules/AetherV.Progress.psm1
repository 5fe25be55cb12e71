# Where this VM's provisioning run stands, kept across restarts in progress.json in the agent's
# folder (non-secret: phase names, counters, a domain name and an account name). The bootstrapper
# empties the folder when it installs the agent, so a progress file always belongs to this VM,
# never to the golden image it was made from.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# handshake         keys exchanged, payload not yet received
# applying          configuration being applied
# domainjoin-retry  restarted to retry the domain join (the password waits DPAPI-protected)
# done              applied or failed and reported; nothing left to do
$script:Phases = @('handshake', 'applying', 'domainjoin-retry', 'done')

function Read-AgentProgress {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Path
    )
    if (-not [System.IO.File]::Exists($Path)) {
        return $null
    }
    $text = [System.IO.File]::ReadAllText($Path, [System.Text.Encoding]::UTF8)
    $progress = ConvertFrom-Json -InputObject $text
    $phase = $progress.PSObject.Properties['phase']
    if ($null -eq $phase -or $script:Phases -notcontains [string]$phase.Value) {
        throw [System.IO.InvalidDataException]::new('progress.json has no known phase')
    }
    return $progress
}

function Write-AgentProgress {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Path,
        [Parameter(Mandatory = $true)][ValidateSet('handshake', 'applying', 'domainjoin-retry', 'done')][string]$Phase,
        [System.Collections.IDictionary]$Data = @{}
    )
    $document = [ordered]@{ phase = $Phase; updatedUtc = [DateTime]::UtcNow.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture) }
    foreach ($key in $Data.Keys) {
        $document[[string]$key] = $Data[$key]
    }
    # Written to a temporary file and moved over the old one, so a restart mid-write never leaves
    # a truncated progress file.
    $temporary = '{0}.tmp' -f $Path
    [System.IO.File]::WriteAllText($temporary, (ConvertTo-Json -InputObject $document -Compress), [System.Text.UTF8Encoding]::new($false))
    if ([System.IO.File]::Exists($Path)) {
        # No backup file: [NullString]::Value, because PowerShell hands a plain $null to a string
        # parameter as '', which File.Replace refuses (ArgumentException, .NET Framework and .NET alike).
        [System.IO.File]::Replace($temporary, $Path, [NullString]::Value)
    }
    else {
        [System.IO.File]::Move($temporary, $Path)
    }
}

Export-ModuleMember -Function @('Read-AgentProgress', 'Write-AgentProgress')
